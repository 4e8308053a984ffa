"""Administrative divisions (geo/gazetteer/admin.py): shapes from places, names kept or left out."""

from __future__ import annotations

import shapely
from shapely.geometry import Point, box

from geo.gazetteer import admin


def _place(lon: float, lat: float, state: str, county: str = "", people: int = 5000) -> dict[str, object]:
    row: dict[str, object] = {"country_code": "QQ", "city": "x", "longitude": lon, "latitude": lat,
                              "population": people, "state": state}
    if county:
        row["county"] = county
    return row


# An invented square country: three towns in its west half, two in its east half.
COUNTRY = box(0, 0, 10, 10)
PLACES = [
    _place(1, 2, "Westmark", "Alder County", 20_000), _place(2, 8, "Westmark", "Alder County"),
    _place(3, 5, "Westmark", "Birch County"),
    _place(7, 3, "Eastholm", people=100_000), _place(9, 7, "Eastholm"),
    {**_place(20, 20, "Elsewhere"), "country_code": "ZZ"},  # a country not asked for: not read
]


def test_first_level_divisions_tile_their_country():
    found = admin.divisions({"QQ": COUNTRY}, places=PLACES)
    first = {d.name: d for d in found if d.level == 1}
    assert set(first) == {"Westmark", "Eastholm"}
    west, east = first["Westmark"].geometry, first["Eastholm"].geometry
    assert west.covers(Point(1, 2)) and east.covers(Point(9, 7))
    # Neighbours share an edge and together cover the country: no gap, no overlap.
    assert shapely.union_all([west, east]).symmetric_difference(COUNTRY).area < 1e-6
    assert west.intersection(east).area < 1e-9
    assert west.covers(Point(first["Westmark"].lon, first["Westmark"].lat))
    assert first["Eastholm"].population == 105_000 and first["Eastholm"].places == 2


def test_second_level_divisions_are_points_among_their_places():
    found = admin.divisions({"QQ": COUNTRY}, places=PLACES)
    alder = next(d for d in found if d.name == "Alder County")
    assert alder.level == 2 and alder.parent == "Westmark" and alder.geometry.geom_type == "Point"
    assert (alder.lon, alder.lat) == (1.5, 5.0) and alder.bbox == (1.0, 2.0, 2.0, 8.0)
    assert alder.aliases == []  # a county keeps its word: "Orange" alone is not Orange County


def test_generic_and_stop_listed_names_name_no_division():
    places = [_place(1, 1, "Central"), _place(2, 2, "North-Western"), _place(8, 8, "Capital Region"),
              _place(9, 9, "Base")]
    found = admin.divisions({"QQ": COUNTRY}, stop_keys=frozenset({"base"}), places=places)
    assert found == []


def test_a_city_state_has_no_divisions():
    assert admin.divisions({"QQ": COUNTRY}, places=[_place(1, 1, "Only"), _place(2, 2, "Only")]) == []


def test_more_people_give_more_importance_and_states_outrank_counties():
    state = admin.Division("A", "QQ", 1, "", population=10_000_000)
    small_state = admin.Division("B", "QQ", 1, "", population=10_000)
    county = admin.Division("C", "QQ", 2, "A", population=10_000_000)
    assert admin.importance(state) > admin.importance(small_state) > 0
    assert admin.importance(state) > admin.importance(county)
