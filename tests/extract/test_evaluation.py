"""The evaluation command: scores on the seeds and the development corpus, enforced thresholds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from geo.errors import InputError
from geo.events import Event
from geo.extract.evaluation import asset_matches, evaluate_folder, load_gold
from geo.extract.extractor import extract_text
from tests.conftest import ROOT, SEEDS

CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def corpus_scores():
    return evaluate_folder(CORPUS).summary()


def test_seeds_acceptance():
    score = evaluate_folder(SEEDS)
    summary = score.summary()
    assert summary["event_recall"] == 1.0, [p for a in score.articles for p in a.problems]
    assert summary["toponym_acc161"] == 1.0
    # Every seed count is right (5,000 troops to Romania, two F-35 squadrons, Rota's six destroyers,
    # 625 troops to Germany): the prediction that reports a count is the one judged for it.
    assert summary["count_accuracy"] == 1.0, [p for a in score.articles for p in a.problems]
    # No event from the reader comments of the Baltic article.
    baltic = next(a for a in score.articles if a.name.startswith("000"))
    assert baltic.events.false_positive == 0


def test_development_corpus_thresholds(corpus_scores):
    assert corpus_scores["articles"] >= 30
    # Our written corpora were annotated before the real-news codebook: they list a drill "in Estonia,
    # Latvia and Lithuania" as one event and leave out the fighters sent up to intercept. Since the
    # extractor follows the codebook (one event per named place, one patrol per side) these score
    # lower (0.879 -> 0.846 here); the floor stays a little under that.
    assert corpus_scores["event_f1"] >= 0.83, corpus_scores
    assert corpus_scores["toponym_acc161"] >= 0.95, corpus_scores


@pytest.mark.parametrize("folder, floor", [("corpus_heldout", 0.75), ("corpus_dev2", 0.64), ("corpus_dev3", 0.50)])
def test_other_development_corpora_keep_their_level(folder, floor):
    """The corpora the rules were later tuned on keep a floor a little under today's scores (0.77,
    0.66, 0.54 since the extractor follows the real-news codebook's one event per place; see above):
    a rule that helps one corpus must not quietly undo another. The blind corpus (tests/corpus_blind)
    has no floor: it is measured, never tuned on. The held-out corpus fell from 0.80 when the
    gazetteer gained every country's provinces: "over Hatay province" is now the province, not the
    city of Antakya, and a wrong Russian event at Antakya no longer happens to match a gold one."""
    summary = evaluate_folder(ROOT / "tests" / folder).summary()
    assert summary["event_f1"] >= floor, summary
    assert summary["toponym_acc161"] >= 0.95, summary


def test_evaluate_cli_json_last_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo", "evaluate", str(SEEDS), "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("toponym_precision", "toponym_recall", "toponym_acc161", "event_precision", "event_recall",
                "event_f1"):
        assert 0.0 <= summary[key] <= 1.0
    assert "event missed" not in result.stdout or "in:" in result.stdout


def test_any_folder_in_the_gold_format(tmp_path):
    """A folder the code has never seen: one article, one gold event, one miss and one hit."""
    shutil.copy(SEEDS / "002_7230f43d1c5252f7.txt", tmp_path / "article.txt")
    gold = {"article.txt": {"published": "2025-12-11", "toponyms": [
        {"text": "Sea of Japan", "lat": 40.0, "lon": 135.0, "kind": "sea"},
        {"text": "Atlantis", "lat": 0.0, "lon": 0.0, "kind": "city"}],
        "events": [{"kind": "patrol", "actor": ["CN", "RU"], "assets": ["H-6"], "lat": 40.0, "lon": 135.0}]}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    score = evaluate_folder(tmp_path)
    article = score.articles[0]
    assert article.toponyms.true_positive == 1 and article.toponyms.false_negative == 1
    assert article.events.true_positive == 1
    assert any("toponym missed: 'Atlantis'" in p for p in article.problems)


def test_bad_gold_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"no gold\.json"):
        load_gold(tmp_path)
    (tmp_path / "gold.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_gold(tmp_path)
    (tmp_path / "gold.json").write_text('{"missing.txt": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="not in"):
        load_gold(tmp_path)


def test_events_are_matched_one_to_one_for_the_most_gold_events(tmp_path):
    """A broad gold event listed first must not take the one prediction a narrower one needs."""
    shutil.copy(SEEDS / "001_faa9ce2b65bbefc6.txt", tmp_path / "article.txt")
    broad = {"kind": "deployment", "actor": ["US"], "lat": 52.0, "lon": 19.0, "tol_km": 3000}  # Poland, widely
    madrid = {"kind": "deployment", "actor": ["US"], "assets": ["troops"], "lat": 40.42, "lon": -3.70, "tol_km": 100}
    gold = {"article.txt": {"published": "2022-06-29", "toponyms": [], "events": [broad, madrid]}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    score = evaluate_folder(tmp_path).articles[0]
    # Only the "troops to Europe" prediction covers Madrid; the broad event takes another one.
    assert score.events.true_positive == 2 and score.events.false_negative == 0, score.problems


def test_an_unreadable_article_counts_as_missed_and_the_rest_are_scored(tmp_path):
    """One article whose text is all page furniture no longer stops the evaluation: its gold events
    and toponyms count as missed, with the reason, and the other articles are scored as usual."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    gold = json.loads((tmp_path / "corpus" / "gold.json").read_text(encoding="utf-8"))
    first = sorted(k for k in gold if not k.startswith("_"))[0]
    (tmp_path / "corpus" / first).write_text("Trending\n\nAdvertisement\n", encoding="utf-8")
    score = evaluate_folder(tmp_path / "corpus")
    broken = next(a for a in score.articles if a.name == first)
    assert broken.problems[0].startswith("article could not be read:")
    assert broken.events.true_positive == 0
    assert broken.events.false_negative == sum(1 for e in gold[first]["events"] if not e.get("optional"))
    others = [a for a in score.articles if a.name != first]
    assert others and all(a.events.true_positive > 0 for a in others)


def test_toponyms_count_per_occurrence(tmp_path):
    """The real-news gold lists every occurrence of a name: each one found counts, each one not found
    is a miss (the scorer once kept one prediction per name, so repeats were all misses)."""
    (tmp_path / "article.txt").write_text(
        "Two B-52 bombers flew over the Baltic Sea on 3 March 2025.\n\n"
        "The Baltic Sea patrol lasted six hours; Sweden and Finland joined it.\n", encoding="utf-8")
    baltic = {"text": "Baltic Sea", "lat": 58.0, "lon": 20.0, "kind": "sea"}
    gold = {"article.txt": {"published": "2025-03-04", "toponyms": [baltic, baltic, {**baltic}],
                            "events": []}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    article = evaluate_folder(tmp_path).articles[0]
    # Two occurrences in the text, three in this gold: two found, one missed.
    assert article.toponyms.true_positive == 2 and article.toponyms.false_negative == 1, article.problems
    # Sweden and Finland are predicted but not in this gold: false positives, one each.
    assert article.toponyms.false_positive == 2


def _only_event(text: str) -> Event:
    events = extract_text(text, published="2025-03-04").events
    assert len(events) == 1, events
    return events[0]


def test_assets_match_by_designator_family_or_category_never_by_prefix():
    """FORMAT.md: a gold asset names the predicted asset's designator, family or category. The scorer
    once also took prefixes, so a gold "aircraft" matched a predicted "aircraft carrier"."""
    bombers = _only_event("Two B-52H bombers flew over the Baltic Sea on 3 March 2025.")
    for gold in ("B-52H", "B-52", "b-52s", "Stratofortress", "bomber", "bombers"):
        assert asset_matches(gold, bombers), gold
    for gold in ("B-5", "B", "B-52G", "B-1B", "aircraft", "fighter"):
        assert not asset_matches(gold, bombers), gold
    carrier = _only_event("The US aircraft carrier sailed into the South China Sea on 3 March 2025.")
    assert asset_matches("carrier", carrier) and not asset_matches("aircraft", carrier)
    # A category word matches every type of its category; a type word only its own type.
    frigates = _only_event("Two Chinese frigates sailed through the Taiwan Strait on 3 March 2025.")
    assert asset_matches("warships", frigates) and asset_matches("frigate", frigates)
    assert not asset_matches("destroyer", frigates)
    warships = _only_event("Two Chinese warships sailed through the Taiwan Strait on 3 March 2025.")
    assert asset_matches("warship", warships) and not asset_matches("frigate", warships)


def test_an_exercise_name_matches_the_event_of_that_name_or_its_series():
    """The gold lists an exercise's name among its assets ("Balikatan", "Balikatan 23"): it matches
    the event the extractor named so, an iteration its series, never another exercise."""
    drill = _only_event("US and Philippine troops began Balikatan 23 in northern Luzon on 3 March 2025.")
    assert drill.name == "Balikatan 23"
    for gold in ("Balikatan 23", "Balikatan", "BALIKATAN 2023", "balikatan-23"):
        assert asset_matches(gold, drill), gold
    for gold in ("Cobra Gold", "Balikatan Sabre", "Bali"):
        assert not asset_matches(gold, drill), gold
    unnamed = _only_event("Two Chinese frigates sailed through the Taiwan Strait on 3 March 2025.")
    assert unnamed.name == "" and not asset_matches("", unnamed)


def test_event_distance_is_to_the_geometry_the_event_carries(tmp_path):
    """A deployment to Svalbard is drawn as a point: a gold event at Bear Island, 470 km from that
    point though inside Svalbard's extent, is not within a 300 km tolerance (the scorer once measured
    to the gazetteer's shape of each place the event names, which the map never draws)."""
    sentence = "The US deployed 300 troops to Svalbard on 3 March 2025.\n"
    (tmp_path / "article.txt").write_text(sentence, encoding="utf-8")
    bear_island = {"kind": "deployment", "actor": ["US"], "assets": ["troops"], "lat": 74.43, "lon": 19.03}
    gold = {"article.txt": {"published": "2025-03-04", "toponyms": [], "events": [bear_island]}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    event = _only_event(sentence.strip())
    assert event.geometry.geom_type == "Point"
    assert evaluate_folder(tmp_path).articles[0].events.true_positive == 0
    gold["article.txt"]["events"] = [{**bear_island, "tol_km": 900}]
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    assert evaluate_folder(tmp_path).articles[0].events.true_positive == 1


def test_toponyms_match_without_direction_words_and_generic_heads(tmp_path):
    """The codebook: annotators kept "southern" and "province" in some articles and dropped them in
    others, and a scorer should normalise them. Only lower-case words go: a name stays a name."""
    from geo.extract.evaluation import toponym_key

    assert toponym_key("southern Ukraine") == toponym_key("Ukraine") == "ukraine"
    assert toponym_key("Indo-Pacific region") == toponym_key("Indo-Pacific")
    assert toponym_key("Konya province") == "konya"
    for name in ("North Korea", "Christmas Island", "South China Sea", "Gulf of Aden"):
        assert toponym_key(name) == name.lower()
    (tmp_path / "article.txt").write_text(
        "Two US B-52 bombers flew over the Indo-Pacific region and southern Ukraine on 3 March 2025.\n",
        encoding="utf-8")
    gold = {"article.txt": {"published": "2025-03-04", "events": [], "toponyms": [
        {"text": "Indo-Pacific", "lat": 10.0, "lon": 120.0, "kind": "region"},
        {"text": "Ukraine", "lat": 48.4, "lon": 31.2, "kind": "country"}]}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    article = evaluate_folder(tmp_path).articles[0]
    assert article.toponyms.true_positive == 2 and article.toponyms.false_positive == 0, article.problems
