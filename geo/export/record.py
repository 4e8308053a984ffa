"""What an export shows, and how every export records it so the same picture can be made again.

A briefing slide or a PNG on a shared drive outlives the session that made it; months later
someone asks "what exactly was filtered here?". So every export (PNG, standalone HTML, PowerPoint,
data files) carries one JSON record: the view (theatre or bounds, perspective, dates, filters,
title, caveat), the app link query and the CLI command that rebuild it, how many events it shows,
when and by what it was made. Where it lives per format:

* PNG: tEXt chunks (iTXt when the text is not Latin-1) `fpm:export` (the JSON), plus the standard
  `Title`, `Description`, `Source`, `Creation Time`, `Software` keys image viewers show. The chunks
  are spliced into Chromium's PNG bytes rather than re-encoded with Pillow: re-compressing a
  3508x2480 image costs more than a second of the three-second snapshot budget. Pillow reads them.
* HTML: `<meta name="fpm:export">` and a `<script type="application/json" id="fpm-export">` block.
* PPTX: core properties (title, subject, keywords, `comments` = the JSON) and a line in each
  slide's notes (geo.export.briefing).
* Data: a sidecar `<file>.fpm.json` for every format, and inside the file where the format has a
  place for it: a GeoJSON foreign member `fpm_export` (RFC 7946 §6.1) and the GeoPackage metadata
  extension table `gpkg_metadata`.

The view itself is `geo.export.view.View`, the record the app's page and share links use too, so a
saved app view, a CLI call and an export record are one thing; this module selects the events a
view shows and writes the record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box

from geo.errors import InputError
from geo.events import Event
from geo.export.view import View, padded_bounds
from geo.store import OPEN_END, event_span

__all__ = [
    "EXPORT_KEY",
    "SOFTWARE",
    "active_in",
    "data_export",
    "date_label",
    "event_line",
    "export_record",
    "png_add_text",
    "read_png_record",
    "select_events",
    "sidecar_path",
]

EXPORT_KEY = "fpm:export"
SOFTWARE = "Force Posture Map (python -m geo)"
RECORD_VERSION = 1
DEFAULT_CAVEAT = ("Unclassified open-source compilation: positions and numbers as reported, not independently "
                  "verified. Areas mark the reported sea or country, not flight tracks.")
ATTRIBUTION_LINE = ("Basemap: Natural Earth (public domain). Place names: GeoNames (CC-BY 4.0). "
                    "Symbols: APP-6 via milsymbol. Map: Leaflet.")


# -- selecting events the way the store does ----------------------------------------------------
def active_in(event: Event, first: dt.date | None, last: dt.date | None) -> bool:
    """Active on some day of [first, last] by geo.store.posture's rule; no window means every event."""
    if first is None and last is None:
        return True
    span = event_span(event)
    if span is None:
        return False
    return (last is None or span[0] <= last) and (first is None or span[1] >= first)


def _words(event: Event) -> str:
    src = event.source
    parts = [src.sentence, src.headline or "", event.notes, *(p.name for p in event.places),
             *(f"{a.name} {a.family} {a.text}" for a in event.assets)]
    return " ".join(parts).lower()


def select_events(events: Iterable[Event], view: View, *, with_time: bool = True) -> list[Event]:
    """The events a view shows, for event lists that do not come from the store (the store's
    `query(**view.store_filters())` gives the same answer from the database)."""
    first, last = view.window()
    area = box(*padded_bounds(view.map_bounds())) if (view.bounds or view.theatre != "World") else None
    words = view.text.lower().split()
    out = []
    for event in events:
        if view.kinds and event.kind not in view.kinds:
            continue
        if view.actors and not set(view.actors) & {*event.actors, *event.partners}:
            continue
        if view.categories and not {a.category for a in event.assets} & set(view.categories):
            continue
        if view.statuses and event.status not in view.statuses:
            continue
        if words and not all(w in _words(event) for w in words):
            continue
        if area is not None and not shapely.intersects(area, event.geometry):
            continue
        if with_time and not active_in(event, first, last):
            continue
        out.append(event)
    return out


def date_label(view: View) -> str:
    """"As of 1 March 2025", "1 February – 1 March 2025" or "All dates"."""
    def fmt(day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    if view.as_of:
        return f"As of {fmt(view.as_of)}"
    if view.start and view.end:
        return f"{fmt(view.start)} – {fmt(view.end)}"
    if view.start:
        return f"From {fmt(view.start)}"
    if view.end:
        return f"Until {fmt(view.end)}"
    return "All dates"


def short_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def event_line(event: Event) -> str:
    """"US patrol: 2× B-52H — Baltic Sea (from 1 Mar 2025)": who, what, where, when."""
    who = "+".join(event.actors) or "Unknown actor"
    if event.partners:
        who += f" (with {', '.join(event.partners)})"
    assets = ", ".join(f"{a.count:,}× {a.name}" if a.count else a.name for a in event.assets[:3])
    place = next((p.name for p in event.places if p.role == "location"), event.places[0].name if event.places else "")
    span = event_span(event)
    when = ""
    if span is not None:
        when = f"from {short_day(span[0])}"
        if span[1] != OPEN_END and span[1] != span[0]:
            when += f" to {short_day(span[1])}"
    what = f"{event.kind} {event.name}" if event.name else event.kind
    text = f"{who} {what}" + (f": {assets}" if assets else "") + (f" — {place}" if place else "")
    return text + (f" ({when})" if when else "")


def event_last_day(event: Event) -> dt.date | None:
    span = event_span(event)
    if span is None or span[1] == OPEN_END:
        return None
    return span[1]


# -- the record --------------------------------------------------------------------------------
def export_record(view: View, *, kind: str, events: Sequence[Event] = (), output: str = "",
                  extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON every export carries: enough to draw the same view again and to see what it held."""
    suffix = Path(output).suffix or ".png"
    record = {
        "fpm_export": RECORD_VERSION,
        "kind": kind,
        "view": view.to_dict(),
        "app_query": view.to_query(),
        "command": view.command(output or f"map{suffix}"),
        "events": len(events),
        "event_ids": sorted({e.id for e in events})[:500],
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "software": SOFTWARE,
    }
    if extra:
        record.update(extra)
    return record


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_add_text(png: bytes, items: Mapping[str, str]) -> bytes:
    """PNG bytes with text chunks added after IHDR: tEXt for Latin-1 text, iTXt (UTF-8) otherwise."""
    signature = b"\x89PNG\r\n\x1a\n"
    if not png.startswith(signature):
        raise InputError("not a PNG image")
    ihdr_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    chunks = []
    for key, value in items.items():
        name = key.encode("latin-1")[:79]
        try:
            chunks.append(_chunk(b"tEXt", name + b"\x00" + value.encode("latin-1")))
        except UnicodeEncodeError:
            chunks.append(_chunk(b"iTXt", name + b"\x00\x00\x00\x00\x00" + value.encode("utf-8")))
    return png[:ihdr_end] + b"".join(chunks) + png[ihdr_end:]


def png_text(record: Mapping[str, Any], view: View, description: str) -> dict[str, str]:
    return {
        "Title": view.heading(),
        "Description": description,
        "Source": SOFTWARE,
        "Software": SOFTWARE,
        "Creation Time": str(record["created"]),
        "Copyright": ATTRIBUTION_LINE,
        EXPORT_KEY: json.dumps(record, ensure_ascii=False, separators=(",", ":")),
    }


def read_png_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The export record of a PNG written here (read with Pillow, as any other tool would)."""
    from PIL import Image

    with Image.open(path) as image:
        text = getattr(image, "text", {}) or {}
        if EXPORT_KEY not in text:
            raise InputError(f"{path} carries no {EXPORT_KEY} record")
        return json.loads(text[EXPORT_KEY])


# -- data exports -------------------------------------------------------------------------------
def sidecar_path(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    return target.with_name(target.name + ".fpm.json")


def _gpkg_metadata(path: Path, record: Mapping[str, Any]) -> None:
    """Add the record to the GeoPackage metadata extension (tables gpkg_metadata and
    gpkg_metadata_reference, OGC 12-128r18 §F.8), which GDAL and QGIS show as dataset metadata."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, "
                   "md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
                   "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')")
        db.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
                   "table_name TEXT, column_name TEXT, row_id_value INTEGER, "
                   "timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
                   "md_file_id INTEGER NOT NULL, md_parent_id INTEGER, "
                   "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), "
                   "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))")
        db.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
                   "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                   "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
        for table in ("gpkg_metadata", "gpkg_metadata_reference"):
            db.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', "
                       "'http://www.geopackage.org/spec/#extension_metadata', 'read-write')", (table,))
        cur = db.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                         "VALUES ('dataset', 'https://force-posture-map/export-record', 'application/json', ?)",
                         (json.dumps(record, ensure_ascii=False),))
        db.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id) "
                   "VALUES ('table', 'events', ?)", (cur.lastrowid,))


def data_export(events: Sequence[Event], path: str | os.PathLike[str], view: View,
                fmt: str | None = None) -> tuple[Path, dict[str, Any]]:
    """Write events with the store's exporter (geo.store.exchange) and record the view with them.

    Returns (path, record). The sidecar `<file>.fpm.json` is always written; GeoJSON and
    GeoPackage also carry the record inside the file (a download button hands over one file).
    """
    from geo.store import atomic_output, check_output, export_events, guess_format

    kind = guess_format(path, fmt)
    check_output(sidecar_path(Path(path)))  # before the export: both files can be written, or neither is
    target = export_events(list(events), path, kind)
    record = export_record(view, kind=f"data/{kind}", events=events, output=str(target))
    if kind == "geojson":
        data = json.loads(target.read_text(encoding="utf-8"))
        data["fpm_export"] = record
        with atomic_output(target) as temp:
            temp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    elif kind == "gpkg":
        _gpkg_metadata(target, record)
    with atomic_output(sidecar_path(target)) as temp:
        temp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return target, record


@dataclass(slots=True)
class Sources:
    """The articles behind a set of events, for the frame's sources line and the slide notes."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # (outlet, headline, published)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Sources:
        seen: dict[tuple[str, str, str], None] = {}
        for event in events:
            src = event.source
            seen.setdefault((src.outlet or src.document, src.headline or "", src.published or ""), None)
        return cls(sorted(seen, key=lambda t: (t[2], t[0]), reverse=True))

    def line(self, limit: int = 4) -> str:
        shown = [f"{outlet} ({published})" if published else outlet for outlet, _h, published in self.items[:limit]]
        more = len(self.items) - limit
        if not shown:
            return "Sources: no event in this view."
        return "Sources: " + "; ".join(shown) + (f"; and {more} more" if more > 0 else "") + "."
