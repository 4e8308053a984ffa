"""Exchange formats: GeoJSON, CSV, KML and GeoPackage, each round-tripping every event field.

* GeoJSON: RFC 7946 FeatureCollection straight from `Event.to_feature` (nested properties stay
  nested objects, which a GDAL write would flatten to strings).
* CSV: one row per event, geometry as WKT in lon/lat, dates ISO 8601, assets/places as JSON, and a
  human-readable ``summary`` column that import ignores. Safe to open in a spreadsheet: no cell
  starts like a formula (`guard_cell`) and none is longer than a cell holds (long values continue
  in "(part 2)" columns); import undoes both, so the round trip stays exact.
* KML (simplekml writes, fastkml reads): styled placemarks per kind with a TimeSpan, so Google
  Earth colours them and its time slider works; the exact properties ride along in ExtendedData.
* GeoPackage (pyogrio/GDAL): layer ``events``, the CSV columns plus a real geometry column.

Import reads and checks the whole file first and reports every problem with its row number; only a
file with no problem is written, and then in one transaction. Export writes a temporary file and
renames it into place (through a symbolic link to its target); folders and special files are refused.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.events import Event
from geo.store.base import EventStore
from geo.store.checks import brief_repr, check_event, check_properties
from geo.store.records import ImportSummary

__all__ = [
    "FLAT_COLUMNS",
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ImportProblems",
    "atomic_output",
    "check_output",
    "export_events",
    "guard_cell",
    "guess_format",
    "import_file",
    "read_events",
    "unguard_cell",
]

FORMATS = ("geojson", "csv", "kml", "gpkg")
SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".kml": "kml", ".gpkg": "gpkg"}
# Imports are read whole to check every row before writing; this keeps that within memory.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_LISTED_PROBLEMS = 50
LAYER = "events"
PROPERTIES_KEY = "fpm_properties"

FLAT_COLUMNS = (
    "id", "kind", "name", "status", "actors", "partners", "start", "end", "time_precision", "geo_precision",
    "confidence", "edited", "notes", "assets", "places", "source_document", "source_sentence", "source_start",
    "source_end", "source_outlet", "source_headline", "source_published", "summary",
)
SOURCE_FIELDS = ("document", "sentence", "start", "end", "outlet", "headline", "published")
REQUIRED_COLUMNS = ("id", "kind", "geo_precision", "source_document", "source_sentence")

# Spreadsheets hold at most this many characters in a cell (Excel and LibreOffice alike).
CELL_LIMIT = 32_767
# A cell starting with one of these is read as a formula by spreadsheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PART_COLUMN = re.compile(r"(?P<name>.+) \(part (?P<number>[0-9]{1,6})\)")

# KML colours are aabbggrr. One colour per kind, the same hues as the map's legend.
KIND_COLOURS = {"deployment": "ff2f6fd6", "basing": "ff3c9a2a", "patrol": "ff1f8fef", "exercise": "ffb03c8e"}


class ImportProblems(InputError):
    """A file that cannot be imported; `problems` lists each one with its row or feature number."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path.name}: {len(problems)} {noun}, nothing was imported:\n{lines}")


@dataclass(slots=True)
class _Reading:
    path: Path
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, record: dict[str, Any], geometry: Any) -> None:
        """Check one record; keep the event or note every problem with it."""
        problems: list[str] = []
        geom = _geometry(geometry, problems)
        props = _props(record, problems)
        problems.extend(check_properties(props))  # types and values, the same in every build
        event = None
        if geom is not None and not problems:
            try:
                event = Event.from_properties(props, geom)
            except InputError as err:
                problems.append(str(err).split(": ", 1)[-1] if str(err).startswith("event ") else str(err))
        if event is not None:
            problems.extend(check_event(event))
        event_id = props.get("id")
        if isinstance(event_id, str) and event_id in self.ids:
            problems.append(f"id {brief_repr(event_id)} is also used by {self.ids[event_id]}")
        elif isinstance(event_id, str) and event_id:
            self.ids[event_id] = where
        if problems:
            self.problems.extend(f"{where}: {p}" for p in problems)
        elif event is not None:
            self.events.append(event)


# -- reading values -------------------------------------------------------------------------------------
# The readers turn a format's spelling into property values (CSV's text into numbers, a JSON cell
# into a list) and leave anything they cannot turn as it was: `check_properties` then says what is
# wrong with it. Nothing is converted to text: a number where a name belongs is refused, not
# quietly written as "5".
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> Any:
    return None if _blank(value) else value.strip() if isinstance(value, str) else value


def _parse_json(text: str, name: str, problems: list[str]) -> Any:
    """A JSON value from a cell, or None with the problem noted."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        problems.append(f"{name} was {brief_repr(text)} but is expected to be JSON ({err.msg} at character "
                        f"{err.pos})")
    except RecursionError:
        problems.append(f"{name} is JSON nested too deeply to read")
    except ValueError as err:  # an integer of thousands of digits
        problems.append(f"{name} is not readable JSON ({err})")
    return None


def _codes(value: Any, name: str, problems: list[str]) -> Any:
    if _blank(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return _codes(_parse_json(text, name, problems), name, problems)
        return [v.strip() for v in text.replace(",", ";").split(";") if v.strip()]
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value if not (isinstance(v, str) and not v.strip())]
    return value


def _json_list(value: Any, name: str, problems: list[str]) -> Any:
    if _blank(value):
        return []
    if isinstance(value, str):
        parsed = _parse_json(value, name, problems)
        return [] if parsed is None else parsed
    return value


def _number(value: Any, kind: type) -> Any:
    """A number from a number or its text (a whole one for `kind` int); anything else as it was."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    try:
        number = float(value.strip()) if isinstance(value, str) else value
        if kind is int and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value.strip())  # exact, however many digits (a float would round them)
        if kind is int and isinstance(number, float) and number.is_integer():
            return int(number)
        return number if isinstance(number, int | float) else value
    except (ValueError, OverflowError):
        return value


def _flag(value: Any) -> Any:
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # GeoPackage booleans are integers
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else None
    if text in ("true", "1", "yes", "1.0"):
        return True
    if text in ("false", "0", "no", "0.0"):
        return False
    return value


def _source(record: dict[str, Any], problems: list[str]) -> Any:
    """The source object: nested (GeoJSON, our KML), a JSON cell, or the flat source_* columns."""
    source = record.get("source")
    if isinstance(source, str) and source.strip().startswith("{"):
        source = _parse_json(source, "source", problems)
        if source is None:
            return {"document": None, "sentence": None, "start": 0, "end": 0}
    if _blank(source):
        source = {name: record.get(f"source_{name}") for name in SOURCE_FIELDS}
    if not isinstance(source, dict):
        return source
    known = {name: source.get(name) for name in SOURCE_FIELDS}
    for name in ("document", "sentence", "outlet", "headline", "published"):
        if _blank(known[name]):
            known[name] = None
    for name in ("start", "end"):
        known[name] = _number(known[name], int)
        if known[name] is None:
            known[name] = 0
    return known


def _props(record: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Event properties from a nested (GeoJSON) or flat (CSV, GeoPackage, KML) record."""
    event_id = record.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)  # GeoJSON allows a number as a Feature's id (RFC 7946, 3.2)
    confidence = _number(record.get("confidence"), float)
    return {
        "id": _text(event_id),
        "kind": _text(record.get("kind")),
        "name": _text(record.get("name")) or "",
        "status": _text(record.get("status")) or "observed",
        "actors": _codes(record.get("actors"), "actors", problems),
        "partners": _codes(record.get("partners"), "partners", problems),
        "assets": _json_list(record.get("assets"), "assets", problems),
        "places": _json_list(record.get("places"), "places", problems),
        "geo_precision": _number(record.get("geo_precision"), int),
        "start": _text(record.get("start")),
        "end": _text(record.get("end")),
        "time_precision": _text(record.get("time_precision")) or "day",
        "source": _source(record, problems),
        "confidence": 0.5 if confidence is None else confidence,  # absent: the extractor's neutral default
        "edited": _flag(record.get("edited")),
        "notes": "" if record.get("notes") is None else record["notes"],  # as written: spaces are part of it
    }


# The errors shapely and GEOS raise for a geometry they cannot build: unknown types ("Circle",
# "Topology"), curves (NotImplementedError), malformed coordinates, collections nested past the stack.
_GEOMETRY_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, NotImplementedError,
                    RecursionError, OverflowError, shapely.errors.ShapelyError)


def _geometry(value: Any, problems: list[str]) -> BaseGeometry | None:
    if value is None or (isinstance(value, BaseGeometry) and value.is_empty) or _blank(value):
        problems.append("geometry is missing")
        return None
    try:
        if isinstance(value, BaseGeometry):
            geom = value
        elif isinstance(value, dict):
            geom = shapely.geometry.shape(value)
        elif isinstance(value, bytes):
            geom = shapely.from_wkb(value)
        elif isinstance(value, str):
            with np.errstate(over="ignore"):  # 1e400 becomes inf, refused below with its row
                geom = shapely.from_wkt(value)
        else:
            problems.append(f"geometry was {brief_repr(value)} but is expected to be a GeoJSON geometry or WKT")
            return None
        if geom is None:
            raise ValueError("no geometry")
    except _GEOMETRY_ERRORS as err:
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        problems.append(f"geometry could not be read ({reason})")
        return None
    if shapely.has_z(geom) or shapely.has_m(geom):
        geom = shapely.force_2d(geom)
    return geom


# -- flat records -----------------------------------------------------------------------------------------
def summary_text(event: Event) -> str:
    """One line a person can read in a spreadsheet: who, what, where."""
    assets = ", ".join(f"{a.count} × {a.name}" if a.count else a.name for a in event.assets)
    places = ", ".join(p.name for p in event.places)
    who = "+".join(event.actors) or "unknown"
    kind = f"{event.kind} {event.name}" if event.name else event.kind
    return f"{kind} by {who}" + (f": {assets}" if assets else "") + (f" at {places}" if places else "")


def flat_record(event: Event) -> dict[str, Any]:
    props = event.properties()
    record = {
        "id": event.id, "kind": event.kind, "name": event.name, "status": event.status,
        "actors": ";".join(event.actors), "partners": ";".join(event.partners),
        "start": event.start or "", "end": event.end or "", "time_precision": event.time_precision,
        "geo_precision": event.geo_precision, "confidence": event.confidence, "edited": event.edited,
        "notes": event.notes,
        "assets": json.dumps(props["assets"], ensure_ascii=False),
        "places": json.dumps(props["places"], ensure_ascii=False),
        "summary": summary_text(event),
    }
    for name in SOURCE_FIELDS:
        value = props["source"][name]
        record[f"source_{name}"] = "" if value is None else value
    return {name: record[name] for name in FLAT_COLUMNS}


# -- export -------------------------------------------------------------------------------------------------
def guess_format(path: str | os.PathLike[str], given: str | None = None) -> str:
    if given:
        if given.lower() not in FORMATS:
            raise InputError(f"format was {given!r} but is expected to be one of {list(FORMATS)}")
        return given.lower()
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"cannot tell the format of {Path(path).name!r} from its extension; use one of "
                         f"{sorted(SUFFIXES)} or give --format {{{','.join(FORMATS)}}}")
    return SUFFIXES[suffix]


def _export_target(path: Path) -> Path:
    """The file an export replaces: a symbolic link's final target (so the link stays a link), or
    the path itself. Folders and special files are refused, not replaced: renaming a new file over
    a device, FIFO or socket destroys it (as root, `-o /dev/null` turned the machine's null device
    into a plain file), and writing into one is never what an export means (a FIFO blocks until
    someone reads it, a disk device would be overwritten)."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target  # a new file (or a link to one not written yet)
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from err
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder; give the name of a file to write in it")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "a special file")
        raise InputError(f"{path} is {kind}, not a regular file; exports write regular files only "
                         "(replacing this one would destroy it)")
    return target


_SPECIAL_FILES = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                  (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def _temporary_beside(path: Path, target: Path) -> Path:
    """A new empty file's name in the target's folder (created with the folder, then removed)."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.stem}.", suffix=target.suffix)
    except OSError as err:
        raise InputError(f"cannot write {path}: the folder {folder} cannot be created or written to "
                         f"({err.strerror or err})") from err
    os.close(handle)
    temp = Path(name)
    temp.unlink()
    return temp


def check_output(path: str | os.PathLike[str]) -> None:
    """InputError now, before any work, when `path` could not be written as an export (a folder, a
    special file, a folder that cannot be created or written to); see `atomic_output`."""
    _temporary_beside(Path(path), _export_target(Path(path)))


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yields a temporary path to write; on success it replaces `path` in one step, so an
    interrupted export never leaves half a file. A symbolic link stays a link (its target is
    replaced); folders and special files are refused (InputError), never replaced."""
    path = Path(path)
    target = _export_target(path)
    temp = _temporary_beside(path, target)
    try:
        yield temp
        os.replace(temp, target)
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from err
    finally:
        if temp.exists():
            temp.unlink()


def export_events(events: list[Event], path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write events to `path` in `fmt` (default: from the extension). Returns the path written.
    InputError, with nothing written, when the path is a folder or a special file or cannot be written."""
    target = Path(path)
    kind = guess_format(target, fmt)
    writer: Callable[[list[Event], Path], None] = {"geojson": _write_geojson, "csv": _write_csv,
                                                   "kml": _write_kml, "gpkg": _write_gpkg}[kind]
    with atomic_output(target) as temp:
        writer(events, temp)
    return target


def _write_geojson(events: list[Event], path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [e.to_feature() for e in events]}
    with path.open("w", encoding="utf-8") as out:
        json.dump(collection, out, ensure_ascii=False)


def guard_cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting like a formula (=, +, -, @, tab,
    carriage return) gets a leading apostrophe, as OWASP advises against CSV injection. So does one
    that already starts with an apostrophe followed by such a character or another apostrophe, so
    that `unguard_cell` takes exactly one off and every value comes back as it was written."""
    if text.startswith(FORMULA_STARTS) or (text[:1] == "'" and text[1:2] in _GUARDED_SECOND):
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """The value `guard_cell` was given (cells it left alone come back unchanged)."""
    return text[1:] if text[:1] == "'" and text[1:2] in _GUARDED_SECOND else text


_GUARDED_SECOND = {*FORMULA_STARTS, "'"}  # a one-character string; "" (a lone apostrophe) is not in it


def _cell_parts(text: str) -> list[str]:
    """`text` in pieces a spreadsheet cell holds: at most CELL_LIMIT - 1 UTF-16 units each (the
    unit Excel counts; one is kept for the guard's apostrophe), never splitting a surrogate pair."""
    limit = CELL_LIMIT - 1
    if len(text) <= limit // 2:  # even if every character took two UTF-16 units
        return [text]
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * limit:
        return [text]
    parts: list[str] = []
    start = 0
    while start < len(units):
        end = min(start + 2 * limit, len(units))
        if end < len(units) and 0xD800 <= int.from_bytes(units[end - 2:end], "little") <= 0xDBFF:
            end -= 2
        parts.append(units[start:end].decode("utf-16-le", "surrogatepass"))
        start = end
    return parts


def _part_column(name: str, number: int) -> str:
    return f"{name} (part {number})"


def _write_csv(events: list[Event], path: Path) -> None:
    """One row per event. Every cell is guarded against formula injection, and a value longer than
    a spreadsheet cell holds (a detailed coastline as WKT, a long note) continues in the columns
    "<name> (part 2)", "(part 3)"... right after it: import joins them again, so the round trip stays
    exact, while a spreadsheet opens the file whole instead of cutting or refusing the cell."""
    columns = [*FLAT_COLUMNS, "geometry"]
    rows: list[dict[str, list[str]]] = []
    for event in events:
        record = flat_record(event)
        record["edited"] = "true" if event.edited else "false"
        record["geometry"] = shapely.to_wkt(event.geometry, rounding_precision=-1)
        rows.append({name: [guard_cell(part) for part in _cell_parts(str(record[name]))] for name in columns})
    widths = {name: max((len(row[name]) for row in rows), default=1) for name in columns}
    header = [column for name in columns
              for column in [name, *(_part_column(name, n) for n in range(2, widths[name] + 1))]]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell for name in columns for cell in row[name] + [""] * (widths[name] - len(row[name]))])


def _write_gpkg(events: list[Event], path: Path) -> None:
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    records = [flat_record(e) for e in events]
    frame = pd.DataFrame(records, columns=list(FLAT_COLUMNS))
    for name in ("start", "end", "source_outlet", "source_headline", "source_published"):
        frame[name] = frame[name].astype(object).where(frame[name] != "", None)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([e.geometry for e in events], crs="EPSG:4326"),
                           crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path, layer=LAYER, driver="GPKG", geometry_type="Unknown")


def _write_kml(events: list[Event], path: Path) -> None:
    import simplekml

    kml = simplekml.Kml(name="Force Posture Map events")
    styles: dict[str, simplekml.Style] = {}
    for kind, colour in KIND_COLOURS.items():
        style = simplekml.Style()
        style.iconstyle.color = colour
        style.iconstyle.icon.href = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
        style.linestyle.color = colour
        style.linestyle.width = 3
        style.polystyle.color = "55" + colour[2:]  # the same hue, a third opaque: the map shows through
        style.polystyle.outline = 1
        styles[kind] = style
    folders = {kind: kml.newfolder(name=f"{kind} events") for kind in KIND_COLOURS}
    for event in events:
        folder = folders.get(event.kind) or kml
        placemark = _kml_geometry(folder, event.geometry)
        placemark.name = summary_text(event)
        placemark.description = _kml_description(event)
        if event.kind in styles:
            placemark.style = styles[event.kind]
        if event.start:
            placemark.timespan.begin = event.start
        if event.end:
            placemark.timespan.end = event.end
        data = placemark.extendeddata
        for name, value in flat_record(event).items():
            if name not in ("assets", "places", "summary"):
                data.newdata(name, escape(str(value)))
        data.newdata("geometry_type", event.geometry.geom_type)
        data.newdata(PROPERTIES_KEY, escape(json.dumps(event.properties(), ensure_ascii=False)))
    kml.save(str(path))


def _kml_geometry(container: Any, geometry: BaseGeometry) -> Any:
    """A placemark for the geometry (a MultiGeometry for multi-part shapes and collections)."""
    if geometry.geom_type in ("Point", "LineString", "Polygon"):
        return _kml_part(container, geometry)
    multi = container.newmultigeometry()
    for part in getattr(geometry, "geoms", []):
        _kml_part(multi, part)
    return multi


def _kml_part(container: Any, geometry: BaseGeometry) -> Any:
    if geometry.geom_type == "Point":
        return container.newpoint(coords=[(geometry.x, geometry.y)])
    if geometry.geom_type == "LineString":
        line = container.newlinestring(coords=list(geometry.coords))
        line.tessellate = 1
        return line
    if geometry.geom_type == "Polygon":
        polygon = container.newpolygon(outerboundaryis=list(geometry.exterior.coords),
                                       innerboundaryis=[list(r.coords) for r in geometry.interiors])
        polygon.tessellate = 1
        return polygon
    if hasattr(geometry, "geoms"):  # a collection inside a collection: flatten it
        for part in geometry.geoms:
            _kml_part(container, part)
        return container
    raise InputError(f"cannot write a {geometry.geom_type} to KML")


def _kml_description(event: Event) -> str:
    rows = [
        ("Name", event.name),
        ("What", summary_text(event)),
        ("When", (event.start or "undated") + (f" to {event.end}" if event.end else "") + f" ({event.time_precision})"),
        ("Status", event.status),
        ("Partners", ", ".join(event.partners)),
        ("Source", ", ".join(x for x in (event.source.outlet, event.source.headline, event.source.published,
                                          event.source.document) if x)),
        ("Sentence", event.source.sentence),
        ("Confidence", f"{event.confidence:.2f}" + (" (edited by a person)" if event.edited else "")),
        ("Notes", event.notes),
    ]
    body = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows if v)
    return f"<table>{body}</table>"


# -- import --------------------------------------------------------------------------------------------------
def read_events(path: str | os.PathLike[str], fmt: str | None = None, *,
                max_bytes: int = MAX_IMPORT_BYTES) -> list[Event]:
    """Every event in the file, checked; ImportProblems lists all problems (with row numbers)."""
    from geo.extract import regular_file_size

    source = Path(path)
    size = regular_file_size(source)
    kind = guess_format(source, fmt)
    if size == 0:
        raise InputError(f"{source.name} is empty")
    if size > max_bytes:
        raise InputError(f"{source.name} is {size / 1_048_576:.1f} MiB; imports are limited to "
                         f"{max_bytes / 1_048_576:.0f} MiB so every row can be checked in memory before writing "
                         "(split the export with filters, or raise the limit with --max-size-mb)")
    reading = _Reading(source)
    {"geojson": _read_geojson, "csv": _read_csv, "kml": _read_kml, "gpkg": _read_gpkg}[kind](reading)
    if reading.problems:
        raise ImportProblems(source, reading.problems)
    return reading.events


def import_file(store: EventStore, path: str | os.PathLike[str], *, editor: str, fmt: str | None = None,
                max_bytes: int = MAX_IMPORT_BYTES) -> ImportSummary:
    """Check the whole file, then write it in one transaction (all or nothing)."""
    events = read_events(path, fmt, max_bytes=max_bytes)
    return store.import_events(events, editor=editor)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name} is binary, not text (is it the right file or format?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path.name} is not UTF-8 text (byte {err.start} cannot be decoded)") from err


def _read_geojson(reading: _Reading) -> None:
    text = _read_text(reading.path)
    name = reading.path.name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        ending = " (the file ends early: is it truncated?)" if err.pos >= len(text.rstrip()) - 1 else ""
        raise InputError(f"{name} is not valid GeoJSON: {err.msg} at line {err.lineno} column "
                         f"{err.colno}{ending}") from err
    except RecursionError as err:
        raise InputError(f"{name} is JSON nested too deeply to read (lists or objects inside each other "
                         "thousands of levels deep)") from err
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{name} is not readable GeoJSON: {err}") from err
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise InputError(f"{name} is JSON but not a GeoJSON FeatureCollection or Feature")
    crs = data.get("crs")
    crs_name = crs.get("properties") if isinstance(crs, dict) else None
    crs_name = crs_name.get("name") if isinstance(crs_name, dict) else None
    if isinstance(crs_name, str) and crs_name.strip() and not crs_name.strip().upper().endswith(("CRS84", "4326")):
        raise InputError(f"{name} declares CRS {brief_repr(crs_name)}; GeoJSON imports must be lon/lat "
                         "WGS 84 (EPSG:4326, RFC 7946)")
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            reading.problems.append(f"{where}: not a GeoJSON Feature")
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            reading.problems.append(f"{where}: properties are missing")
            continue
        if _blank(props.get("id")) and feature.get("id") is not None:
            props = {**props, "id": feature["id"]}
        reading.add(where, props, feature.get("geometry"))


def _read_csv(reading: _Reading) -> None:
    text = _read_text(reading.path)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_IMPORT_BYTES))  # a foreign file may hold a country's outline in one cell
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, [])
        if len(set(header)) != len(header):
            repeated = sorted({c for c in header if header.count(c) > 1})
            raise InputError(f"{reading.path.name} names the column(s) {repeated[:5]} more than once")
        missing = [c for c in (*REQUIRED_COLUMNS, "geometry") if c not in header]
        if missing:
            raise InputError(f"{reading.path.name} lacks the column(s) {missing}; its header is {header[:12]}")
        # Continuation columns "<name> (part 2)", ... hold the rest of a long value (see _write_csv).
        parts: dict[str, list[tuple[int, int]]] = {}
        for index, column in enumerate(header):
            found = _PART_COLUMN.fullmatch(column)
            if found and found["name"] in header:
                parts.setdefault(found["name"], []).append((int(found["number"]), index))
        continued = {index for pieces in parts.values() for _, index in pieces}
        wholes = [(index, column) for index, column in enumerate(header) if index not in continued]
        for number, row in enumerate(rows, start=2):  # row 1 is the header, as a spreadsheet counts
            if len(row) > len(header):
                reading.problems.append(f"row {number}: more values than columns in the header")
                continue
            cells = [unguard_cell(cell) for cell in row] + [""] * (len(header) - len(row))
            record: dict[str, Any] = {column: cells[index] for index, column in wholes}
            for name, pieces in parts.items():
                record[name] += "".join(cells[index] for _, index in sorted(pieces))
            reading.add(f"row {number}", record, record.get("geometry"))
    except csv.Error as err:
        raise InputError(f"{reading.path.name} is not a readable CSV file: {err}") from err
    finally:
        csv.field_size_limit(limit)


def _read_gpkg(reading: _Reading) -> None:
    import pyogrio
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    name = reading.path.name
    try:
        layers = [(str(layer), kind) for layer, kind in pyogrio.list_layers(reading.path)]
        if not layers:
            raise InputError(f"{name} has no layers")
        spatial = [layer for layer, kind in layers if kind is not None]
        layer = LAYER if LAYER in dict(layers) else (spatial or [layers[0][0]])[0]
        meta, table = pyogrio.read_arrow(reading.path, layer=layer, datetime_as_string=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        raise InputError(f"{name} is not a readable GeoPackage: {err}") from err
    geometry_column = meta.get("geometry_name") or None
    if geometry_column is None:
        raise InputError(f"{name} layer {layer!r} has no geometry column (an attribute table); export the "
                         "events with their geometry")
    if meta.get("crs"):
        try:
            crs = CRS.from_user_input(meta["crs"])
        except CRSError as err:
            raise InputError(f"{name} has a coordinate system that cannot be read: {err}") from err
        if crs.to_epsg() != 4326:
            raise InputError(f"{name} is in {crs.name}; imports must be lon/lat WGS 84 (EPSG:4326)")
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"{name} layer {layer!r} lacks the column(s) {missing}")
    # Arrow keeps a missing value (None) apart from a number that is not one (NaN), which pandas merges.
    columns: dict[str, list[Any]] = {}
    undecodable: dict[int, list[str]] = {}
    for column_name, column in zip(table.column_names, table.columns, strict=True):
        columns[column_name] = _arrow_values(column, column_name, undecodable)
    for index in range(table.num_rows):
        where = f"feature {index + 1}"
        if index in undecodable:
            reading.problems.extend(f"{where}: {problem}" for problem in undecodable[index])
            continue
        record = {column_name: values[index] for column_name, values in columns.items()}
        geometry = record.pop(geometry_column, None)
        reading.add(where, record, geometry)


def _arrow_values(column: Any, name: str, undecodable: dict[int, list[str]]) -> list[Any]:
    """A column's values; text that is not UTF-8 (SQLite stores any bytes) is noted per row, not fatal."""
    import pyarrow as pa

    try:
        return list(column.to_pylist())
    except UnicodeDecodeError:
        values: list[Any] = []
        for index, raw in enumerate(column.cast(pa.large_binary()).to_pylist()):
            try:
                values.append(None if raw is None else raw.decode("utf-8"))
            except UnicodeDecodeError as err:
                undecodable.setdefault(index, []).append(f"{name} is not UTF-8 text (byte {err.start})")
                values.append(None)
        return values


# fastkml builds its objects recursively and trusts the document's structure; these are the ways
# a hostile or broken KML makes it fail.
_KML_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


def _read_kml(reading: _Reading) -> None:
    from fastkml import kml as fastkml
    from fastkml.features import Placemark
    from fastkml.utils import find_all
    from lxml import etree

    name = reading.path.name
    try:
        # fastkml's parser recovers from broken XML silently; a strict parse first says what is wrong.
        root = etree.parse(str(reading.path), etree.XMLParser(resolve_entities=False, no_network=True,
                                                              huge_tree=True)).getroot()
        if not str(root.tag).endswith("kml"):
            raise InputError(f"{name} is XML but not KML (its root element is <{brief_repr(str(root.tag))}>)")
        # Not strict (fastkml's strict mode refuses common, harmless KML), but what it only logs, bad
        # coordinates above all, is a problem of the file: it would drop the geometry silently.
        with _kml_errors_noted(reading.problems):
            document = fastkml.KML.parse(reading.path, strict=False, validate=False)  # XSD checks take seconds
        placemarks = list(find_all(document, of_type=Placemark))
    except InputError:
        raise
    except (etree.XMLSyntaxError, OSError) as err:  # lxml reports bytes that are not UTF-8 as an OSError
        raise InputError(f"{name} is not valid KML: {err}") from err
    except RecursionError as err:
        raise InputError(f"{name} is KML nested too deeply to read") from err
    except _KML_ERRORS as err:
        raise InputError(f"{name} is not valid KML: {str(err)[:200] or type(err).__name__}") from err
    for number, placemark in enumerate(placemarks, start=1):
        label = placemark.name if isinstance(placemark.name, str) and placemark.name.strip() else None
        where = f"placemark {number}" + (f" ({label[:60]})" if label else "")
        try:
            _read_placemark(reading, where, placemark)
        except _KML_ERRORS as err:
            reading.problems.append(f"{where}: could not be read ({str(err)[:200] or type(err).__name__})")


class _NoteErrors(logging.Handler):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.problems = problems

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        cause = re.search(r"caused by (.*)$", message, flags=re.DOTALL)  # not the whole element it quotes
        problem = f"KML could not be read: {(cause.group(1) if cause else message).strip()[:200]}"
        if problem not in self.problems:  # fastkml logs some errors twice
            self.problems.append(problem)


@contextmanager
def _kml_errors_noted(problems: list[str]) -> Iterator[None]:
    """fastkml's logged errors while parsing become the file's problems, not lines on stderr."""
    logger = logging.getLogger("fastkml")
    handler, propagate = _NoteErrors(problems), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _read_placemark(reading: _Reading, where: str, placemark: Any) -> None:
    data: dict[str, Any] = {}
    if placemark.extended_data is not None:
        for element in placemark.extended_data.elements:
            if getattr(element, "name", None):
                data[element.name] = getattr(element, "value", None)
    geometry: Any = None
    if placemark.geometry is not None:
        try:
            geometry = _restore_type(shapely.geometry.shape(placemark.geometry.__geo_interface__),
                                     data.get("geometry_type"))
        except _GEOMETRY_ERRORS as err:
            reading.problems.append(f"{where}: geometry could not be read ({str(err)[:200] or type(err).__name__})")
            return
    record: dict[str, Any] = data
    if data.get(PROPERTIES_KEY):
        problems: list[str] = []
        parsed = _parse_json(str(data[PROPERTIES_KEY]), PROPERTIES_KEY, problems)
        if not isinstance(parsed, dict):
            reading.problems.extend(f"{where}: {p}" for p in problems or [f"{PROPERTIES_KEY} is not a JSON object"])
            return
        record = parsed
    else:
        record = {**data, "kind": data.get("kind"), "notes": data.get("notes") or placemark.description}
    reading.add(where, record, geometry)


def _restore_type(geometry: BaseGeometry, wanted: str | None) -> BaseGeometry:
    """KML has one MultiGeometry for every multi-part shape; give back the type that was written."""
    geometry = shapely.force_2d(geometry)
    if geometry.geom_type != "GeometryCollection" or wanted == "GeometryCollection":
        return geometry
    parts = list(geometry.geoms)
    kinds = {p.geom_type for p in parts}
    target = wanted or (f"Multi{parts[0].geom_type}" if len(kinds) == 1 and parts else None)
    maker = {"MultiPoint": shapely.MultiPoint, "MultiLineString": shapely.MultiLineString,
             "MultiPolygon": shapely.MultiPolygon}.get(target or "")
    if maker is not None and kinds == {target.removeprefix("Multi")}:
        return maker(parts)
    return geometry
