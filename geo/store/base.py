"""The event store: every event the extractor found or a person entered, with its full history.

One interface, two backends (geopy style: the caller never cares which):

* embedded SQLite (default, no server): ``data/store/events.sqlite``, geometries as WKB with an
  R*Tree over (lon, lat, day) so the map's date + theatre queries touch only the rows they return;
* PostgreSQL + PostGIS for a team sharing one store, chosen by a ``postgresql://`` URL given to
  `open_store`, the ``FPM_DATABASE_URL`` environment variable or the CLI's ``--database``.

What both guarantee:

* every write is one transaction, and writers are serialised (SQLite ``BEGIN IMMEDIATE``, a
  PostgreSQL transaction-level advisory lock), so a crash or a bad row leaves the store as it was
  and two processes writing at once lose nothing; a writer waits for the lock up to `lock_wait_s`
  (then StoreBusyError), and readers never wait for writers;
* every event carries a version, one more at each write: an edit made with `expected_version`
  (from `get_versioned`) is refused with StaleEditError when someone else wrote the event since,
  so two analysts correcting one field cannot silently overwrite each other;
* nothing is stored that `check_event` refuses: types and values are checked here, the same with
  and without the compiled build;
* re-ingesting an article is idempotent (document name + content hash) and never touches an event a
  person edited, merged or deleted; a changed article replaces only the machine's own events;
* every change is a `Change` row (who, when, action, field, before, after), and any event leads
  back to its article and sentence (`EventStore.trace`).

"Active on a date" and posture sums are defined once, in `geo.store.posture`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import math
import os
import threading
import unicodedata
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import ForcePostureError, InputError, NoMatchError, StaleEditError, StoreBusyError
from geo.events import (
    ASSET_CATEGORIES,
    EVENT_KINDS,
    GEO_PRECISION,
    PLACE_ROLES,
    STATUSES,
    TIME_PRECISIONS,
    Asset,
    Event,
    EventPlace,
    EventSource,
)
from geo.gazetteer import DATA_DIR
from geo.store.posture import (
    PostureItem,
    PostureRow,
    active_span,
    country_name,
    is_country_code,
    parse_day,
    posture_items,
)

__all__ = [
    "DEFAULT_LOCK_WAIT_S",
    "DEFAULT_STORE_PATH",
    "EDITABLE_FIELDS",
    "ENV_DATABASE_URL",
    "ENV_LOCK_WAIT",
    "MAX_ASSET_COUNT",
    "MAX_DOCUMENT_CHARS",
    "MAX_ID_CHARS",
    "ArticleFile",
    "ArticleRecord",
    "Change",
    "EventStore",
    "Filters",
    "ImportSummary",
    "IngestReport",
    "IngestSummary",
    "Trace",
    "VersionedEvent",
    "WeekCount",
    "article_hash",
    "article_paths",
    "bbox_boxes",
    "brief_repr",
    "check_event",
    "check_properties",
    "default_editor",
    "ingest_paths",
    "open_store",
]

ENV_DATABASE_URL = "FPM_DATABASE_URL"
DEFAULT_STORE_PATH = DATA_DIR / "store" / "events.sqlite"
# 2: events carry a version (optimistic concurrency); stores of schema 1 are migrated on open.
# 3: articles record their origin (URL or file), so two files of the same name never replace each other.
SCHEMA_VERSION = "3"
# From a stored schema version: (the version it becomes, the statements that take it there); both
# back ends spell them alike.
MIGRATIONS = {"1": ("2", ["ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1"]),
              "2": ("3", ["ALTER TABLE articles ADD COLUMN origin TEXT"])}
# Indexes over columns that migrations add: created once the columns exist, old store or new.
LATE_INDEXES = ["CREATE INDEX IF NOT EXISTS articles_origin ON articles (origin)"]
# How long a write waits for another process's write lock before StoreBusyError (seconds);
# FPM_STORE_LOCK_WAIT_S or open_store(lock_wait_s=...) changes it.
ENV_LOCK_WAIT = "FPM_STORE_LOCK_WAIT_S"
DEFAULT_LOCK_WAIT_S = 300.0
EDITABLE_FIELDS = ("kind", "actors", "partners", "assets", "places", "geometry", "geo_precision", "start", "end",
                   "time_precision", "status", "source", "confidence", "notes")
ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".md")
INGEST_EDITOR = "ingest"
ID_SEPARATOR = "\x1f"  # the ASCII unit separator: never part of an event id


# -- records -------------------------------------------------------------------------------------------
@dataclass(slots=True)
class IngestSummary:
    """What one article did to the store."""

    document: str
    status: str  # new, updated (its text or metadata changed), unchanged
    events_found: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0  # machine events the changed article no longer supports
    kept: int = 0  # found again but left alone: a person edited, merged or deleted them
    unresolved: int = 0  # place names the gazetteer could not resolve


@dataclass(slots=True)
class IngestReport:
    """A whole `ingest` run: one summary per article read, one message per file skipped."""

    summaries: list[IngestSummary] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0  # article files found
    stopped: str | None = None  # why the run ended before its last file (the store stayed busy)

    def totals(self) -> dict[str, int]:
        s = self.summaries
        return {
            "articles read": len(s),
            "new": sum(x.status == "new" for x in s),
            "updated": sum(x.status == "updated" for x in s),
            "unchanged": sum(x.status == "unchanged" for x in s),
            "events found": sum(x.events_found for x in s),
            "events added": sum(x.added for x in s),
            "events updated": sum(x.updated for x in s),
            "events removed": sum(x.removed for x in s),
            "kept as a person left them": sum(x.kept for x in s),
            "places unresolved": sum(x.unresolved for x in s),
            "files skipped": len(self.failures),
        }


@dataclass(slots=True)
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of an event's history. `field` is None for whole-event actions (create, delete)."""

    event_id: str
    at: str  # ISO 8601 UTC timestamp
    editor: str
    action: str  # create, update, merge, delete, import, reingest, retract
    field: str | None
    before: Any  # JSON values (GeoJSON for geometry, a whole Feature for create/delete)
    after: Any

    @property
    def who(self) -> str:
        return self.editor

    @property
    def when(self) -> str:
        return self.at


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    document: str
    outlet: str | None
    headline: str | None
    published: str | None
    text: str
    content_hash: str
    ingested_at: str
    origin: str | None = None  # its URL or file path (None: pasted, or stored before schema 3)


@dataclass(frozen=True, slots=True)
class Trace:
    """Where an event was read: its article and sentence, and whether the span still matches."""

    event: Event
    article: ArticleRecord | None
    sentence: str
    start: int
    end: int
    matches: bool  # the article text at [start:end] is the recorded sentence


class VersionedEvent(NamedTuple):
    """An event and its version: how many times it has been written (1 when first stored)."""

    event: Event
    version: int


class WeekCount(NamedTuple):
    """Live events of one kind that started in one week (the timeline's bars)."""

    week: dt.date  # the Monday of the events' start dates
    kind: str
    events: int


# -- filters -------------------------------------------------------------------------------------------
BBox = tuple[float, float, float, float]


@dataclass(slots=True)
class Filters:
    """The map's filters, checked once; both backends turn them into SQL."""

    active_on: dt.date | None = None
    between: tuple[dt.date, dt.date] | None = None
    kinds: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    bbox: BBox | None = None
    text: str | None = None
    intersects: BaseGeometry | None = None

    @classmethod
    def make(cls, *, active_on: dt.date | str | None = None,
             between: tuple[dt.date | str, dt.date | str] | None = None,
             kinds: Iterable[str] | str | None = None, actors: Iterable[str] | str | None = None,
             categories: Iterable[str] | str | None = None, statuses: Iterable[str] | str | None = None,
             bbox: Sequence[float] | None = None, text: str | None = None,
             intersects: BaseGeometry | None = None) -> Filters:
        span = None
        if between is not None:
            if len(between) != 2:
                raise InputError(f"between should be (first day, last day), got {between!r}")
            first, last = parse_day(between[0], "first day"), parse_day(between[1], "last day")
            if first is None or last is None:
                raise InputError("between needs both a first and a last day")
            if last < first:
                raise InputError(f"between ends ({last}) before it starts ({first})")
            span = (first, last)
        if intersects is not None and not isinstance(intersects, BaseGeometry):
            raise InputError(f"intersects should be a shapely geometry, got {type(intersects).__name__}")
        if intersects is not None and intersects.is_empty:
            raise InputError("intersects is an empty geometry")
        return cls(
            active_on=parse_day(active_on, "active_on"),
            between=span,
            kinds=_strings(kinds),
            actors=tuple(dict.fromkeys(a.upper() for a in _strings(actors))),
            categories=_strings(categories),
            statuses=_strings(statuses),
            bbox=_check_bbox(bbox) if bbox is not None else None,
            text=text.strip() if text and text.strip() else None,
            intersects=intersects,
        )


def _strings(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """The distinct non-blank values, in order (a value repeated a thousand times is asked once)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


def _check_bbox(bbox: Sequence[float]) -> BBox:
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError) as err:
        raise InputError(f"bbox should be four numbers (west, south, east, north), got {bbox!r}") from err
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InputError(f"bbox has a non-finite number: {bbox!r}")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError(f"bbox {bbox!r} is outside lon -180..180 / lat -90..90 or has south > north")
    return west, south, east, north


def bbox_boxes(bbox: BBox) -> list[BBox]:
    """One box, or two when the bbox crosses the antimeridian (west > east, e.g. the Pacific)."""
    west, south, east, north = bbox
    if west <= east:
        return [bbox]
    return [(west, south, 180.0, north), (-180.0, south, east, north)]


# -- event checks and conversions ---------------------------------------------------------------------
# Bounds both backends can index: PostgreSQL refuses a B-tree entry over about 2,700 bytes, and a
# character is at most 4 bytes of UTF-8, so 600 characters of document name always fit.
MAX_ID_CHARS = 200
MAX_DOCUMENT_CHARS = 600
# posture_items.asset_count is a 32-bit INTEGER on PostGIS, and SQLite's 64-bit SUM then cannot
# overflow; no force is counted in billions.
MAX_ASSET_COUNT = 2**31 - 1
# Characters an id may not hold: control and format characters (the posture panel joins ids with
# the unit separator \x1f, and an invisible or right-to-left mark makes two ids look alike).
_ID_FORBIDDEN = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
_ASSET_TEXT = ("name", "family", "app6", "text")
_PLACE_TEXT = ("id", "name", "kind", "text")


def brief_repr(value: Any, limit: int = 40) -> str:
    """A value for a message: short, and never the whole of a huge or deeply nested one."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "...")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of {len(str(abs(value))) if value.bit_length() < 10_000 else 'thousands of'} digits"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _text_problem(value: Any, what: str, *, optional: bool = False) -> str | None:
    """Why `value` cannot be stored as text (None when it can): both databases refuse NUL characters
    and unpaired surrogates, so neither may reach them."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return f"{what} was {brief_repr(value)} but is expected to be text"
    if "\x00" in value:
        return f"{what} contains a NUL character (\\x00)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} contains an unpaired surrogate character, which is not valid Unicode text"
    return None


def _id_problem(value: Any, what: str, limit: int) -> str | None:
    problem = _text_problem(value, what)
    if problem:
        return problem
    if not value.strip():
        return f"{what} is empty"
    if len(value) > limit:
        return f"{what} is {len(value):,} characters long; at most {limit} are allowed"
    bad = next((ch for ch in value if unicodedata.category(ch) in _ID_FORBIDDEN), None)
    if bad is not None:
        return f"{what} {brief_repr(value)} contains the control or format character U+{ord(bad):04X}"
    return None


def _choice_problem(value: Any, what: str, allowed: Iterable[Any]) -> str | None:
    allowed = list(allowed)
    if isinstance(value, bool) or value not in allowed or type(value) is not type(allowed[0]):
        return f"{what} was {brief_repr(value)} but is expected to be one of {allowed}"
    return None


def _count_problem(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ASSET_COUNT:
        return f"{what} was {brief_repr(value)} but is expected to be a whole number from 0 to {MAX_ASSET_COUNT:,}"
    return None


def _asset_problems(number: int, asset: Any) -> list[str]:
    if not isinstance(asset, dict):
        return [f"asset {number} was {brief_repr(asset)} but is expected to be an object"]
    name = asset.get("name")
    label = f"asset {number}" + (f" ({brief_repr(name)})" if isinstance(name, str) else "")
    problems = [p for key in _ASSET_TEXT if key in ("name", "family") or key in asset
                if (p := _text_problem(asset.get(key), f"{label} {key}"))]
    if asset.get("category") not in ASSET_CATEGORIES:
        problems.append(f"{label} has category {brief_repr(asset.get('category'))}, expected one of "
                        f"{list(ASSET_CATEGORIES)}")
    problems += filter(None, [_count_problem(asset.get("count"), f"{label} count"),
                              _text_problem(asset.get("catalogue_id"), f"{label} catalogue_id", optional=True)])
    if not isinstance(asset.get("nuclear", False), bool):
        problems.append(f"{label} nuclear was {brief_repr(asset.get('nuclear'))} but is expected to be true or false")
    return problems


def _place_problems(number: int, place: Any) -> list[str]:
    if not isinstance(place, dict):
        return [f"place {number} was {brief_repr(place)} but is expected to be an object"]
    name = place.get("name")
    label = f"place {number}" + (f" ({brief_repr(name)})" if isinstance(name, str) else "")
    problems = [p for key in _PLACE_TEXT if key != "text" or key in place
                if (p := _text_problem(place.get(key), f"{label} {key}"))]
    if isinstance(place.get("id"), str) and not place["id"].strip():
        problems.append(f"{label} id is empty")
    if (role := place.get("role", "location")) not in PLACE_ROLES:
        problems.append(f"{label} role was {brief_repr(role)} but is expected to be one of {list(PLACE_ROLES)}")
    if (country := place.get("country")) is not None and not is_country_code(country):
        problems.append(f"{label} country was {brief_repr(country)} but is expected to be an ISO 3166-1 alpha-2 "
                        "code such as 'DE', or empty")
    return problems


def _source_problems(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return [f"source was {brief_repr(source)} but is expected to be an object"]
    problems = [p for p in (_id_problem(source.get("document"), "source document", MAX_DOCUMENT_CHARS),
                            _text_problem(source.get("sentence"), "source sentence"),
                            *(_text_problem(source.get(k), f"source {k}", optional=True)
                              for k in ("outlet", "headline", "published"))) if p]
    for key in ("start", "end"):
        value = source.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"source {key} was {brief_repr(value)} but is expected to be a character offset >= 0")
    return problems


def check_properties(props: dict[str, Any]) -> list[str]:
    """Every problem with an event's properties (its GeoJSON form, as `Event.properties` gives it),
    in words a user can act on; empty when they are fine.

    Types are checked here, not left to the record classes: compiled, they refuse a wrong type
    with a terse TypeError, and as plain Python (FPM_PURE_PYTHON=1, or a stale build) they take
    anything, so a number as an asset name went into the store and broke every map and export.
    Nothing is converted: a value of the wrong type is reported, never quietly turned into text.
    """
    problems = [p for p in (
        _id_problem(props.get("id"), "id", MAX_ID_CHARS),
        _choice_problem(props.get("kind"), "kind", EVENT_KINDS),
        _choice_problem(props.get("status"), "status", STATUSES),
        _choice_problem(props.get("time_precision"), "time_precision", TIME_PRECISIONS),
        _choice_problem(props.get("geo_precision"), "geo_precision", GEO_PRECISION),
        _text_problem(props.get("notes"), "notes"),
    ) if p]
    for name in ("start", "end"):
        value = props.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{name} was {brief_repr(value)} but is expected to be an ISO 8601 date YYYY-MM-DD")
            continue
        try:
            parse_day(value, name)
        except InputError as err:
            problems.append(str(err) if len(value or "") <= 40 else f"{name} was {brief_repr(value)} but is expected "
                            "to be an ISO 8601 date YYYY-MM-DD")
    confidence = props.get("confidence")
    if not (isinstance(confidence, int | float) and not isinstance(confidence, bool)
            and 0.0 <= confidence <= 1.0):  # NaN fails the comparison, so it is refused too
        problems.append(f"confidence was {brief_repr(confidence)} but is expected to be a number between 0 and 1")
    if not isinstance(props.get("edited", False), bool):
        problems.append(f"edited was {brief_repr(props.get('edited'))} but is expected to be true or false")
    for name in ("actors", "partners"):
        codes = props.get(name)
        if not isinstance(codes, list):
            problems.append(f"{name} was {brief_repr(codes)} but is expected to be a list of ISO 3166-1 alpha-2 codes")
            continue
        problems += [f"{name[:-1]} {brief_repr(code)} is not an ISO 3166-1 alpha-2 country code such as 'US'"
                     for code in codes if not is_country_code(code)]
    for name, check in (("assets", _asset_problems), ("places", _place_problems)):
        items = props.get(name)
        if not isinstance(items, list):
            problems.append(f"{name} was {brief_repr(items)} but is expected to be a list of objects")
            continue
        for number, item in enumerate(items, start=1):
            problems += check(number, item)
    problems += _source_problems(props.get("source"))
    return problems


def check_event(event: Event) -> list[str]:
    """Every problem with an event, in words a user can act on (empty when it is fine)."""
    try:
        props = event.properties()
    except (TypeError, AttributeError) as err:  # plain Python lets anything into the records
        return [f"the event's records are malformed: {err}"]
    problems = check_properties(props)
    if isinstance(event.start, str) and isinstance(event.end, str) and not any(
            p.startswith(("start ", "end ")) for p in problems):
        first, last = parse_day(event.start), parse_day(event.end)
        if first and last and last < first:
            problems.append(f"end {event.end} is before start {event.start}")
    problems.extend(check_geometry(event.geometry))
    return problems


def check_geometry(geometry: BaseGeometry | None) -> list[str]:
    if geometry is None or not isinstance(geometry, BaseGeometry):
        return ["geometry is missing"]
    if geometry.is_empty:
        return ["geometry is empty"]
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return ["geometry has a coordinate that is not a finite number"]
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
        bad = coords[(np.abs(lon) > 180) | (np.abs(lat) > 90)][0]
        return [f"geometry has a point ({bad[0]:g}, {bad[1]:g}) outside lon -180..180 / lat -90..90 "
                "(coordinates are lon, lat in EPSG:4326; were they swapped or projected?)"]
    if not geometry.is_valid:
        return [f"geometry is not valid: {shapely.is_valid_reason(geometry)}"]
    return []


def to_geometry(value: Any) -> BaseGeometry:
    """A shapely geometry from shapely, a GeoJSON mapping, WKT or WKB."""
    try:
        if isinstance(value, BaseGeometry):
            return value
        if isinstance(value, dict):
            return shapely.geometry.shape(value)
        if isinstance(value, bytes | bytearray | memoryview):
            return shapely.from_wkb(bytes(value))
        if isinstance(value, str):
            text = value.strip()
            return shapely.geometry.shape(json.loads(text)) if text.startswith("{") else shapely.from_wkt(text)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException) as err:
        raise InputError(f"geometry could not be read: {err}") from err
    raise InputError(f"geometry should be a shapely geometry, GeoJSON, WKT or WKB, got {type(value).__name__}")


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def apply_changes(event: Event, changes: dict[str, Any]) -> Event:
    """A new Event with `changes` applied (values as objects or plain JSON); InputError if invalid."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(f"cannot change {unknown}; editable fields are {list(EDITABLE_FIELDS)}")
    props = event.properties()
    geometry = event.geometry
    for name, value in changes.items():
        if name == "geometry":
            geometry = to_geometry(value)
        elif name in ("actors", "partners"):
            codes = value.split(",") if isinstance(value, str) else value
            props[name] = ([v.strip().upper() if isinstance(v, str) else v for v in codes]
                           if isinstance(codes, list | tuple) else codes)
        else:
            props[name] = _jsonable(value)
    problems = check_properties(props)  # before the records are built: the same words in every build
    if problems:
        raise InputError(f"event {event.id}: " + "; ".join(problems))
    return Event.from_properties(props, geometry)


def field_value(event: Event, name: str) -> Any:
    """A field as plain JSON (geometry as GeoJSON), for history and comparison."""
    if name == "geometry":
        return json.loads(json.dumps(shapely.geometry.mapping(event.geometry)))
    return json.loads(json.dumps(event.properties()[name]))


def field_diffs(before: Event, after: Event) -> list[tuple[str, Any, Any]]:
    diffs = []
    for name in EDITABLE_FIELDS:
        if name == "geometry":
            if before.geometry.wkb != after.geometry.wkb:
                diffs.append((name, field_value(before, name), field_value(after, name)))
            continue
        old, new = field_value(before, name), field_value(after, name)
        if old != new:
            diffs.append((name, old, new))
    return diffs


def same_event(a: Event, b: Event) -> bool:
    return a.properties() == b.properties() and a.geometry.wkb == b.geometry.wkb


def article_hash(article: Any) -> str:
    """Text and metadata: a corrected publication date changes the events' dates, so it counts."""
    basis = "\x1f".join([article.text, article.published or "", article.outlet or "", article.headline or ""])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def default_editor() -> str:
    """Who is making a change: FPM_EDITOR, else the login name."""
    name = os.environ.get("FPM_EDITOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the stored row ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class EventRow:
    """An event flattened into the columns both backends index and filter on."""

    id: str
    kind: str
    status: str
    time_precision: str
    geo_precision: int
    start_date: str | None
    end_date: str | None
    active_from: dt.date | None
    active_to: dt.date | None
    actors_key: str  # "|US|JP|": actors and partners, for LIKE '%|JP|%'
    categories_key: str
    search: str  # lower-cased words the text filter looks in
    document: str
    edited: int
    deleted: int
    merged_into: str | None
    confidence: float
    props: str  # the event's properties as JSON (everything but the geometry)
    wkb: bytes
    minx: float
    miny: float
    maxx: float
    maxy: float
    updated_at: str
    items: list[PostureItem]
    version: int = 1  # counts the writes of this event: an edit based on an older one is refused


def _decode_event(props: dict[str, Any], geometry: BaseGeometry) -> Event:
    """Stored properties are always this program's own complete JSON: build the records directly,
    which is three times faster than the tolerant `Event.from_properties` the map's queries would pay."""
    try:
        return Event(
            id=props["id"], kind=props["kind"], actors=props["actors"], partners=props["partners"],
            assets=[Asset(**a) for a in props["assets"]], places=[EventPlace(**p) for p in props["places"]],
            geometry=geometry, geo_precision=props["geo_precision"], start=props["start"], end=props["end"],
            time_precision=props["time_precision"], status=props["status"], source=EventSource(**props["source"]),
            confidence=props["confidence"], edited=props["edited"], notes=props["notes"],
        )
    except (KeyError, TypeError):  # written by an older version: the tolerant path
        return Event.from_properties(props, geometry)


def event_row(event: Event, *, deleted: bool = False, merged_into: str | None = None, version: int = 1) -> EventRow:
    span = active_span(event.kind, event.start, event.end, event.time_precision)
    props = event.properties()
    minx, miny, maxx, maxy = event.geometry.bounds
    words = [
        *event.actors, *event.partners, event.kind, event.status, event.notes,
        event.source.sentence, event.source.headline or "", event.source.outlet or "", event.source.document,
        *(f"{a.name} {a.family} {a.category} {a.text}" for a in event.assets),
        *(f"{p.name} {p.text}" for p in event.places),
    ]
    return EventRow(
        id=event.id, kind=event.kind, status=event.status, time_precision=event.time_precision,
        geo_precision=event.geo_precision, start_date=event.start, end_date=event.end,
        active_from=span[0] if span else None, active_to=span[1] if span else None,
        actors_key="|" + "|".join(sorted({*event.actors, *event.partners})) + "|",
        categories_key="|" + "|".join(sorted({a.category for a in event.assets})) + "|",
        search=" ".join(w for w in words if w).lower(),
        document=event.source.document, edited=int(event.edited), deleted=int(deleted), merged_into=merged_into,
        confidence=float(event.confidence), props=json.dumps(props, ensure_ascii=False, sort_keys=True),
        wkb=shapely.to_wkb(event.geometry, output_dimension=2), minx=minx, miny=miny, maxx=maxx, maxy=maxy,
        updated_at=_now(), items=posture_items(event), version=version,
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- the store -----------------------------------------------------------------------------------------
class EventStore(ABC):
    """Same behaviour on every backend; subclasses supply connections, DDL and the spatial SQL.

    SQL here is written with ``?`` placeholders; `_q` rewrites them for the backend.
    """

    url: str
    PLACEHOLDER = "?"
    ID_AGG = "group_concat(event_id, char(31))"  # ids joined by ID_SEPARATOR

    def __init__(self) -> None:
        self._lock = threading.RLock()  # one connection, shared by Streamlit's script threads

    # ---- schema ----
    def _create_or_migrate(self, cur: Any) -> str:
        """Create what is missing, then migrate an older schema step by step; returns the version now.
        Run under the write lock, so two processes opening a new store at once create it once."""
        self._create_schema(cur)
        cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        version = str(cur.fetchone()[0])
        while version in MIGRATIONS:
            version, statements = MIGRATIONS[version]
            for statement in statements:
                cur.execute(statement)
            cur.execute(self._q("UPDATE meta SET value = ? WHERE key = 'schema_version'"), [version])
        for statement in LATE_INDEXES:
            cur.execute(statement)
        return version

    # ---- backend hooks ----
    @abstractmethod
    def _create_schema(self, cur: Any) -> None:
        """Create the tables of the current schema where missing, and record SCHEMA_VERSION as the
        store's version unless one is recorded (an older store keeps its own, then migrates)."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A cursor inside a write transaction that holds the store-wide writer lock."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Any]:
        """A cursor inside a read transaction (one consistent snapshot)."""

    @abstractmethod
    def _insert_row(self, cur: Any, row: EventRow) -> None: ...

    @abstractmethod
    def _delete_row(self, cur: Any, event_id: str) -> int:
        """Remove an event's row and posture items; returns the version it had (0: there was none)."""

    @abstractmethod
    def _like_patterns(self, column: str, patterns: list[str], *, every: bool) -> tuple[str, Any]:
        """One SQL condition and its one parameter: `column` is LIKE every (or any) of the patterns
        (backslash escapes). One condition however many patterns: 5,000 words chained with AND went
        past SQLite's expression depth limit ("Expression tree is too large")."""

    @abstractmethod
    def _where_place_time(self, f: Filters) -> tuple[list[str], list[Any], Callable[[np.ndarray], np.ndarray] | None]:
        """SQL conditions for dates, bbox and intersects, and (SQLite) an exact geometry test left to
        shapely: it takes the candidates' geometries and returns a boolean mask."""

    @abstractmethod
    def close(self) -> None: ...

    GEOM_SELECT = "geom"
    # The Monday of an event's start date (ISO weeks), in the backend's SQL: a date or 'YYYY-MM-DD'.
    WEEK_OF_START: str

    def _q(self, sql: str) -> str:
        return sql if self.PLACEHOLDER == "?" else sql.replace("?", self.PLACEHOLDER)

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # ---- shared low-level pieces ----
    def _decode(self, rows: Sequence[tuple[Any, Any]]) -> list[Event]:
        """(props, wkb) rows to Events; geometries decoded in one vectorised call."""
        if not rows:
            return []
        geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
        return [_decode_event(props if isinstance(props, dict) else json.loads(props), geom)
                for (props, _), geom in zip(rows, geoms, strict=True)]

    def _load(self, cur: Any, ids: Sequence[str], *, live_only: bool = True) -> dict[str, Event]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        cur.execute(self._q(f"SELECT props, {self.GEOM_SELECT}, id, deleted, merged_into FROM events "
                            f"WHERE id IN ({marks})" + (" AND deleted = 0" if live_only else "")), list(ids))
        rows = cur.fetchall()
        events = self._decode([(r[0], r[1]) for r in rows])
        return {r[2]: e for r, e in zip(rows, events, strict=True)}

    def _put(self, cur: Any, event: Event, *, replace: bool, deleted: bool = False,
             merged_into: str | None = None) -> None:
        """Write an event (replacing its row when `replace`): its version is one more than before."""
        version = self._delete_row(cur, event.id) + 1 if replace else 1
        self._put_event(cur, event_row(event, deleted=deleted, merged_into=merged_into, version=version))

    def _versions(self, cur: Any, ids: Sequence[str], *, live_only: bool = True) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            cur.execute(self._q(f"SELECT id, version FROM events WHERE id IN ({','.join('?' * len(chunk))})"
                                + (" AND deleted = 0" if live_only else "")), chunk)
            found.update((r[0], int(r[1])) for r in cur.fetchall())
        return found

    def _check_fresh(self, cur: Any, expected: dict[str, int | None]) -> None:
        """StaleEditError when an event's stored version is not the one the edit was based on."""
        asked = {event_id: version for event_id, version in expected.items() if version is not None}
        for event_id, version in asked.items():
            if isinstance(version, bool) or not isinstance(version, int) or version < 1:
                raise InputError(f"the expected version of event {event_id} was {brief_repr(version)} but is expected "
                                 "to be a whole number >= 1 (as get_versioned returns it)")
        current = self._versions(cur, list(asked))
        for event_id, version in asked.items():
            if event_id in current and current[event_id] != version:
                raise StaleEditError(event_id, version, current[event_id])

    def _put_event(self, cur: Any, row: EventRow) -> None:
        """Insert one row with its posture items (the one place every write goes through)."""
        self._insert_row(cur, row)
        if row.items:
            cur.executemany(
                self._q("INSERT INTO posture_items (event_id, site_id, site_name, site_kind, country, actor, category,"
                        " family, asset_count, lon, lat) VALUES (?,?,?,?,?,?,?,?,?,?,?)"),
                [(i.event_id, i.site_id, i.site_name, i.site_kind, i.country, i.actor, i.category, i.family,
                  i.count, i.lon, i.lat) for i in row.items],
            )

    def _log(self, cur: Any, changes: Sequence[Change]) -> None:
        if not changes:
            return
        cur.executemany(
            self._q("INSERT INTO history (event_id, at, editor, action, field, before, after) VALUES (?,?,?,?,?,?,?)"),
            [(c.event_id, c.at, c.editor, c.action, c.field,
              None if c.before is None else json.dumps(c.before, ensure_ascii=False),
              None if c.after is None else json.dumps(c.after, ensure_ascii=False)) for c in changes],
        )

    def _where(self, f: Filters) -> tuple[str, list[Any], Callable[[np.ndarray], np.ndarray] | None]:
        clauses = ["deleted = 0"]
        params: list[Any] = []
        for column, values in (("kind", f.kinds), ("status", f.statuses)):
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        for column, values in (("actors_key", f.actors), ("categories_key", f.categories)):
            if values:
                clause, param = self._like_patterns(column, [f"%|{_like_escape(v)}|%" for v in values], every=False)
                clauses.append(clause)
                params.append(param)
        if f.text:
            words = dict.fromkeys(f.text.lower().split())
            clause, param = self._like_patterns("search", [f"%{_like_escape(w)}%" for w in words], every=True)
            clauses.append(clause)
            params.append(param)
        more, more_params, exact = self._where_place_time(f)
        clauses.extend(more)
        params.extend(more_params)
        return " AND ".join(clauses), params, exact

    # ---- reading ----
    def query(self, *, active_on: dt.date | str | None = None,
              between: tuple[dt.date | str, dt.date | str] | None = None,
              kinds: Iterable[str] | str | None = None, actors: Iterable[str] | str | None = None,
              categories: Iterable[str] | str | None = None, statuses: Iterable[str] | str | None = None,
              bbox: Sequence[float] | None = None, text: str | None = None,
              intersects: BaseGeometry | None = None, limit: int | None = None) -> list[Event]:
        """Live events matching every filter given, by start date then id.

        `actors` matches actors and partners (asking about Japan finds the US-Japan joint flight);
        `text` needs every word somewhere in the sentence, headline, places, assets or notes;
        `intersects` keeps events whose interiors meet the shape, so clicking one sea does not
        return the events of the sea next to it that only shares the border.
        """
        f = Filters.make(active_on=active_on, between=between, kinds=kinds, actors=actors, categories=categories,
                         statuses=statuses, bbox=bbox, text=text, intersects=intersects)
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InputError(f"limit was {limit!r} but is expected to be a whole number >= 0")
        where, params, exact = self._where(f)
        sql = f"SELECT props, {self.GEOM_SELECT} FROM events WHERE {where} ORDER BY COALESCE(start_date, ''), id"
        if limit is not None and exact is None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as cur:
            cur.execute(self._q(sql), params)
            rows = cur.fetchall()
        if exact is not None and rows:
            geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
            keep = exact(geoms)
            rows = [r for r, k in zip(rows, keep, strict=True) if k]
            if limit is not None:
                rows = rows[:limit]
        return self._decode(rows)

    def weekly_counts(self, *, kinds: Iterable[str] | str | None = None, actors: Iterable[str] | str | None = None,
                      categories: Iterable[str] | str | None = None, statuses: Iterable[str] | str | None = None,
                      bbox: Sequence[float] | None = None, text: str | None = None,
                      intersects: BaseGeometry | None = None) -> list[WeekCount]:
        """How many live events of each kind started in each week (Monday of the start date), by
        week then kind; undated events belong to no week and are left out.

        The timeline under the map needs only these counts, over the whole store: loading and
        decoding every event to count them in Python took 5-6 s at 100,000 events (about 20 s during
        the app's first open), the database's GROUP BY takes about 0.15 s. The filters are
        `query`'s without the time ones (the timeline shows all of time, so the user sees where to
        drag the slider).
        """
        f = Filters.make(kinds=kinds, actors=actors, categories=categories, statuses=statuses, bbox=bbox, text=text,
                         intersects=intersects)
        where, params, exact = self._where(f)
        dated = f"{where} AND start_date IS NOT NULL"
        with self._read() as cur:
            if exact is None:
                cur.execute(self._q(f"SELECT {self.WEEK_OF_START}, kind, COUNT(*) FROM events WHERE {dated}"
                                    " GROUP BY 1, 2"), params)
                rows: list[tuple[Any, str, int]] = cur.fetchall()
            else:  # SQLite's exact geometry test is shapely's: count only the candidates that pass it
                cur.execute(self._q(f"SELECT {self.WEEK_OF_START}, kind, {self.GEOM_SELECT} FROM events WHERE {dated}"),
                            params)
                found = cur.fetchall()
                counts: Counter[tuple[Any, str]] = Counter()
                if found:
                    keep = exact(shapely.from_wkb([bytes(r[2]) for r in found]))
                    counts.update((r[0], r[1]) for r, k in zip(found, keep, strict=True) if k)
                rows = [(week, kind, n) for (week, kind), n in counts.items()]
        # Sorted here, not in SQL: the order of kinds must not depend on the database's collation.
        return sorted(WeekCount(_as_day(week), kind, int(n)) for week, kind, n in rows if week is not None)

    def actor_counts(self) -> dict[str, int]:
        """How many live events name each country, as actor or partner, counted by the database from
        the stored actor keys (the app's actor filter lists them most frequent first; decoding every
        event to count them took about 3 s at 100,000 events)."""
        where, params, _exact = self._where(Filters.make())
        with self._read() as cur:
            cur.execute(self._q(f"SELECT actors_key, COUNT(*) FROM events WHERE {where} GROUP BY actors_key"), params)
            rows: list[tuple[str, int]] = cur.fetchall()
        counts: Counter[str] = Counter()
        for key, number in rows:
            for code in (key or "").strip("|").split("|"):
                if code:
                    counts[code] += int(number)
        return dict(counts)

    def posture(self, at: dt.date | str, *, kinds: Iterable[str] | str | None = None,
                actors: Iterable[str] | str | None = None, categories: Iterable[str] | str | None = None,
                statuses: Iterable[str] | str | None = None, bbox: Sequence[float] | None = None,
                text: str | None = None, intersects: BaseGeometry | None = None) -> list[PostureRow]:
        """What is deployed where on `at`: summed counts per site, then per country (see geo.store.posture).

        A category filter also narrows the sums to those assets (bombers only counts bombers)."""
        day = parse_day(at, "at")
        if day is None:
            raise InputError("posture needs a date")
        f = Filters.make(active_on=day, kinds=kinds, actors=actors, categories=categories, statuses=statuses,
                         bbox=bbox, text=text, intersects=intersects)
        where, params, exact = self._where(f)
        with self._read() as cur:
            if exact is None:
                scope, scope_params = f"event_id IN (SELECT id FROM events WHERE {where})", params
            else:
                cur.execute(self._q(f"SELECT id, {self.GEOM_SELECT} FROM events WHERE {where}"), params)
                rows = cur.fetchall()
                ids = []
                if rows:
                    keep = exact(shapely.from_wkb([bytes(r[1]) for r in rows]))
                    ids = [r[0] for r, k in zip(rows, keep, strict=True) if k]
                scope, scope_params = self._in_list_sql(), [self._in_list_param(ids)]
            if f.categories:
                scope += f" AND category IN ({','.join('?' * len(f.categories))})"
                scope_params = [*scope_params, *f.categories]
            # The database groups per site (in C); countries are summed from those rows, since every
            # event sits at exactly one site. Same rules as geo.store.posture.sum_posture (a test holds them equal).
            cur.execute(self._q(
                "SELECT site_id, actor, category, family, MIN(site_name), MIN(country), SUM(asset_count),"
                " SUM(CASE WHEN asset_count IS NULL AND family IS NOT NULL THEN 1 ELSE 0 END),"
                f" {self.ID_AGG}, MIN(lon), MIN(lat), MAX(CASE WHEN site_kind = 'country' THEN site_name END)"
                f" FROM posture_items WHERE {scope} GROUP BY site_id, actor, category, family"), scope_params)
            sites = cur.fetchall()
        site_rows: list[PostureRow] = []
        countries: dict[tuple[str, str, str, str], PostureRow] = {}
        for site_id, actor, category, family, name, country, total, uncounted, joined, lon, lat, country_site in sites:
            count, ids = _ids(joined)
            total = int(total or 0)
            site_rows.append(PostureRow("site", site_id, name, country, actor, category, family, total, int(uncounted),
                                        count, ids, lon=lon, lat=lat))
            key = (country or "", actor, category or "", family or "")
            row = countries.get(key)
            if row is None:
                row = countries[key] = PostureRow("country", country or "", country_site or "", country, actor,
                                                  category, family)
            elif country_site and not row.name:
                row.name = country_site
            row.count += total
            row.uncounted += int(uncounted)
            row.events += count
            row.event_ids.extend(ids)
        for row in countries.values():
            row.name = row.name or country_name(row.country)
        site_rows.sort(key=_posture_order)
        return site_rows + sorted(countries.values(), key=_posture_order)

    def _in_list_sql(self) -> str:
        raise NotImplementedError  # only backends with an exact shapely filter need it

    def _in_list_param(self, ids: list[str]) -> Any:
        raise NotImplementedError

    def get(self, event_id: str) -> Event | None:
        with self._read() as cur:
            found = self._load(cur, [event_id])
        return found.get(event_id)

    def get_versioned(self, event_id: str) -> VersionedEvent | None:
        """A live event with its version, read together: pass the version back to `update`, `merge`
        or `delete` as expected_version, and a change someone made in between is refused."""
        with self._read() as cur:
            found = self._load(cur, [event_id])
            versions = self._versions(cur, [event_id])
        if event_id not in found or event_id not in versions:
            return None
        return VersionedEvent(found[event_id], versions[event_id])

    def versions(self, event_ids: Sequence[str]) -> dict[str, int]:
        """The current version of each live event named (unknown, deleted and merged ones left out)."""
        with self._read() as cur:
            return self._versions(cur, list(dict.fromkeys(event_ids)))

    def count(self) -> int:
        with self._read() as cur:
            cur.execute("SELECT COUNT(*) FROM events WHERE deleted = 0")
            return int(cur.fetchone()[0])

    def history(self, event_id: str) -> list[Change]:
        with self._read() as cur:
            cur.execute(self._q("SELECT event_id, at, editor, action, field, before, after FROM history "
                                "WHERE event_id = ? ORDER BY seq"), [event_id])
            rows = cur.fetchall()
        return [Change(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else json.loads(r[5]),
                       None if r[6] is None else json.loads(r[6])) for r in rows]

    def history_size(self) -> int:
        with self._read() as cur:
            cur.execute("SELECT COUNT(*) FROM history")
            return int(cur.fetchone()[0])

    def articles(self) -> list[ArticleRecord]:
        with self._read() as cur:
            cur.execute("SELECT document, outlet, headline, published, text, content_hash, ingested_at, origin "
                        "FROM articles ORDER BY COALESCE(published, ''), document")
            return [ArticleRecord(*r) for r in cur.fetchall()]

    def article(self, document: str) -> ArticleRecord | None:
        with self._read() as cur:
            cur.execute(self._q("SELECT document, outlet, headline, published, text, content_hash, ingested_at, "
                                "origin FROM articles WHERE document = ?"), [document])
            row = cur.fetchone()
        return ArticleRecord(*row) if row else None

    def resolve_document(self, article: Any) -> str:
        """The name `article` is stored under; set it as `article.document` before extracting, since
        event ids derive from it.

        An article already stored from the same origin (URL or file) keeps its name. Otherwise the
        article's own name, unless another article holds it: then the name with a short tag of the
        new article's origin ("index.html~3f2a9c1e"), so siteA/index.html and siteB/index.html are
        two articles. A stored article with the same text counts as the same article (a moved file,
        a page pasted twice, a store written before origins were recorded).
        """
        digest = article_hash(article)
        tag = hashlib.sha256((article.origin or digest).encode("utf-8")).hexdigest()
        with self._read() as cur:
            if article.origin:
                cur.execute(self._q("SELECT document FROM articles WHERE origin = ? ORDER BY document"),
                            [article.origin])
                row = cur.fetchone()
                if row is not None:
                    return str(row[0])
            for length in (0, 8, 16, len(tag)):
                name = article.document if length == 0 else f"{article.document}~{tag[:length]}"
                cur.execute(self._q("SELECT origin, content_hash FROM articles WHERE document = ?"), [name])
                row = cur.fetchone()
                if row is not None:
                    if row[1] == digest or (article.origin is not None and row[0] == article.origin):
                        return name
                    continue
                # No article of that name, but events that name it as their source (imported, or
                # added by hand): they came from elsewhere, and the name stays theirs.
                cur.execute(self._q("SELECT 1 FROM events WHERE document = ? LIMIT 1"), [name])
                if cur.fetchone() is None:
                    return name
        raise InputError(f"{article.document}: no free name for it in the store")

    def unchanged_summary(self, article: Any) -> IngestSummary | None:
        """The summary of re-ingesting an article already stored with the same content, else None
        (also when the stored one has no origin yet and this one has: ingesting records it)."""
        with self._read() as cur:
            cur.execute(self._q("SELECT content_hash, origin FROM articles WHERE document = ?"), [article.document])
            row = cur.fetchone()
            if row is None or row[0] != article_hash(article) or (row[1] is None and getattr(article, "origin", None)):
                return None
            cur.execute(self._q("SELECT COUNT(*) FROM events WHERE document = ?"), [article.document])
            return IngestSummary(article.document, "unchanged", events_found=int(cur.fetchone()[0]))

    def trace(self, event_id: str) -> Trace:
        """The article and sentence an event was read from (NoMatchError for an unknown id)."""
        event = self.get(event_id)
        if event is None:
            raise NoMatchError(f"no event {event_id!r} in the store")
        article = self.article(event.source.document)
        src = event.source
        matches = article is not None and article.text[src.start:src.end] == src.sentence
        return Trace(event, article, src.sentence, src.start, src.end, matches)

    def time_range(self) -> tuple[dt.date, dt.date] | None:
        """First start and last start-or-end of the live events (the map's slider range)."""
        with self._read() as cur:
            cur.execute("SELECT MIN(start_date), MAX(COALESCE(end_date, start_date)) FROM events "
                        "WHERE deleted = 0 AND start_date IS NOT NULL")
            row = cur.fetchone()
        if not row or row[0] is None:
            return None
        return dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])

    # ---- writing ----
    def ingest_article(self, article: Any, events: list[Event], *, force: bool = False,
                       unresolved: int = 0) -> IngestSummary:
        """Store an article and its extracted events in one transaction.

        Unchanged article (same document, same content hash): nothing is written. Changed article
        (or `force`): the machine's events are refreshed; events a person edited, merged or deleted
        are left exactly as the person left them; events the new text no longer supports are removed
        (with a history entry). Raises InputError, writing nothing, when an event is invalid.
        """
        digest = article_hash(article)
        summary = IngestSummary(article.document, "new", events_found=len(events), unresolved=unresolved)
        for event in events:
            problems = check_event(event)
            if problems:
                raise InputError(f"{article.document}: event {event.id}: " + "; ".join(problems))
        ids = [e.id for e in events]
        if len(set(ids)) != len(ids):
            raise InputError(f"{article.document}: the extraction gave two events the same id")
        now = _now()
        origin = getattr(article, "origin", None)
        with self._write() as cur:
            cur.execute(self._q("SELECT content_hash, origin FROM articles WHERE document = ?"), [article.document])
            row = cur.fetchone()
            if row is not None:
                if origin and row[1] and row[1] != origin and row[0] != digest:
                    # resolve_document chose this name, then another process stored another article under it
                    raise InputError(f"{article.document}: another article ({row[1]}) was stored under this name "
                                     "meanwhile; ingest this one again to give it a name of its own")
                summary.status = "unchanged" if row[0] == digest else "updated"
                if row[0] == digest and not force and (row[1] or not origin):
                    return summary
                origin = origin or row[1]
                cur.execute(self._q("DELETE FROM articles WHERE document = ?"), [article.document])
            cur.execute(self._q("INSERT INTO articles (document, content_hash, outlet, headline, published, text, "
                                "ingested_at, origin) VALUES (?,?,?,?,?,?,?,?)"),
                        [article.document, digest, article.outlet, article.headline, article.published,
                         article.text, now, origin])
            # The article's own earlier events. A new article has none: events that name its document
            # but were imported or added by hand are someone's work, never refreshed or retracted here.
            rows: list[Any] = []
            if row is not None:
                cur.execute(self._q(f"SELECT props, {self.GEOM_SELECT}, id, edited, deleted FROM events "
                                    "WHERE document = ?"), [article.document])
                rows = cur.fetchall()
            prior = {r[2]: (e, bool(r[3]), bool(r[4]))
                     for r, e in zip(rows, self._decode([(r[0], r[1]) for r in rows]), strict=True)}
            # An id can belong to another document only if a person re-pointed the source; never clobber it.
            others = set(self._existing_ids(cur, [i for i in ids if i not in prior]))
            changes: list[Change] = []
            for event in events:
                event = event.copy(edited=False)
                if event.id in others:
                    summary.kept += 1
                    continue
                old = prior.get(event.id)
                if old is None:
                    self._put(cur, event, replace=False)
                    changes.append(Change(event.id, now, INGEST_EDITOR, "create", None, None, event.to_feature()))
                    summary.added += 1
                elif old[1] or old[2]:
                    summary.kept += 1
                elif not same_event(old[0], event):
                    self._put(cur, event, replace=True)
                    changes.extend(Change(event.id, now, INGEST_EDITOR, "reingest", name, before, after)
                                   for name, before, after in field_diffs(old[0], event))
                    summary.updated += 1
            found_ids = set(ids)
            for event_id, (old_event, edited, deleted) in prior.items():
                if event_id not in found_ids and not edited and not deleted:
                    self._delete_row(cur, event_id)
                    changes.append(Change(event_id, now, INGEST_EDITOR, "retract", None, old_event.to_feature(), None))
                    summary.removed += 1
            self._log(cur, changes)
        return summary

    def _existing_ids(self, cur: Any, ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cur.execute(self._q(f"SELECT id FROM events WHERE id IN ({','.join('?' * len(chunk))})"), list(chunk))
            found.extend(r[0] for r in cur.fetchall())
        return found

    def add_event(self, event: Event, *, editor: str) -> Event:
        """Add an event by hand (marked edited, so no ingest ever touches it). An empty id gets one."""
        if not str(event.id).strip():
            event = event.copy(id="ev-manual-" + os.urandom(8).hex())
        event = event.copy(edited=True)
        problems = check_event(event)
        if problems:
            raise InputError(f"event {event.id}: " + "; ".join(problems))
        with self._write() as cur:
            if self._existing_ids(cur, [event.id]):
                raise InputError(f"an event with id {event.id!r} already exists (deleted ones keep their id)")
            self._put(cur, event, replace=False)
            self._log(cur, [Change(event.id, _now(), _editor(editor), "create", None, None, event.to_feature())])
        return event

    def update(self, event_id: str, changes: dict[str, Any], *, editor: str,
               expected_version: int | None = None) -> Event:
        """Correct fields of an event; each changed field becomes a history entry; sets edited.

        `expected_version` (from `get_versioned`) makes the correction conditional: when the event
        was written since, StaleEditError says so and nothing changes. Without it the correction
        applies to whatever is stored now (last writer wins, as a script may want)."""
        if not isinstance(changes, dict) or not changes:
            raise InputError("changes should be a non-empty mapping of field name to new value")
        with self._write() as cur:
            found = self._load(cur, [event_id])
            if event_id not in found:
                raise NoMatchError(f"no event {event_id!r} in the store")
            self._check_fresh(cur, {event_id: expected_version})
            old = found[event_id]
            new = apply_changes(old, changes).copy(edited=True)
            problems = check_event(new)
            if problems:
                raise InputError(f"event {event_id}: " + "; ".join(problems))
            diffs = field_diffs(old, new)
            if not diffs and old.edited:
                return old
            self._put(cur, new, replace=True)
            now, who = _now(), _editor(editor)
            self._log(cur, [Change(event_id, now, who, "update", name, before, after) for name, before, after in diffs])
        return new

    def merge(self, keep_id: str, other_ids: Sequence[str], *, editor: str,
              expected_versions: dict[str, int] | None = None) -> Event:
        """Fold duplicates into `keep_id`: union of actors, places and assets (largest stated count of
        each family, since duplicates report the same forces), widest dates, the others' sources kept
        in the notes; the others are retired (not erased: history and trace still reach them).

        `expected_versions` maps any of the ids to the version the merge was decided on
        (StaleEditError, nothing merged, when one was written since)."""
        others = [i for i in dict.fromkeys(other_ids) if i != keep_id]
        if not others:
            raise InputError("merge needs at least one other event id than the one kept")
        with self._write() as cur:
            found = self._load(cur, [keep_id, *others])
            missing = [i for i in [keep_id, *others] if i not in found]
            if missing:
                raise NoMatchError(f"no event {missing[0]!r} in the store")
            self._check_fresh(cur, dict(expected_versions or {}))
            keep = found[keep_id]
            merged = _combine(keep, [found[i] for i in others]).copy(edited=True)
            problems = check_event(merged)
            if problems:
                raise InputError(f"merged event {keep_id}: " + "; ".join(problems))
            now, who = _now(), _editor(editor)
            self._put(cur, merged, replace=True)
            log = [Change(keep_id, now, who, "merge", name, before, after)
                   for name, before, after in field_diffs(keep, merged)]
            log.append(Change(keep_id, now, who, "merge", "merged_from", None, others))
            for other_id in others:
                self._put(cur, found[other_id].copy(edited=True), replace=True, deleted=True, merged_into=keep_id)
                log.append(Change(other_id, now, who, "merge", "merged_into", None, keep_id))
            self._log(cur, log)
        return merged

    def delete(self, event_id: str, *, editor: str, expected_version: int | None = None) -> None:
        """Retire an event: hidden from queries, kept for history, never brought back by re-ingest.
        With `expected_version`, refused (StaleEditError) when the event was written since."""
        with self._write() as cur:
            found = self._load(cur, [event_id])
            if event_id not in found:
                raise NoMatchError(f"no event {event_id!r} in the store")
            self._check_fresh(cur, {event_id: expected_version})
            event = found[event_id]
            self._put(cur, event.copy(edited=True), replace=True, deleted=True)
            self._log(cur, [Change(event_id, _now(), _editor(editor), "delete", None, event.to_feature(), None)])

    def import_events(self, events: Sequence[Event], *, editor: str) -> ImportSummary:
        """Write checked events in one transaction: new ids are added as they are (edited flag
        included, so a round trip is exact); an existing event that differs is replaced and marked
        edited, since a person's file now speaks for it. Deleted events are brought back."""
        summary = ImportSummary()
        for event in events:
            problems = check_event(event)
            if problems:
                raise InputError(f"event {event.id}: " + "; ".join(problems))
        now, who = _now(), _editor(editor)
        with self._write() as cur:
            log: list[Change] = []
            for start in range(0, len(events), 500):
                chunk = list(events[start:start + 500])
                found = self._load(cur, [e.id for e in chunk], live_only=False)
                cur.execute(self._q(f"SELECT id FROM events WHERE deleted = 1 AND id IN "
                                    f"({','.join('?' * len(chunk))})"), [e.id for e in chunk])
                retired = {r[0] for r in cur.fetchall()}
                for event in chunk:
                    old = found.get(event.id)
                    if old is None:
                        self._put(cur, event, replace=False)
                        log.append(Change(event.id, now, who, "import", None, None, event.to_feature()))
                        summary.added += 1
                    elif event.id not in retired and same_event(old, event):
                        summary.unchanged += 1
                    else:
                        new = event.copy(edited=True)
                        self._put(cur, new, replace=True)
                        diffs = field_diffs(old, new)
                        if event.id in retired:
                            log.append(Change(event.id, now, who, "import", "deleted", True, False))
                        log.extend(Change(event.id, now, who, "import", n, b, a) for n, b, a in diffs)
                        summary.updated += 1
            self._log(cur, log)
        return summary


def _ids(joined: str) -> tuple[int, list[str]]:
    ids = list(dict.fromkeys(joined.split(ID_SEPARATOR)))
    return len(ids), ids


def _as_day(value: dt.date | str) -> dt.date:
    """A week as the database returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _posture_order(row: PostureRow) -> tuple[str, str, str, str]:
    return row.key, row.actor, row.category or "", row.family or ""


def _editor(editor: str) -> str:
    name = str(editor or "").strip()
    if not name:
        raise InputError("every change needs an editor (who made it)")
    return name


def _combine(keep: Event, others: list[Event]) -> Event:
    everyone = [keep, *others]
    actors = list(dict.fromkeys(a for e in everyone for a in e.actors))
    partners = [p for p in dict.fromkeys(p for e in everyone for p in e.partners) if p not in actors]
    assets: list[Asset] = []
    by_family: dict[tuple[str, str], Asset] = {}
    for event in everyone:
        for asset in event.assets:
            key = (asset.family, asset.category)
            if key not in by_family:
                by_family[key] = Asset(**asdict(asset))
                assets.append(by_family[key])
            elif asset.count is not None and (by_family[key].count or 0) < asset.count:
                by_family[key].count = asset.count
    places: list[EventPlace] = []
    for event in everyone:
        places.extend(p for p in event.places if p.id not in {q.id for q in places})
    geometry = keep.geometry
    geo_precision = keep.geo_precision
    if {p.id for p in places} - {p.id for p in keep.places}:
        geometry = shapely.union_all([e.geometry for e in everyone])
        geo_precision = max(e.geo_precision for e in everyone)
    starts = [e.start for e in everyone if e.start]
    ends = [e.end for e in everyone if e.end]
    end = None if keep.end is None and any(e.end is None for e in everyone) else (max(ends) if ends else None)
    notes = [keep.notes] if keep.notes else []
    for other in others:
        notes.append(f"merged {other.id} from {other.source.document}: \u201c{other.source.sentence}\u201d")
    return keep.copy(
        actors=actors, partners=partners, assets=assets, places=places, geometry=geometry,
        geo_precision=geo_precision, start=min(starts) if starts else None, end=end,
        status="observed" if any(e.status == "observed" for e in everyone) else keep.status,
        confidence=max(e.confidence for e in everyone), notes="\n".join(notes),
        source=EventSource(**asdict(keep.source)),
    )


# -- opening --------------------------------------------------------------------------------------------
def open_store(url: str | os.PathLike[str] | None = None, *, lock_wait_s: float | None = None) -> EventStore:
    """The store at `url`: None -> $FPM_DATABASE_URL, else the embedded file under data/store/.

    ``postgresql://...`` (or ``postgres://``) opens PostGIS; a plain path or ``sqlite:///relative`` /
    ``sqlite:////absolute`` opens (and creates) an SQLite file. `lock_wait_s` is how long a write
    waits for another process's write lock before StoreBusyError (default $FPM_STORE_LOCK_WAIT_S,
    else 300 s); reads never wait for writers.
    """
    wait = _lock_wait(lock_wait_s)
    target = os.fspath(url) if url is not None else os.environ.get(ENV_DATABASE_URL) or None
    if target is None:
        target = str(DEFAULT_STORE_PATH)
    if target.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostgisStore

        return PostgisStore(target, lock_wait_s=wait)
    if "://" in target and not target.startswith("sqlite://"):
        raise InputError(f"database URL {target!r} is not understood: use postgresql://... or a file path")
    from geo.store.sqlite import SqliteStore

    # SQLAlchemy's convention: sqlite:///relative/path, sqlite:////absolute/path.
    path = Path(target.removeprefix("sqlite:///")) if target.startswith("sqlite:///") else Path(target)
    return SqliteStore(path, lock_wait_s=wait)


def _lock_wait(given: float | None) -> float:
    source = "lock_wait_s"
    if given is None:
        raw = os.environ.get(ENV_LOCK_WAIT, "").strip()
        if not raw:
            return DEFAULT_LOCK_WAIT_S
        source = ENV_LOCK_WAIT
        try:
            given = float(raw)
        except ValueError:
            raise InputError(f"{ENV_LOCK_WAIT} was {brief_repr(raw)} but is expected to be a number of "
                             "seconds") from None
    if isinstance(given, bool) or not isinstance(given, int | float) or not (math.isfinite(given) and given >= 0):
        raise InputError(f"{source} was {brief_repr(given)} but is expected to be a number of seconds >= 0")
    return float(given)


# -- ingesting files -------------------------------------------------------------------------------------
class ArticleFile(NamedTuple):
    """An article file to ingest, and the folder it was found in: its name in the store is its path
    relative to that folder."""

    path: Path
    root: Path


def article_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[ArticleFile], list[tuple[str, str]]]:
    """Article files named or inside the folders named (recursively, sorted); plus what was missing."""
    found: dict[Path, ArticleFile] = {}
    missing: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if (p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                        and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                    found.setdefault(p, ArticleFile(p, path))
        elif path.is_file():
            found.setdefault(path, ArticleFile(path, path.parent))
        elif path.exists():
            missing.append((str(path), f"{path} is not a regular file (a device, pipe or socket)"))
        else:
            missing.append((str(path), f"{path} does not exist"))
    return list(found.values()), missing


def ingest_paths(store: EventStore, paths: Iterable[str | os.PathLike[str]], *, force: bool = False,
                 extractor: Any = None,
                 progress: Callable[[Path, IngestSummary | None, str | None], None] | None = None) -> IngestReport:
    """Read, extract and store every article; each is its own unit: a file that fails is reported with
    the reason and skipped, and the rest go in. Only a store that stays busy (StoreBusyError) ends the
    run early, since no other article could be written either: `report.stopped` says so, and what was
    stored before stays (running again skips it)."""
    from geo.extract import display_name, read_article

    files, missing = article_paths(paths)
    report = IngestReport(failures=[(display_name(name), message) for name, message in missing], files=len(files))
    for name, message in missing:
        if progress:
            progress(Path(name), None, message)
    for path, root in files:
        try:
            article = read_article(path, root=root)
            article.document = store.resolve_document(article)
            if not force:
                unchanged = store.unchanged_summary(article)
                if unchanged is not None:  # the extractor (and its gazetteer) is not even loaded
                    report.summaries.append(unchanged)
                    if progress:
                        progress(path, unchanged, None)
                    continue
            if extractor is None:
                from geo.extract import default_extractor

                extractor = default_extractor()
            result = extractor.extract(article)
            summary = store.ingest_article(article, result.events, force=force,
                                           unresolved=len(getattr(result, "unresolved", []) or []))
        except StoreBusyError as err:
            report.stopped = str(err)
            break
        except ForcePostureError as err:
            problem = str(err)
        except Exception as err:  # a bug in one article's extraction must not stop the others
            problem = f"could not be processed ({type(err).__name__}: {err}); please report it"
        else:
            report.summaries.append(summary)
            if progress:
                progress(path, summary, None)
            continue
        report.failures.append((display_name(str(path)), problem))
        if progress:
            progress(path, None, problem)
    return report
