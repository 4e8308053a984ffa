"""Exchange formats: GeoJSON, CSV, KML and GeoPackage, each round-tripping every event field.

* GeoJSON: RFC 7946 FeatureCollection straight from `Event.to_feature` (nested properties stay
  nested objects, which a GDAL write would flatten to strings).
* CSV: one row per event, geometry as WKT in lon/lat, dates ISO 8601, assets/places as JSON, and a
  human-readable ``summary`` column that import ignores.
* KML (simplekml writes, fastkml reads): styled placemarks per kind with a TimeSpan, so Google
  Earth colours them and its time slider works; the exact properties ride along in ExtendedData.
* GeoPackage (pyogrio/GDAL): layer ``events``, the CSV columns plus a real geometry column.

Import reads and checks the whole file first and reports every problem with its row number; only a
file with no problem is written, and then in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.events import EVENT_KINDS, GEO_PRECISION, STATUSES, TIME_PRECISIONS, Event
from geo.posture import parse_day
from geo.store import EventStore, ImportSummary, check_event

__all__ = [
    "FLAT_COLUMNS",
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ImportProblems",
    "export_events",
    "guess_format",
    "import_file",
    "read_events",
]

FORMATS = ("geojson", "csv", "kml", "gpkg")
SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".kml": "kml", ".gpkg": "gpkg"}
# Imports are read whole to check every row before writing; this keeps that within memory.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_LISTED_PROBLEMS = 50
LAYER = "events"
PROPERTIES_KEY = "fpm_properties"

FLAT_COLUMNS = (
    "id", "kind", "status", "actors", "partners", "start", "end", "time_precision", "geo_precision", "confidence",
    "edited", "notes", "assets", "places", "source_document", "source_sentence", "source_start", "source_end",
    "source_outlet", "source_headline", "source_published", "summary",
)
SOURCE_FIELDS = ("document", "sentence", "start", "end", "outlet", "headline", "published")
REQUIRED_COLUMNS = ("id", "kind", "geo_precision", "source_document", "source_sentence")

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
        event = None
        if geom is not None and not problems:
            try:
                event = Event.from_properties(props, geom)
            except InputError as err:
                problems.append(str(err).split(": ", 1)[-1] if str(err).startswith("event ") else str(err))
        if event is not None:
            problems.extend(check_event(event))
        event_id = str(props.get("id") or "")
        if event_id and event_id in self.ids:
            problems.append(f"id {event_id} is also used by {self.ids[event_id]}")
        elif event_id:
            self.ids[event_id] = where
        if problems:
            self.problems.extend(f"{where}: {p}" for p in problems)
        elif event is not None:
            self.events.append(event)


# -- reading values -------------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str)
                                                                                 and not value.strip())


def _text(value: Any) -> str | None:
    return None if _blank(value) else str(value).strip()


def _codes(value: Any) -> list[str]:
    if _blank(value):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return _codes(json.loads(text))
        except json.JSONDecodeError:
            pass
    return [v.strip() for v in text.replace(",", ";").split(";") if v.strip()]


def _json_list(value: Any, name: str, problems: list[str]) -> list[Any]:
    if _blank(value):
        return []
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError as err:
        problems.append(f"{name} is not valid JSON ({err.msg} at character {err.pos})")
        return []
    if not isinstance(parsed, list):
        problems.append(f"{name} should be a JSON list of objects")
        return []
    return parsed


def _number(value: Any, name: str, kind: type, problems: list[str]) -> Any:
    if _blank(value):
        return None
    try:
        number = float(value)
        if kind is int:
            if not number.is_integer():
                raise ValueError
            return int(number)
        return number
    except (TypeError, ValueError):
        problems.append(f"{name} was {value!r} but is expected to be a {'whole ' if kind is int else ''}number")
        return None


def _flag(value: Any, problems: list[str]) -> bool:
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "1.0"):
        return True
    if text in ("false", "0", "no", "0.0"):
        return False
    problems.append(f"edited was {value!r} but is expected to be true or false")
    return False


def _props(record: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Event properties from a nested (GeoJSON) or flat (CSV, GeoPackage, KML) record."""
    source = record.get("source")
    if isinstance(source, str) and source.strip().startswith("{"):
        try:
            source = json.loads(source)
        except json.JSONDecodeError:
            problems.append("source is not valid JSON")
            source = {}
    if not isinstance(source, dict):
        source = {name: record.get(f"source_{name}") for name in SOURCE_FIELDS}
    source = {k: (None if _blank(v) else v) for k, v in source.items()}
    for name in ("start", "end"):
        source[name] = _number(source.get(name), f"source_{name}", int, problems)
    for name in ("document", "sentence", "outlet", "headline", "published"):
        if source.get(name) is not None:
            source[name] = str(source[name])
    if not source.get("document"):
        problems.append("source_document is empty (every event must name the article it came from)")
    if source.get("sentence") is None:
        problems.append("source_sentence is missing")
    for name in ("start", "end"):
        if source.get(name) is None:
            source[name] = 0
    props: dict[str, Any] = {
        "id": _text(record.get("id")),
        "kind": _text(record.get("kind")),
        "status": _text(record.get("status")) or "observed",
        "actors": _codes(record.get("actors")),
        "partners": _codes(record.get("partners")),
        "assets": _json_list(record.get("assets"), "assets", problems),
        "places": _json_list(record.get("places"), "places", problems),
        "geo_precision": _number(record.get("geo_precision"), "geo_precision", int, problems),
        "start": _text(record.get("start")),
        "end": _text(record.get("end")),
        "time_precision": _text(record.get("time_precision")) or "day",
        "source": source,
        "confidence": _number(record.get("confidence"), "confidence", float, problems),
        "edited": _flag(record.get("edited"), problems),
        "notes": _text(record.get("notes")) or "",
    }
    if not props["id"]:
        problems.append("id is empty")
    if not props["kind"]:
        problems.append("kind is empty")
    if props["geo_precision"] is None:
        problems.append("geo_precision is empty (1 exact site, 2 part of a region, 3 country/sea/region)")
    if props["confidence"] is None:
        props["confidence"] = 0.5
    for name in ("start", "end"):
        try:
            parse_day(props[name], name)
        except InputError as err:
            problems.append(str(err))
    for name, allowed in (("kind", EVENT_KINDS), ("status", STATUSES), ("time_precision", TIME_PRECISIONS),
                          ("geo_precision", tuple(GEO_PRECISION))):
        if props[name] is not None and props[name] not in allowed:
            problems.append(f"{name} was {props[name]!r} but is expected to be one of {list(allowed)}")
    return props


def _geometry(value: Any, problems: list[str]) -> BaseGeometry | None:
    if value is None or (isinstance(value, BaseGeometry) and value.is_empty) or _blank(value):
        problems.append("geometry is missing")
        return None
    try:
        if isinstance(value, BaseGeometry):
            geom = value
        elif isinstance(value, dict):
            geom = shapely.geometry.shape(value)
        else:
            geom = shapely.from_wkt(str(value))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.GEOSException) as err:
        problems.append(f"geometry could not be read ({str(err).strip() or type(err).__name__})")
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    return geom


# -- flat records -----------------------------------------------------------------------------------------
def summary_text(event: Event) -> str:
    """One line a person can read in a spreadsheet: who, what, where."""
    assets = ", ".join(f"{a.count} × {a.name}" if a.count else a.name for a in event.assets)
    places = ", ".join(p.name for p in event.places)
    who = "+".join(event.actors) or "unknown"
    return f"{event.kind} by {who}" + (f": {assets}" if assets else "") + (f" at {places}" if places else "")


def flat_record(event: Event) -> dict[str, Any]:
    props = event.properties()
    record = {
        "id": event.id, "kind": event.kind, "status": event.status,
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


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Write next to `path` and move into place: an interrupted export never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(handle)
    temp = Path(name)
    temp.unlink()
    try:
        yield temp
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def export_events(events: list[Event], path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write events to `path` in `fmt` (default: from the extension). Returns the path written."""
    target = Path(path)
    kind = guess_format(target, fmt)
    writer: Callable[[list[Event], Path], None] = {"geojson": _write_geojson, "csv": _write_csv,
                                                   "kml": _write_kml, "gpkg": _write_gpkg}[kind]
    with _atomic(target) as temp:
        writer(events, temp)
    return target


def _write_geojson(events: list[Event], path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [e.to_feature() for e in events]}
    with path.open("w", encoding="utf-8") as out:
        json.dump(collection, out, ensure_ascii=False)


def _write_csv(events: list[Event], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[*FLAT_COLUMNS, "geometry"])
        writer.writeheader()
        for event in events:
            record = flat_record(event)
            record["edited"] = "true" if event.edited else "false"
            record["geometry"] = shapely.to_wkt(event.geometry, rounding_precision=-1)
            writer.writerow(record)


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
    source = Path(path)
    if not source.exists():
        raise InputError(f"{source} does not exist")
    if source.is_dir():
        raise InputError(f"{source} is a folder; give a file to import")
    kind = guess_format(source, fmt)
    size = source.stat().st_size
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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        ending = " (the file ends early: is it truncated?)" if err.pos >= len(text.rstrip()) - 1 else ""
        raise InputError(f"{reading.path.name} is not valid GeoJSON: {err.msg} at line {err.lineno} column "
                         f"{err.colno}{ending}") from err
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise InputError(f"{reading.path.name} is JSON but not a GeoJSON FeatureCollection or Feature")
    crs = data.get("crs") if isinstance(data, dict) else None
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
        if name and not name.upper().endswith(("CRS84", "4326")):
            raise InputError(f"{reading.path.name} declares CRS {name}; GeoJSON imports must be lon/lat "
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
    csv.field_size_limit(max(limit, MAX_IMPORT_BYTES))  # a country's outline as WKT is megabytes
    try:
        rows = csv.DictReader(io.StringIO(text, newline=""))
        header = rows.fieldnames or []
        missing = [c for c in (*REQUIRED_COLUMNS, "geometry") if c not in header]
        if missing:
            raise InputError(f"{reading.path.name} lacks the column(s) {missing}; its header is {header[:12]}")
        for number, row in enumerate(rows, start=2):  # row 1 is the header, as a spreadsheet counts
            if None in row:
                reading.problems.append(f"row {number}: more values than columns in the header")
                continue
            reading.add(f"row {number}", row, row.get("geometry"))
    except csv.Error as err:
        raise InputError(f"{reading.path.name} is not a readable CSV file: {err}") from err
    finally:
        csv.field_size_limit(limit)


def _read_gpkg(reading: _Reading) -> None:
    import pyogrio

    try:
        layers = [name for name, _ in pyogrio.list_layers(reading.path)]
        layer = LAYER if LAYER in layers else (layers[0] if layers else None)
        if layer is None:
            raise InputError(f"{reading.path.name} has no layers")
        frame = pyogrio.read_dataframe(reading.path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        raise InputError(f"{reading.path.name} is not a readable GeoPackage: {err}") from err
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise InputError(f"{reading.path.name} is in {frame.crs.name}; imports must be lon/lat WGS 84 (EPSG:4326)")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{reading.path.name} layer {layer!r} lacks the column(s) {missing}")
    columns = [c for c in frame.columns if c != "geometry"]
    for number, (values, geometry) in enumerate(zip(frame[columns].itertuples(index=False, name=None),
                                                    frame.geometry, strict=True), start=1):
        record = {name: (v.item() if hasattr(v, "item") else v) for name, v in zip(columns, values, strict=True)}
        reading.add(f"feature {number}", record, geometry)


def _read_kml(reading: _Reading) -> None:
    from fastkml import kml as fastkml
    from fastkml.features import Placemark
    from fastkml.utils import find_all
    from lxml import etree

    try:
        # fastkml's parser recovers from broken XML silently; a strict parse first says what is wrong.
        root = etree.parse(str(reading.path), etree.XMLParser(resolve_entities=False, no_network=True,
                                                              huge_tree=True)).getroot()
        if not str(root.tag).endswith("kml"):
            raise InputError(f"{reading.path.name} is XML but not KML (its root element is <{root.tag}>)")
        document = fastkml.KML.parse(reading.path, strict=False, validate=False)  # XSD checks take seconds
    except (etree.XMLSyntaxError, ValueError, TypeError, AttributeError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"{reading.path.name} is not valid KML: {err}") from err
    for number, placemark in enumerate(find_all(document, of_type=Placemark), start=1):
        where = f"placemark {number}" + (f" ({placemark.name})" if placemark.name else "")
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
            except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as err:
                reading.problems.append(f"{where}: geometry could not be read ({err})")
                continue
        record: dict[str, Any] = data
        if data.get(PROPERTIES_KEY):
            try:
                record = json.loads(data[PROPERTIES_KEY])
            except json.JSONDecodeError:
                reading.problems.append(f"{where}: {PROPERTIES_KEY} is not valid JSON")
                continue
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
