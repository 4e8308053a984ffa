"""When events are active, and posture sums, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from geo.errors import InputError
from geo.store.posture import ACTIVE_DAYS, OPEN_END, active_span, is_active, posture_items, sum_posture
from tests.store_helpers import make_event

pytest_plugins = ["tests.store_backends"]

D = dt.date


@pytest.mark.parametrize(("kind", "start", "end", "precision", "expected"), [
    ("deployment", "2024-05-01", None, "day", (D(2024, 5, 1), OPEN_END)),
    ("basing", "2024-05-01", None, "month", (D(2024, 5, 1), OPEN_END)),
    ("deployment", "2024-05-01", "2024-06-30", "day", (D(2024, 5, 1), D(2024, 6, 30))),
    ("patrol", "2024-05-01", None, "day", (D(2024, 5, 1), D(2024, 5, 1))),
    ("patrol", "2025-03-01", None, "month", (D(2025, 3, 1), D(2025, 3, 31))),
    ("patrol", "2024-02-01", None, "month", (D(2024, 2, 1), D(2024, 2, 29))),
    ("patrol", "2025-12-08", None, "week", (D(2025, 12, 8), D(2025, 12, 14))),
    ("exercise", "2024-05-01", None, "day", (D(2024, 5, 1), D(2024, 5, 7))),
    ("exercise", "2024-01-01", None, "year", (D(2024, 1, 1), D(2024, 12, 31))),
    ("patrol", "2024-05-03", "2024-05-01", "day", (D(2024, 5, 3), D(2024, 5, 3))),  # a reversed end is no span
    ("patrol", None, None, "day", None),
])
def test_active_span(kind, start, end, precision, expected):
    assert active_span(kind, start, end, precision) == expected


def test_active_days_cover_every_kind_and_bad_dates_are_clear():
    from geo.events import EVENT_KINDS

    assert set(ACTIVE_DAYS) == set(EVENT_KINDS)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        active_span("patrol", "2024-5-1", None)
    with pytest.raises(InputError, match="end"):
        active_span("patrol", "2024-05-01", "soon")
    event = make_event("p", kind="patrol", start="2024-05-01")
    assert is_active(event, D(2024, 5, 1)) and not is_active(event, D(2024, 5, 2))


def test_sum_posture_per_site_and_country():
    events = [
        make_event("a", site="installation:fairford", country="GB", category="bomber", family="B-52", count=4),
        make_event("b", site="installation:fairford", country="GB", category="bomber", family="B-52", count=2),
        make_event("c", site="installation:fairford", country="GB", category="bomber", family="B-52", count=None),
        make_event("d", site="installation:lakenheath", country="GB", category="fighter", family="F-35", count=12),
        make_event("e", site="sea:baltic", country=None, category="bomber", family="B-52", count=2,
                   geometry=shapely.box(13, 53, 30, 66)),
    ]
    rows = sum_posture(item for e in events for item in posture_items(e))
    sites = {(r.key, r.family): r for r in rows if r.level == "site"}
    countries = {(r.key, r.family): r for r in rows if r.level == "country"}
    fairford = sites[("installation:fairford", "B-52")]
    assert (fairford.count, fairford.uncounted, fairford.events) == (6, 1, 3)
    assert fairford.event_ids == ["ev-a", "ev-b", "ev-c"] and fairford.lon == 10.0 and fairford.lat == 50.0
    assert countries[("GB", "B-52")].count == 6 and countries[("GB", "F-35")].count == 12
    assert countries[("GB", "B-52")].name == "United Kingdom"
    at_sea = countries[("", "B-52")]
    assert at_sea.count == 2 and at_sea.country is None and "sea" in at_sea.name
    baltic = sites[("sea:baltic", "B-52")]
    assert shapely.box(13, 53, 30, 66).contains(shapely.Point(baltic.lon, baltic.lat))
    assert [r.level for r in rows] == sorted([r.level for r in rows], key=["site", "country"].index)


def test_posture_on_the_store(store):
    store.import_events([
        make_event("f1", kind="deployment", site="installation:fairford", country="GB", category="bomber",
                   family="B-52", count=4, start="2025-02-10", end="2025-03-20"),
        make_event("f2", kind="deployment", site="installation:fairford", country="GB", category="bomber",
                   family="B-52", count=2, start="2025-03-01"),
        make_event("l1", kind="basing", site="installation:lakenheath", country="GB", category="fighter",
                   family="F-35", count=24, start="2015-01-01"),
        make_event("p1", kind="patrol", site="sea:baltic", country=None, category="bomber", family="B-52",
                   count=2, start="2025-03-04", lon=20, lat=56, actors=["US"]),
        make_event("r1", kind="patrol", site="sea:baltic", country=None, category="bomber", family="Tu-22M",
                   count=2, start="2025-03-04", lon=20, lat=56, actors=["RU"]),
    ], editor="test")
    rows = store.posture("2025-03-04")
    by = {(r.level, r.key, r.actor, r.family): r for r in rows}
    assert by[("site", "installation:fairford", "US", "B-52")].count == 6
    assert by[("country", "GB", "US", "B-52")].count == 6
    assert by[("country", "GB", "US", "F-35")].count == 24
    assert by[("site", "sea:baltic", "RU", "Tu-22M")].count == 2
    later = {(r.level, r.key, r.family): r.count for r in store.posture(D(2025, 3, 21))}
    assert later[("site", "installation:fairford", "B-52")] == 2 and ("site", "sea:baltic", "B-52") not in later
    fighters = store.posture("2025-03-04", categories="fighter")
    assert {r.family for r in fighters} == {"F-35"}
    russia = store.posture("2025-03-04", actors="RU")
    assert {r.actor for r in russia} == {"RU"}
    in_box = store.posture("2025-03-04", bbox=(15, 50, 30, 60))
    assert {r.key for r in in_box if r.level == "site"} == {"sea:baltic"}
    in_sea = store.posture("2025-03-04", intersects=shapely.box(13, 53, 30, 66))
    assert {r.family for r in in_sea} == {"B-52", "Tu-22M"}
    assert store.posture("2014-01-01") == []
    with pytest.raises(InputError):
        store.posture("")


def test_store_posture_equals_the_reference_sum(store):
    """The database's grouping gives exactly what geo.store.posture.sum_posture gives in Python."""
    import random

    rng = random.Random(3)
    events = []
    for number in range(300):
        kind = rng.choice(["deployment", "basing", "patrol", "exercise"])
        site = rng.randrange(12)  # a site is in one country (or none, at sea)
        events.append(make_event(
            f"r{number}", kind=kind, site=f"installation:s{site}", country=["GB", "DE", None][site % 3],
            actors=[rng.choice(["US", "GB", "RU"])], category=rng.choice(["bomber", "fighter"]),
            family=rng.choice(["B-52", "F-35", "Tu-95"]), count=rng.choice([None, 1, 3]),
            start=f"2024-0{rng.randint(1, 6)}-1{rng.randint(0, 9)}", lon=rng.uniform(-10, 30), lat=rng.uniform(40, 60)))
    store.import_events(events, editor="test")
    for day in ("2024-03-15", "2024-06-30"):
        active = store.query(active_on=day)
        expected = sum_posture(item for e in active for item in posture_items(e))
        got = store.posture(day)
        assert [(r.level, r.key, r.actor, r.category, r.family, r.count, r.uncounted, r.events, sorted(r.event_ids))
                for r in got] == [(r.level, r.key, r.actor, r.category, r.family, r.count, r.uncounted, r.events,
                                   sorted(r.event_ids)) for r in expected]
        assert [r.name for r in got] == [r.name for r in expected]
