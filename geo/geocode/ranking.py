"""Ranking the gazetteer's candidates for a place name, alone or in the context of a text.

Candidates are ranked by kind and importance, then by optional context:
- a country bias (ISO 3166-1 alpha-2);
- the other places in the same text (anchors): a candidate in the same country as a nearby
  anchor, or written in apposition to it ("Rota, Spain", "Fort Stewart, Georgia"), wins;
- cue words beside the name ("Naval Station", "air base", "Fort", "state of"), from
  `data/place_cues.csv`.

`geo.geocode.geocoder.OfflineGazetteer` offers this as a geopy geocoder. The extractor runs through this
module for every name of every article, so it is one of the modules compiled by mypyc (geo/native.py).
"""

from __future__ import annotations

import csv
import re
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from pathlib import Path

from shapely.geometry import Point

from geo.budget import UNLIMITED, TimeBudget
from geo.gazetteer import (
    ACTORS_PATH,
    ADJECTIVES_PATH,
    DATA_DIR,
    Gazetteer,
    NameHit,
    Place,
    PlaceNameFinder,
    adjective_forms,
    fold_text,
    haversine_km,
    load_stop_names,
    name_key,
)

__all__ = [
    "Anchor",
    "CueRule",
    "PlaceContext",
    "PlaceRanker",
    "ResolvedName",
    "load_adjectives",
    "load_cues",
]

CUES_PATH = DATA_DIR / "place_cues.csv"


# Prior belief in each kind when a name is ambiguous: news names countries and seas far more
# often than the same-named village.
KIND_PRIOR = {"country": 1.0, "sea": 0.9, "region": 0.55, "installation": 0.6, "city": 0.2}
COUNTRY_BIAS_BONUS = 1.5  # the user's explicit preference outweighs size
SAME_COUNTRY_BONUS = 0.9  # beside a specific place (a base, a city, a region) of that country
COUNTRY_ANCHOR_BONUS = 0.4  # beside the country's own name: weaker, countries are named everywhere
NEARBY_BONUS = 0.4
# A state, province or district and a place inside it, both named: Springfield beside Illinois.
CONTAINED_BONUS = 0.6
# A city of 100,000 or more with ten times the people of any namesake anchors the text by itself.
DWARFING_MIN_POPULATION = 100_000
DWARFING_RATIO = 10
APPOSITION_BONUS = 1.6
NEARBY_KM = 600.0
# How far apart (characters) two mentions can be and still inform each other fully.
CONTEXT_REACH = 400.0
ANCHOR_MARGIN = 0.35
MAX_CONTEXT_CANDIDATES = 12
MAX_ANCHORS = 12  # the nearest distinct places in the text; farther ones add little
ANCHOR_WINDOW = 2000  # characters: farther anchors add under a fifth of their weight, so are skipped
# Characters between two names written in apposition ("Rota, Spain", "Hmeimim in Syria"): a gap of
# white space and a comma, "in (the)" or a bracket, which only a run of blank lines would stretch
# this far. Only the occurrences this close are tested, not every occurrence of the place.
APPOSITION_REACH = 80
# "Russian officials", "a Canadian firm", "EU ministers": the adjective names the country or union,
# not the village of that name (Canadian, Texas; Eu, France), unless context says otherwise.
ADJECTIVE_BONUS = 1.0
# A city steers the reading of other names only from this size up: smaller ones are mostly words
# and given names that happen to be hamlets.
ANCHOR_MIN_POPULATION = 10_000
# Candidates more than this below the most prominent reading get this share of the context's weight.
PROMINENCE_GAP = 0.3
PROMINENCE_DISCOUNT = 0.5
# A street, building or venue: the words that end its name, never themselves the place in a phrase.
_VENUE = re.compile(
    r"\b(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Boulevard|Drive|Square|Place|Plaza|Centre|Center|"
    r"Stadium|Arena|Park|Field|Fields|Hospital|Church|Cathedral|Mosque|Temple|School|College|University|"
    r"Institute|Academy|Estate|Court|Hall|Tower|Bridge|Station|Airport|Mall|Market|Hotel|Club|Theatre|"
    r"Theater|Museum|Library|Prison|Jail|Castle|Palace|Campus|Beach|Pier|Harbour|Harbor)$")
# An unknown local name is placed in the town named within this many characters of it, with a
# score below any gazetteer reading (the least is a hamlet's 0.3).
LOCAL_REACH = 2000
LOCAL_SCORE = 0.1
# A place named inside a longer phrase ("Colorado" in "Colorado State University") is a guess.
INSIDE_PENALTY = 0.5
INSIDE_MIN_POPULATION = 50_000
_PHRASE_WORD = re.compile(r"[^\W_][\w.&'’-]*")


# -- cue words -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CueRule:
    """A word or phrase beside a name that says what kind of place it is."""

    # Matched at the start of the words beside the name, read away from it: the words after the
    # name as written, the words before it backwards ("esab lavan" for "... naval base").
    pattern: re.Pattern[str]
    position: str  # "before" or "after" the name
    kind: str
    subkind: str
    weight: float


def load_cues(path: Path = CUES_PATH) -> tuple[CueRule, ...]:
    if not path.exists():
        return ()
    rules = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            cue = fold_text(row["cue"].strip())
            if row["position"] == "before":
                cue = cue[::-1]  # read backwards from the name: a match at the start, not a search for the end
            spelt = re.escape(cue).replace(r"\ ", r"\s+")
            pattern = re.compile(rf"^\W*{spelt}(?:\W|$)")
            rules.append(
                CueRule(pattern, row["position"], row["kind"], row.get("subkind", "") or "",
                        float(row["weight"]))
            )
    return tuple(rules)


def load_adjectives(gazetteer: Gazetteer, actors_path: Path = ACTORS_PATH,
                    adjectives_path: Path = ADJECTIVES_PATH) -> dict[str, tuple[str, ...]]:
    """Name key of an adjective or short form -> the ids of the places it names (those present)."""
    return _adjective_table(gazetteer, adjective_forms(actors_path, adjectives_path))


def _adjective_table(gazetteer: Gazetteer, forms: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for form, place_id in forms:
        key = name_key(form)
        if key and place_id in gazetteer and place_id not in table.get(key, ()):
            table.setdefault(key, []).append(place_id)
    return {key: tuple(ids) for key, ids in table.items()}


# -- context ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Anchor:
    """A place already resolved with confidence, and where it stands in the text."""

    place: Place
    start: int
    end: int


@dataclass(slots=True)
class _SpanFacts:
    """What the context says about one span, shared by every candidate of the name written there
    (a name has up to MAX_CONTEXT_CANDIDATES candidates; these facts do not depend on which one)."""

    span: tuple[int, int]
    groups: list[tuple[Place, list[Anchor], Anchor, int]]
    # Per group, what the context bonus reads: (place id, country, is a country, latitude, nearness),
    # nearness being 1 beside the span and falling off over CONTEXT_REACH characters.
    scoring: list[tuple[str, str | None, bool, float, float]]
    apposition: list[bool | None]  # per group, filled on first use: an occurrence stands beside the span
    cues: dict[tuple[int, str, str], float] = field(default_factory=dict)  # (cue set, kind, subkind) -> bonus
    windows: tuple[str, str] | None = None  # folded text before the span (backwards) and after it


@dataclass(slots=True)
class PlaceContext:
    """What the text around a name tells the ranking; build it with `PlaceContext.from_text`."""

    text: str = ""
    anchors: list[Anchor] = field(default_factory=list)
    country_bias: str | None = None
    _groups: list[tuple[Place, list[Anchor]]] | None = field(default=None, repr=False)
    # All anchors in text order with their group's index, and the longest anchor; None when two
    # anchors share a start (then every group is searched in full, as it always used to be).
    _walk: tuple[list[int], list[Anchor], list[int], int] | None = field(default=None, repr=False)
    _facts: _SpanFacts | None = field(default=None, repr=False)
    # id(occurrences of a group) -> (their starts, the occurrences, in text order; the longest's length)
    _by_start: dict[int, tuple[list[int], list[Anchor], int]] = field(default_factory=dict, repr=False)
    _names: list[frozenset[str]] | None = field(default=None, repr=False)

    def nearest_groups(self, span: tuple[int, int]) -> list[tuple[Place, list[Anchor], Anchor, int]]:
        """The distinct anchor places nearest the span in the text (at most MAX_ANCHORS), each with
        its closest occurrence and that occurrence's distance in characters."""
        return self.span_facts(span).groups

    def span_facts(self, span: tuple[int, int]) -> _SpanFacts:
        """The nearest groups and the per-span memos; the last span's are kept, since every
        candidate of one name is scored before the next name."""
        if self._facts is not None and self._facts.span == span:
            return self._facts
        groups = self.anchor_groups()
        if self._walk is not None:
            nearest = self._nearest_by_walking(span)
        else:
            nearest = {}
            for index, (_place, occurrences) in enumerate(groups):
                anchor = _nearest(occurrences, span)
                if anchor is not None:
                    nearest[index] = anchor
        begin, finish = span
        # Another reading of the same name is no evidence for this one: "Tallinn" the city, an
        # anchor, must not lift Tallinn the district around it when the name comes again.
        written = name_key(self.text[begin:finish])
        names = self._group_names()
        found = []
        for index in sorted(nearest):  # group order, so that ties in distance keep it
            anchor = nearest[index]
            distance = anchor.start - finish if anchor.start >= finish else begin - anchor.end
            if distance <= ANCHOR_WINDOW and written not in names[index]:
                anchor_place, occurrences = groups[index]
                found.append((anchor_place, occurrences, anchor, distance if distance > 0 else 0))
        found.sort(key=itemgetter(3))
        found = found[:MAX_ANCHORS]
        scoring = [(p.id, p.country, p.kind == "country", p.lat, 1.0 / (1.0 + distance / CONTEXT_REACH))
                   for p, _o, _a, distance in found]
        self._facts = _SpanFacts(span, found, scoring, [None] * len(found))
        return self._facts

    def _nearest_by_walking(self, span: tuple[int, int]) -> dict[int, Anchor]:
        """Each group's occurrence nearest the span (by start, the earlier on a tie, as `_nearest`),
        for every group that can be among the MAX_ANCHORS nearest within ANCHOR_WINDOW.

        Scoring every group for every name is quadratic in the article's length. Walking outwards
        from the span instead meets each group first at its nearest occurrence; a distance is at
        least the gap between starts minus the longer of the two names, so the walk stops once
        no later anchor can come within the window or beat the MAX_ANCHORS-th distance found.
        """
        assert self._walk is not None
        starts, anchors, group_of, longest = self._walk
        begin, finish = span
        reach = max(longest, finish - begin)
        right = bisect_left(starts, begin)
        left = right - 1
        if right < len(starts) and starts[right] == begin:
            right += 1  # the span itself is not its own anchor
        nearest: dict[int, Anchor] = {}
        distances: list[int] = []  # of the groups met within the window, ascending
        groups = len(self._groups or ())
        # Once every group has been met the rest of the walk would only meet them again (an article
        # naming a few places over and over has thousands of anchors within the window).
        while (left >= 0 or right < len(starts)) and len(nearest) < groups:
            if right >= len(starts) or (left >= 0 and begin - starts[left] <= starts[right] - begin):
                position, left = left, left - 1
                gap = begin - starts[position]
            else:
                position, right = right, right + 1
                gap = starts[position] - begin
            least = gap - reach  # no anchor from here on is nearer than this
            if least > ANCHOR_WINDOW or (len(distances) >= MAX_ANCHORS and least > distances[MAX_ANCHORS - 1]):
                break
            group = group_of[position]
            if group in nearest:
                continue
            anchor = anchors[position]
            nearest[group] = anchor
            distance = anchor.start - finish if anchor.start >= finish else begin - anchor.end
            if distance <= ANCHOR_WINDOW:
                insort(distances, distance if distance > 0 else 0)
        return nearest

    def in_apposition(self, span: tuple[int, int], occurrences: list[Anchor]) -> bool:
        """Some occurrence of a place stands in apposition to the span (`_in_apposition`).

        Only the occurrences within APPOSITION_REACH characters of the span can: they are found by
        bisection, so that a place named thousands of times is not tested thousands of times per name.
        """
        known = self._by_start.get(id(occurrences))
        if known is None:
            ordered = sorted(occurrences, key=lambda a: a.start)  # stable: text order kept
            known = self._by_start[id(occurrences)] = (
                [a.start for a in ordered], ordered, max((a.end - a.start for a in ordered), default=0))
        starts, ordered, longest = known
        begin, finish = span
        first = bisect_left(starts, begin - APPOSITION_REACH - longest)
        last = bisect_right(starts, finish + APPOSITION_REACH)
        for anchor in ordered[first:last]:
            gap = anchor.start - finish if anchor.start >= finish else begin - anchor.end
            if gap <= APPOSITION_REACH and _in_apposition(self.text, span, anchor):
                return True
        return False

    def anchor_groups(self) -> list[tuple[Place, list[Anchor]]]:
        """Anchors grouped by place (a name repeated twenty times informs the ranking once)."""
        if self._groups is None:
            groups: dict[str, tuple[Place, list[Anchor]]] = {}
            index_of: dict[str, int] = {}
            for anchor in self.anchors:
                index_of.setdefault(anchor.place.id, len(index_of))
                groups.setdefault(anchor.place.id, (anchor.place, []))[1].append(anchor)
            self._groups = list(groups.values())
            starts = [a.start for a in self.anchors]
            if all(a < b for a, b in pairwise(starts)):  # in text order, as `anchors()` makes them
                longest = max((a.end - a.start for a in self.anchors), default=0)
                self._walk = (starts, self.anchors, [index_of[a.place.id] for a in self.anchors], longest)
        return self._groups

    def _group_names(self) -> list[frozenset[str]]:
        """Per anchor group, the keys of the names its occurrences are written with."""
        if self._names is None:
            self._names = [frozenset(name_key(self.text[a.start:a.end]) for a in occurrences)
                           for _place, occurrences in self.anchor_groups()]
        return self._names

    @classmethod
    def from_text(cls, text: str, ranker: PlaceRanker, country_bias: str | None = None) -> PlaceContext:
        hits = ranker.finder.find(text)
        return cls(text=text, anchors=ranker.anchors(hits), country_bias=country_bias)


@dataclass(frozen=True, slots=True)
class ResolvedName:
    """A name found in a text and the place it was resolved to, with the runner-up's margin."""

    hit: NameHit
    place: Place
    score: float
    margin: float



class PlaceRanker:
    """Scores a name's candidates in the gazetteer, remembering what repeats from text to text."""

    def __init__(self, gazetteer: Gazetteer, cues: Sequence[CueRule],
                 adjectives: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.gazetteer = gazetteer
        self.cues = tuple(cues)
        forms = adjective_forms()
        self.adjectives = dict(adjectives) if adjectives is not None else _adjective_table(gazetteer, forms)
        self._stop_names = load_stop_names()
        # Short forms written with a full stop ("Calif.", "La."): without it they are other words.
        self._dotted = frozenset({name_key(f) for f, _place in forms if f.endswith(".")}
                                 - {name_key(f) for f, _place in forms if not f.endswith(".")})
        self._cues_by_kind: dict[str, tuple[CueRule, ...]] = {}
        for rule in self.cues:
            self._cues_by_kind[rule.kind] = (*self._cues_by_kind.get(rule.kind, ()), rule)
        self._finder: PlaceNameFinder | None = None
        self._finder_lock = threading.Lock()
        self._cache: dict[tuple[str, str | None, tuple[str, ...] | None, bool], list[tuple[float, Place]]] = {}
        self._nearby_cache: dict[tuple[str, str], bool] = {}
        self._held_cache: dict[tuple[str, str], bool] = {}

    @property
    def finder(self) -> PlaceNameFinder:
        """The name finder over this gazetteer (built on first use: ~1 s)."""
        with self._finder_lock:
            if self._finder is None:
                self._finder = PlaceNameFinder(self.gazetteer)
            return self._finder

    # -- ranking ----------------------------------------------------------------------------
    def rank(
        self,
        name: str,
        *,
        country_bias: str | None = None,
        context: PlaceContext | None = None,
        kinds: Iterable[str] | None = None,
        span: tuple[int, int] | None = None,
        as_phrase: bool = True,
    ) -> list[tuple[float, Place]]:
        """Candidates for `name`, best first, as (score, place).

        With `as_phrase` the name is a phrase someone asked about (a query, an annotated span), not
        a gazetteer name found in running text: then an adjective or short form also names its
        place ("Russian", "EU", "Calif."), and a phrase that names no place falls back to the place
        named inside it ("Colorado State University", "the Dubai World Cup"); a name the gazetteer
        does not know at all (a street, a building, a neighbourhood: "Royal Street", "Khayelitsha")
        is read, as a guess scored LOCAL_SCORE (below any gazetteer reading), as in the town the
        text names nearest it."""
        wanted = tuple(sorted(kinds)) if kinds is not None else None
        bias = country_bias or (context.country_bias if context else None)
        plain = self._ranked_plain(name, name_key(name), bias, wanted, as_phrase)
        if context is None or not context.text:
            return plain
        if span is None:
            span = _find_span(context.text, name)
        if not plain and as_phrase and span is not None and name[:1].isupper():
            return self._local_town(context, span, wanted)
        return self._ranked_in_context(plain, bias, context, span)

    def _local_town(self, context: PlaceContext, span: tuple[int, int],
                    wanted: tuple[str, ...] | None) -> list[tuple[float, Place]]:
        """The town (or failing one, the region) the text names nearest an unknown local name."""
        # Nearest first, and a town named before the venue before one named after it: news names the
        # town first ("NEW ORLEANS - ... on Royal Street").
        groups = sorted(context.span_facts(span).groups, key=lambda g: g[2].start >= span[1])
        for kinds in (("city", "installation"), ("region",)):
            for place, _occurrences, anchor, distance in groups:
                inside = span[0] <= anchor.start and anchor.end <= span[1]  # "Street" of "Royal Street"
                if place.kind in kinds and (wanted is None or place.kind in wanted) and distance <= LOCAL_REACH \
                        and not inside:
                    return [(LOCAL_SCORE, place)]
        return []

    def _ranked_plain(self, name: str, key: str, bias: str | None, wanted: tuple[str, ...] | None,
                      as_phrase: bool) -> list[tuple[float, Place]]:
        """The candidates ranked without context, remembered by name key, bias, kinds and reading."""
        cache_key = (key, bias, wanted, as_phrase)
        cached = self._cache.get(cache_key)
        if cached is None:
            cached = self._rank_plain(name, bias, wanted, as_phrase)
            if len(self._cache) < 200_000:
                self._cache[cache_key] = cached
        return cached

    def _ranked_in_context(self, plain: list[tuple[float, Place]], bias: str | None, context: PlaceContext,
                           span: tuple[int, int] | None) -> list[tuple[float, Place]]:
        # Context can lift a candidate by a few points at most: only the plausible ones are rescored,
        # on top of their score without context.
        best = plain[0][0] if plain else 0.0
        scored = [(score + self._in_context(p, context, span) * _context_weight(best - score, p), p)
                  for score, p in plain[:MAX_CONTEXT_CANDIDATES]]
        scored.sort(key=lambda item: (-item[0], item[1].id))
        return scored + plain[MAX_CONTEXT_CANDIDATES:]

    def _candidates(self, name: str, wanted: tuple[str, ...] | None) -> list[Place]:
        found = self.gazetteer.candidates(name)
        if wanted is not None:
            found = [p for p in found if p.kind in wanted]
        return found

    def _named_by_adjective(self, name: str, wanted: tuple[str, ...] | None) -> list[Place]:
        places = [self.gazetteer[i] for i in self.adjectives.get(name_key(name), ())]
        return [p for p in places if wanted is None or p.kind in wanted]

    def _rank_plain(self, name: str, bias: str | None, wanted: tuple[str, ...] | None,
                    as_phrase: bool) -> list[tuple[float, Place]]:
        scored = [(self._score(p, bias), p) for p in self._candidates(name, wanted)]
        named = self._named_by_adjective(name, wanted) if as_phrase else []
        if named:
            seen = {p.id for _, p in scored}
            scored += [(self._score(p, bias) + ADJECTIVE_BONUS, p) for p in named if p.id not in seen]
        if not scored and as_phrase:
            scored = self._named_inside(name, bias, wanted)
        scored.sort(key=lambda item: (-item[0], item[1].id))
        return scored

    def _named_inside(self, name: str, bias: str | None, wanted: tuple[str, ...] | None) -> list[tuple[float, Place]]:
        """The well-known places named by the longest run of words inside a phrase that names none:
        "Colorado State University" is in Colorado, "Birmingham City" plays in Birmingham. Only
        countries, seas, regions of the first level, bases and cities of INSIDE_MIN_POPULATION people
        count: "Royal Street" is not in Royal, Iowa. The reading is weaker than the name itself."""
        words = _PHRASE_WORD.findall(name)
        for size in range(len(words) - 1, 0, -1):
            found: list[tuple[float, Place]] = []
            for first in range(len(words) - size + 1):
                part = " ".join(words[first:first + size])
                if not part[:1].isupper() or name_key(part) in self._stop_names \
                        or (size == 1 and _VENUE.search(part)):
                    continue  # "Union" in "Soviet Union" is a word, not Union, New Jersey; "Street" too
                places = self._candidates(part, wanted) + self._named_by_adjective(part, wanted)
                found += [(self._score(p, bias) - INSIDE_PENALTY, p) for p in places if _well_known(p)]
            if found:
                return found
        return []

    def _score(self, place: Place, bias: str | None) -> float:
        """A place's score without context: its kind's prior, its importance, the user's bias."""
        score = KIND_PRIOR[place.kind] + place.importance
        if bias and place.country == bias:
            score += COUNTRY_BIAS_BONUS
        return score

    def _in_context(self, place: Place, context: PlaceContext, span: tuple[int, int] | None) -> float:
        """What the text around the span adds to a place's score (nothing without a span)."""
        if span is None:
            return 0.0
        facts = context.span_facts(span)
        return self._context_bonus(place, context, facts) + self._cue_bonus(place, context, facts, span)

    def _context_bonus(self, place: Place, context: PlaceContext, facts: _SpanFacts) -> float:
        best = 0.0
        place_id, country, lat = place.id, place.country, place.lat
        for index, (anchor_id, anchor_country, anchor_is_country, anchor_lat, nearness) in enumerate(facts.scoring):
            if anchor_id == place_id:
                continue
            bonus = 0.0
            same_country = bool(anchor_country) and country == anchor_country
            if same_country:
                weight = COUNTRY_ANCHOR_BONUS if anchor_is_country else SAME_COUNTRY_BONUS
                bonus = weight * nearness
                beside = facts.apposition[index]
                if beside is None:  # the same for every candidate: tested once per span and group
                    beside = facts.apposition[index] = context.in_apposition(facts.span, facts.groups[index][1])
                if beside:
                    bonus += APPOSITION_BONUS
            # `_roughly_within`, with its cheap latitude test inline: most pairs are continents apart.
            # Within a country, nearness tells its namesakes apart (Dublin, Ohio beside Columbus).
            if not (same_country and anchor_is_country) and abs(lat - anchor_lat) * 111.0 <= NEARBY_KM \
                    and self._nearby(place, facts.groups[index][0]):
                bonus += NEARBY_BONUS * nearness
            if self._holds_either(place, facts.groups[index][0]):
                bonus += CONTAINED_BONUS * nearness
            if bonus > best:
                best = bonus
        return best

    def _holds_either(self, place: Place, anchor_place: Place) -> bool:
        """Whether one of the two is a state, province or district that holds the other's point
        (Springfield beside Illinois, Georgia beside Atlanta), remembered like `_nearby`."""
        if place.kind != "region" and anchor_place.kind != "region":
            return False
        pair = (place.id, anchor_place.id)
        held = self._held_cache.get(pair)
        if held is None:
            # A district holding a named place is no evidence for the district: most are named
            # after their seat (Townsville's district holds Lavarack Barracks, as the city does).
            held = _holds(anchor_place, place) or (
                place.subkind != "second-level division" and _holds(place, anchor_place))
            if len(self._held_cache) < 500_000:
                self._held_cache[pair] = held
        return held

    def _nearby(self, place: Place, anchor_place: Place) -> bool:
        """`_roughly_within(place, anchor_place, NEARBY_KM)`, remembered: the same pairs meet in every article."""
        pair = (place.id, anchor_place.id)
        near = self._nearby_cache.get(pair)
        if near is None:
            near = _roughly_within(place, anchor_place, NEARBY_KM)
            if len(self._nearby_cache) < 500_000:
                self._nearby_cache[pair] = near
        return near

    def _cue_bonus(self, place: Place, context: PlaceContext, facts: _SpanFacts, span: tuple[int, int]) -> float:
        text = context.text
        if not self.cues or not text:
            return 0.0
        # The bonus depends on the words around the span and the place's kind only: candidates of
        # one name mostly share a kind, so each (kind, subkind) is tested once per span.
        memo_key = (id(self.cues), place.kind, place.subkind)
        bonus = facts.cues.get(memo_key)
        if bonus is not None:
            return bonus
        if facts.windows is None:
            facts.windows = (fold_text(text[max(0, span[0] - 40): span[0]])[::-1],
                             fold_text(text[span[1]: span[1] + 40]))
        before, after = facts.windows
        bonus = 0.0
        for rule in self._cues_by_kind.get(place.kind, ()):
            if (not rule.subkind or rule.subkind == place.subkind) \
                    and rule.pattern.search(before if rule.position == "before" else after):
                bonus = max(bonus, rule.weight)
        facts.cues[memo_key] = bonus
        return bonus

    # -- resolving every name of a text -------------------------------------------------------
    def anchors(self, hits: Sequence[NameHit]) -> list[Anchor]:
        """The hits whose best reading is clear on its own: they inform the ambiguous ones."""
        anchors = []
        for hit in hits:
            # Names found in running text are read as names: "Somali" there is Ethiopia's region,
            # and whether "Somali pirates" means a place is the extractor's call, not the ranking's.
            ranked = self.rank(hit.text, as_phrase=False)
            if not ranked:
                continue
            margin = ranked[0][0] - (ranked[1][0] if len(ranked) > 1 else 0.0)
            if (margin >= ANCHOR_MARGIN or _dwarfs(ranked)) and _informative(ranked[0][1]):
                anchors.append(Anchor(ranked[0][1], hit.start, hit.end))
        return anchors

    def resolve_hits(
        self,
        text: str,
        hits: Sequence[NameHit],
        country_bias: str | None = None,
        *,
        settled_at: Mapping[str, float] | None = None,
        budget: TimeBudget = UNLIMITED,
        as_phrase: bool = False,
    ) -> list[ResolvedName]:
        """Each hit's best place in the context of all the others (`as_phrase`: see `rank`).

        With `settled_at` (a score per kind), a name with a single candidate whose score without
        context already reaches its kind's figure is taken as it is: there is nothing to choose
        between, and context only ever adds to a score. Its score is then the context-free one.
        `budget` is checked before each name.
        """
        context = PlaceContext(text=text, anchors=self.anchors(hits), country_bias=country_bias)
        resolved = []
        for hit in hits:
            budget.check("resolving place names")
            plain = self._ranked_plain(hit.text, hit.key, country_bias, None, as_phrase)
            if not plain:
                continue
            if settled_at is not None and len(plain) == 1 and plain[0][0] >= settled_at.get(plain[0][1].kind, 0.0):
                resolved.append(ResolvedName(hit, plain[0][1], plain[0][0], plain[0][0]))
                continue
            ranked = self._ranked_in_context(plain, country_bias, context, (hit.start, hit.end))
            margin = ranked[0][0] - (ranked[1][0] if len(ranked) > 1 else 0.0)
            resolved.append(ResolvedName(hit, ranked[0][1], ranked[0][0], margin))
        return resolved

    def adjective_hits(self, text: str) -> list[NameHit]:
        """Adjectives and short forms of places in `text`, capitalised as written ("Russian",
        "South Korean", "EU", "Calif."), and their plurals as people ("Mexicans"): the longest first."""
        hits = []
        taken_until = -1
        for match in _CAPITALISED_RUN.finditer(text):
            words = [(w.start(), w.end()) for w in _CAPITALISED_WORD.finditer(match.group(0))]
            i = 0
            while i < len(words):
                if match.group(0)[words[i][0]:words[i][1]] in ("The", "A", "An"):
                    i += 1  # "The Dutch frigate": the article is no part of the adjective
                    continue
                for size in range(min(3, len(words) - i), 0, -1):
                    start = match.start() + words[i][0]
                    end = match.start() + words[i + size - 1][1]
                    written = text[start:end]
                    key = name_key(written)
                    if written.endswith(".") and key not in self._dotted:
                        end -= 1  # "the EU." ends a sentence; "Calif." is the form itself
                        written = written[:-1]
                    elif key in self._dotted and not written.endswith("."):
                        continue  # "La Liga" is no "La." (Louisiana), "Mass" no "Mass."
                    if key not in self.adjectives and written.endswith("s") and not written.isupper():
                        key = name_key(written[:-1])  # "Mexicans" -> "Mexican"
                    if key in self.adjectives and start > taken_until:
                        hits.append(NameHit(start, end, written, key))
                        taken_until = end
                        i += size
                        break
                else:
                    i += 1
        return hits

    # -- output ------------------------------------------------------------------------------

# -- helpers ------------------------------------------------------------------------------------
# A run of capitalised words, and one word of it: "South Korean", "EU", "N.M.", "T&T".
_WORD_PATTERN = r"[A-Z][A-Za-z]*(?:[.&'’-][A-Za-z]*)*\.?"
_CAPITALISED_WORD = re.compile(_WORD_PATTERN)
_CAPITALISED_RUN = re.compile(rf"(?<![\w.&]){_WORD_PATTERN}(?:[ ]+{_WORD_PATTERN})*")


def _context_weight(gap: float, place: Place) -> float:
    """How much the text around a name counts for a candidate `gap` below the most prominent one:
    fully among near equals; half for a town against a capital (Paris, Panama, against Paris
    when the text also names David, a city in Panama but here a man). A state or province is no
    hamlet: its gap to a country of its name is one of kind, not of size (Georgia beside Atlanta)."""
    if place.kind == "region" and place.subkind not in ("second-level division", "composite"):
        return 1.0
    return 1.0 if gap <= PROMINENCE_GAP else PROMINENCE_DISCOUNT


def _informative(place: Place) -> bool:
    """Whether a clear reading may steer the others: not a hamlet whose only name is a word or a
    given name of the text ("Nigel", "Christopher", "Congress" are villages of a few hundred)."""
    return place.kind != "city" or place.population >= ANCHOR_MIN_POPULATION or place.capital


def _well_known(place: Place) -> bool:
    """A place a longer name can be named after: not a village, a county or a district."""
    if place.kind == "city":
        return place.population >= INSIDE_MIN_POPULATION
    return place.subkind != "second-level division"


def _nearest(occurrences: list[Anchor], span: tuple[int, int]) -> Anchor | None:
    """The occurrence closest to the span, other than the span itself."""
    best, best_gap = None, None
    for anchor in occurrences:
        if anchor.start == span[0]:
            continue
        gap = abs(anchor.start - span[0])
        if best_gap is None or gap < best_gap:
            best, best_gap = anchor, gap
    return best


def _dwarfs(ranked: Sequence[tuple[float, Place]]) -> bool:
    """A city so much bigger than every namesake that its name alone says which it is (Atlanta,
    Georgia against Atlanta, Texas), though city scores lie close together."""
    top = ranked[0][1]
    if top.kind != "city" or top.population < DWARFING_MIN_POPULATION:
        return False
    rivals = [p for _score, p in ranked[1:] if p.kind != "region" or p.subkind != "second-level division"]
    return all(p.kind == "city" and p.population * DWARFING_RATIO <= top.population for p in rivals)


def _holds(region: Place, place: Place) -> bool:
    """Whether an administrative region's shape (or extent) holds the place's point."""
    if region.kind != "region" or region.subkind in ("composite",) or region.id == place.id:
        return False
    west, south, east, north = region.bbox
    inside_box = south <= place.lat <= north and (west <= place.lon <= east if west <= east
                                                   else place.lon >= west or place.lon <= east)
    return inside_box and region.covered.contains(Point(place.lon, place.lat))


def _roughly_within(a: Place, b: Place, km: float) -> bool:
    """A cheap test first (degrees of latitude bound any distance), the great circle only when close."""
    if abs(a.lat - b.lat) * 111.0 > km:
        return False
    return haversine_km(a.lat, a.lon, b.lat, b.lon) < km


def _find_span(text: str, name: str) -> tuple[int, int] | None:
    if not text:
        return None
    index = fold_text(text).find(fold_text(name))
    return None if index < 0 else (index, index + len(name))


_APPOSITION_GAP = re.compile(r"^\s*,\s*$|^\s+in\s+(?:the\s+)?$|^\s*\(\s*$")


def _in_apposition(text: str, span: tuple[int, int], anchor: Anchor) -> bool:
    """"Rota, Spain" / "Fort Stewart, Georgia" / "Rota (Spain)": the two names stand together."""
    if anchor.start >= span[1]:
        gap = text[span[1]: anchor.start]
    elif anchor.end <= span[0]:
        gap = text[anchor.end: span[0]]
    else:
        return False
    return bool(_APPOSITION_GAP.match(gap))


