"""Hostile and malformed import files: each gives the list of problems (ImportProblems) or one clear
InputError, never a traceback, and writes nothing, on both backends; wrong types are refused the
same way with and without the compiled build."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from geo.errors import InputError
from geo.store.checks import MAX_ASSET_COUNT, MAX_ID_CHARS, check_event
from geo.store.exchange import ImportProblems, export_events, import_file, read_events
from tests.store_helpers import ROOT, make_event

pytest_plugins = ["tests.store_backends"]

Mutation = Callable[[dict], None]


def _feature_file(tmp_path: Path, name: str, mutate: Mutation) -> Path:
    """A one-event GeoJSON file as export writes it, with one field changed."""
    feature = make_event("poison").to_feature()
    mutate(feature)
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, allow_nan=True),
                    encoding="utf-8")
    return path


def _props(**changes: object) -> Mutation:
    return lambda feature: feature["properties"].update(changes)


def _asset(**changes: object) -> Mutation:
    return lambda feature: feature["properties"]["assets"][0].update(changes)


def _place(**changes: object) -> Mutation:
    return lambda feature: feature["properties"]["places"][0].update(changes)


def _geometry(geometry: object) -> Mutation:
    return lambda feature: feature.update(geometry=geometry)


# name -> (change, words the problem must contain)
POISONED: dict[str, tuple[Mutation, str]] = {
    "geometry_circle": (_geometry({"type": "Circle", "coordinates": [10, 50], "radius": 5}), "geometry could not"),
    "geometry_topology": (_geometry({"type": "Topology", "objects": {}}), "geometry could not"),
    "geometry_collection_of_circles": (_geometry({"type": "GeometryCollection",
                                                  "geometries": [{"type": "Circle"}]}), "geometry could not"),
    "geometry_collection_not_a_list": (_geometry({"type": "GeometryCollection", "geometries": 5}),
                                       "geometry could not"),
    "geometry_a_number": (_geometry(5), "geometry was 5"),
    "count_2_63": (_asset(count=2**63), "count was 9223372036854775808"),
    "count_2_64_plus": (_asset(count=2**70), "expected to be a whole number from 0"),
    "count_negative": (_asset(count=-3), "count was -3"),
    "count_over_the_limit": (_asset(count=MAX_ASSET_COUNT + 1), f"{MAX_ASSET_COUNT:,}"),
    "count_a_float": (_asset(count=2.5), "count was 2.5"),
    "id_a_megabyte": (_props(id="x" * 1_000_000), f"at most {MAX_ID_CHARS}"),
    "id_with_unit_separator": (_props(id="ev-a\x1fev-b"), "U+001F"),
    "id_with_newline": (_props(id="ev-a\nb"), "U+000A"),
    "id_with_right_to_left_override": (_props(id="ev-\u202eabc"), "U+202E"),
    "asset_app6_a_number": (_asset(app6=5), "app6 was 5 but is expected to be text"),
    "asset_name_a_number": (_asset(name=52), "name was 52 but is expected to be text"),
    "asset_without_category": (lambda f: f["properties"]["assets"][0].pop("category"), "category None"),
    "asset_not_an_object": (_props(assets=["F-35"]), "asset 1 was 'F-35' but is expected to be an object"),
    "place_name_a_number": (_place(name=7), "name was 7 but is expected to be text"),
    "place_id_a_number": (_place(id=7, kind="country"), "id was 7 but is expected to be text"),
    "place_country_a_list": (_place(country=["DE"]), "country was a list"),
    "place_country_not_iso": (_place(country="Germany"), "country was 'Germany'"),
    "place_role_unknown": (_place(role="target"), "role was 'target'"),
    "actor_not_iso": (_props(actors=["XX"]), "actor 'XX' is not an ISO 3166-1 alpha-2"),
    "actors_number_and_null": (_props(actors=[5, None]), "actor 5 is not"),
    "partners_a_number": (_props(partners=5), "partners was 5"),
    "partner_not_iso": (_props(partners=["XX1"]), "partner 'XX1' is not an ISO 3166-1 alpha-2"),
    "assets_a_word": (_props(assets="troops"), "assets was 'troops' but is expected to be JSON"),
    "confidence_nan": (_props(confidence=float("nan")), "confidence was nan"),
    "confidence_infinite": (_props(confidence=float("inf")), "confidence was inf"),
    "confidence_text": (_props(confidence="high"), "confidence was 'high'"),
    "notes_nul": (_props(notes="a\x00b"), "NUL"),
    "notes_lone_surrogate": (_props(notes="a\ud800b"), "surrogate"),
    "notes_a_list": (_props(notes=["x"]), "notes was a list"),
    "headline_a_number": (lambda f: f["properties"]["source"].update(headline=2024), "headline was 2024"),
    "document_a_megabyte": (lambda f: f["properties"]["source"].update(document="d" * 1_000_000),
                            "source document is 1,000,000 characters long"),
    "source_start_negative": (lambda f: f["properties"]["source"].update(start=-1), "source start was -1"),
    "source_a_number": (_props(source=5), "source was 5"),
    "geo_precision_true": (_props(geo_precision=True), "geo_precision was True"),
    "edited_a_list": (_props(edited=[1]), "edited was a list"),
    "start_a_number": (_props(start=20240501), "start was 20240501"),
}


def _counts(store) -> tuple[int, int, int]:
    return store.count(), store.history_size(), len(store.posture("2024-05-01"))


@pytest.mark.parametrize("name", sorted(POISONED))
def test_poisoned_geojson_is_refused_with_its_problem_and_writes_nothing(store, tmp_path, name):
    mutate, words = POISONED[name]
    store.add_event(make_event("before"), editor="t")
    before = _counts(store)
    with pytest.raises(ImportProblems) as caught:
        import_file(store, _feature_file(tmp_path, name, mutate), editor="t")
    assert any(p.startswith("feature 1: ") and words in p for p in caught.value.problems), caught.value.problems
    assert all(len(p) < 400 for p in caught.value.problems)  # a megabyte id is not echoed back
    assert _counts(store) == before


def test_an_exercise_dated_at_the_end_of_the_calendar_is_active_to_its_last_day(store, tmp_path):
    """9999-12-26..31 with an exercise's week (or week precision) overflowed Python's dates."""
    for day in ("9999-12-26", "9999-12-28", "9999-12-31"):
        path = _feature_file(tmp_path, f"late{day}", _props(id=f"ev-late-{day}", kind="exercise", start=day,
                                                                  time_precision="week"))
        import_file(store, path, editor="t")
    assert [e.id for e in store.query(active_on="9999-12-31")] == [
        "ev-late-9999-12-26", "ev-late-9999-12-28", "ev-late-9999-12-31"]


def test_nesting_too_deep_for_the_json_parser_is_a_clear_error(store, tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    whole = tmp_path / "deep.geojson"
    whole.write_text(deep)
    good = json.dumps({"type": "FeatureCollection", "features": [make_event("d").to_feature()]})
    inside = tmp_path / "deep_property.geojson"
    inside.write_text(good.replace('"notes": ""', f'"notes": {deep}'))
    for path in (whole, inside):
        with pytest.raises(InputError, match="nested too deeply"):
            import_file(store, path, editor="t")
    # In a CSV cell and in KML's property object the same is one row's problem.
    rows = tmp_path / "deep.csv"
    export_events([make_event("d")], rows)
    table = list(csv.DictReader(rows.open(encoding="utf-8")))
    table[0]["assets"] = deep
    _write_rows(rows, table)
    with pytest.raises(ImportProblems, match="row 2: assets is JSON nested too deeply"):
        import_file(store, rows, editor="t")
    assert store.count() == 0


def _write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("wkt", ["CIRCULARSTRING (0 0, 1 1, 2 0)",
                                 "CURVEPOLYGON (CIRCULARSTRING (0 0, 4 0, 4 4, 0 4, 0 0))",
                                 "TIN (((0 0 0, 0 0 1, 0 1 0, 0 0 0)))", "POINT (1 2",
                                 "GEOMETRYCOLLECTION (CIRCLE (1 2))"])
def test_curved_and_unknown_wkt_in_csv_is_a_row_problem(store, tmp_path, wkt):
    path = export_events([make_event("c"), make_event("d")], tmp_path / "curved.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[1]["geometry"] = wkt
    _write_rows(path, rows)
    with pytest.raises(ImportProblems) as caught:
        import_file(store, path, editor="t")
    assert [p for p in caught.value.problems if p.startswith("row 3: geometry could not be read")]
    assert store.count() == 0


def test_csv_nan_and_geojson_nan_confidence_are_both_refused(tmp_path):
    path = export_events([make_event("n")], tmp_path / "nan.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["confidence"] = "nan"
    _write_rows(path, rows)
    with pytest.raises(ImportProblems, match="confidence was nan"):
        read_events(path)
    text = export_events([make_event("n")], tmp_path / "nan.geojson").read_text()
    (tmp_path / "nan.geojson").write_text(text.replace('"confidence": 0.6', '"confidence": NaN'))
    with pytest.raises(ImportProblems, match="confidence was nan"):  # it used to become 0.5
        read_events(tmp_path / "nan.geojson")


def test_a_geopackage_attribute_table_without_geometry_is_a_clear_error(store, tmp_path):
    path = tmp_path / "attributes.gpkg"
    export_events([make_event("g")], path)
    with sqlite3.connect(path) as db:  # turn the layer into a plain attribute table, as GDAL would write one
        db.execute("DELETE FROM gpkg_geometry_columns")
        db.execute("UPDATE gpkg_contents SET data_type = 'attributes'")
    with pytest.raises(InputError, match="has no geometry column"):
        import_file(store, path, editor="t")
    assert store.count() == 0


def test_an_empty_geopackage_confidence_takes_the_default(tmp_path):
    """GeoPackages are read through Arrow, where an empty cell is None (pandas made it NaN, which is
    now refused as a value): it still means "not given"."""
    path = export_events([make_event("g1"), make_event("g2")], tmp_path / "values.gpkg")
    with sqlite3.connect(path) as db:
        # GDAL's spatial index triggers call SpatiaLite functions plain sqlite3 lacks; the index is not read.
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')
        db.execute("UPDATE events SET confidence = NULL WHERE id = 'ev-g1'")
    first, second = read_events(path)
    assert (first.confidence, second.confidence) == (0.5, 0.6)


def test_geojson_numbers_too_long_to_read_are_a_clear_error(tmp_path):
    text = json.dumps({"type": "FeatureCollection", "features": [make_event("n").to_feature()]})
    path = tmp_path / "digits.geojson"
    path.write_text(text.replace('"count": 4', '"count": ' + "9" * 5000))
    with pytest.raises(InputError, match="not readable GeoJSON"):
        read_events(path)


def test_kml_with_a_broken_properties_object_is_a_placemark_problem(tmp_path):
    path = export_events([make_event("k")], tmp_path / "one.kml")
    text = path.read_text(encoding="utf-8")
    start = text.index('<Data name="fpm_properties">')
    end = text.index("</Data>", start)
    path.write_text(text[:start] + '<Data name="fpm_properties"><value>' + "[" * 50_000 + "</value>"
                    + text[end:], encoding="utf-8")
    with pytest.raises(ImportProblems, match=r"placemark 1 .*fpm_properties is JSON nested too deeply"):
        read_events(path)


# -- the same checks with and without the compiled build ------------------------------------------------
_READ_ALL = """
import json, sys
from pathlib import Path
from geo import native
from geo.errors import InputError
from geo.store.exchange import read_events

results = {}
for path in sorted(Path(sys.argv[1]).glob("*.geojson")):
    try:
        results[path.name] = ["imported", [e.to_feature() for e in read_events(path)]]
    except InputError as err:
        results[path.name] = [type(err).__name__, str(err)]
print(json.dumps({"compiled": native.compiled_modules_loaded(), "results": results}, sort_keys=True))
"""


def _read_all(folder: Path, pure_python: bool) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "FPM_PURE_PYTHON"}
    if pure_python:
        environment["FPM_PURE_PYTHON"] = "1"
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", _READ_ALL, str(folder)], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_types_are_checked_the_same_with_and_without_the_compiled_build(tmp_path):
    for name, (mutate, _words) in POISONED.items():
        if name not in ("id_a_megabyte", "document_a_megabyte"):  # the big ones add time, not coverage
            _feature_file(tmp_path, name, mutate)
    _feature_file(tmp_path, "fine", _props())
    plain = _read_all(tmp_path, pure_python=True)
    assert plain["compiled"] == []
    compiled = _read_all(tmp_path, pure_python=False)
    assert compiled["results"] == plain["results"]
    results = plain["results"]
    assert results.pop("fine.geojson")[0] == "imported"
    assert all(kind == "ImportProblems" for kind, _message in results.values()), results


def test_every_extracted_event_of_the_seeds_passes_the_checks(gazetteer):
    """The stricter checks must not refuse what the extractor produces (ISO codes, roles, types)."""
    from geo.extract.article import read_article
    from geo.extract.extractor import default_extractor

    extractor = default_extractor()
    events = [event for path in sorted((ROOT / "seeds").glob("*.txt"))
              for event in extractor.extract(read_article(path)).events]
    assert events and [check_event(e) for e in events] == [[] for _ in events]


def test_a_pure_python_event_with_wrong_types_cannot_be_added(store):
    """Built directly (plain Python takes any type), check_event still refuses it before it is stored."""
    from geo.events import Asset

    event = make_event("typed")
    try:
        event.assets = [Asset(name=52, family="F-35", category="fighter", count=4)]  # type: ignore[arg-type]
    except TypeError:
        pytest.skip("the compiled record refuses the wrong type itself")
    with pytest.raises(InputError, match="asset 1 name was 52 but is expected to be text"):
        store.add_event(event, editor="t")
    assert store.count() == 0


def test_geometry_with_z_or_m_values_is_stored_flat(tmp_path):
    feature_path = _feature_file(tmp_path, "z", _geometry({"type": "Point", "coordinates": [10.0, 50.0, 99.0]}))
    (event,) = read_events(feature_path)
    assert event.geometry.equals(shapely.Point(10, 50)) and not shapely.has_z(event.geometry)


@pytest.mark.parametrize("count", [2**63, 10**20, MAX_ASSET_COUNT + 1, -1])
def test_an_ingested_count_past_the_limit_is_refused_with_its_article(store, count):
    """Counts beyond the posture column reached the database from ingest (SQLite OverflowError,
    PostGIS NumericValueOutOfRange); now check_event names the asset and the limit first."""
    from geo.extract.article import Article

    article = Article("huge.txt", "Russia sent 99999999999999999999 troops to Belarus.")
    good, huge = make_event("fine", document="huge.txt"), make_event("huge", document="huge.txt", count=count)
    with pytest.raises(InputError, match=f"asset 1 \\('F-35'\\) count was .* from 0 to {MAX_ASSET_COUNT:,}"):
        store.ingest_article(article, [good, huge])
    assert (store.count(), store.articles(), store.history_size()) == (0, [], 0)


def test_kml_with_a_broken_coordinate_is_refused_not_imported_without_its_shape(tmp_path, capfd):
    """fastkml only logs coordinates it cannot read and drops the geometry; the import said
    "imported" with the shape changed, and printed the whole element to stderr."""
    path = tmp_path / "events.kml"
    export_events([make_event("kml"), make_event("kml2", lon=11.0)], path, "kml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<coordinates>10.0", "<coordinates>10.0X", 1), encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        read_events(path)
    assert "could not convert string to float: '10.0X" in str(caught.value)
    assert "Invalid coordinates" not in capfd.readouterr().err
