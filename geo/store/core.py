"""The SQL core under every store: the schema version and its migrations, the row an event is
stored as (`EventRow`), and `StoreCore`, the hooks each back end supplies (connections, DDL, the
spatial SQL) with the low-level reads and writes that every public `EventStore` method goes through
(one place where rows and history entries are written).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, StaleEditError
from geo.events import Asset, Event, EventPlace, EventSource
from geo.store.checks import brief_repr
from geo.store.edits import utc_stamp
from geo.store.posture import PostureItem, active_span, posture_items
from geo.store.records import Change, Filters

__all__ = [
    "DEFAULT_LOCK_WAIT_S",
    "ID_SEPARATOR",
    "LATE_INDEXES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "EventRow",
    "StoreCore",
    "event_row",
]

# 2: events carry a version (optimistic concurrency); stores of schema 1 are migrated on open.
# 3: articles record their origin (URL or file), so two files of the same name never replace each other.
SCHEMA_VERSION = "3"
# From a stored schema version: (the version it becomes, the statements that take it there); both
# back ends spell them alike.
MIGRATIONS = {"1": ("2", ["ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1"]),
              "2": ("3", ["ALTER TABLE articles ADD COLUMN origin TEXT"])}
# Indexes over columns that migrations add: created once the columns exist, old store or new.
LATE_INDEXES = ["CREATE INDEX IF NOT EXISTS articles_origin ON articles (origin)"]
# How long a write waits for another process's write lock before StoreBusyError (seconds); here, not
# beside open_store, since the backends take it as their default: FPM_STORE_LOCK_WAIT_S or
# open_store(lock_wait_s=...) changes it (geo.store.factory).
DEFAULT_LOCK_WAIT_S = 300.0
ID_SEPARATOR = "\x1f"  # the ASCII unit separator: never part of an event id


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
            name=props.get("name", ""),
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
        *event.actors, *event.partners, event.kind, event.name, event.status, event.notes,
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
        updated_at=utc_stamp(), items=posture_items(event), version=version,
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- the core --------------------------------------------------------------------------------------------
class StoreCore(ABC):
    """Under `EventStore`: the hooks each backend supplies (connections, DDL, the spatial SQL) and the
    low-level reads and writes its public methods go through.

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

    def _in_list_sql(self) -> str:
        raise NotImplementedError  # only backends with an exact shapely filter need it

    def _in_list_param(self, ids: list[str]) -> Any:
        raise NotImplementedError

    GEOM_SELECT = "geom"
    # The Monday of an event's start date (ISO weeks), in the backend's SQL: a date or 'YYYY-MM-DD'.
    WEEK_OF_START: str

    def _q(self, sql: str) -> str:
        return sql if self.PLACEHOLDER == "?" else sql.replace("?", self.PLACEHOLDER)

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

    def _existing_ids(self, cur: Any, ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cur.execute(self._q(f"SELECT id FROM events WHERE id IN ({','.join('?' * len(chunk))})"), list(chunk))
            found.extend(r[0] for r in cur.fetchall())
        return found
