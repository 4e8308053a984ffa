"""The trained decision: of the events the rules propose, which does the article report?

The rules (geo/extract/extractor.py) read every sentence generously and propose candidate events;
this module describes each candidate by a few dozen numbers (its kind, how the text pins it down,
where it stands in the article, the cue words around it) and a logistic regression trained on
annotated articles (geo/extract/training.py) gives the probability that the article reports it. That
probability is the event's confidence, and candidates under the model's threshold are dropped.

A model is a small JSON file (feature names, scaling, weights, threshold, what it was trained on)
written by `python -m geo train`. It records a hash of the feature code: a model trained on other
features is refused. No model is used by default yet: on the leave-one-corpus-out report
(`python -m geo evaluate --cross`) the rules alone still score higher; a model is tried with
`python -m geo evaluate FOLDER --model FILE`.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.events import Event
from geo.extract.clues import PATROLLING, QUOTE_MARKS
from geo.extract.dates import PublicationDate
from geo.extract.drafts import Draft, confidence
from geo.extract.geometry import most_specific, unique_places

__all__ = ["EventModel", "candidate_features", "feature_hash", "load_event_model", "logistic"]

MODEL_FORMAT = 2  # 2: with its calibration

_KINDS = ("deployment", "basing", "patrol", "exercise")
_PLACE_KINDS = ("country", "sea", "region", "city", "installation")
_ROLES = ("location", "route", "origin", "mention", "venue", "reference", "context", "dateline")
_PLATFORMS = PATROLLING  # aircraft and ships: what can patrol
_FORCES = frozenset({"ground unit", "personnel", "headquarters"})
# Cue words of the sentence (lower case): what happened, or only what might.
_CUES = {
    "cue_hypothetical": re.compile(r"\b(?:could|would|might|may|ready to|prepared to|willing to|considering|"
                                   r"consider|offer(?:ed|s)?|possible|possibly|if)\b"),
    "cue_denied": re.compile(r"\b(?:den(?:y|ied|ies)|no plans?|not|never|rejected|refused|ruled out)\b"),
    "cue_planned": re.compile(r"\b(?:will|plans?|planned|planning|intends?|to be|expected to|set to|scheduled|"
                              r"next (?:week|month|year)|upcoming)\b"),
    "cue_ended": re.compile(r"\b(?:left|leaves|leaving|departed|departs|returned|returns|returning|withdr[ae]w\w*|"
                            r"concluded|completed|ended|wrapped up|after a|pulled out)\b"),
    "cue_arrived": re.compile(r"\b(?:arrived|arrives|landed|lands|docked|touched down|reached|entered|enters)\b"),
    "cue_drill": re.compile(r"\b(?:exercises?|drills?|manoeuvres|maneuvers|training|war ?games?)\b"),
    "cue_patrol": re.compile(r"\b(?:patrol\w*|transit\w*|sail\w*|flew|fly|flying|flight|escort\w*|intercept\w*|"
                             r"shadow\w*|scrambl\w*|monitor\w*)\b"),
    "cue_basing": re.compile(r"\b(?:station\w*|based|base|garrison\w*|rotation\w*|permanent\w*|agreement|facility)\b"),
    "cue_strike": re.compile(r"\b(?:strikes?|struck|attack\w*|bomb(?:ed|ing)|shot down|fired at|killed)\b"),
    "cue_transfer": re.compile(r"\b(?:sold|sells?|sale|purchase\w*|buy|bought|deliver\w*|contract|donat\w*|"
                               r"supply|supplied|procure\w*|order(?:ed|s)?)\b"),
    "cue_said": re.compile(r"\b(?:said|says|told|according to|stated|reported)\b"),
    "cue_year": re.compile(r"\b(?:19|20)\d\d\b"),
}


def candidate_features(draft: Draft, event: Event, sentence_number: int, sentences: int,
                       published: PublicationDate | None, actors_from_article: bool) -> dict[str, float]:
    """The numbers the model reads for one candidate (names are stable: the model file lists them)."""
    places = most_specific(unique_places(draft.places))
    features: dict[str, float] = {f"kind_{kind}": float(draft.kind == kind) for kind in _KINDS}
    place_kinds = {p.place.kind for p in places}
    features.update({f"place_{kind}": float(kind in place_kinds) for kind in _PLACE_KINDS})
    roles = {p.role for p in draft.places}
    features.update({f"role_{role}": float(role in roles) for role in _ROLES})
    categories = {a.category for a in draft.assets}
    text = draft.sentence.text.lower()
    days_before = 0.0
    if draft.date is not None and published is not None:
        days_before = float((published.date - draft.date[0]).days)
    features.update({
        "generous": float(draft.generous),
        "announced": float(draft.status == "announced"),
        "rule_confidence": confidence(draft, places),
        "trigger_priority": float(min(draft.trigger_priority, 4)),
        "signals": float(min(draft.signals, 4)),
        "borrowed_assets": float(draft.borrowed_assets),
        "area_only": float(draft.area_only),
        "anaphoric": float(draft.anaphoric),
        "ongoing": float(draft.ongoing),
        "actors_from_article": float(actors_from_article),
        "actors": float(min(len(draft.actors), 4)),
        "partners": float(min(len(draft.partners), 4)),
        "assets": float(min(len(draft.assets), 5)),
        "named_asset": float(any(a.catalogue_id and a.name != a.family for a in draft.assets)),
        "platforms": float(bool(categories & _PLATFORMS)),
        "forces": float(bool(categories & _FORCES)),
        "counted": float(any(a.count for a in draft.assets)),
        "places": float(min(len(places), 4)),
        "geo_precision": float(event.geo_precision),
        "dated": float(draft.date is not None),
        "date_day": float(draft.date is not None and draft.date[1] == "day"),
        "days_before_log": math.log1p(max(0.0, days_before)) if draft.date is not None else 0.0,
        "days_after_log": math.log1p(max(0.0, -days_before)) if draft.date is not None else 0.0,
        "over_a_year_before": float(days_before > 366),
        "headline": float(sentence_number == 0),
        "lead": float(sentence_number <= 2),
        "position": sentence_number / max(1, sentences - 1),
        "quoted": float(draft.sentence.text.startswith(QUOTE_MARKS)),
        "sentence_words_log": math.log1p(len(text.split())),
    })
    features.update(_sentence_cues(text))
    # What the rules alone would do with it: keep a reading of theirs that is recent and confident.
    features["rule_kept"] = float(not draft.generous and days_before <= 366 and features["rule_confidence"] >= 0.4)
    # A proposal no rule read is worth as much as its own evidence: the place's role, the verb, the
    # forces named, where it stands.
    for name in ("role_location", "trigger_priority", "platforms", "forces", "lead", "counted", "cue_arrived",
                 "cue_drill", "cue_patrol", "cue_basing"):
        features[f"generous_{name}"] = features["generous"] * features[name]
    return features


@functools.lru_cache(maxsize=256)
def _sentence_cues(text: str) -> dict[str, float]:
    """The cue words of one sentence (read once for all the candidates it holds; a copy is merged)."""
    return {name: float(bool(pattern.search(text))) for name, pattern in _CUES.items()}


def feature_hash() -> str:
    """A hash of the code that turns a candidate into features: a model is valid only for it."""
    source = inspect.getsource(candidate_features) + inspect.getsource(_sentence_cues)
    source += repr(sorted((k, p.pattern) for k, p in _CUES.items()))
    source += repr((_KINDS, _PLACE_KINDS, _ROLES, sorted(_PLATFORMS), sorted(_FORCES)))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EventModel:
    """A logistic regression over standardised features, with the threshold it was tuned to."""

    names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    feature_hash: str
    trained_on: dict[str, Any] = field(default_factory=dict)
    # Platt scaling, fitted on predictions for corpora each model had not seen: the raw regression is
    # sure of itself on a style of writing it learnt, and a confidence must hold on a new one.
    calibration_slope: float = 1.0
    calibration_bias: float = 0.0

    def probability(self, features: dict[str, float]) -> float:
        return logistic(self.calibration_slope * self.raw_score(features) + self.calibration_bias)

    def raw_score(self, features: dict[str, float]) -> float:
        """The regression's log-odds before calibration."""
        return self.bias + sum(w * (features.get(n, 0.0) - m) / s
                               for n, m, s, w in zip(self.names, self.means, self.scales, self.weights, strict=True))

    def to_json(self) -> str:
        data = {"format": MODEL_FORMAT, "feature_hash": self.feature_hash, "threshold": self.threshold,
                "bias": self.bias, "calibration": {"slope": self.calibration_slope, "bias": self.calibration_bias},
                "features": [{"name": n, "mean": m, "scale": s, "weight": w} for n, m, s, w in
                                                zip(self.names, self.means, self.scales, self.weights, strict=True)],
                "trained_on": self.trained_on}
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, where: str = "model") -> EventModel:
        try:
            data = json.loads(text)
            rows = data["features"]
            model = cls(tuple(str(r["name"]) for r in rows), tuple(float(r["mean"]) for r in rows),
                        tuple(float(r["scale"]) or 1.0 for r in rows), tuple(float(r["weight"]) for r in rows),
                        float(data["bias"]), float(data["threshold"]), str(data["feature_hash"]),
                        dict(data.get("trained_on") or {}), float(data["calibration"]["slope"]),
                        float(data["calibration"]["bias"]))
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"{where} is not an event model file ({err})") from err
        if data.get("format") != MODEL_FORMAT:
            raise InputError(f"{where} has format {data.get('format')!r}; this code reads format {MODEL_FORMAT}")
        return model


def logistic(z: float) -> float:
    """The probability of log-odds `z` (clamped: exp overflows past about 700)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_event_model(path: str | Path) -> EventModel:
    """A model file; one trained on other feature code is refused (its weights would be read against
    the wrong numbers)."""
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read the event model {where}: {err.strerror or err}") from err
    model = EventModel.from_json(text, where=str(where))
    if model.feature_hash != feature_hash():
        raise InputError(f"{where} was trained on other feature code ({model.feature_hash}, now {feature_hash()}): "
                         "train it again with `python -m geo train`")
    return model
