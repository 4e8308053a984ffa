"""Training the decision model (geo/extract/decision.py) from annotated corpus folders, and the
leave-one-corpus-out report that says how well it carries to a corpus it never saw.

Every candidate the rules propose in an annotated article is labelled by the evaluation's own
matching (geo/extract/evaluation.py): 1 when it is the prediction that finds a required gold event,
0 when it finds none; one that finds only an optional gold event is left out (the gold does not say
either way). A logistic regression (scikit-learn, deterministic) learns from the labels, and its
threshold is the one that gives the best event F1 on predictions made for articles outside the
training fold. Training needs scikit-learn; reading a model does not.

Real articles are other people's prose: they are read from their folder at training time and
nothing of their text goes into the model, only weights over the features.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from geo.errors import InputError
from geo.extract.article import read_article
from geo.extract.decision import EventModel, feature_hash, logistic
from geo.extract.evaluation import evaluate_folder, load_gold, maximum_matching
from geo.extract.extractor import Extractor

__all__ = ["CrossReport", "LabelledCandidates", "cross_validate", "label_folder", "train_model"]

REGULARISATION = 0.5  # scikit-learn's C: smaller weights generalise better across sources
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 19))
FOLDS = 5


@dataclass
class LabelledCandidates:
    """The candidates of some folders, their features and labels, and how many gold events they had."""

    rows: list[dict[str, float]]
    labels: list[int]
    groups: list[str]  # folder/article: folds never split an article
    required: dict[str, int]  # folder -> required gold events (the recall denominator)

    def extend(self, other: LabelledCandidates) -> None:
        self.rows += other.rows
        self.labels += other.labels
        self.groups += other.groups
        for folder, count in other.required.items():
            self.required[folder] = self.required.get(folder, 0) + count

    def folder_of(self, index: int) -> str:
        return self.groups[index].split("/", 1)[0]


def label_folder(folder: str | Path, extractor: Extractor) -> LabelledCandidates:
    root = Path(folder)
    gold = load_gold(root)
    labelled = LabelledCandidates([], [], [], {root.name: 0})
    for name in sorted(gold):
        entry = gold[name]
        events = [g for g in entry.get("events") or [] if isinstance(g, dict)]
        required = [g for g in events if not g.get("optional")]
        optional = [g for g in events if g.get("optional")]
        labelled.required[root.name] += len(required)
        try:
            article = read_article(root / name, published=entry.get("published"))
        except InputError:
            continue  # unreadable: its gold events stay in the denominator, as in evaluation
        _, candidates = extractor.candidates(article)
        predicted = [event for event, _ in candidates]
        found = maximum_matching(required, predicted, frozenset())
        hits = set(found.values())
        only_optional = set(maximum_matching(optional, predicted, frozenset(hits)).values())
        for index, (_, features) in enumerate(candidates):
            if index in only_optional:
                continue
            labelled.rows.append(features)
            labelled.labels.append(int(index in hits))
            labelled.groups.append(f"{root.name}/{name}")
    return labelled


def _matrix(rows: list[dict[str, float]], names: Sequence[str]) -> list[list[float]]:
    return [[row.get(name, 0.0) for name in names] for row in rows]


def _fit(data: LabelledCandidates, names: Sequence[str]) -> tuple[list[float], list[float], list[float], float]:
    """(means, scales, weights, bias) of a logistic regression over standardised features."""
    from sklearn.linear_model import LogisticRegression  # training only

    matrix = _matrix(data.rows, names)
    count = len(matrix)
    means = [sum(column) / count for column in zip(*matrix, strict=True)]
    scales = [math.sqrt(sum((v - m) ** 2 for v in column) / count) or 1.0
              for column, m in zip(zip(*matrix, strict=True), means, strict=True)]
    scaled = [[(v - m) / s for v, m, s in zip(row, means, scales, strict=True)] for row in matrix]
    if len(set(data.labels)) < 2:
        raise InputError("training needs candidates of both kinds (events found and not)")
    # Each folder weighs the same, however many candidates it has: a style of writing with many
    # articles must not outvote the others.
    sizes: dict[str, int] = {}
    for index in range(count):
        sizes[data.folder_of(index)] = sizes.get(data.folder_of(index), 0) + 1
    weights = [count / (len(sizes) * sizes[data.folder_of(index)]) for index in range(count)]
    model = LogisticRegression(C=REGULARISATION, max_iter=5000)
    model.fit(scaled, data.labels, sample_weight=weights)
    return means, scales, [float(w) for w in model.coef_[0]], float(model.intercept_[0])


def _f1(probabilities: list[float], data: LabelledCandidates, threshold: float) -> float:
    """Mean over the folders of the event F1 the decision at `threshold` would give."""
    scores = []
    for folder, required in data.required.items():
        rows = [i for i in range(len(data.rows)) if data.folder_of(i) == folder]
        true = sum(1 for i in rows if probabilities[i] >= threshold and data.labels[i])
        false = sum(1 for i in rows if probabilities[i] >= threshold and not data.labels[i])
        missed = max(0, required - true)
        scores.append(2 * true / (2 * true + false + missed) if true else 0.0)
    return sum(scores) / max(1, len(scores))


def _threshold(probabilities: list[float], data: LabelledCandidates) -> float:
    return max(THRESHOLDS, key=lambda t: (round(_f1(probabilities, data, t), 4), -t))


def _held_out_scores(data: LabelledCandidates, names: Sequence[str], folds: Sequence[object], *,
                     skip_one_kind: bool = False) -> list[float | None]:
    """Each candidate's log-odds from a model trained without the candidates of its fold (`folds[i]`
    is candidate i's). With `skip_one_kind`, a fold whose complement holds one kind of label only is
    left unscored (None) instead of refused."""
    scores: list[float | None] = [None] * len(data.rows)
    for fold in sorted(set(folds), key=str):
        inside = [i for i, f in enumerate(folds) if f != fold]
        part = LabelledCandidates([data.rows[i] for i in inside], [data.labels[i] for i in inside],
                                  [data.groups[i] for i in inside], {})
        if skip_one_kind and len(set(part.labels)) < 2:
            continue
        means, scales, weights, bias = _fit(part, names)
        model = EventModel(tuple(names), tuple(means), tuple(scales), tuple(weights), bias, 0.5, "")
        for i, f in enumerate(folds):
            if f == fold:
                scores[i] = model.raw_score(data.rows[i])
    return scores


def _out_of_fold(data: LabelledCandidates, names: Sequence[str]) -> list[float]:
    """Each candidate's log-odds from a model trained without its article's fold."""
    articles = sorted(set(data.groups))
    fold_of = {article: number % FOLDS for number, article in enumerate(articles)}
    return [score or 0.0 for score in _held_out_scores(data, names, [fold_of[g] for g in data.groups])]


def train_model(folders: Sequence[str | Path], extractor: Extractor | None = None,
                progress: Callable[[str], None] | None = None) -> EventModel:
    """A model trained on the candidates of `folders`, its threshold tuned on out-of-fold predictions."""
    extractor = extractor or Extractor()
    data = LabelledCandidates([], [], [], {})
    counts = {}
    for folder in folders:
        labelled = label_folder(folder, extractor)
        counts[Path(folder).name] = {"articles": len(set(labelled.groups)), "candidates": len(labelled.rows),
                                     "found": sum(labelled.labels), "required": sum(labelled.required.values())}
        if progress is not None:
            progress(f"{Path(folder).name}: {counts[Path(folder).name]}")
        data.extend(labelled)
    model, out_of_fold_f1 = _model_of(data)
    trained_on = {"folders": counts, "out_of_fold_mean_f1": round(out_of_fold_f1, 4),
                  "candidate_ceiling_recall": round(sum(data.labels) / max(1, sum(data.required.values())), 4)}
    return replace(model, trained_on=trained_on)


def _model_of(data: LabelledCandidates) -> tuple[EventModel, float]:
    """The model of some labelled candidates, its threshold tuned out of fold, and the mean event F1
    it gave there."""
    if not data.rows:
        raise InputError("no candidates in the training folders")
    names = sorted(data.rows[0])
    slope, offset = _calibration(data, names)
    probabilities = [logistic(slope * z + offset) for z in _out_of_fold(data, names)]
    threshold = _threshold(probabilities, data)
    means, scales, weights, bias = _fit(data, names)
    model = EventModel(tuple(names), tuple(round(v, 6) for v in means), tuple(round(v, 6) for v in scales),
                       tuple(round(v, 6) for v in weights), round(bias, 6), threshold, feature_hash(),
                       calibration_slope=round(slope, 6), calibration_bias=round(offset, 6))
    return model, _f1(probabilities, data, threshold)


def _calibration(data: LabelledCandidates, names: Sequence[str]) -> tuple[float, float]:
    """Platt scaling (slope, offset on the log-odds) fitted on each folder's candidates as scored by a
    model trained on the other folders: how sure the regression may be on a style it has not read.
    With one folder there is nothing to learn it from, and the scores stay as they are."""
    from sklearn.linear_model import LogisticRegression  # training only

    folders = [data.folder_of(i) for i in range(len(data.rows))]
    if len(set(folders)) < 2:
        return 1.0, 0.0
    held_out = _held_out_scores(data, names, folders, skip_one_kind=True)
    scored = [(score, label) for score, label in zip(held_out, data.labels, strict=True) if score is not None]
    if len({label for _, label in scored}) < 2:
        return 1.0, 0.0
    platt = LogisticRegression(C=1e6, max_iter=1000)
    platt.fit([[score] for score, _ in scored], [label for _, label in scored])
    return float(platt.coef_[0][0]), float(platt.intercept_[0])



@dataclass
class CrossReport:
    """Leave-one-corpus-out: each folder scored by a model trained on all the others."""

    scores: dict[str, dict[str, float]]  # with the model trained on the other folders
    rules: dict[str, dict[str, float]]  # the rules alone, for comparison
    reliability: list[tuple[str, int, float]]  # confidence bucket, events, share right

    @staticmethod
    def mean_f1(scores: dict[str, dict[str, float]]) -> float:
        return sum(s["event_f1"] for s in scores.values()) / max(1, len(scores))

    def lines(self) -> list[str]:
        out = [f"{name}: event F1 {s['event_f1']:.4f} (P {s['event_precision']:.2f} R {s['event_recall']:.2f}, "
               f"right count {s['count_accuracy']}); rules alone {self.rules[name]['event_f1']:.4f}"
               for name, s in self.scores.items()]
        out.append(f"mean event F1 over {len(self.scores)} left-out corpora: {self.mean_f1(self.scores):.4f} "
                   f"(rules alone {self.mean_f1(self.rules):.4f})")
        out.append("reliability (confidence -> events kept, share right):")
        out += [f"  {bucket}: {events} events, {share:.2f} right" for bucket, events, share in self.reliability]
        return out


BUCKETS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def cross_validate(folders: Sequence[str | Path], progress: Callable[[str], None] | None = None) -> CrossReport:
    base = Extractor()
    labelled = {str(f): label_folder(f, base) for f in folders}
    scores: dict[str, dict[str, float]] = {}
    rules: dict[str, dict[str, float]] = {}
    kept: list[tuple[float, int]] = []
    for left_out in folders:
        others = [f for f in folders if f != left_out]
        data = LabelledCandidates([], [], [], {})
        for folder in others:
            data.extend(labelled[str(folder)])
        model, _ = _model_of(data)
        summary = evaluate_folder(left_out, Extractor(geocoder=base.geocoder, catalogue=base.catalogue,
                                                      model=model)).summary()
        scores[Path(left_out).name] = summary
        rules[Path(left_out).name] = evaluate_folder(left_out, base).summary()
        held = labelled[str(left_out)]
        kept += [(p, y) for p, y in ((model.probability(r), y) for r, y in zip(held.rows, held.labels, strict=True))
                 if p >= model.threshold]
        if progress is not None:
            progress(f"{Path(left_out).name}: event F1 {summary['event_f1']:.4f} (threshold {model.threshold})")
    reliability = []
    for low, high in BUCKETS:
        inside = [y for p, y in kept if low <= p < high]
        if inside:
            reliability.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(inside), sum(inside) / len(inside)))
    return CrossReport(scores, rules, reliability)
