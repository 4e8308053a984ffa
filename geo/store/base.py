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
* nothing is stored that `check_event` refuses: types and values are checked (geo.store.checks), the
  same with and without the compiled build;
* re-ingesting an article is idempotent (document name + content hash) and never touches an event a
  person edited, merged or deleted; a changed article replaces only the machine's own events;
* every change is a `Change` row (who, when, action, field, before, after), and any event leads
  back to its article and sentence (`EventStore.trace`).

"Active on a date" and posture sums are defined once, in `geo.store.posture`. `open_store`
(geo.store.factory) picks the backend; the backends build on `EventStore`, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, NoMatchError
from geo.events import Event
from geo.store.checks import check_event
from geo.store.core import ID_SEPARATOR, StoreCore
from geo.store.edits import apply_changes, checked_editor, combine_events, field_diffs, same_event, utc_stamp
from geo.store.posture import PostureRow, country_name, parse_day
from geo.store.records import (
    ArticleRecord,
    Change,
    Filters,
    ImportSummary,
    IngestSummary,
    Trace,
    VersionedEvent,
    WeekCount,
    article_hash,
)

__all__ = ["EventStore"]

INGEST_EDITOR = "ingest"


class EventStore(StoreCore):
    """Same behaviour on every backend; subclasses supply connections, DDL and the spatial SQL (the
    hooks `StoreCore` declares).

    SQL here is written with ``?`` placeholders; `_q` rewrites them for the backend.
    """

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

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
        dated, params, exact = self._dated(kinds=kinds, actors=actors, categories=categories, statuses=statuses,
                                           bbox=bbox, text=text, intersects=intersects)
        with self._read() as cur:
            if exact is None:
                cur.execute(self._q(f"SELECT {self.WEEK_OF_START}, kind, COUNT(*) FROM events WHERE {dated}"
                                    " GROUP BY 1, 2"), params)
                rows: list[tuple[Any, str, int]] = cur.fetchall()
            else:  # SQLite's exact geometry test is shapely's: count only the candidates that pass it
                counts = Counter(self._passing(cur, f"{self.WEEK_OF_START}, kind", dated, params, exact))
                rows = [(week, kind, n) for (week, kind), n in counts.items()]
        # Sorted here, not in SQL: the order of kinds must not depend on the database's collation.
        return sorted(WeekCount(_as_day(week), kind, int(n)) for week, kind, n in rows if week is not None)

    def start_days(self, *, kinds: Iterable[str] | str | None = None, actors: Iterable[str] | str | None = None,
                   categories: Iterable[str] | str | None = None, statuses: Iterable[str] | str | None = None,
                   bbox: Sequence[float] | None = None, text: str | None = None,
                   intersects: BaseGeometry | None = None) -> list[dt.date]:
        """The days live events start on, in order, with `weekly_counts`' filters: where a briefing
        steps to the next or previous development (one query, not the events themselves)."""
        dated, params, exact = self._dated(kinds=kinds, actors=actors, categories=categories, statuses=statuses,
                                           bbox=bbox, text=text, intersects=intersects)
        with self._read() as cur:
            if exact is None:
                cur.execute(self._q(f"SELECT DISTINCT start_date FROM events WHERE {dated}"), params)
                days = {row[0] for row in cur.fetchall()}
            else:
                days = {row[0] for row in self._passing(cur, "start_date", dated, params, exact)}
        return sorted(_as_day(day) for day in days)

    def _dated(self, **filters: Any) -> tuple[str, list[Any], Callable[[np.ndarray], np.ndarray] | None]:
        """The SQL condition (live events with a start date under `filters`), its parameters and the
        exact geometry test left to shapely (SQLite) or None."""
        where, params, exact = self._where(Filters.make(**filters))
        return f"{where} AND start_date IS NOT NULL", params, exact

    def _passing(self, cur: Any, columns: str, where: str, params: Any,
                 exact: Callable[[np.ndarray], np.ndarray]) -> list[tuple[Any, ...]]:
        """`columns` of the rows `where` selects whose geometry passes the exact test (SQLite's is
        shapely's, applied here to the candidates the bounding-box index let through)."""
        cur.execute(self._q(f"SELECT {columns}, {self.GEOM_SELECT} FROM events WHERE {where}"), params)
        found = cur.fetchall()
        if not found:
            return []
        keep = exact(shapely.from_wkb([bytes(r[-1]) for r in found]))
        return [tuple(r[:-1]) for r, k in zip(found, keep, strict=True) if k]

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
                ids = [row[0] for row in self._passing(cur, "id", where, params, exact)]
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
        now = utc_stamp()
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
            self._log(cur, [Change(event.id, utc_stamp(), checked_editor(editor), "create", None, None,
                                   event.to_feature())])
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
            now, who = utc_stamp(), checked_editor(editor)
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
            merged = combine_events(keep, [found[i] for i in others]).copy(edited=True)
            problems = check_event(merged)
            if problems:
                raise InputError(f"merged event {keep_id}: " + "; ".join(problems))
            now, who = utc_stamp(), checked_editor(editor)
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
            self._log(cur, [Change(event_id, utc_stamp(), checked_editor(editor), "delete", None, event.to_feature(),
                                   None)])

    def import_events(self, events: Sequence[Event], *, editor: str) -> ImportSummary:
        """Write checked events in one transaction: new ids are added as they are (edited flag
        included, so a round trip is exact); an existing event that differs is replaced and marked
        edited, since a person's file now speaks for it. Deleted events are brought back."""
        summary = ImportSummary()
        for event in events:
            problems = check_event(event)
            if problems:
                raise InputError(f"event {event.id}: " + "; ".join(problems))
        now, who = utc_stamp(), checked_editor(editor)
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
    """A day as the database returns it: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _posture_order(row: PostureRow) -> tuple[str, str, str, str]:
    return row.key, row.actor, row.category or "", row.family or ""
