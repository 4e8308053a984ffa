"""The offline geocoder: geopy compatibility, ranking in context, the seeds' toponyms, bad queries."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from typing import ClassVar

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.errors import InputError
from geo.gazetteer.spatial import distance_to_shape_km
from geo.geocode.geocoder import FallbackGeocoder, OfflineGazetteer
from tests.conftest import SEEDS


def test_is_a_geopy_geocoder_returning_locations(geocoder):
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Sea of Japan")
    assert isinstance(location, Location)
    assert location.raw["kind"] == "sea"
    assert location.raw["id"] == "sea:sea-of-japan"
    # geopy's (lat, lon) order outside, shapely's (lon, lat) in the shape: both agree.
    assert location.raw["shape"].buffer(0.2).contains(
        __import__("shapely").Point(location.longitude, location.latitude)
    )
    address, (lat, lon) = location
    assert address == "Sea of Japan" and 33 < lat < 52 and 127 < lon < 143


def test_exactly_one_false_returns_ranked_list(geocoder):
    found = geocoder.geocode("Georgia", exactly_one=False)
    kinds = [loc.raw["kind"] for loc in found]
    assert kinds[0] == "country"
    assert "region" in kinds  # the US state is a candidate too
    scores = [loc.raw["score"] for loc in found]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected_id"),
    [
        ("UK", "country:GB"),
        ("U.K.", "country:GB"),
        ("Britain", "country:GB"),
        ("East Sea", "sea:sea-of-japan"),
        ("Baltics", "region:baltic-states"),
        ("the Baltic States", "region:baltic-states"),
        ("Naval Station Rota", "installation:naval-station-rota"),
    ],
)
def test_aliases_resolve(geocoder, query, expected_id):
    assert geocoder.geocode(query).raw["id"] == expected_id


def test_rota_beside_spain_and_destroyers_is_the_naval_station(geocoder):
    text = ("Washington would collaborate with Spain to increase the number of US destroyers "
            "stationed in Rota, Spain from four to six.")
    best = geocoder.geocode("Rota", context=text)
    assert best.raw["kind"] == "installation" and best.raw["country"] == "ES"
    pacific = geocoder.geocode("Rota", context="Tourists flew from Saipan to Rota in the Northern Mariana Islands.")
    assert pacific.raw["country"] == "MP"


def test_georgia_is_the_state_beside_a_us_fort_and_the_country_beside_tbilisi(geocoder):
    state = geocoder.geocode("Georgia", context="Soldiers of the 3rd Infantry Division left Fort Stewart, Georgia.")
    assert (state.raw["kind"], state.raw["country"]) == ("region", "US")
    country = geocoder.geocode("Georgia", context="The government of Georgia in Tbilisi condemned the move.")
    assert (country.raw["kind"], country.raw["country"]) == ("country", "GE")


def test_country_bias(geocoder):
    assert geocoder.geocode("Victoria", country_bias="SC").raw["country"] == "SC"
    assert geocoder.geocode("Victoria", country_bias="MT").raw["country"] == "MT"


def test_kinds_filter(geocoder):
    assert geocoder.geocode("Rota", kinds=["city"]).raw["kind"] == "city"
    assert geocoder.geocode("Sea of Japan", kinds=["city"]) is None


def test_every_seed_toponym_resolves_correctly_in_context(geocoder, seeds_gold):
    """Acceptance: each gold toponym, found in its article, resolves within 161 km with the right kind."""
    for name, gold in seeds_gold.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        resolved = geocoder.resolve_hits(text, geocoder.finder.find(text))
        by_text: dict[str, list] = {}
        for item in resolved:
            by_text.setdefault(item.hit.text.lower(), []).append(item)
        for toponym in gold["toponyms"]:
            matches = by_text.get(toponym["text"].lower())
            assert matches, f"{name}: {toponym['text']!r} was not found in the text"
            place = matches.pop(0).place if len(matches) > 1 else matches[0].place
            distance = distance_to_shape_km(place.geometry, toponym["lat"], toponym["lon"])
            assert distance <= 161, f"{name}: {toponym['text']!r} -> {place.id} is {distance:.0f} km off"
            assert place.kind == toponym["kind"], f"{name}: {toponym['text']!r} -> {place.id} ({place.kind})"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("x" * 10_000, "10000 characters"),
        ("Sea\x00of\x01Japan", "binary"),
        (b"\x89PNG\r\n", "bytes"),
        (42, "string"),
    ],
)
def test_bad_queries_get_a_clear_error_fast(geocoder, query, message):
    started = time.perf_counter()
    with pytest.raises(InputError, match=message):
        geocoder.geocode(query)
    assert time.perf_counter() - started < 0.5


def test_unknown_names_return_none(geocoder):
    assert geocoder.geocode("Xyzzy Plugh Nowhere") is None
    assert geocoder.geocode("Qwertyuiopasdfgh" * 10) is None


def test_geopy_tools_accept_it(gazetteer):
    import geopandas.tools

    limited = RateLimiter(OfflineGazetteer(gazetteer).geocode, min_delay_seconds=0)
    assert limited("Baltic Sea").raw["kind"] == "sea"
    frame = geopandas.tools.geocode(["Sea of Japan", "Naval Station Rota"], provider=OfflineGazetteer)
    assert frame.crs.to_epsg() == 4326
    rota = frame.geometry.iloc[1]
    assert abs(rota.x - -6.35) < 0.1 and abs(rota.y - 36.64) < 0.1  # (lon, lat) in the GeoDataFrame


def test_offline_geocoder_cannot_reach_the_network(geocoder):
    from geopy.exc import GeocoderServiceError

    with pytest.raises(GeocoderServiceError, match="does not use the network"):
        geocoder.adapter.get_json("https://example.org/", timeout=1, headers={})


class _FakeNominatim(http.server.BaseHTTPRequestHandler):
    """A real HTTP server on loopback speaking Nominatim's /search JSON, counting requests."""

    requests: ClassVar[list[str]] = []

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("q", [""])[0]
        type(self).requests.append(query)
        body = []
        if query == "Camp Nowhere Special":
            body = [{"lat": "10.5", "lon": "20.25", "display_name": "Camp Nowhere Special, Testland",
                     "place_id": 1, "boundingbox": ["10", "11", "20", "21"]}]
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_online_fallback_is_opt_in_rate_limited_and_cached(geocoder, tmp_path):
    from geopy.geocoders import Nominatim

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        online = Nominatim(user_agent="fpm-test", domain=f"127.0.0.1:{server.server_port}", scheme="http")
        fallback = FallbackGeocoder(geocoder, online, cache_path=tmp_path / "cache.json", min_delay_seconds=0)
        assert fallback.geocode("Sea of Japan").raw["kind"] == "sea"  # known offline: no request
        assert _FakeNominatim.requests == []
        found = fallback.geocode("Camp Nowhere Special")
        assert (found.latitude, found.longitude) == (10.5, 20.25)
        assert fallback.geocode("Camp Nowhere Special").longitude == 20.25
        assert _FakeNominatim.requests == ["Camp Nowhere Special"]  # the second answer came from disk
        reopened = FallbackGeocoder(geocoder, online, cache_path=tmp_path / "cache.json", min_delay_seconds=0)
        assert reopened.geocode("Camp Nowhere Special").latitude == 10.5
        assert len(_FakeNominatim.requests) == 1
    finally:
        server.shutdown()


# -- adjectives and short forms (data/actors.csv demonyms, data/place_adjectives.csv) ----------------
@pytest.mark.parametrize(("name", "place_id"), [
    ("Russian", "country:RU"),          # a nationality adjective from data/actors.csv
    ("Canadian", "country:CA"),         # not Canadian, Texas
    ("Tunisian", "country:TN"),         # from data/place_adjectives.csv
    ("European", "region:europe"),
    ("EU", "region:european-union"),    # not Eu, a town in Normandy
    ("Korean", "region:korean-peninsula"),
])
def test_an_adjective_names_its_country_or_region(geocoder, name, place_id):
    assert geocoder.geocode(name).raw["id"] == place_id


def test_an_adjective_keeps_its_country_in_a_text_about_its_namesake(geocoder):
    text = "Canadian officials met in Amarillo, Texas, on Monday to discuss the pipeline."
    location = geocoder.geocode("Canadian", context=text)
    assert location.raw["id"] == "country:CA"


def test_adjective_table_skips_unknown_places_and_shared_demonyms(tmp_path, geocoder):
    from geo.geocode import load_adjectives

    actors = tmp_path / "actors.csv"
    actors.write_text("alias,countries,kind,source\nAllied,US GB,demonym,t\nRuritanian,QQ,demonym,t\n"
                      "Navy,US,service,t\nFrench,FR,demonym,t\n", encoding="utf-8")
    adjectives = tmp_path / "adjectives.csv"
    adjectives.write_text("adjective,place,source\nAtlantean,region:atlantis,t\nGallic,country:FR,t\n",
                          encoding="utf-8")
    table = load_adjectives(geocoder.gazetteer, actors, adjectives)
    assert table == {"french": ("country:FR",), "gallic": ("country:FR",)}


# -- administrative divisions (geo/gazetteer/admin.py) -------------------------------------------
def test_a_state_of_any_country_resolves_to_its_shape(geocoder):
    location = geocoder.geocode("Tamil Nadu")
    assert location.raw["kind"] == "region" and location.raw["country"] == "IN"
    shape = location.raw["shape"]
    assert shape.geom_type in ("Polygon", "MultiPolygon")
    assert shape.covers(__import__("shapely").Point(80.27, 13.08))  # Chennai, its capital
    assert not shape.covers(__import__("shapely").Point(77.59, 12.97))  # Bengaluru, in Karnataka


def test_a_county_is_told_apart_by_its_state_in_the_text(geocoder):
    text = "Wildfires spread across Orange County, California, on Monday."
    location = geocoder.geocode("Orange County", context=text)
    assert location.raw["country"] == "US" and 33 < location.latitude < 34.2 and -118.2 < location.longitude < -117.4


def test_a_city_named_again_is_not_lifted_away_by_its_own_first_mention(geocoder):
    # Tallinn the city anchors the text; its namesake district must not win the later mentions.
    text = "Ships docked in Tallinn on Monday. In Tallinn, the crews met Estonian officers."
    resolved = geocoder.resolve_hits(text, geocoder.finder.find(text))
    assert [r.place.id for r in resolved if r.hit.text == "Tallinn"] == ["city:588409"] * 2


# -- phrases that name a place inside them, short forms ---------------------------------------------
@pytest.mark.parametrize(("phrase", "place_id"), [
    ("Colorado State University", "region:colorado"),
    ("University of California", "region:california"),
    ("Calif.", "region:california"),      # AP style, from data/place_adjectives.csv
    ("N.M.", "region:new-mexico"),
    ("White House", "city:4140963"),      # a seat of power names its city (not Casablanca, "Dar el Beida")
    ("Soviet Union", "country:RU"),       # not Union, New Jersey: "Union" alone is a stop-listed word
])
def test_a_phrase_resolves_to_the_place_named_in_it(geocoder, phrase, place_id):
    location = geocoder.geocode(phrase)
    assert location.raw["id"] == place_id


def test_a_place_named_inside_is_weaker_than_the_place_itself(geocoder):
    inside = geocoder.geocode("Colorado State University").raw["score"]
    assert inside < geocoder.geocode("Colorado").raw["score"]


def test_a_street_is_not_put_in_a_village_of_its_name(geocoder):
    # "Royal" is a village in Iowa (population under 1,000): too small to name a street after.
    assert geocoder.geocode("Royal Street") is None


def test_names_found_in_text_are_read_as_names_not_as_phrases(geocoder):
    # The extractor's path: a found name never falls back to a place inside it or to an adjective.
    assert geocoder.rank("Colorado State University", as_phrase=False) == []
    assert geocoder.rank("Tunisian", as_phrase=False) == []


def test_a_hamlet_that_is_a_given_name_steers_no_other_name(geocoder):
    from geo.geocode import PlaceContext

    # "Nigel" and "Christopher" are hamlets of a few hundred people (South Africa, Illinois): found
    # as names, they must not become evidence about where the text is.
    text = "Nigel and Christopher flew in on Monday. They met at Birmingham before the game."
    context = PlaceContext.from_text(text, geocoder.ranker)
    assert all(a.place.population >= 10_000 or a.place.kind != "city" for a in context.anchors)
    assert geocoder.geocode("Birmingham", context=context).raw["country"] == "GB"


def test_a_general_reading_finds_adjectives_and_leaves_out_unsupported_hamlets():
    from geo.geocode import resolve_names

    text = ("Russian and South Korean officials met EU envoys in Paris. Mexicans joined them. "
            "David said Police would attend.")
    found = {(r.hit.text, r.place.id) for r in resolve_names(text)}
    assert {("Russian", "country:RU"), ("South Korean", "country:KR"), ("EU", "region:european-union"),
            ("Paris", "city:2988507"), ("Mexicans", "country:MX")} <= found
    # "David" and "Police" are hamlets somewhere; nothing in the text bears them out.
    assert not {name for name, _ in found} & {"David", "Police", "Korean"}


def test_nearness_tells_namesakes_of_one_country_apart(geocoder):
    # Dublin, Ohio and Dublin, California are both American: Columbus, 25 km away, settles it.
    text = "The company moved from Columbus, Ohio to Dublin last year."
    location = geocoder.geocode("Dublin", context=text)
    assert location.raw["country"] == "US"
    assert abs(location.latitude - 40.1) < 0.3 and abs(location.longitude + 83.1) < 0.3
    assert geocoder.geocode("Dublin").raw["country"] == "IE"


def test_an_unknown_local_name_is_guessed_in_the_town_the_text_names_nearest_it(geocoder):
    text = ("NEW ORLEANS - Crowds gathered on Royal Street and in Faubourg Tremé on Tuesday. Police "
            "closed the square until the evening.")
    for name in ("Royal Street", "Faubourg Tremé"):  # a street; a neighbourhood the gazetteer lacks
        location = geocoder.geocode(name, context=text)
        # a guess, scored below any gazetteer reading (a hamlet's is 0.3)
        assert location.raw["name"] == "New Orleans" and location.raw["score"] < 0.3 and location.raw["guessed"]
    assert not geocoder.geocode("New Orleans", context=text).raw["guessed"]
    assert geocoder.geocode("Royal Street") is None  # without a text there is no town to say
    assert geocoder.geocode("the square", context=text) is None  # not a name


def test_a_place_heading_a_feature_name_is_read_as_the_whole_name():
    from geo.geocode import resolve_names

    text = ("Flood water reached Mississippi River towns. Students of Colorado State University and "
            "nurses of Colchester General Hospital helped. The shop stands on Hampton Avenue in Nashville.")
    found = {r.hit.text: r.place.id for r in resolve_names(text)}
    assert found["Mississippi River"].startswith("region:")
    assert "Colorado State University" in found and "Colorado" not in found
    assert "Colchester General Hospital" in found and "Hampton Avenue" in found
    assert "Nashville" in found  # a name that heads nothing stays as it is


def test_a_town_named_like_a_person_beside_a_name_is_the_person():
    from geo.geocode import resolve_names

    def places(text: str) -> list[tuple[str, int]]:
        return [(r.hit.text, r.hit.start) for r in resolve_names(text)]

    # Barry is a Welsh town of 50,000 beside Cardiff: found when the text names it alone ...
    assert ("Barry", 56) in places("Police in Cardiff and Penarth said the driver came from Barry.")
    # ... and a man when it stands before a surname, each time he is named after that, but not
    # where the text says the town ("from Barry").
    text = ("Police in Cardiff and Penarth said Barry Smith, 41, had driven from Barry. "
            "Barry told officers he was sorry.")
    found = places(text)
    assert ("Cardiff", 10) in found and ("Barry", text.index("from Barry") + 5) in found
    assert [name for name, _ in found].count("Barry") == 1
    assert places("Later Gino D. Barry spoke in Cardiff and Penarth.") == [("Cardiff", 29), ("Penarth", 41)]
    # Big cities before their institutions' names and datelines in capitals are places.
    found = places("TORONTO - The Toronto Police Department and Beverly Hills Police were told.")
    assert [name for name, _ in found] == ["TORONTO", "Toronto", "Beverly Hills"]


@pytest.mark.parametrize(("name", "text", "country", "lat", "lon"), [
    # A state named beside its city, or the city beside its state, settles the namesakes.
    ("Springfield", "The Illinois legislature met in Springfield on Tuesday.", "US", 39.8, -89.6),
    ("Springfield", "Missouri officials in Springfield and Joplin reported storm damage.", "US", 37.2, -93.3),
    ("Portland", "Maine's largest city, Portland, saw heavy snow.", "US", 43.7, -70.3),
    ("Georgia", "Gov. Brian Kemp said Georgia will expand voting sites in Atlanta and Savannah.", "US", 32.6, -83.4),
    # ... and the country stays the country where the text says so.
    ("Georgia", "Russian troops crossed into Georgia near Tbilisi in 2008.", "GE", 41.9, 43.7),
    ("Georgia", "A brigade from Fort Stewart, Georgia, moved to Germany. Far to the south, Georgia, the "
                "former Soviet republic, has been watching nervously.", "GE", 41.9, 43.7),
])
def test_states_and_their_towns_tell_namesakes_apart(geocoder, name, text, country, lat, lon):
    from geo.geocode.ranking import PlaceContext

    start = text.rindex(name)
    ranked = geocoder.rank(name, context=PlaceContext.from_text(text, geocoder.ranker), span=(start, start + len(name)))
    place = ranked[0][1]
    assert place.country == country and abs(place.lat - lat) < 1.0 and abs(place.lon - lon) < 1.0
