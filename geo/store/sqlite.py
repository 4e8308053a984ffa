"""Embedded backend: one SQLite file, geometries as WKB, an R*Tree over (lon, lat, day).

SQLite has no geometry functions, so the R*Tree answers "which envelopes meet this box and this
time span" and shapely makes the exact geometric test on those few candidates. Days go into the
tree as proleptic Gregorian ordinals (exact in its 32-bit floats up to the year 9999).

Concurrency: WAL journal (readers never wait for the writer, nor it for them) and ``BEGIN IMMEDIATE``
for every write, so two processes queue for the write lock instead of failing or overwriting each
other. Opening a store only reads its schema version; the schema is created or migrated (under the
write lock) only when it is missing or older, so a read-only command never waits behind a writer.
A writer waits for the lock up to the store's `lock_wait_s`, then gives up with StoreBusyError.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geo.errors import InputError, StoreBusyError
from geo.store.base import EventStore
from geo.store.core import DEFAULT_LOCK_WAIT_S, SCHEMA_VERSION, EventRow
from geo.store.records import Filters, bbox_boxes

__all__ = ["SqliteStore"]

UNDATED = -1.0  # an undated event sits before every day in the tree, so date filters never meet it
# SQLite's busy handler waits for a lock in rounds of at most this long; a writer starts another
# round until its lock_wait_s is spent, since some busy states (a crashed writer's WAL being
# recovered) are reported at once, without the handler waiting at all.
BUSY_ROUND_S = 10.0
RETRY_PAUSE_S = 0.05

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    document TEXT PRIMARY KEY, content_hash TEXT NOT NULL, outlet TEXT, headline TEXT, published TEXT,
    text TEXT NOT NULL, ingested_at TEXT NOT NULL, origin TEXT);
CREATE TABLE IF NOT EXISTS events (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, status TEXT NOT NULL,
    time_precision TEXT NOT NULL, geo_precision INTEGER NOT NULL, start_date TEXT, end_date TEXT,
    active_from TEXT, active_to TEXT, actors_key TEXT NOT NULL, categories_key TEXT NOT NULL,
    search TEXT NOT NULL, document TEXT NOT NULL, edited INTEGER NOT NULL, deleted INTEGER NOT NULL,
    merged_into TEXT, confidence REAL NOT NULL, props TEXT NOT NULL, geom BLOB NOT NULL,
    updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS events_document ON events (document);
CREATE VIRTUAL TABLE IF NOT EXISTS events_rtree USING rtree (rid, minx, maxx, miny, maxy, t0, t1);
CREATE TABLE IF NOT EXISTS posture_items (
    event_id TEXT NOT NULL, site_id TEXT NOT NULL, site_name TEXT NOT NULL, site_kind TEXT NOT NULL,
    country TEXT, actor TEXT NOT NULL, category TEXT, family TEXT, asset_count INTEGER, lon REAL, lat REAL);
CREATE INDEX IF NOT EXISTS posture_items_event ON posture_items (event_id);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, at TEXT NOT NULL, editor TEXT NOT NULL,
    action TEXT NOT NULL, field TEXT, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS history_event ON history (event_id, seq);
"""


def _is_busy(err: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (with any extended code): another connection holds the lock."""
    return (getattr(err, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _day(value: dt.date | None) -> float:
    return float(value.toordinal()) if value is not None else UNDATED


class SqliteStore(EventStore):
    """The embedded store: a file, created with its folder on first use."""

    # Back up six days, then forward to the next Monday (or stay on one): the Monday on or before.
    WEEK_OF_START = "date(start_date, '-6 days', 'weekday 1')"

    def __init__(self, path: Path, *, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> None:
        super().__init__()
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.lock_wait_s = lock_wait_s
        round_s = min(lock_wait_s, BUSY_ROUND_S)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create the event store {self.path}: its folder cannot be created "
                             f"({err.strerror or err})") from err
        if not self.path.exists() and not os.access(self.path.parent, os.W_OK):
            raise InputError(f"cannot create the event store {self.path}: the folder {self.path.parent} cannot be "
                             "written to")
        try:
            self._conn = sqlite3.connect(self.path, timeout=round_s, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:
            raise InputError(f"{self.path} is not a usable event store: {err}") from err
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            version = self._stored_version()
            if version != SCHEMA_VERSION:
                with self._write() as cur:  # not executescript: it would commit half-way
                    version = self._create_or_migrate(cur)
        except StoreBusyError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError as err:
            self._conn.close()
            if _is_busy(err):
                raise self._busy() from err
            raise InputError(f"{self.path} is not a usable event store: {err}") from err
        if version != SCHEMA_VERSION:
            self._conn.close()
            raise InputError(f"{self.path} has store schema {version}, this program reads {SCHEMA_VERSION}")

    def _stored_version(self) -> str | None:
        """The schema version written in the store (None when it has no schema yet), read without a lock."""
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as err:
            if "no such table" in str(err):
                return None
            raise
        return row[0] if row else None

    def _create_schema(self, cur: sqlite3.Cursor) -> None:
        for statement in filter(str.strip, _SCHEMA.split(";")):  # not executescript: it would commit
            cur.execute(statement)
        cur.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", [SCHEMA_VERSION])

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(f"the event store {self.path} is busy (another process is writing and held the lock "
                              f"for more than {self.lock_wait_s:g} s); retry")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _begin_immediate(self, cur: sqlite3.Cursor) -> None:
        deadline = time.monotonic() + self.lock_wait_s
        while True:
            try:
                cur.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                if not _is_busy(err):
                    raise
                if time.monotonic() >= deadline:
                    raise self._busy() from err
                time.sleep(RETRY_PAUSE_S)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            self._begin_immediate(cur)
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException as err:
                if self._conn.in_transaction:
                    self._conn.rollback()
                if isinstance(err, sqlite3.OperationalError) and _is_busy(err):
                    raise self._busy() from err
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
            except sqlite3.OperationalError as err:
                if _is_busy(err):
                    raise self._busy() from err
                raise
            finally:
                self._conn.rollback()

    def _insert_row(self, cur: Any, row: EventRow) -> None:
        cur.execute(
            "INSERT INTO events (id, kind, status, time_precision, geo_precision, start_date, end_date, active_from,"
            " active_to, actors_key, categories_key, search, document, edited, deleted, merged_into, confidence,"
            " props, geom, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row.id, row.kind, row.status, row.time_precision, row.geo_precision, row.start_date, row.end_date,
             row.active_from.isoformat() if row.active_from else None,
             row.active_to.isoformat() if row.active_to else None, row.actors_key, row.categories_key, row.search,
             row.document, row.edited, row.deleted, row.merged_into, row.confidence, row.props, row.wkb,
             row.updated_at, row.version),
        )
        cur.execute("INSERT INTO events_rtree VALUES (?,?,?,?,?,?,?)",
                    (cur.lastrowid, row.minx, row.maxx, row.miny, row.maxy, _day(row.active_from),
                     _day(row.active_to) if row.active_to else UNDATED))

    def _delete_row(self, cur: Any, event_id: str) -> int:
        cur.execute("SELECT rid, version FROM events WHERE id = ?", [event_id])
        found = cur.fetchone()
        if found is None:
            return 0
        cur.execute("DELETE FROM events_rtree WHERE rid = ?", [found[0]])
        cur.execute("DELETE FROM events WHERE rid = ?", [found[0]])
        cur.execute("DELETE FROM posture_items WHERE event_id = ?", [event_id])
        return int(found[1])

    def _like_patterns(self, column: str, patterns: list[str], *, every: bool) -> tuple[str, Any]:
        # "Every": no pattern it fails; "any": some pattern it matches (the list as one JSON parameter).
        test = "NOT EXISTS (SELECT 1 FROM json_each(?) WHERE {} NOT LIKE" if every else \
            "EXISTS (SELECT 1 FROM json_each(?) WHERE {} LIKE"
        return test.format(column) + " json_each.value ESCAPE '\\')", json.dumps(patterns)

    def _where_place_time(self, f: Filters) -> tuple[list[str], list[Any], Callable[[np.ndarray], np.ndarray] | None]:
        clauses: list[str] = []
        params: list[Any] = []
        t0, t1 = -1e9, 1e9  # the tree narrows by one span; the columns check both exactly
        if f.between is not None:
            clauses.append("active_from <= ? AND active_to >= ?")
            params += [f.between[1].isoformat(), f.between[0].isoformat()]
            t0, t1 = float(f.between[0].toordinal()), float(f.between[1].toordinal())
        if f.active_on is not None:
            clauses.append("active_from <= ? AND active_to >= ?")
            params += [f.active_on.isoformat(), f.active_on.isoformat()]
            t0 = t1 = float(f.active_on.toordinal())
        boxes = [(-180.0, -90.0, 180.0, 90.0)]
        tests: list[Callable[[np.ndarray], np.ndarray]] = []
        if f.bbox is not None:
            boxes = bbox_boxes(f.bbox)
            shape = shapely.union_all([shapely.box(*b) for b in boxes])
            shapely.prepare(shape)
            tests.append(lambda geoms, shape=shape: shapely.intersects(shape, geoms))
        if f.intersects is not None:
            target = f.intersects
            shapely.prepare(target)
            # Interiors must meet: neighbouring seas share a border but not a single event.
            tests.append(lambda geoms, target=target: shapely.relate_pattern(geoms, target, "T********"))
            minx, miny, maxx, maxy = target.bounds
            boxes = [b for b in ((max(b[0], minx), max(b[1], miny), min(b[2], maxx), min(b[3], maxy)) for b in boxes)
                     if b[0] <= b[2] and b[1] <= b[3]] or [(1.0, 1.0, 0.0, 0.0)]  # an empty box matches nothing
        if f.active_on is not None or f.between is not None or f.bbox is not None or f.intersects is not None:
            ors = []
            for west, south, east, north in boxes:
                ors.append("rid IN (SELECT rid FROM events_rtree WHERE minx <= ? AND maxx >= ? AND miny <= ?"
                           " AND maxy >= ? AND t0 <= ? AND t1 >= ?)")
                params += [east, west, north, south, t1, t0]
            clauses.append("(" + " OR ".join(ors) + ")")
        if not tests:
            return clauses, params, None

        def exact(geoms: np.ndarray) -> np.ndarray:
            mask = np.ones(len(geoms), dtype=bool)
            for test in tests:
                mask &= np.asarray(test(geoms), dtype=bool)
            return mask

        return clauses, params, exact

    def _in_list_sql(self) -> str:
        return "event_id IN (SELECT value FROM json_each(?))"

    def _in_list_param(self, ids: list[str]) -> Any:
        return json.dumps(ids)
