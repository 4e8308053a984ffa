"""How a general reading of news tells a place name from the proper names around it.

A gazetteer spells tens of thousands of towns whose names are also given names and surnames
("Barry", "Nelson", "Tyler") and the first word of longer names ("Colorado State University",
"Manchester City", "Royal Street"). Two conventions of written English decide most of them:

- A place name followed by capitalised words ending in a feature or institution word is one
  name: the whole of it is the toponym ("Mississippi River", "Colchester Hospital").
- A town's name inside a run of capitalised words that ends in no such word is a person's name
  ("Barry Smith", "Ashley Sutton"), and so is every later mention of it in the same text
  ("Sutton would storm to last year's title").

These rules are for the general geoparser (`geo.geocode.resolve_names`). The extractor has its
own reading of military prose and does not use them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from geo.gazetteer import Place
from geo.geocode.ranking import ResolvedName

__all__ = ["FEATURE_HEADS", "read_proper_names"]

# Words that end the name of a feature, building or institution named after a place.
FEATURE_HEADS = frozenset("""
Street Avenue Road Drive Lane Boulevard Highway Way Court Place Square Circle Parkway
River Lake Lagoon Bay Canal Creek Falls Hills Mountains Island Islands Peninsula Valley Desert
Park Gardens Quarter Township Borough Estate Plantation Village
University College School Elementary Academy Institute Polytechnic
Hospital Cathedral Church Chapel Basilica Library Museum Theatre Theater Inn Hotel
Center Centre Courthouse Guildhall Embassy Consulate Airport Station Stadium Arena Racecourse
Club Cup Turf FC Commission Council Senate Assembly
""".split())

# Words that follow a place's name in the names of its institutions and teams ("Beverly Hills
# Police Department", "Toronto Transit Commission"): no surname, so the name stays a place.
_INSTITUTION_WORDS = frozenset("""
Police Fire Department Public Schools Sports Transit Transport Times Post Herald Tribune Press News
Star Chronicle Journal Gazette Daily Chamber Government Ministry Mayor Governor President Premier
Minister Ambassador Army Navy Air National International Regional Federal Central General State
City County District Metro Municipal Trade Foreign Woman's Woman’s Women's Women’s Family History
Cancer Health Medical Water Power Energy Airways Airlines Rail Railways Port Harbour Harbor Bank
Executive Sheriff Sheriff's Sheriff’s Commissioner Democrats Republicans Times Police's Police’s
""".split())

# Words that start a sentence, a dateline or a title without being part of a person's name.
_NOT_GIVEN_NAMES = frozenset("""
The A An In At On Of From To For By With Near And Or But As If When While Since After Before
During Under Over Both All Many Most Some Such This That These Those Its His Her Their Our Your
North South East West Northern Southern Eastern Western Central Greater Upper Lower New Old
Lake Mount Fort Port Saint St San Santa Cape Gulf Sea
""".split())

# Towns up to this size may share their name with a person in the text; a city of 100,000 or more
# ("Toronto police", "the Houston Rockets") is the city. Chosen on GeoWebNews: 20,000 and 300,000
# gave recognition F1 within 0.002 of it.
PERSON_MAX_POPULATION = 100_000
# Divisions named from GeoNames (`geo.gazetteer.admin`): thousands of districts named like people.
_DIVISIONS = ("first-level division", "second-level division")
# A capitalised word, possibly with an apostrophe, hyphen or initial's dot.
_CAPITALISED = re.compile(r"[A-Z][\w'’&-]*\.?")
_WORD_AFTER = re.compile(r"[ ]+([A-Z][\w'’&-]*)")
_WORD_BEFORE = re.compile(r"([A-Z][\w'’&.-]*)[ ]+$")
# "in Nelson", "from Barry": a place here, whoever else bears its name in the text.
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|from|near|to|outside)[ ]+$", re.IGNORECASE)
_SPEECH_VERB = r"(?:said|says|told|added|asked|explained|noted|wrote)"
_SPEECH_BEFORE = re.compile(rf"\b{_SPEECH_VERB}[ ]+$")
_SPEECH_AFTER = re.compile(rf"[ ]+{_SPEECH_VERB}\b")


def read_proper_names(text: str, found: Sequence[ResolvedName]) -> list[ResolvedName]:
    """`found` with place names that head a feature's name widened to the whole name, and town
    names that are part of a person's name somewhere in the text dropped everywhere."""
    kept: list[ResolvedName] = []
    people: dict[str, bool] = {}
    for resolved in found:
        widened = _widened_to_feature(text, resolved)
        if widened is not None:
            kept.append(widened)
            continue
        if _could_be_a_person(resolved.place):
            written = resolved.hit.text
            if written not in people:
                people[written] = any(_in_a_persons_name(text, span, found) for span in _occurrences(text, written))
            start = resolved.hit.start
            if people[written] and not _LOCATIVE_BEFORE.search(text, max(0, start - 8), start):
                continue
        kept.append(resolved)
    return _without_overlaps(kept)


def _occurrences(text: str, written: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(written)}(?![\w-])", text)]


def _widened_to_feature(text: str, resolved: ResolvedName) -> ResolvedName | None:
    """The name widened over the capitalised words after it, when they end in a feature word
    within three words ("Colorado State University", "Royal Street"); None if they do not."""
    end = resolved.hit.end
    for _ in range(3):
        match = _WORD_AFTER.match(text, end)
        if match is None:
            return None
        end = match.end()
        if match.group(1) in FEATURE_HEADS:
            hit = replace(resolved.hit, end=end, text=text[resolved.hit.start:end])
            return replace(resolved, hit=hit)
    return None


def _could_be_a_person(place: Place) -> bool:
    """Towns and villages carry people's names; countries, states, seas and cities that every
    reader knows seldom do ("Toronto police", "the Houston Rockets" are the city's)."""
    if place.kind == "region":
        return place.subkind in _DIVISIONS
    return place.kind in ("city", "installation") and not place.capital and place.population < PERSON_MAX_POPULATION


def _in_a_persons_name(text: str, span: tuple[int, int], found: Sequence[ResolvedName]) -> bool:
    """Whether the name at `span` stands beside another capitalised word that is no place ("Barry
    Smith", "Lt. Col. Ricky Thomas", "Gino D. Bassett"), or is the subject of a speech verb."""
    start, end = span
    if text[start:end].isupper() or " " in text[start:end]:
        return False  # "BOSTON —": datelines are in capitals; "Tamil Nadu", "Santa Barbara" name no one
    places = [(r.hit.start, r.hit.end) for r in found]
    after = _WORD_AFTER.match(text, end)
    if (after is not None and not _inside(after.span(1), places) and not after.group(1).isupper()
            and after.group(1) not in _INSTITUTION_WORDS):
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 60), start)
    if before is not None:
        word = before.group(1)
        if len(word) == 2 and word.endswith("."):
            return True  # an initial: "Gino D. Bassett"
        sentence_start = before.start() == 0 or text[:before.start()].rstrip()[-1:] in ".!?\"“”:"
        if not (word.endswith(".") or sentence_start or word.isupper() or word in _NOT_GIVEN_NAMES
                or word.endswith(("'s", "’s")) or _inside(before.span(1), places)):
            return True
    return bool(_SPEECH_BEFORE.search(text, max(0, start - 12), start) or _SPEECH_AFTER.match(text, end))


def _inside(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _without_overlaps(found: list[ResolvedName]) -> list[ResolvedName]:
    """The earlier of two overlapping names, once one has been widened over the other."""
    kept: list[ResolvedName] = []
    for resolved in sorted(found, key=lambda r: (r.hit.start, -r.hit.end)):
        if kept and resolved.hit.start < kept[-1].hit.end:
            continue
        kept.append(resolved)
    return kept
