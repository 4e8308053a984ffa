"""The trained decision over the rules' candidates: candidates, features, training, model files and
the command line. (Whether a model beats the rules is measured by `evaluate --cross`, not here.)"""

from __future__ import annotations

import dataclasses
import json

import pytest

from geo.cli import main
from geo.errors import InputError
from geo.extract.article import read_article
from geo.extract.decision import EventModel, feature_hash, load_event_model
from geo.extract.extractor import Extractor
from geo.extract.training import label_folder, train_model
from tests.conftest import ROOT, SEEDS

HELDOUT = ROOT / "tests" / "corpus_heldout"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def trained(extractor) -> EventModel:
    return train_model([SEEDS, HELDOUT], extractor)


def test_candidates_hold_every_rule_event_and_proposals_of_their_own(extractor):
    article = read_article(SEEDS / "001_faa9ce2b65bbefc6.txt")
    events = extractor.extract(article).events
    _, candidates = extractor.candidates(article)
    ids = {event.id for event, _ in candidates}
    assert {event.id for event in events} <= ids
    generous = [features for _, features in candidates if features["generous"] == 1.0]
    assert generous and all(features["rule_kept"] == 0.0 for features in generous)
    names = set(candidates[0][1])
    assert all(set(features) == names for _, features in candidates)  # one feature set for all


def test_labels_come_from_the_evaluation_matching(extractor):
    labelled = label_folder(SEEDS, extractor)
    # The rules find all ten seed events: each is the label-1 candidate of one gold event.
    assert labelled.required == {"seeds": 10} and sum(labelled.labels) == 10
    assert len(labelled.rows) > 10 and set(labelled.labels) == {0, 1}


def test_training_is_deterministic_and_the_file_round_trips(tmp_path, extractor, trained):
    again = train_model([SEEDS, HELDOUT], extractor)
    assert again.to_json() == trained.to_json()
    path = tmp_path / "model.json"
    path.write_text(trained.to_json(), encoding="utf-8")
    assert load_event_model(path) == trained
    assert trained.feature_hash == feature_hash() and 0.0 < trained.threshold < 1.0
    assert trained.trained_on["folders"]["seeds"]["required"] == 10


def test_confidence_is_calibrated_on_folders_the_regression_did_not_see(extractor, trained):
    """Trained on two folders, the model carries a Platt scaling learnt on each folder as scored by a
    model of the other; it changes how sure the model is, never the order of two candidates."""
    assert (trained.calibration_slope, trained.calibration_bias) != (1.0, 0.0)
    assert trained.calibration_slope > 0.0
    _, candidates = extractor.candidates(read_article(SEEDS / "001_faa9ce2b65bbefc6.txt"))
    rows = [features for _, features in candidates]
    raw = dataclasses.replace(trained, calibration_slope=1.0, calibration_bias=0.0)
    by_raw = sorted(range(len(rows)), key=lambda i: raw.probability(rows[i]))
    by_calibrated = sorted(range(len(rows)), key=lambda i: trained.probability(rows[i]))
    assert [raw.probability(rows[i]) for i in by_raw] == sorted(raw.probability(r) for r in rows)
    assert [round(trained.probability(rows[i]), 9) for i in by_raw] == \
        sorted(round(trained.probability(rows[i]), 9) for i in by_calibrated)
    one_folder = train_model([HELDOUT], extractor)
    assert (one_folder.calibration_slope, one_folder.calibration_bias) == (1.0, 0.0)


def test_a_model_decides_which_candidates_are_events(extractor):
    article = read_article(SEEDS / "001_faa9ce2b65bbefc6.txt")
    _, candidates = extractor.candidates(article)
    names = tuple(sorted(candidates[0][1]))
    neutral = EventModel(names, (0.0,) * len(names), (1.0,) * len(names), (0.0,) * len(names), 0.0, 0.5,
                         feature_hash())
    keep_all = Extractor(extractor.geocoder, extractor.catalogue, model=dataclasses.replace(neutral, bias=30.0))
    kept = keep_all.extract(article).events
    assert len(kept) == len(candidates) and all(event.confidence == 1.0 for event in kept)
    keep_none = Extractor(extractor.geocoder, extractor.catalogue, model=dataclasses.replace(neutral, bias=-30.0))
    assert keep_none.extract(article).events == []


def test_a_model_for_other_features_or_not_a_model_is_refused(tmp_path, trained):
    other = tmp_path / "other.json"
    other.write_text(dataclasses.replace(trained, feature_hash="0123456789abcdef").to_json(), encoding="utf-8")
    with pytest.raises(InputError, match="trained on other feature code"):
        load_event_model(other)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": 1}), encoding="utf-8")
    with pytest.raises(InputError, match="not an event model"):
        load_event_model(broken)
    with pytest.raises(InputError, match="cannot read"):
        load_event_model(tmp_path / "missing.json")


def test_train_and_evaluate_with_a_model_on_the_command_line(tmp_path, capsys):
    model = tmp_path / "model.json"
    assert main(["train", str(SEEDS), str(HELDOUT), "-o", str(model)]) == 0
    assert "wrote" in capsys.readouterr().out and load_event_model(model).feature_hash == feature_hash()
    assert main(["evaluate", str(SEEDS), "--model", str(model), "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0.0 <= summary["event_f1"] <= 1.0
    assert main(["evaluate", str(SEEDS), "--cross"]) == 2  # one folder cannot be left out
    assert "two folders or more" in capsys.readouterr().err


def test_leave_one_corpus_out_scores_each_folder_with_a_model_of_the_others():
    from geo.extract.training import cross_validate

    report = cross_validate([SEEDS, HELDOUT])
    assert set(report.scores) == set(report.rules) == {"seeds", "corpus_heldout"}
    # The rules alone score the seeds perfectly; the comparison is printed beside the model's score.
    assert report.rules["seeds"]["event_f1"] == 1.0
    lines = report.lines()
    assert any(line.startswith("mean event F1 over 2 left-out corpora") for line in lines)
    assert all(events > 0 and 0.0 <= share <= 1.0 for _, events, share in report.reliability)
