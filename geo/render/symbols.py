"""What each event looks like: its APP-6 symbol code, its affiliation under a perspective, its colour.

Symbols are NATO APP-6(D) symbol identification codes (SIDCs) drawn in the browser by milsymbol.
`data/assets.csv` carries one per catalogue row in its `sidc` column: 20 digits in the standard
order (version 10, context, standard identity, symbol set, status, HQ/task force/dummy, echelon
amplifier, 6-digit entity, two sector modifiers) with the standard identity (4th character) left as
`X`, because who is "friendly" depends on who is looking. The codes were derived from the
catalogue's plain-English `app6` descriptions with the military-symbol package, reordered from that
package's (non-standard) output order into the standard layout, and each was checked valid by
milsymbol itself; frigate uses entity 120204 (milsymbol does not know 121204).

A perspective decides each country's standard identity. "neutral" (the default) judges no one:
every actor gets the neutral frame and a fixed colour of its own country, so the map reads "who is
where" without taking a side; "NATO" and "Russia" colour friend blue, hostile red, others green and
no-actor events yellow, with the standard APP-6 frame shapes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from dataclasses import dataclass

from geo.errors import InputError
from geo.events import Asset, Event
from geo.extract import ASSETS_PATH

__all__ = [
    "AFFILIATIONS",
    "PERSPECTIVES",
    "Style",
    "affiliation",
    "country_colour",
    "event_count",
    "event_sidc",
    "event_style",
    "primary_asset",
    "sidc_for",
]

# Standard identity digit, APP-6 "light" fill colour (symbols) and a darker line colour (areas,
# routes: the light fills vanish as thin lines on a pale basemap) per affiliation.
AFFILIATIONS: dict[str, tuple[str, str, str]] = {
    "friend": ("3", "#80c8ff", "#1f6fd1"),
    "hostile": ("6", "#ff8080", "#d12c2c"),
    "neutral": ("4", "#aaffaa", "#2e9e3e"),
    "unknown": ("1", "#ffff80", "#b59f00"),
}

# NATO's 32 members (NATO, "Member countries", as of 2024: Sweden joined 7 March 2024).
NATO = frozenset(
    "AL BE BG CA HR CZ DK EE FI FR DE GR HU IS IT LV LT LU ME NL MK NO PL PT RO SK SI ES SE TR GB US".split()
)
NATO_HOSTILE = frozenset({"RU", "CN", "IR", "KP"})
# Russia's view: itself and Belarus (Union State) friendly; NATO members hostile.
RUSSIA_FRIEND = frozenset({"RU", "BY"})

PERSPECTIVES = ("neutral", "NATO", "Russia")

# Fixed colours for the countries that appear most in force-posture reporting, chosen to stay
# distinguishable side by side; every other country gets a stable colour from PALETTE by its code.
COUNTRY_COLOURS: dict[str, str] = {
    "US": "#1f5fbf", "GB": "#7b3fa0", "FR": "#2a9d8f", "DE": "#555555", "RU": "#c0392b",
    "CN": "#e67e22", "IR": "#16803c", "KP": "#8e1b3a", "JP": "#d35d90", "KR": "#3a7ca5",
    "AU": "#b8860b", "IN": "#ff9f1c", "TR": "#a0522d", "PL": "#dc5a5a", "IT": "#4f9d69",
    "UA": "#2e86de", "BY": "#9b3d3d", "TW": "#5e60ce", "NO": "#6c8ebf", "CA": "#c44536",
}
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7",
           "#af7aa1", "#e15759", "#8cd17d", "#86bcb6")

# When an asset has no catalogue SIDC (free-text assets): one per category.
CATEGORY_SIDC: dict[str, str] = {
    "bomber": "100X0100001101030000", "fighter": "100X0100001101040000",
    "maritime patrol": "100X0100001101100000", "transport/tanker": "100X0100001101090000",
    "helicopter": "100X1000001206000000", "air defence": "100X1000001301000000",
    "missile": "100X1000001307000000", "surface combatant": "100X3000001202000000",
    "carrier": "100X3000001201000000", "submarine": "100X3500001101000000",
    "ground unit": "100X1000001209000000", "headquarters": "100X1000001100000000",
    "personnel": "100X1000001211000000", "drone": "100X0100001103000000",
    "amphibious": "100X3000001203000000", "reconnaissance": "100X0100001101110000",
    "early warning": "100X0100001101160000", "aircraft": "100X0100001101000000",
}
# An event with no asset at all: a plain land-unit frame.
DEFAULT_SIDC = "100X1000000000000000"


@dataclass(frozen=True, slots=True)
class Style:
    """How one event is drawn: affiliation, the SIDC with its identity set, and a colour."""

    affiliation: str
    sidc: str
    colour: str
    legend_key: str  # what the legend groups by: a country code (neutral) or an affiliation
    legend_label: str
    stroke: str  # line colour for areas and routes


def country_colour(iso: str | None) -> str:
    """A fixed colour per ISO code, identical on every run (a hash, not Python's salted hash())."""
    if not iso:
        return "#8c8c8c"
    if iso in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[iso]
    digest = hashlib.sha1(iso.encode("ascii", "replace")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def affiliation(country: str | None, perspective: str = "neutral") -> str:
    """The affiliation ("friend", "hostile", "neutral", "unknown") of a country under a perspective."""
    if perspective not in PERSPECTIVES:
        raise InputError(f"`perspective` was {perspective!r} but is expected to be one of {list(PERSPECTIVES)}")
    if not country:
        return "unknown"
    if perspective == "neutral":
        return "neutral"
    if perspective == "NATO":
        return "friend" if country in NATO else "hostile" if country in NATO_HOSTILE else "neutral"
    return "friend" if country in RUSSIA_FRIEND else "hostile" if country in NATO else "neutral"


@functools.cache
def _catalogue_sidcs() -> tuple[dict[str, str], dict[str, str]]:
    """(catalogue id -> SIDC, app6 description -> SIDC) from data/assets.csv."""
    by_id: dict[str, str] = {}
    by_app6: dict[str, str] = {}
    with ASSETS_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sidc = (row.get("sidc") or "").strip()
            if sidc:
                by_id[row["id"].strip()] = sidc
                by_app6.setdefault((row.get("app6") or "").strip(), sidc)
    return by_id, by_app6


def sidc_for(asset: Asset | None) -> str:
    """The asset's SIDC template (identity still `X`): catalogue row, then app6 text, then category."""
    if asset is None:
        return DEFAULT_SIDC
    by_id, by_app6 = _catalogue_sidcs()
    return (
        (asset.catalogue_id and by_id.get(asset.catalogue_id))
        or by_app6.get(asset.app6.strip())
        or CATEGORY_SIDC.get(asset.category, DEFAULT_SIDC)
    )


def with_identity(sidc: str, affiliation_name: str) -> str:
    """Set the standard identity digit (4th character) of a 20-or-30-character SIDC."""
    if len(sidc) not in (20, 30):
        raise InputError(f"SIDC {sidc!r} has {len(sidc)} characters but is expected to have 20 or 30")
    return sidc[:3] + AFFILIATIONS[affiliation_name][0] + sidc[4:]


def primary_asset(event: Event) -> Asset | None:
    """The asset the symbol shows: the one with the largest count (the first when none has one)."""
    if not event.assets:
        return None
    return max(event.assets, key=lambda a: a.count or 0)


def event_count(event: Event) -> int | None:
    """The number beside the symbol (None when none is given): counts of different categories add up
    ("2 destroyers and 4 frigates"), but within a category the largest stands, since news breaks a
    total down ("5,000 troops ... 3,000 fighters and 2,000 personnel")."""
    largest: dict[str, int] = {}
    for asset in event.assets:
        if asset.count:
            largest[asset.category] = max(largest.get(asset.category, 0), asset.count)
    return sum(largest.values()) if largest else None


def event_sidc(event: Event, perspective: str = "neutral") -> str:
    """The event's SIDC with the identity of its first actor under the perspective."""
    actor = event.actors[0] if event.actors else None
    return with_identity(sidc_for(primary_asset(event)), affiliation(actor, perspective))


def event_style(event: Event, perspective: str = "neutral") -> Style:
    """Everything the renderer needs to colour and label one event."""
    actor = event.actors[0] if event.actors else None
    aff = affiliation(actor, perspective)
    sidc = with_identity(sidc_for(primary_asset(event)), aff)
    if perspective == "neutral":
        colour = country_colour(actor)
        return Style(aff, sidc, colour, actor or "?", actor or "unknown actor", colour)
    return Style(aff, sidc, AFFILIATIONS[aff][1], aff, aff, AFFILIATIONS[aff][2])
