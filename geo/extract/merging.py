"""Events told more than once in one article become one: whether two drafts report the same event
(same actors, agreeing assets, the same or nearby places, dates within a week) and merging them;
"the ships" in a later sentence take the forces last named by type.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from itertools import islice

from shapely.geometry.base import BaseGeometry

from geo.budget import UNLIMITED, TimeBudget
from geo.events import Asset, Event, name_series
from geo.extract.catalogue import NAMED_SHIP_PREFIX, SHIP_CATEGORIES, AssetType, asset_of
from geo.extract.clues import is_generic
from geo.extract.drafts import Draft
from geo.extract.geometry import MAX_CACHED_PAIRS, contains, drawn, most_specific, unique_places
from geo.extract.mentions import PlaceMention
from geo.gazetteer import haversine_km

_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
MERGE_KM = 100.0
SAME_EVENT_DAYS = 7  # sentences dated further apart report different events
# How many of the events already reported a sentence's event is compared with, to merge it into one:
# the most recently reported. Comparing with every event made a long article quadratic; an
# article reports a few events (at most 8 in every corpus), a live blog or digest thousands.
MERGE_WINDOW = 64
_WIDE = frozenset({"sea", "country"})
# "The five-day exercise", "The drills", "This year's exercise": an exercise already named.
_EXERCISE_ANAPHOR = re.compile(r"(?:The|This|That)\s+(?:[\w'’-]+\s+){0,3}(?:exercises?|drills?|manoeuvres|"
                               r"maneuvers|war\s?games)\b")


def _same_event(a: Draft, b: Draft, published: tuple[dt.date, str] | None = None) -> bool:
    """Whether `b` tells the event `a` again. `published`: the date an undated draft reports on."""
    group = {"deployment": "d", "basing": "d", "patrol": "p", "exercise": "e"}
    if a.actors and b.actors and not set(a.actors) & set(b.actors):
        return False
    # One article reporting the same actor's move to the same place twice is one event, also when
    # it names the place differently ("Ørland" in the headline, "Ørland Main Air Station" later).
    shared = bool({x.family.lower() for x in a.assets} & {x.family.lower() for x in b.assets}
                  or {x.category for x in a.assets} & {x.category for x in b.assets})
    common = {p.place.id for p in a.places} & {p.place.id for p in b.places}
    if b.anaphoric and group[a.kind] == group[b.kind] and common == {p.place.id for p in b.places}:
        # "The ships left Norfolk on July 10; ... ordered them to the Middle East on July 20": the
        # forces already reported there, at an earlier step of the same move
        return True
    if a.kind == b.kind == "exercise" and _EXERCISE_ANAPHOR.match(b.sentence.text) \
            and (common or _touching(a.places, b.places)):
        # "The five-day exercise ... will cover air defence drills in the Arabian Sea": the exercise
        # just reported off India's coast, told again with its forces and sea area
        return True
    if group[a.kind] == group[b.kind] and common and _MOVE_ANAPHOR.match(b.sentence.text):
        # "The deployment of strategic bombers to RAF Fairford helps ...": the move just reported
        return True
    if any(d.ongoing or _SINCE.search(d.sentence.text) or (d.date is None and _ENDED.search(d.sentence.text))
           for d in (a, b)):
        # "the deployment ... since February", extended now; "Bomber Task Force deployment concludes at
        # RAF Fairford", undated, and the arrival in March: one posture, told twice
        published = None
    if "exercise" not in (a.kind, b.kind) and _apart_in_time(a.date or published, b.date or published):
        # "last month USS Michigan also called at Busan": an earlier visit, not this one (an
        # exercise runs for weeks: its phases are told with dates of their own)
        return False
    if group[a.kind] != group[b.kind]:
        # "sailors and Marines arrive in Red Sea" and "warships ... entered the Red Sea": one move,
        # told once with an arrival verb and once with a transit verb.
        # (A patrol over sites inside a country the forces were sent to is another event: the
        # sites are not where they went.)
        return {group[a.kind], group[b.kind]} == {"d", "p"} and shared \
            and (bool(common) or any(_near(x, y, False) for x in a.places for y in b.places))
    if any(not place_id.startswith(("country:", "sea:")) for place_id in common):
        return True
    if common and (shared or not a.assets or not b.assets or a.anaphoric or b.anaphoric):
        return True  # the same country or sea: one event when the assets agree ("the ship" agrees)
    if a.kind in ("exercise", "patrol") and shared and _touching(a.places, b.places):
        return True  # "drills around Taiwan" and "in the Taiwan Strait": one exercise area
    return any(_near(x, y, shared) for x in a.places for y in b.places)


def resolve_references(drafts: list[Draft]) -> None:
    """ "the ships had practised ... in the Atlantic": "the ships" are the forces last named by type
    (the frigate Admiral Gorshkov and the submarine Kazan), of the same actors."""
    named: Draft | None = None
    for draft in drafts:
        if draft.anaphoric and named is not None and (not draft.actors or set(draft.actors) & set(named.actors)):
            if {a.category for a in draft.assets} & {a.category for a in named.assets}:
                draft.assets = [copy.copy(a) for a in named.assets]
        elif any(not is_generic(a) for a in draft.assets):
            named = draft


_FORMATION = re.compile(r"\b(?:task force|task group|strike group|group|squadron|wing|brigade|battalion|detachment|"
                        r"corps|division|regiment|fleet|flotilla|battle ?group|rotational force)s?$", re.IGNORECASE)
_MOVE_ANAPHOR = re.compile(r"(?:The|This|That)\s+(?:[\w'’-]+\s+){0,2}?(?:deployment|rotation|mission|visit|"
                           r"port call|patrol|transit)\b")
_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)
_ENDED = re.compile(r"\b(?:conclude[sd]|concluding|ends|ended|wraps\s+up|wrapped\s+up|completes|completed)\b",
                    re.IGNORECASE)
AIR = frozenset({"bomber", "fighter", "maritime patrol", "transport/tanker", "helicopter", "reconnaissance",
                 "early warning", "drone", "aircraft"})


def specify_generic_assets(events: list[Event], named: list[AssetType]) -> None:
    """ "Airmen from the 2nd Bomb Wing flew missions over ...", "the Russian planes flew within 100
    miles of Kodiak" in an article about Tu-95 bombers: a generic word stands for the one type the
    article names of that kind, for those actors. `named`: the types the article names, in order.

    Read on the finished events: the type is inferred, not told, so it neither merges events nor
    raises their confidence."""
    # A formation ("Bomber Task Force", "carrier strike group") is no type a generic word stands for.
    specific = [t for t in named if t.countries and not _FORMATION.search(t.family)]
    if not specific:
        return
    for event in events:
        if not event.actors:
            continue
        for asset in list(event.assets):
            if not is_generic(asset):
                continue
            if asset.category == "aircraft":
                fits = [t for t in specific if t.category in AIR]  # "planes": an aircraft of any kind
            else:
                fits = [t for t in specific if t.category == asset.category]
            fits = [t for t in fits if set(t.countries) & set(event.actors)]
            families = {t.family.lower() for t in fits}
            if len(families) != 1 or any(a.family.lower() in families for a in event.assets):
                continue
            # beside the generic word, which keeps its count: "two aircraft" may not all be of the type
            event.assets.append(asset_of(fits[0], None, asset.text))


def share_named_forces(events: list[Event]) -> None:
    """ "Sea Breeze 2020 exercises kick off in the Black Sea" and, later, the ships that take part in
    Odesa: one named exercise's forces, told at one of its places, are the forces of its other
    places the article reports without them (not counted again: the count stays where it was told)."""
    forces: dict[str, list[Asset]] = {}
    for event in events:
        if event.name and event.assets:
            forces.setdefault(name_series(event.name), []).extend(event.assets)
    for event in events:
        told = forces.get(name_series(event.name)) if event.name and not event.assets else None
        if told:
            seen: set[str] = set()
            for asset in told:
                if asset.family.lower() not in seen:
                    seen.add(asset.family.lower())
                    event.assets.append(dataclasses.replace(asset, count=None))


def count_told_elsewhere(events: list[Event], told: list[Asset]) -> None:
    """ "RAF Typhoons have been scrambled ..." and, later, "the two Typhoons ...": a type of platform
    reported without a number takes the one number the article gives that type anywhere, when it
    gives only one. A generic word ("troops") is counted differently from sentence to sentence, so
    a head count carries over only when the article gives one and one kind of event awaits it."""
    numbers: dict[str, set[int]] = {}
    people: set[int] = set()
    for asset in told:
        if asset.count and not is_generic(asset):
            numbers.setdefault(asset.family.lower(), set()).add(asset.count)
        elif asset.count and asset.category == "personnel":
            people.add(asset.count)
    # "Germany is deploying troops to Lithuania ... The brigade will consist of about 5,000 personnel":
    # a head count told once in the whole article belongs to the uncounted force, when the events
    # that leave their people uncounted are one actor's one kind and no event holds that number yet.
    waiting: list[tuple[Event, Asset]] = []
    held: set[int] = set()
    for event in events:
        personnel = [a for a in event.assets if a.category == "personnel"]
        held.update(a.count for a in personnel if a.count)
        uncounted = next((a for a in personnel if a.count is None), None)
        if uncounted is not None:
            waiting.append((event, uncounted))
    if len(people) == 1 and not people & held and len({(e.kind, *e.actors) for e, _ in waiting}) == 1:
        for _, asset in waiting:
            asset.count = next(iter(people))
    for event in events:
        for asset in event.assets:
            found = numbers.get(asset.family.lower())
            if asset.count is None and found is not None and len(found) == 1 and not is_generic(asset):
                asset.count = next(iter(found))


_HULL_NAME = re.compile(r"[A-Z]{2,5}\s[A-Z]")  # "USS Nimitz", "INS Kolkata": one ship, by its prefix


def count_named_ships(events: list[Event], warship: AssetType) -> None:
    """ "Indian Naval Ships Kolkata and Shakti arrived in Busan": ships named one by one are counted,
    when the event gives its ships no number (on the generic "warship" it carries, or on one added)."""
    for event in events:
        ships = [a for a in event.assets if a.category in SHIP_CATEGORIES]
        named = {id(a): a for a in ships if (a.catalogue_id or "").startswith(NAMED_SHIP_PREFIX)
                 or _HULL_NAME.match(a.name)}
        hulls = {a.name.lower() for a in named.values()}
        if len(hulls) < 2 or any(a.count for a in ships):
            continue
        generic = next((a for a in ships if a.family == warship.family and id(a) not in named), None)
        if generic is None:
            event.assets.append(asset_of(warship, len(hulls), ""))
        else:
            generic.count = len(hulls)


def _apart_in_time(first: tuple[dt.date, str] | None, second: tuple[dt.date, str] | None) -> bool:
    """Dates whose periods (a day, a week, a month) lie more than a week apart; a year is too vague."""
    if first is None or second is None or "year" in (first[1], second[1]):
        return False
    (a_start, a_end), (b_start, b_end) = _period(*first), _period(*second)
    return (b_start - a_end).days > SAME_EVENT_DAYS or (a_start - b_end).days > SAME_EVENT_DAYS


def _period(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a dated period (the calendar's last day at most: 31 December 9999)."""
    if precision == "week":
        return day, day + dt.timedelta(days=min(6, (dt.date.max - day).days))
    if precision == "month":
        if day.month == 12:
            return day, day.replace(day=31)
        return day, day.replace(month=day.month + 1, day=1) - dt.timedelta(days=1)
    return day, day


def _touching(first: list[PlaceMention], second: list[PlaceMention]) -> bool:
    """Two areas that meet (Taiwan and the Taiwan Strait), or an area and a site on its edge (the
    Bay of Bengal and Chennai): distance under ~0.5 degree."""
    areas = ("country", "sea", "region")
    for x in first:
        for y in second:
            if (x.place.kind not in areas and y.place.kind not in areas) or not _boxes_near(x, y, 0.5):
                continue
            # Remembered by the pair (as `contains`): two countries' shapes take GEOS milliseconds.
            pair = (x.place.id, y.place.id)
            near = _TOUCHING.get(pair)
            if near is None:
                near = bool(_area_shape(x).distance(_area_shape(y)) < 0.5)
                if len(_TOUCHING) >= MAX_CACHED_PAIRS:
                    del _TOUCHING[next(iter(_TOUCHING))]
                _TOUCHING[pair] = near
            if near:
                return True
    return False


_TOUCHING: dict[tuple[str, str], bool] = {}  # (place id, place id) -> their areas meet


def _area_shape(mention: PlaceMention) -> BaseGeometry:
    """A place's drawn shape; a region known by a point and an extent covers its extent."""
    if mention.place.kind == "region" and mention.place.geometry.geom_type == "Point":
        return mention.place.covered
    return drawn(mention.place.id, mention.place.geometry)


def _boxes_near(a: PlaceMention, b: PlaceMention, margin: float) -> bool:
    aw, as_, ae, an = a.place.covered.bounds
    bw, bs, be, bn = b.place.covered.bounds
    return not (aw - margin > be or bw - margin > ae or as_ - margin > bn or bs - margin > an)


def _near(a: PlaceMention, b: PlaceMention, shared_assets: bool) -> bool:
    """Close enough to be one event: the same spot, or a site and the island, state or country it
    lies in (a country only when the assets agree). Seas, continents and wide regions never absorb."""
    if a.place.kind not in _WIDE and b.place.kind not in _WIDE \
            and haversine_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) <= MERGE_KM:
        return True
    for inner, outer in ((a, b), (b, a)):
        if inner.place.kind not in ("installation", "city") or outer.place.kind in ("installation", "city"):
            continue
        if outer.place.kind == "country":
            return shared_assets and contains(outer, inner)
        if outer.place.kind == "region" and outer.place.subkind != "composite":
            return contains(outer, inner)
    return False


def merge(drafts: list[Draft], budget: TimeBudget = UNLIMITED,
          published: tuple[dt.date, str] | None = None) -> list[Draft]:
    """Drafts that tell one event, merged. An undated draft reports on `published` (the article's
    date): "Trump decided on October 13 to withdraw ..." is no later step of troops arriving now."""
    merged: list[Draft] = []
    # Indexes of `merged`, the event reported least recently first: a draft is compared with the
    # MERGE_WINDOW events reported last, in the order they were first reported.
    recent: dict[int, None] = {}
    for draft in drafts:
        budget.check("merging events told more than once")
        window = sorted(islice(reversed(recent), MERGE_WINDOW))
        found = next((index for index in window if _same_event(merged[index], draft, published)), None)
        if found is None:
            recent[len(merged)] = None
            merged.append(draft)
            continue
        del recent[found]
        recent[found] = None
        target = merged[found]
        known = {(a.family, a.name) for a in target.assets}
        for asset in draft.assets:
            match = next((a for a in target.assets if a.family == asset.family), None)
            if match is not None and asset.count and not match.count:
                match.count = asset.count
            elif (asset.family, asset.name) not in known:
                target.assets.append(asset)
        target.actors = list(dict.fromkeys(target.actors + draft.actors))
        target.name = target.name or draft.name
        target.partners = [p for p in dict.fromkeys(target.partners + draft.partners) if p not in target.actors]
        arrival = next((k for k in (target.kind, draft.kind) if k in ("deployment", "basing")), None)
        if draft.trigger_priority > target.trigger_priority:
            target.kind, target.trigger_priority = draft.kind, draft.trigger_priority
        if draft.date is not None and _PRECISION_RANK[draft.date[1]] < _PRECISION_RANK[
                target.date[1] if target.date else "month"]:
            target.date = draft.date  # a later sentence gives the day the headline left out
        target.places.extend(p for p in draft.places if p.place.id not in {q.place.id for q in target.places})
        if arrival and target.kind == "patrol" and all(
                p.place.kind in ("installation", "city") for p in most_specific(unique_places(target.places))):
            # "sending six jets to Keflavik" and "the air policing mission": at a base the patrol
            # is what the forces do once they have arrived; the event is the deployment
            target.kind = arrival
        target.signals = max(target.signals, draft.signals) + 1
    return merged
