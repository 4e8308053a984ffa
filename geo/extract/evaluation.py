"""Score extraction against annotated corpora in the gold format (`seeds/gold.json`, FORMAT.md).

Any folder of UTF-8 articles with a `gold.json` beside them can be scored; nothing here knows
which articles a corpus holds. Toponyms: precision, recall and accuracy@161 km; events:
precision, recall and F1 under the format's matching rule; every miss and false positive is
listed with its sentence.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.events import KIND_GROUPS, Event, name_series
from geo.extract.article import Article, read_article
from geo.extract.catalogue import AssetType, load_catalogue
from geo.extract.clues import is_generic_type
from geo.extract.extractor import ExtractionResult, Extractor, default_extractor
from geo.extract.mentions import Mentions
from geo.gazetteer import distance_to_shape_km

__all__ = ["ArticleScore", "CorpusScore", "asset_matches", "evaluate_folder", "load_gold"]

ACC_KM = 161.0
DEFAULT_TOL_KM = 300.0
DEFAULT_DATE_TOL_DAYS = 10


@dataclass(slots=True)
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, other: Counts) -> None:
        self.true_positive += other.true_positive
        self.false_positive += other.false_positive
        self.false_negative += other.false_negative

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class ArticleScore:
    name: str
    toponyms: Counts = field(default_factory=Counts)
    toponyms_resolved: int = 0
    toponyms_found: int = 0
    events: Counts = field(default_factory=Counts)
    counts_right: int = 0
    counts_checked: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CorpusScore:
    folder: str
    articles: list[ArticleScore]
    seconds: float = 0.0

    def total(self) -> tuple[Counts, Counts, int, int, int, int]:
        toponyms, events = Counts(), Counts()
        resolved = found = right = checked = 0
        for article in self.articles:
            toponyms.add(article.toponyms)
            events.add(article.events)
            resolved += article.toponyms_resolved
            found += article.toponyms_found
            right += article.counts_right
            checked += article.counts_checked
        return toponyms, events, resolved, found, right, checked

    def summary(self) -> dict[str, Any]:
        toponyms, events, resolved, found, right, checked = self.total()
        return {
            "folder": self.folder,
            "articles": len(self.articles),
            "toponym_precision": round(toponyms.precision, 4),
            "toponym_recall": round(toponyms.recall, 4),
            "toponym_acc161": round(resolved / found, 4) if found else 1.0,
            "event_precision": round(events.precision, 4),
            "event_recall": round(events.recall, 4),
            "event_f1": round(events.f1, 4),
            "event_true_positives": events.true_positive,
            "event_false_positives": events.false_positive,
            "event_misses": events.false_negative,
            "count_accuracy": round(right / checked, 4) if checked else None,
            "seconds": round(self.seconds, 3),
        }


def load_gold(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "gold.json"
    if not path.exists():
        raise InputError(f"{folder} has no gold.json (see the gold format in tests/corpus or seeds/)")
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(gold, dict):
        raise InputError(f"{path} should map article file names to objects")
    articles = {k: v for k, v in gold.items() if not k.startswith("_")}
    for name, entry in articles.items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: entry {name!r} should be an object")
        if not (folder / name).exists():
            raise InputError(f"{path}: article {name!r} is not in {folder}")
    return articles


def evaluate_folder(
    folder: str | Path,
    extractor: Extractor | None = None,
    progress: Callable[[ArticleScore], None] | None = None,
) -> CorpusScore:
    import time

    root = Path(folder)
    gold = load_gold(root)
    extractor = extractor or default_extractor()
    started = time.perf_counter()
    scores = []
    for name in sorted(gold):
        entry = gold[name]
        try:
            article = read_article(root / name, published=entry.get("published"))
        except InputError as err:
            # One unreadable article must not stop the evaluation; it scores as nothing extracted,
            # so every gold event and toponym it has counts as missed.
            article = Article(document=name, text="", published=entry.get("published"))
            result = ExtractionResult(article, [], Mentions("", [], [], [], [], [], [], []))
            score = score_article(name, entry, result)
            score.problems.insert(0, f"article could not be read: {err}")
        else:
            score = score_article(name, entry, extractor.extract(article))
        scores.append(score)
        if progress is not None:
            progress(score)
    return CorpusScore(str(root), scores, time.perf_counter() - started)


# -- one article ----------------------------------------------------------------------------------
def score_article(name: str, gold: dict[str, Any], result: ExtractionResult) -> ArticleScore:
    score = ArticleScore(name)
    _score_toponyms(score, gold.get("toponyms") or [], result)
    _score_events(score, gold.get("events") or [], result)
    return score


# The codebook: annotators kept direction words ("southern Ukraine") and lower-case generic heads
# ("Konya province", "Indo-Pacific region") in some articles and dropped them in others, and "a scorer
# that normalises them is fairer than one that demands the exact span". Only lower-case words go:
# "North Korea", "Christmas Island" and "Gulf of Aden" are names as written.
_DIRECTION_WORD = re.compile(r"^(?:(?:north|south|east|west)(?:ern|-?(?:east|west)(?:ern)?)?|central|mid|upper|lower)"
                             r"[\s-]+(?=\S)")
_GENERIC_HEAD = re.compile(r"\s+(?:region|province|prefecture|area|state|county|district|airport|island|islands|"
                           r"peninsula|coast|waters)$")


def toponym_key(text: str) -> str:
    """The surface form a toponym is matched by: case-folded, without a lower-case direction word before
    it or generic head after it, as written in the text ("southern Ukraine" and "Ukraine" match)."""
    text = " ".join(text.split())
    text = _DIRECTION_WORD.sub("", text) if text[:1].islower() else text
    text = _GENERIC_HEAD.sub("", text)
    return text.lower()


def _score_toponyms(score: ArticleScore, gold: list[dict[str, Any]], result: ExtractionResult) -> None:
    # Per occurrence, in order of appearance: the gold lists every mention of a name, so a name found
    # once but written three times has two misses.
    predicted = sorted(result.mentions.places, key=lambda mention: mention.start)
    predicted_keys = [toponym_key(p.text) for p in predicted]
    used = [False] * len(predicted)
    for toponym in gold:
        text = toponym_key(str(toponym.get("text", "")))
        index = next((i for i, key in enumerate(predicted_keys) if not used[i] and key == text), None)
        if index is None:
            if not toponym.get("optional"):
                score.toponyms.false_negative += 1
                score.problems.append(f"toponym missed: {toponym.get('text')!r}")
            continue
        used[index] = True
        if toponym.get("optional"):
            continue
        score.toponyms.true_positive += 1
        score.toponyms_found += 1
        mention = predicted[index]
        distance = distance_to_shape_km(mention.place.covered, float(toponym["lat"]), float(toponym["lon"]))
        if distance <= ACC_KM:
            score.toponyms_resolved += 1
        else:
            score.problems.append(
                f"toponym wrongly resolved: {toponym['text']!r} -> {mention.place.id} ({distance:.0f} km off)")
    gold_keys = {toponym_key(str(t.get("text", ""))) for t in gold}
    for i, mention in enumerate(predicted):
        if not used[i]:
            if predicted_keys[i] in gold_keys:
                continue  # a repeat of a gold name
            score.toponyms.false_positive += 1
            score.problems.append(f"toponym false positive: {mention.text!r} -> {mention.place.id}")


def _plural_folded(word: str) -> str:
    """One trailing plural "s" off ("destroyers" -> "destroyer"): the only spelling difference the
    scorer forgives between a gold asset and a predicted one."""
    word = word.lower().strip()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


@functools.cache
def _gold_asset_type(gold_asset: str) -> AssetType | None:
    """The catalogue entry a gold asset names, when the catalogue knows that exact name (one alias
    covering the whole string: "B-52H", "fighter jets"), else None."""
    hits = load_catalogue().find_assets(gold_asset.strip())
    return hits[0].asset if len(hits) == 1 and hits[0].text == gold_asset.strip() else None


def _names_category(asset_type: AssetType) -> bool:
    """The catalogue's generic word for a whole category ("bomber", "warship", "troops"), not a type
    inside it ("destroyer") nor a class ("Virginia-class submarine")."""
    family = asset_type.family.lower()
    return asset_type.designator.lower() == family and (
        family == asset_type.category or asset_type.category in (a.lower() for a in asset_type.aliases))


def asset_matches(gold_asset: str, event: Event) -> bool:
    """FORMAT.md's rule, strictly: the gold asset names a predicted asset's designator, family or
    category (or an alias of its catalogue entry), never a prefix of it.

    - a designator matches its family ("B-52H" and a predicted "B-52");
    - a category word ("bomber", "fighter jets", "warship") matches every asset of its category;
    - a type word ("destroyer") matches that type and its classes ("Arleigh Burke-class destroyer"),
      not the other types of its category: a gold "frigate" is not a predicted "warship";
    - a named type never matches another type ("F-16" is not an "F-35", "Virginia-class" not "Kilo");
    - an exercise's name matches the event of that name, an iteration its series ("Balikatan" and a
      predicted "Balikatan 23"), as a designator its family: the gold lists the name among the assets.
    """
    if event.name and name_series(gold_asset) == name_series(event.name):
        return True
    wanted = _plural_folded(gold_asset)
    gold_type = _gold_asset_type(gold_asset)
    catalogue = load_catalogue()
    for asset in event.assets:
        entry = catalogue.by_id.get(asset.catalogue_id or "")
        names = {asset.name, asset.family, asset.category, asset.text}
        if entry is not None:
            names.update((entry.designator, entry.family, *entry.aliases))
        if wanted in {_plural_folded(n) for n in names if n}:
            return True
        if gold_type is None:
            continue
        if _names_category(gold_type):
            if asset.category == gold_type.category:
                return True
            continue
        if entry is None:
            continue
        if gold_type.id == entry.id:
            return True
        same_family = entry.family.lower() == gold_type.family.lower()
        if same_family and gold_type.designator.lower() == gold_type.family.lower():
            return True  # the type word, the prediction one of its classes
        if same_family and entry.designator.lower() == entry.family.lower() and not is_generic_type(entry):
            return True  # the designator, the prediction its family alone ("B-52")
    return False


def _event_distance(event: Event, lat: float, lon: float) -> float:
    """Kilometres from the gold point to the geometry the event carries (0 inside its polygon): what
    the map draws, not the gazetteer's shapes of the places it names."""
    return distance_to_shape_km(event.geometry, lat, lon)


def event_matches(gold: dict[str, Any], event: Event) -> bool:
    if KIND_GROUPS.get(str(gold.get("kind"))) != KIND_GROUPS[event.kind]:
        return False
    actors = set(gold.get("actor") or [])
    if actors and not actors & set(event.actors):
        return False
    assets = gold.get("assets") or []
    if assets and not any(asset_matches(a, event) for a in assets):
        return False
    tolerance = float(gold.get("tol_km", DEFAULT_TOL_KM))
    if _event_distance(event, float(gold["lat"]), float(gold["lon"])) > tolerance:
        return False
    if gold.get("date") and event.start:
        days = _days_outside(dt.date.fromisoformat(gold["date"]), dt.date.fromisoformat(event.start),
                             event.time_precision)
        if days > int(gold.get("date_tol_days", DEFAULT_DATE_TOL_DAYS)):
            return False
    return True


def _days_outside(day: dt.date, start: dt.date, precision: str) -> int:
    """Days from `day` to the period an imprecise date stands for ("2022-08" is all of August)."""
    if precision == "week":
        end = start + dt.timedelta(days=6)
    elif precision == "month":
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    elif precision == "year":
        end = start.replace(month=12, day=31)
    else:
        end = start
    if start <= day <= end:
        return 0
    return (start - day).days if day < start else (day - end).days


def _sentence_naming(result: ExtractionResult, place: str) -> str:
    """The first sentence that names the gold event's place: where a reader would look for it."""
    for sentence in result.mentions.sentences:
        if place and place.lower() in sentence.text.lower():
            return sentence.text
    return ""


def maximum_matching(entries: list[dict[str, Any]], events: list[Any],
                     unavailable: frozenset[int]) -> dict[int, int]:
    """Gold entry number -> event index, as many pairs as `event_matches` allows (augmenting paths,
    entries and events in their order)."""
    fits = [[i for i, event in enumerate(events) if i not in unavailable and event_matches(entry, event)]
            for entry in entries]
    # Among the predictions an entry could take, the one carrying its count first: which of two fits
    # serves it does not change the F1, but the count accuracy should judge the prediction that
    # reports it ("625 troops to Germany", not the "20,000 troops in Europe" that also covers Germany).
    for entry, candidates in zip(entries, fits, strict=True):
        if entry.get("count") is not None:
            candidates.sort(key=lambda i: not any(a.count == entry["count"] for a in events[i].assets))
    owner: dict[int, int] = {}  # event index -> entry number

    def place(number: int, seen: set[int]) -> bool:
        for index in fits[number]:
            if index in seen:
                continue
            seen.add(index)
            if index not in owner or place(owner[index], seen):
                owner[index] = number
                return True
        return False

    for number in range(len(entries)):
        place(number, set())
    return {number: index for index, number in owner.items()}


def _score_events(score: ArticleScore, gold: list[dict[str, Any]], result: ExtractionResult) -> None:
    events = result.events
    required = [g for g in gold if not g.get("optional")]
    optional = [g for g in gold if g.get("optional")]
    # One prediction per gold event and the most gold events found: a maximum matching, so the
    # order of the gold does not decide which of two nearby gold events a prediction serves. The
    # optional events then take what predictions are left, which keeps those from counting as errors.
    found = maximum_matching(required, events, frozenset())
    found_optional = maximum_matching(optional, events, frozenset(found.values()))
    used = [False] * len(events)
    pairs = [*((entry, found.get(n)) for n, entry in enumerate(required)),
             *((entry, found_optional.get(n)) for n, entry in enumerate(optional))]
    for entry, index in pairs:
        if index is None:
            if not entry.get("optional"):
                score.events.false_negative += 1
                score.problems.append(
                    f"event missed: {entry.get('kind')} {entry.get('actor')} {entry.get('assets')} at "
                    f"{entry.get('place')} ({entry.get('date')}) in: "
                    f"{_sentence_naming(result, str(entry.get('place') or ''))!r}")
            continue
        used[index] = True
        if entry.get("optional"):
            continue
        score.events.true_positive += 1
        if entry.get("count") is not None:
            score.counts_checked += 1
            if any(a.count == entry["count"] for a in events[index].assets):
                score.counts_right += 1
    for i, event in enumerate(events):
        if not used[i]:
            score.events.false_positive += 1
            where = ", ".join(p.name for p in event.places)
            families = ", ".join(a.name for a in event.assets)
            score.problems.append(
                f"event false positive: {event.kind} {event.actors} [{families}] at {where} ({event.start}) "
                f"in: {event.source.sentence!r}")
