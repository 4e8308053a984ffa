"""Physical features (`data/physical_features.csv`): rivers, lakes, ranges, deserts... as a point
plus an extent, checked on the real built gazetteer and on the curated file itself."""

from __future__ import annotations

import csv

import pytest

from geo.errors import DataBuildError
from geo.gazetteer import haversine_km
from geo.gazetteer.build import _point_region_rows
from geo.gazetteer.load import DATA_DIR

PATH = DATA_DIR / "physical_features.csv"
SUBKINDS = {"river", "lake", "reservoir", "estuary", "delta", "wetland", "forest", "mountain range", "mountain",
            "desert", "plateau", "plain", "basin", "valley", "pass", "glacier", "peninsula", "natural region"}


def _rows() -> list[dict[str, str]]:
    with PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# A name, the subkind it resolves to, a published point of the feature (a point on a river, a
# lake's or a range's centre or highest peak) and how far from it the gazetteer's point may be.
FEATURES = [
    ("Euphrates", "river", 35.3, 40.1, 400),  # at Deir ez-Zor
    ("Yalu River", "river", 40.1, 124.4, 200),  # at Dandong and Sinuiju
    ("Rhine", "river", 50.36, 7.6, 400),  # at Koblenz
    ("Cauvery", "river", 10.8, 78.7, 300),  # at Tiruchirappalli
    ("Kaveri", "river", 10.8, 78.7, 300),
    ("Dnipro River", "river", 49.1, 33.4, 600),  # the river, not the city of Dnipro
    ("Lake Baikal", "lake", 53.5, 108.0, 100),
    ("Caspian Sea", "lake", 42.0, 50.5, 200),
    ("Himalayas", "mountain range", 27.99, 86.93, 800),  # Everest
    ("Alps", "mountain range", 45.83, 6.86, 400),  # Mont Blanc
    ("Appalachians", "mountain range", 35.76, -82.27, 100),  # Mount Mitchell
    ("Rocky Mountains", "mountain range", 39.12, -106.45, 100),  # Mount Elbert
    ("Sahara", "desert", 23.0, 13.0, 300),
    ("Gobi Desert", "desert", 42.6, 103.4, 300),
    ("Tibetan Plateau", "plateau", 33.0, 88.0, 300),
    ("Niger Delta", "delta", 5.0, 6.25, 150),
    ("Galwan Valley", "valley", 34.75, 78.2, 50),
]


@pytest.mark.parametrize(("name", "subkind", "lat", "lon", "km"), FEATURES)
def test_features_resolve_to_their_kind_near_their_published_point(geocoder, name, subkind, lat, lon, km):
    location = geocoder.geocode(name)
    assert location is not None, name
    place = location.raw["place"]
    assert (place.kind, place.subkind) == ("region", subkind), (name, place.id)
    assert haversine_km(place.lat, place.lon, lat, lon) <= km, (name, place.id, place.lat, place.lon)


@pytest.mark.parametrize(("name", "kind", "country"), [
    ("Jordan", "country", "JO"),
    ("Niger", "country", "NE"),
    ("Chad", "country", "TD"),
    ("Georgia", "country", "GE"),
    ("Colorado", "region", "US"),
    ("Mississippi", "region", "US"),
    ("Missouri", "region", "US"),
    ("Helmand", "region", "AF"),  # the province, not the Helmand River
    ("Dnipro", "city", "UA"),  # the city, not the Dnieper
])
def test_a_river_named_like_a_country_state_or_city_is_only_the_river_form(geocoder, name, kind, country):
    place = geocoder.geocode(name).raw["place"]
    assert (place.kind, place.country) == (kind, country), (name, place.id)
    assert place.id not in {row["id"] for row in _rows()}, name


@pytest.mark.parametrize(("name", "place_id"), [
    ("Don River", "region:don-river"), ("River Don", "region:don-river"),
    ("Jordan River", "region:jordan-river"), ("Niger River", "region:niger-river"),
    ("Congo River", "region:congo-river"), ("Amazon River", "region:amazon-river"),
    ("Mississippi River", "region:mississippi-river"), ("Colorado River", "region:colorado-river"),
    ("Missouri River", "region:missouri-river"), ("Orange River", "region:orange-river"),
])
def test_the_river_form_names_the_river(geocoder, name, place_id):
    assert geocoder.geocode(name).raw["place"].id == place_id


def test_no_bare_word_that_names_a_country_state_or_common_thing():
    bare = {"jordan", "niger", "congo", "colorado", "mississippi", "missouri", "amazon", "don", "orange", "snake",
            "red", "ob", "volta", "chad", "bug", "po", "lena", "amur", "helmand", "dnipro", "narva", "atlas", "k2"}
    for row in _rows():
        names = {row["name"], *row["aliases"].split("|")}
        assert not {n.strip().lower() for n in names} & bare, row["id"]


def test_every_row_is_well_formed_and_its_point_lies_in_its_extent():
    rows = _rows()
    assert 150 <= len(rows) <= 320
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["id"].startswith("region:") and row["name"] and row["source"], row["id"]
        assert row["subkind"] in SUBKINDS, row["id"]
        lat, lon = float(row["lat"]), float(row["lon"])
        west, south, east, north = (float(row[c]) for c in ("west", "south", "east", "north"))
        assert south <= lat <= north, row["id"]
        assert (west <= lon <= east) if west <= east else (lon >= west or lon <= east), row["id"]
        assert 0 < float(row["importance"]) <= 0.65, row["id"]  # below every country (0.7 and up)


def test_built_features_keep_their_point_and_extent(gazetteer):
    for row in _rows():
        place = gazetteer[row["id"]]
        assert (place.kind, place.subkind) == ("region", row["subkind"]), row["id"]
        assert (place.lat, place.lon) == (float(row["lat"]), float(row["lon"])), row["id"]
        west, south, east, north = place.bbox
        assert south <= place.lat <= north and west <= place.lon <= east, row["id"]


def test_a_point_outside_its_extent_stops_the_build(tmp_path):
    (tmp_path / "physical_features.csv").write_text(
        "id,name,aliases,country,subkind,lat,lon,west,south,east,north,importance,source\n"
        "region:ok,Ok River,,,river,10,10,9,9,11,11,0.3,test\n"
        "region:astray,Astray River,,,river,10,20,9,9,11,11,0.3,test\n",
        encoding="utf-8",
    )
    with pytest.raises(DataBuildError, match=r"physical_features.csv line 3 \(region:astray\).*outside its extent"):
        _point_region_rows(tmp_path, set(), "physical_features.csv")
