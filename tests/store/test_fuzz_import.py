"""Property-based import fuzzing (hypothesis, derandomized, a few seconds per format and backend):
whatever a GeoJSON, CSV, KML or GeoPackage file holds, `import_file` either imports it or raises
ImportProblems / InputError, and a failed import writes nothing: events, history and posture rows
are as they were."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import InputError
from geo.store.exchange import export_events, import_file
from tests.store_helpers import make_event

pytest_plugins = ["tests.store_backends"]

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

# Values that broke, or could break, a reader or a database: wrong types, numbers past 64 bits,
# NaN, control and separator characters, NUL, lone surrogates, formula starts, megabyte-long
# and deeply nested values.
HOSTILE_TEXT = ["", " ", "\x00", "\x1f", "\ud800", "\u202e", "=cmd|'/C calc'!A0", "'=", "-1", "@x", "\t", "\r\n",
                "nan", "inf", "-inf", "1e400", "9" * 30, "9999-12-31", "0001-01-01", "2024-02-30", "XX", "us",
                "{{7*7}}", "<b>", "]]>", "&amp;", "null", "[1, 2", '{"a": ', "[" * 3000, "x" * 70_000,
                "CIRCULARSTRING (0 0, 1 1, 2 0)", "POINT (1 2", "POINT EMPTY", "GEOMETRYCOLLECTION EMPTY",
                "POINT (200 100)", "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "LINESTRING (0 0)"]
NESTED = [[[[[[[[[[[]]]]]]]]]]]
GEOMETRY_TEXT = ["CIRCULARSTRING (0 0, 1 1, 2 0)", "CURVEPOLYGON (CIRCULARSTRING (0 0, 4 0, 4 4, 0 4, 0 0))",
                 "COMPOUNDCURVE ((0 0, 1 1))", "TIN (((0 0 0, 0 0 1, 0 1 0, 0 0 0)))", "POINT (1 2",
                 "POINT EMPTY", "POINT (nan 1)", "POINT (1e400 0)", "GEOMETRYCOLLECTION (POINT EMPTY, POINT (1 2))",
                 "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "LINESTRING (0 0)", "POINT Z (1 2 3)", "POINT M (1 2 3)",
                 "MULTIPOINT (1 2, 3 4)", "POINT (181 0)", "SRID=4326;POINT (1 2)", "[" * 3000, "x" * 70_000]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(HOSTILE_TEXT),
              st.text(max_size=12), st.just(2**63), st.just(-1), st.just(NESTED)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
geometries = st.one_of(
    st.just({"type": "Point", "coordinates": [10.0, 50.0]}),
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "Circle",
                                                    "Topology", "GeometryCollection", "MultiPolygon", "point"]),
                           "coordinates": values, "geometries": values}),
    values,
)

TOP_FIELDS = ["id", "kind", "status", "actors", "partners", "assets", "places", "geo_precision", "start", "end",
              "time_precision", "source", "confidence", "edited", "notes"]
NESTED_FIELDS = {"assets": ["name", "family", "category", "count", "catalogue_id", "nuclear", "app6", "text"],
                 "places": ["id", "name", "kind", "role", "text", "country"],
                 "source": ["document", "sentence", "start", "end", "outlet", "headline", "published"]}


@st.composite
def features(draw: Any) -> dict:
    """A valid event's GeoJSON Feature with a few of its fields (top-level or nested) made hostile."""
    feature = make_event(draw(st.sampled_from(["a", "b"]))).to_feature()
    props = feature["properties"]
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(TOP_FIELDS))
        if name in NESTED_FIELDS and draw(st.booleans()):
            holder = props[name]  # the source object, or the first asset or place (if still a list of them)
            holder = holder[0] if isinstance(holder, list) and holder else holder
            if isinstance(holder, dict):
                holder[draw(st.sampled_from(NESTED_FIELDS[name]))] = draw(values)
        else:
            props[name] = draw(values)
    if draw(st.booleans()):
        feature["geometry"] = draw(geometries)
    return feature


def _state(store) -> tuple[int, int, int]:
    return store.count(), store.history_size(), len(store.posture("2024-05-01"))


def _import_or_refuse(store, path: Path) -> None:
    """The property: imported, or refused with the promised errors and nothing written."""
    before = _state(store)
    try:
        import_file(store, path, editor="fuzz")
    except InputError:  # ImportProblems is an InputError
        assert _state(store) == before
    else:
        assert store.get("ev-a") is not None or store.get("ev-b") is not None or store.count() >= before[0]


def _raw_mutation(text: str, draw: Any) -> str:
    """Sometimes cut the file or splice hostile text into it (broken syntax, not just bad values)."""
    action = draw(st.sampled_from(["keep", "keep", "cut", "splice"]))
    if action == "cut":
        return text[:draw(st.integers(0, len(text)))]
    if action == "splice":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(HOSTILE_TEXT[:30])) + text[at:]
    return text


def test_fuzzed_geojson_imports_or_is_refused_cleanly(store, tmp_path):
    path = tmp_path / "fuzz.geojson"

    @FUZZ
    @given(found=st.lists(features(), min_size=1, max_size=3), data=st.data())
    def check(found: list[dict], data: Any) -> None:
        text = json.dumps({"type": "FeatureCollection", "features": found}, allow_nan=True)
        path.write_text(_raw_mutation(text, data.draw), encoding="utf-8", errors="surrogatepass")
        _import_or_refuse(store, path)

    check()


def _cell(value: Any) -> str:
    """How a person's spreadsheet might spell a hostile value in a CSV cell."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, allow_nan=True)
    except (ValueError, RecursionError):
        return repr(value)


def _flat_row(feature: dict, header: list[str], wkt: str | None) -> list[str]:
    """A fuzzed feature as a CSV row: our columns, nested values as JSON cells, geometry as WKT."""
    props = feature["properties"]
    source = props.get("source") if isinstance(props.get("source"), dict) else {}
    cells: dict[str, Any] = {**props, **{f"source_{k}": v for k, v in source.items()}}
    if isinstance(cells.get("actors"), list) and all(isinstance(a, str) for a in cells["actors"]):
        cells["actors"] = ";".join(cells["actors"])
    geometry = feature.get("geometry")
    if wkt is None and isinstance(geometry, dict):
        try:
            wkt = shapely.geometry.shape(geometry).wkt
        except Exception:
            wkt = None
    cells["geometry"] = wkt if wkt is not None else geometry
    return [_cell(cells.get(name)) for name in header]


def test_fuzzed_csv_imports_or_is_refused_cleanly(store, tmp_path):
    good = export_events([make_event("a")], tmp_path / "good.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(good, newline="")))
    path = tmp_path / "fuzz.csv"

    @FUZZ
    @given(found=st.lists(features(), min_size=1, max_size=3),
           wkt=st.one_of(st.none(), st.sampled_from(GEOMETRY_TEXT)),
           extra=st.lists(st.tuples(st.integers(0, len(header) + 1), values), max_size=2), data=st.data())
    def check(found: list[dict], wkt: str | None, extra: list[tuple[int, Any]], data: Any) -> None:
        table = [_flat_row(feature, header, wkt) for feature in found]
        for column, value in extra:
            if column < len(header):
                table[0][column] = _cell(value)
            else:
                table[0].append(_cell(value))  # more cells than the header names
        out = io.StringIO(newline="")
        csv.writer(out).writerows([header, *table])
        path.write_text(_raw_mutation(out.getvalue(), data.draw), encoding="utf-8", errors="surrogatepass")
        _import_or_refuse(store, path)

    check()


def test_fuzzed_kml_imports_or_is_refused_cleanly(store, tmp_path):
    good = export_events([make_event("a")], tmp_path / "good.kml").read_text(encoding="utf-8")
    path = tmp_path / "fuzz.kml"

    def replace_value(text: str, name: str, value: str | None) -> str:
        opening = f'<Data name="{name}"><value>'
        start = text.find(opening)
        if start < 0:
            return text
        end = text.index("</value></Data>", start) + len("</value></Data>")
        return text[:start] + ("" if value is None else f"{opening}{escape(value)}</value></Data>") + text[end:]

    @FUZZ
    @given(feature=features(), foreign=st.booleans(),
           changes=st.lists(st.tuples(st.sampled_from(["id", "kind", "geo_precision", "start", "actors",
                                                       "source_document", "geometry_type"]),
                                     st.one_of(st.sampled_from(HOSTILE_TEXT), values)), max_size=3),
           data=st.data())
    def check(feature: dict, foreign: bool, changes: list[tuple[str, Any]], data: Any) -> None:
        # Our own property object made hostile, or dropped so the placemark's flat fields are read.
        text = replace_value(good, "fpm_properties",
                             None if foreign else json.dumps(feature["properties"], allow_nan=True))
        for name, value in changes:
            text = replace_value(text, name, _cell(value))
        path.write_text(_raw_mutation(text, data.draw), encoding="utf-8", errors="surrogatepass")
        _import_or_refuse(store, path)

    check()


def test_fuzzed_geopackage_imports_or_is_refused_cleanly(store, tmp_path):
    good = export_events([make_event("a"), make_event("b")], tmp_path / "good.gpkg").read_bytes()
    path = tmp_path / "fuzz.gpkg"
    columns = ["id", "kind", "status", "actors", "partners", "start", "end", "time_precision", "geo_precision",
               "confidence", "edited", "notes", "assets", "places", "source_document", "source_sentence",
               "source_start", "source_end", "source_outlet", "source_headline", "source_published", "geom"]
    stored = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                       st.floats(allow_nan=False), st.sampled_from(HOSTILE_TEXT).filter(lambda t: "\ud800" not in t),
                       st.binary(max_size=30), values.map(lambda v: _cell(v).encode("utf-8", "surrogatepass")))

    @FUZZ
    @given(changes=st.lists(st.tuples(st.sampled_from(["ev-a", "ev-b"]), st.sampled_from(columns), stored),
                            max_size=4),
           cut=st.one_of(st.none(), st.integers(0, len(good))))
    def check(changes: list[tuple[str, str, Any]], cut: int | None) -> None:
        path.write_bytes(good)
        with sqlite3.connect(path) as db:  # SQLite takes any type in any column, as a foreign writer may
            for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                db.execute(f'DROP TRIGGER "{trigger}"')  # GDAL's index triggers need SpatiaLite functions
            for event_id, column, value in changes:
                db.execute(f'UPDATE events SET "{column}" = ? WHERE id = ?', (value, event_id))
        if cut is not None:
            path.write_bytes(path.read_bytes()[:cut])
        _import_or_refuse(store, path)

    check()


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "gpkg"])
def test_a_valid_file_still_imports_after_the_fuzzing_helpers_made_it(store, tmp_path, fmt):
    """The property's other half is reachable: an unmutated file imports (so the fuzz tests do not
    pass only because everything is refused)."""
    path = export_events([make_event("a"), make_event("b")], tmp_path / f"ok.{fmt}")
    import_file(store, path, editor="fuzz")
    assert store.count() == 2
