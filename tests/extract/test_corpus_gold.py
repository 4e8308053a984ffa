"""The annotated corpora themselves obey the gold format: a broken annotation would skew every score."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import ROOT, SEEDS

CORPORA = [SEEDS] + [ROOT / "tests" / name for name in (
    "corpus", "corpus_heldout", "corpus_dev2", "corpus_dev3", "corpus_blind")]
KINDS = {"country", "sea", "region", "city", "installation"}
EVENT_KINDS = {"deployment", "basing", "patrol", "exercise"}


@pytest.mark.parametrize("folder", [c for c in CORPORA if (c / "gold.json").exists()], ids=lambda p: p.name)
def test_gold_is_well_formed(folder):
    gold = {k: v for k, v in json.loads((folder / "gold.json").read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
    assert gold
    for name, entry in gold.items():
        text = (folder / name).read_text(encoding="utf-8")
        published = entry["published"]
        assert len(published) in (4, 7, 10), name
        for toponym in entry["toponyms"]:
            assert toponym["text"] in text, (name, toponym["text"])
            assert toponym["kind"] in KINDS, (name, toponym)
            assert -90 <= toponym["lat"] <= 90 and -180 <= toponym["lon"] <= 180, (name, toponym)
        for event in entry["events"]:
            assert event["kind"] in EVENT_KINDS, (name, event)
            assert all(len(code) == 2 and code.isupper() for code in event["actor"]), (name, event)
            assert -90 <= event["lat"] <= 90 and -180 <= event["lon"] <= 180, (name, event)
            if event.get("date"):
                dt.date.fromisoformat(event["date"])
