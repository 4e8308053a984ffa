"""Exchange formats on both backends: exact round trips, and imports that check everything first."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
import shapely

from geo.errors import InputError
from geo.events import Asset
from geo.store.exchange import FORMATS, ImportProblems, export_events, import_file, read_events
from geo.store.factory import open_store
from tests.store_helpers import make_event, same

pytest_plugins = ["tests.store_backends"]


def _tricky_events() -> list:
    """Every field used, every geometry type, text that breaks naive CSV/XML/JSON writers."""
    polygon_with_hole = shapely.Polygon([(13.0, 53.0), (30.25, 53.0), (30.25, 66.0), (13.0, 66.0)],
                                        [[(20.0, 57.0), (21.0, 57.0), (21.0, 58.0), (20.0, 57.0)]])
    return [
        make_event("point", lon=-6.3512345678901234, lat=36.6451234567890123, partners=["ES"],
                   sentence='He said "six destroyers", then: <Rota> & more,\nover two lines; é ü 中文.',
                   notes="checked, <b>bold</b> & 'quoted'"),
        make_event("hole", kind="patrol", geometry=polygon_with_hole, start="2025-03-01", time_precision="month",
                   count=None, country=None, category="bomber", family="B-52"),
        make_event("multi", kind="exercise", geometry=shapely.MultiPolygon([shapely.box(128, 35, 131, 38),
                                                                            shapely.box(135, 38, 138, 41)]),
                   start="2025-12-10", end="2025-12-12", actors=["CN", "RU"], status="announced",
                   name='Joint Sea-2025 "Phase 2", <b>'),
        make_event("route", kind="patrol", geometry=shapely.LineString([(-175.5, 52.1), (179.9, 55.2), (170, 60)]),
                   start=None),
        make_event("points", geometry=shapely.MultiPoint([(10, 50), (11.25, 51.5)]), count=0),
        make_event("lines", geometry=shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 1)]])),
        make_event("mixed", geometry=shapely.GeometryCollection([shapely.Point(5, 5), shapely.box(0, 0, 1, 1)])),
    ]


def _edited(events: list) -> list:
    first = events[0].copy(edited=True, confidence=0.95,
                           assets=[Asset("destroyer", "destroyer", "surface combatant", 6, "asset:ddg", False,
                                         "surface combatant", "six destroyers"),
                                   Asset("B-52H", "B-52", "bomber", None, None, True, "bomber", "B-52s")])
    first.source.published = "2022-06"
    return [first, *events[1:]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_every_field(store, new_store_url, tmp_path, fmt):
    originals = _edited(_tricky_events())
    store.import_events(originals, editor="test")
    path = export_events(store.query(), tmp_path / f"out.{fmt}")
    assert path.exists() and not list(tmp_path.glob(".out*"))  # no temporary file left behind
    with open_store(new_store_url()) as target:
        summary = import_file(target, path, editor="importer")
        restored = {e.id: e for e in target.query()}
        assert set(restored) == {e.id for e in originals}
        for original in originals:
            assert same(restored[original.id], original), (fmt, original.id)
        assert summary.added == len(originals)
        again = import_file(target, path, editor="importer")  # importing the same file twice changes nothing
        assert again.unchanged == len(originals) and again.added == again.updated == 0


def test_export_filters_and_formats_readable_by_others(store, tmp_path):
    import pyogrio

    store.import_events(_tricky_events(), editor="test")
    path = export_events(store.query(kinds="patrol"), tmp_path / "patrols.geojson")
    data = json.loads(path.read_text())
    assert data["type"] == "FeatureCollection" and {f["id"] for f in data["features"]} == {"ev-hole", "ev-route"}
    # GDAL reads our GeoJSON and GeoPackage in lon/lat WGS 84.
    frame = pyogrio.read_dataframe(export_events(store.query(), tmp_path / "all.gpkg"))
    assert len(frame) == 7 and frame.crs.to_epsg() == 4326
    rows = list(csv.DictReader(export_events(store.query(), tmp_path / "all.csv").open(encoding="utf-8")))
    point = next(r for r in rows if r["id"] == "ev-point")
    assert point["geometry"].startswith("POINT (-6.35") and point["start"] == "2024-05-01"
    assert point["summary"] == "deployment by US: 4 × F-35 at Site point"
    kml = export_events(store.query(), tmp_path / "all.kml").read_text(encoding="utf-8")
    assert "<Style" in kml and "<TimeSpan" in kml and "<begin>2024-05-01</begin>" in kml and "&lt;Rota&gt;" in kml
    with pytest.raises(InputError, match="format"):
        export_events(store.query(), tmp_path / "all.xlsx")


def test_failed_import_lists_every_problem_and_changes_nothing(store, tmp_path):
    store.add_event(make_event("keep"), editor="test")
    before = (store.count(), store.history_size())
    path = export_events([make_event(f"r{i}") for i in range(5)], tmp_path / "rows.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[1]["start"] = "2024-02-30"
    rows[2]["end"] = "31/12/2024"
    rows[2]["kind"] = "invasion"
    rows[3]["geometry"] = "POINT (45.0 200.0)"
    rows[4]["id"] = rows[0]["id"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ImportProblems) as caught:
        import_file(store, path, editor="test")
    problems = caught.value.problems
    assert any(p.startswith("row 3: ") and "2024-02-30" in p for p in problems)
    assert any(p.startswith("row 4: ") and "31/12/2024" in p for p in problems)
    assert any(p.startswith("row 4: ") and "invasion" in p for p in problems)
    assert any(p.startswith("row 5: ") and "outside lon" in p for p in problems)
    assert any(p.startswith("row 6: ") and "row 2" in p for p in problems)
    assert "nothing was imported" in str(caught.value)
    assert (store.count(), store.history_size()) == before


def test_malformed_files_get_clear_errors(tmp_path):
    good = export_events([make_event("a"), make_event("b")], tmp_path / "good.geojson")
    truncated = tmp_path / "truncated.geojson"
    truncated.write_text(good.read_text()[:-40])
    with pytest.raises(InputError, match="truncated"):
        read_events(truncated)

    outside = json.loads(good.read_text())
    outside["features"][1]["geometry"]["coordinates"] = [10.0, 95.0]
    (tmp_path / "outside.geojson").write_text(json.dumps(outside))
    with pytest.raises(ImportProblems, match=r"feature 2: geometry has a point \(10, 95\) outside"):
        read_events(tmp_path / "outside.geojson")

    huge = tmp_path / "huge.geojson"
    with huge.open("wb") as out:
        out.truncate(100 * 1024 * 1024)
    with pytest.raises(InputError, match=r"100\.0 MiB; imports are limited to 64 MiB"):
        read_events(huge)

    cases = {
        "empty.csv": (b"", "is empty"),
        "binary.csv": (b"\x00\x01\x02" * 100, "binary"),
        "latin.csv": ("id,kind\nx,caf\xe9".encode("latin-1"), "not UTF-8"),
        "columns.csv": (b"name,value\na,b\n", "lacks the column"),
        "list.geojson": (b"[1, 2, 3]", "not a GeoJSON FeatureCollection"),
        "broken.kml": (b"<kml><Document><Placemark>", "not valid KML"),
        "fake.gpkg": (b"not a geopackage" * 100, "not a readable GeoPackage"),
        "notes.txt": (b"hello", "cannot tell the format"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(InputError, match=message):
            read_events(tmp_path / name)
    with pytest.raises(InputError, match="does not exist"):
        read_events(tmp_path / "missing.csv")
    os.mkfifo(tmp_path / "pipe.geojson")  # refused by what it is, not read (a FIFO would block)
    with pytest.raises(InputError, match="not a regular file"):
        read_events(tmp_path / "pipe.geojson")
    projected = json.loads(good.read_text())
    projected["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    (tmp_path / "projected.geojson").write_text(json.dumps(projected))
    with pytest.raises(InputError, match="EPSG:4326"):
        read_events(tmp_path / "projected.geojson")


def test_import_updates_existing_events_with_history(store, tmp_path):
    store.add_event(make_event("u"), editor="test")
    changed = store.get("ev-u").copy(notes="corrected in a spreadsheet", edited=False)
    path = export_events([changed, make_event("new")], tmp_path / "edit.csv")
    summary = import_file(store, path, editor="gina")
    assert (summary.added, summary.updated, summary.unchanged) == (1, 1, 0)
    assert store.get("ev-u").notes == "corrected in a spreadsheet" and store.get("ev-u").edited
    last = store.history("ev-u")[-1]
    assert (last.action, last.editor, last.field) == ("import", "gina", "notes")
    assert last.after == "corrected in a spreadsheet"


def test_foreign_kml_without_our_properties_is_read_from_its_fields(tmp_path):
    kml = tmp_path / "foreign.kml"
    kml.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Patrol</name><ExtendedData>
<Data name="id"><value>ev-foreign</value></Data><Data name="kind"><value>patrol</value></Data>
<Data name="geo_precision"><value>3</value></Data><Data name="start"><value>2025-03-04</value></Data>
<Data name="actors"><value>US</value></Data><Data name="source_document"><value>notes.txt</value></Data>
<Data name="source_sentence"><value>Seen over the sea.</value></Data></ExtendedData>
<Point><coordinates>20.5,56.25,0</coordinates></Point></Placemark>
<Placemark><name>No data</name><Point><coordinates>1,2</coordinates></Point></Placemark>
</Document></kml>""", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        read_events(kml)
    assert all(p.startswith("placemark 2 (No data)") for p in caught.value.problems)
    text = kml.read_text().replace("<Placemark><name>No data</name><Point><coordinates>1,2</coordinates></Point>"
                                   "</Placemark>", "")
    kml.write_text(text)
    (event,) = read_events(kml)
    assert event.id == "ev-foreign" and event.geometry.equals(shapely.Point(20.5, 56.25)) and event.actors == ["US"]


def test_geojson_export_is_rfc7946_lon_lat(tmp_path):
    path = export_events([make_event("lonlat", lon=-6.35, lat=36.64)], Path(tmp_path) / "one.geojson")
    feature = json.loads(path.read_text())["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-6.35, 36.64]}  # lon first
