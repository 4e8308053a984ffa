"""The event record: what the extractor produces, the store keeps and the map draws.

An event is one deployment, basing, patrol or exercise reported by one article: who (actor and
partner countries, ISO 3166-1 alpha-2), what (assets with counts), where (gazetteer places and
the geometry to draw, with an ACLED-style geo-precision), when (ISO 8601 start/end with a time
precision), its status, the sentence it came from, a confidence, and whether a person edited it.

`Event.to_feature()` / `Event.from_feature()` convert to and from RFC 7946 GeoJSON Features
losslessly; every exchange format is built on that pair.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError

__all__ = [
    "ASSET_CATEGORIES",
    "EVENT_KINDS",
    "GEO_PRECISION",
    "KIND_GROUPS",
    "STATUSES",
    "TIME_PRECISIONS",
    "Asset",
    "Event",
    "EventPlace",
    "EventSource",
    "event_id",
    "name_series",
]

EVENT_KINDS = ("deployment", "basing", "patrol", "exercise")
# Kinds that one reading cannot tell apart: a basing is a deployment that stays (the gold matches
# them to each other, and the extractor proposes one of the two per place).
KIND_GROUPS = {"deployment": "deployment", "basing": "deployment", "patrol": "patrol", "exercise": "exercise"}
STATUSES = ("announced", "observed")
TIME_PRECISIONS = ("day", "week", "month", "year")
# ACLED's geo_precision: 1 an exact site, 2 part of a region, 3 a country, sea or larger region.
GEO_PRECISION = {1: "exact site", 2: "part of a region", 3: "country, sea or larger region"}
ASSET_CATEGORIES = (
    "bomber", "fighter", "maritime patrol", "transport/tanker", "helicopter", "air defence", "missile",
    "surface combatant", "carrier", "submarine", "ground unit", "headquarters", "personnel", "drone",
    "amphibious", "reconnaissance", "early warning", "aircraft",
)
PLACE_ROLES = ("location", "route", "origin")
# An iteration after an exercise's name: "Balikatan 23", "Sea Breeze 2020", "Strait Thunder-2025A".
_ITERATION = re.compile(r"[\s-]+(?:'?\d{2,4}[A-Z]?(?:-\d{1,2})?|[IVX]+)$")


def name_series(name: str) -> str:
    """The series an operation's or exercise's name belongs to, as a key: "Sea Breeze 2020" and
    "sea-breeze" are both "sea breeze" (what a designator's family is to an asset)."""
    return " ".join(_ITERATION.sub("", name.strip()).replace("-", " ").lower().split())


@dataclass(slots=True)
class Asset:
    """One asset or unit named in the text: "two B-52H bombers", "5,000 troops"."""

    name: str  # canonical designator or unit ("B-52H", "troops")
    family: str  # what evaluation and filters group by ("B-52", "destroyer")
    category: str  # one of ASSET_CATEGORIES
    count: int | None = None
    catalogue_id: str | None = None
    nuclear: bool = False
    app6: str = ""  # plain-English APP-6 description for the symbol renderer
    text: str = ""  # the words as written


@dataclass(slots=True)
class EventPlace:
    """A gazetteer place the event happened at (or a leg of its route, or where it came from)."""

    id: str
    name: str
    kind: str
    role: str = "location"  # one of PLACE_ROLES
    text: str = ""
    country: str | None = None


@dataclass(slots=True)
class EventSource:
    """Where the event was read: the document, outlet, publication date and the exact sentence."""

    document: str
    sentence: str
    start: int  # character span of the sentence in the cleaned document text
    end: int
    outlet: str | None = None
    headline: str | None = None
    published: str | None = None  # ISO 8601 at its precision (YYYY, YYYY-MM or YYYY-MM-DD)


@dataclass(slots=True)
class Event:
    id: str
    kind: str
    actors: list[str]
    assets: list[Asset]
    places: list[EventPlace]
    geometry: BaseGeometry
    geo_precision: int
    start: str | None  # ISO 8601 date
    end: str | None  # empty while ongoing
    time_precision: str
    status: str
    source: EventSource
    partners: list[str] = field(default_factory=list)
    # The operation's or exercise's own name as the text gives it ("Balikatan 23"): the map's label and
    # APP-6 unique designation. Empty when the text names none.
    name: str = ""
    confidence: float = 0.5
    edited: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise InputError(f"event kind was {self.kind!r} but is expected to be one of {list(EVENT_KINDS)}")
        if self.status not in STATUSES:
            raise InputError(f"event status was {self.status!r} but is expected to be one of {list(STATUSES)}")
        if self.time_precision not in TIME_PRECISIONS:
            raise InputError(
                f"time precision was {self.time_precision!r} but is expected to be one of {list(TIME_PRECISIONS)}"
            )
        if self.geo_precision not in GEO_PRECISION:
            raise InputError(f"geo precision was {self.geo_precision!r} but is expected to be 1, 2 or 3")

    # -- GeoJSON -------------------------------------------------------------------------------
    def properties(self) -> dict[str, Any]:
        """Flat-ish JSON properties (assets, places and source as nested objects)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "actors": list(self.actors),
            "partners": list(self.partners),
            "name": self.name,
            "assets": [asdict(a) for a in self.assets],
            "places": [asdict(p) for p in self.places],
            "geo_precision": self.geo_precision,
            "start": self.start,
            "end": self.end,
            "time_precision": self.time_precision,
            "status": self.status,
            "source": asdict(self.source),
            "confidence": self.confidence,
            "edited": self.edited,
            "notes": self.notes,
        }

    def to_feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": shapely.geometry.mapping(self.geometry),
            "properties": self.properties(),
        }

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> Event:
        """Inverse of `to_feature`; raises InputError naming the first field that is wrong."""
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError("expected a GeoJSON Feature object")
        props = feature.get("properties") or {}
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise InputError(f"event {props.get('id')!r}: geometry is missing or malformed ({err})") from err
        return cls.from_properties(props, geometry)

    @classmethod
    def from_properties(cls, props: dict[str, Any], geometry: BaseGeometry) -> Event:
        try:
            assets = [Asset(**_known(Asset, a)) for a in props.get("assets") or []]
            places = [EventPlace(**_known(EventPlace, p)) for p in props.get("places") or []]
            source = EventSource(**_known(EventSource, props["source"]))
            return cls(
                id=str(props["id"]),
                kind=props["kind"],
                actors=list(props.get("actors") or []),
                partners=list(props.get("partners") or []),
                name=props.get("name") or "",
                assets=assets,
                places=places,
                geometry=geometry,
                geo_precision=int(props["geo_precision"]),
                start=props.get("start") or None,
                end=props.get("end") or None,
                time_precision=props.get("time_precision") or "day",
                status=props.get("status") or "observed",
                source=source,
                confidence=float(props.get("confidence", 0.5)),
                edited=bool(props.get("edited", False)),
                notes=props.get("notes") or "",
            )
        except KeyError as err:
            raise InputError(f"event {props.get('id')!r}: missing field {err}") from err
        except (TypeError, ValueError) as err:
            raise InputError(f"event {props.get('id')!r}: {err}") from err

    def copy(self, **changes: Any) -> Event:
        return replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(self.to_feature(), ensure_ascii=False)


def _known(kind: type, values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise TypeError(f"{kind.__name__} should be an object, got {type(values).__name__}")
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in values.items() if k in names}


def event_id(document: str, kind: str, place_ids: list[str], families: list[str], sentence_start: int) -> str:
    """A stable id: the same article extracted twice gives the same ids (re-ingest changes nothing)."""
    basis = "|".join([document, kind, ",".join(sorted(place_ids)), ",".join(sorted(families)), str(sentence_start)])
    # "surrogatepass": a file name that is not UTF-8 reaches here with lone surrogates standing for
    # its bytes (Python's surrogate escapes). Any text without them encodes as plain UTF-8 does, so
    # ids stay as they were, and no valid UTF-8 encodes a surrogate, so no two names share bytes.
    return "ev-" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]
