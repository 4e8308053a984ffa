"""Team backend: PostgreSQL + PostGIS, the same tables and behaviour as the embedded store.

Geometries live in a ``geometry(Geometry, 4326)`` column with a GiST index, active spans in a GiST
index over ``daterange(active_from, active_to)``, so the database makes the exact spatial test
itself. Writers take one transaction-level advisory lock: writes are rare (analysts curating,
an ingest run) and serialising them gives the same no-lost-update guarantee as SQLite's
``BEGIN IMMEDIATE``. Readers never wait for it; opening a store only reads its schema version
(the schema is created or migrated, under the lock, only when it is missing or older). A writer
waits for the lock up to the store's `lock_wait_s` (PostgreSQL's lock_timeout), then gives up with
StoreBusyError.

Tables go into the first schema of the connection's ``search_path`` (``public`` by default), so a
team can keep the store in its own schema with ``?options=-csearch_path%3Dfpm,public`` in the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from geo.errors import InputError, StoreBusyError
from geo.store.base import EventStore
from geo.store.core import DEFAULT_LOCK_WAIT_S, SCHEMA_VERSION, EventRow
from geo.store.records import Filters, bbox_boxes

__all__ = ["PostgisStore"]

WRITER_LOCK = 0x46504D5354  # "FPMST": the advisory lock every writer of this store takes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    document TEXT PRIMARY KEY, content_hash TEXT NOT NULL, outlet TEXT, headline TEXT, published TEXT,
    text TEXT NOT NULL, ingested_at TEXT NOT NULL, origin TEXT);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL,
    time_precision TEXT NOT NULL, geo_precision INTEGER NOT NULL, start_date TEXT, end_date TEXT,
    active_from DATE, active_to DATE, actors_key TEXT NOT NULL, categories_key TEXT NOT NULL,
    search TEXT NOT NULL, document TEXT NOT NULL, edited INTEGER NOT NULL, deleted INTEGER NOT NULL,
    merged_into TEXT, confidence DOUBLE PRECISION NOT NULL, props JSONB NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS events_document ON events (document);
CREATE INDEX IF NOT EXISTS events_geom ON events USING GIST (geom);
CREATE INDEX IF NOT EXISTS events_span ON events USING GIST (daterange(active_from, active_to, '[]'));
CREATE TABLE IF NOT EXISTS posture_items (
    event_id TEXT NOT NULL, site_id TEXT NOT NULL, site_name TEXT NOT NULL, site_kind TEXT NOT NULL,
    country TEXT, actor TEXT NOT NULL, category TEXT, family TEXT, asset_count INTEGER,
    lon DOUBLE PRECISION, lat DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS posture_items_event ON posture_items (event_id);
CREATE TABLE IF NOT EXISTS history (
    seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, at TEXT NOT NULL, editor TEXT NOT NULL,
    action TEXT NOT NULL, field TEXT, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS history_event ON history (event_id, seq)
"""


class PostgisStore(EventStore):
    """A shared store in PostgreSQL with PostGIS (the extension is created if the role may)."""

    PLACEHOLDER = "%s"
    ID_AGG = "string_agg(event_id, chr(31))"
    GEOM_SELECT = "ST_AsBinary(geom)"
    # Plain date arithmetic (isodow: Monday 1 .. Sunday 7): date_trunc('week', ...) would go through a
    # timestamp with time zone, and so depend on the session's TimeZone.
    WEEK_OF_START = "(start_date::date - (EXTRACT(ISODOW FROM start_date::date)::int - 1))"

    def __init__(self, url: str, *, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> None:
        super().__init__()
        import psycopg

        self.url = url
        self.lock_wait_s = lock_wait_s
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise InputError(f"cannot connect to the database at {_redact(url)}: {str(err).strip()}") from err
        try:
            version = self._stored_version()
            if version != SCHEMA_VERSION:
                with self._write() as cur:
                    version = self._create_or_migrate(cur)
        except StoreBusyError:
            self._conn.close()
            raise
        except psycopg.Error as err:
            self._conn.close()
            raise InputError(f"the database at {_redact(url)} cannot hold the event store (is PostGIS installed "
                             f"and may this role create tables?): {str(err).strip()}") from err
        if version != SCHEMA_VERSION:
            self._conn.close()
            raise InputError(f"the database has store schema {version}, this program reads {SCHEMA_VERSION}")

    def _stored_version(self) -> str | None:
        """The schema version written in the store (None when it has no schema yet), read without a lock."""
        import psycopg

        with self._lock, self._conn.cursor() as cur:
            try:
                cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            except psycopg.errors.UndefinedTable:
                return None
            row = cur.fetchone()
        return row[0] if row else None

    def _create_schema(self, cur: Any) -> None:
        cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        if cur.fetchone() is None:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            cur.execute(statement)
        cur.execute("INSERT INTO meta (key, value) VALUES ('schema_version', %s) ON CONFLICT DO NOTHING",
                    [SCHEMA_VERSION])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        import psycopg

        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            # lock_timeout 0 would mean "wait for ever": a wait of 0 s is 1 ms.
            cur.execute(f"SET LOCAL lock_timeout = {max(1, round(self.lock_wait_s * 1000))}")
            try:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])
            except psycopg.errors.LockNotAvailable as err:
                raise StoreBusyError(f"the event store at {_redact(self.url)} is busy (another process is writing "
                                     f"and held the lock for more than {self.lock_wait_s:g} s); retry") from err
            cur.execute("SET LOCAL lock_timeout = 0")  # the writer's own statements wait as before
            yield cur

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            # One snapshot for every statement of the read: under the default READ COMMITTED each
            # statement sees the commits made before it, so `get_versioned` could pair an event read
            # before another writer's commit with the version read after it, and an update based on
            # that stale event passed the version check (a lost increment, 79 of 80). A read-only
            # REPEATABLE READ transaction never waits and never fails to serialise.
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield cur

    def _insert_row(self, cur: Any, row: EventRow) -> None:
        cur.execute(
            "INSERT INTO events (id, kind, status, time_precision, geo_precision, start_date, end_date, active_from,"
            " active_to, actors_key, categories_key, search, document, edited, deleted, merged_into, confidence,"
            " props, geom, updated_at, version) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
            "%s::jsonb, ST_GeomFromWKB(%s, 4326),%s,%s)",
            (row.id, row.kind, row.status, row.time_precision, row.geo_precision, row.start_date, row.end_date,
             row.active_from, row.active_to, row.actors_key, row.categories_key, row.search, row.document,
             row.edited, row.deleted, row.merged_into, row.confidence, row.props, row.wkb, row.updated_at,
             row.version),
        )

    def _delete_row(self, cur: Any, event_id: str) -> int:
        cur.execute("DELETE FROM events WHERE id = %s RETURNING version", [event_id])
        found = cur.fetchone()
        cur.execute("DELETE FROM posture_items WHERE event_id = %s", [event_id])
        return int(found[0]) if found else 0

    def _like_patterns(self, column: str, patterns: list[str], *, every: bool) -> tuple[str, Any]:
        # PostgreSQL's LIKE escapes with a backslash by default.
        return f"{column} LIKE {'ALL' if every else 'ANY'} (?::text[])", patterns

    def _where_place_time(self, f: Filters) -> tuple[list[str], list[Any], Callable[[np.ndarray], np.ndarray] | None]:
        clauses: list[str] = []
        params: list[Any] = []
        span = "daterange(active_from, active_to, '[]') && daterange(?, ?, '[]') AND active_from IS NOT NULL"
        if f.between is not None:
            clauses.append(span)
            params += [f.between[0], f.between[1]]
        if f.active_on is not None:
            clauses.append(span)
            params += [f.active_on, f.active_on]
        if f.bbox is not None:
            boxes = bbox_boxes(f.bbox)
            clauses.append("(" + " OR ".join("ST_Intersects(geom, ST_MakeEnvelope(?, ?, ?, ?, 4326))"
                                             for _ in boxes) + ")")
            for box in boxes:
                params += list(box)
        if f.intersects is not None:
            # Interiors must meet: neighbouring seas share a border but not a single event.
            clauses.append("geom && ST_GeomFromWKB(?, 4326) AND ST_Relate(geom, ST_GeomFromWKB(?, 4326), 'T********')")
            wkb = f.intersects.wkb
            params += [wkb, wkb]
        return clauses, params, None


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
