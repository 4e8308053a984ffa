"""An event as read from one sentence, before the events told more than once are merged (Draft),
and what the extractor judges of one: how much the text pins it down (confidence) and whether it
is background to the article rather than news.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geo.events import Asset
from geo.extract.clues import is_generic
from geo.extract.dates import PublicationDate
from geo.extract.mentions import PlaceMention, Sentence

WIDE_REGION_DEGREES2 = 200.0  # a composite region larger than this (Europe, the Middle East) is vague


@dataclass(slots=True)
class Draft:
    sentence: Sentence
    kind: str
    trigger_priority: int
    places: list[PlaceMention]
    assets: list[Asset]
    actors: list[str]
    partners: list[str]
    date: tuple[dt.date, str] | None
    status: str
    signals: int
    borrowed_assets: bool = False
    ongoing: bool = False  # dated by "since ...": the start of a presence that continues
    area_only: bool = False  # an exercise's area with the forces of the sentences around it
    anaphoric: bool = False  # its assets only refer back: "the ship", "the ships"
    generous: bool = False  # proposed for the model only: a cue and a place in one sentence, no rule's reading
    name: str = ""  # the exercise's own name as written ("Balikatan 23"), when the text gives it


def confidence(draft: Draft, places: list[PlaceMention]) -> float:
    """How much the text pins the event down: named types, a named actor, a strong verb, a date and a
    precise place raise it; a continent, only generic assets and a plan lower it."""
    score = 0.5 + 0.1 * min(draft.signals, 4)
    if any(not is_generic(a) for a in draft.assets):
        score += 0.1
    else:
        score -= 0.1
    if all(p.place.kind == "region" and p.place.subkind == "composite"
           and p.place.geometry.area > WIDE_REGION_DEGREES2 for p in places):
        score -= 0.15
    if draft.status == "announced":
        score -= 0.1
    if draft.borrowed_assets:
        score -= 0.05
    return round(max(0.05, min(0.95, score)), 2)


def background(draft: Draft, published: PublicationDate | None) -> bool:
    """An event dated over a year before the article is background ("last flew there in 2013")."""
    if draft.date is None or published is None or draft.ongoing:
        return False
    return (published.date - draft.date[0]).days > 366
