"""Extraction stays linear in the article's length (issue 13, item 2).

Each input here once made one step quadratic or worse, so that it ran for minutes or hours. Each
is run in a child process with a generous time limit as a hang guard (speed itself is measured in
bench/bench_scaling.py), and its result is checked too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise

from tests.conftest import ROOT

HANG_GUARD_SECONDS = 120


def run_in_child(code: str) -> list[dict]:
    """Run `code` in a fresh interpreter; it prints one JSON object per line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=HANG_GUARD_SECONDS, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_runs_of_sentence_punctuation_are_split_in_one_pass():
    """50 KB of "." took 50 s (the splitter's regex backtracked over the run at every character of
    it), and every "U.S. " re-read the sentence so far (5 MB of them: minutes). No punctuation here
    ends a sentence: each text is only cut into pieces of MAX_SENTENCE characters."""
    found = run_in_child("""
import json
from geo.extract.mentions import MAX_SENTENCE, split_sentences
texts = {"dots": "." * 1_000_000, "questions": "?" * 1_000_000, "mixed": "!?.…" * 250_000,
         "closers": ".\\")" * 300_000 + " End.", "abbreviations": "U.S. " * 1_000_000 + "End."}
for name, text in texts.items():
    print(json.dumps({"name": name, "limit": MAX_SENTENCE,
                      "sentences": [[s.start, s.end] for s in split_sentences(text)]}))
""")
    by_name = {entry["name"]: entry["sentences"] for entry in found}
    limit = found[0]["limit"]
    for name in ("dots", "questions", "mixed"):
        assert by_name[name] == [[start, start + limit] for start in range(0, 1_000_000, limit)]
    # Only the last run has a capital after it: the one sentence end.
    assert by_name["closers"][-2:] == [[898_000, 900_000], [900_001, 900_005]]
    pieces = by_name["abbreviations"]  # "U.S." never ends a sentence: only cut at spaces
    assert pieces[0] == [0, limit - 1] and pieces[-1][1] == 5_000_004
    assert all(end - start <= limit and b[0] - end == 1 for (start, end), b in pairwise(pieces))


def test_places_counts_and_names_named_thousands_of_times_are_read_in_linear_time():
    """Every name was compared with every occurrence of the places around it (apposition: "Rota,
    Spain"), every asset with every number of the article, and every capitalised name after a
    preposition with every span found: 20,000 repeats of a short sentence took hours."""
    found = run_in_child("""
import json
from geo.extract.extractor import extract_text
texts = {"once": "Rota, Spain. ", "apposition": "Rota, Spain. " * 20_000,
         "counts": "Two F-35s and 3 F-16s were seen. " * 20_000,
         "unresolved": "Rota, Spain, near Qwertyville. " * 20_000}
for name, text in texts.items():
    result = extract_text(text, published="2025-03-05")
    assets = result.mentions.assets
    print(json.dumps({"name": name, "places": sorted({p.place.id for p in result.mentions.places}),
                      "place_mentions": len(result.mentions.places), "unresolved": result.unresolved,
                      "counts": sorted({c.value for c in result.mentions.counts}), "assets": len(assets)}))
""")
    by_name = {entry["name"]: entry for entry in found}
    assert by_name["apposition"]["place_mentions"] == 40_000
    assert by_name["apposition"]["places"] == by_name["once"]["places"]  # resolved as in one sentence
    assert "country:ES" in by_name["once"]["places"]
    assert by_name["counts"]["counts"] == [2, 3] and by_name["counts"]["assets"] == 40_000
    assert by_name["unresolved"]["unresolved"] == ["Qwertyville"]


def test_a_line_of_places_without_a_full_stop_is_read_in_pieces():
    """1 MB without a full stop was one sentence whose places were each compared with all the
    others (does this wide region frame that site?): hours. It is now read in pieces of at most
    MAX_SENTENCE characters."""
    found = run_in_child("""
import json
from geo.extract.extractor import extract_text
from geo.extract.mentions import MAX_SENTENCE
text = "American troops deployed to Europe, to Poland, to Germany and to the Baltic Sea " * 12_500
result = extract_text(text, published="2025-03-05")
print(json.dumps({"longest": max(s.end - s.start for s in result.mentions.sentences), "limit": MAX_SENTENCE,
                  "places": sorted({p.id for e in result.events for p in e.places})}))
""")
    assert found[0]["longest"] <= found[0]["limit"]
    assert {"country:PL", "country:DE", "sea:baltic-sea"} <= set(found[0]["places"])
