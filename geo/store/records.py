"""The store's small records: what ingest and import report, a history entry (`Change`), a stored
article, an event's trace and version, the timeline's weekly counts, and the map's `Filters`
(checked once, turned into SQL by each back end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.events import Event
from geo.store.posture import parse_day

__all__ = [
    "ArticleRecord",
    "BBox",
    "Change",
    "Filters",
    "ImportSummary",
    "IngestReport",
    "IngestSummary",
    "Trace",
    "VersionedEvent",
    "WeekCount",
    "article_hash",
    "bbox_boxes",
]


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


def article_hash(article: Any) -> str:
    """Text and metadata: a corrected publication date changes the events' dates, so it counts."""
    basis = "\x1f".join([article.text, article.published or "", article.outlet or "", article.headline or ""])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


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
