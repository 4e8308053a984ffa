"""Events built from real gazetteer places, shared by the map tests and the benchmark.

Each sample mirrors a kind of report the seeds contain: bombers deployed to a base, a bomber
patrol over a sea, a land exercise in a country, a route flown between two seas.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
from shapely.geometry import LineString, Point

from geo.events import Asset, Event, EventPlace, EventSource
from geo.export.browser import CHROMIUM, CHROMIUM_ARGS, route_locally
from geo.gazetteer.load import Gazetteer

XSS = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>'


def _place(gaz: Gazetteer, place_id: str, role: str = "location") -> EventPlace:
    p = gaz[place_id]
    return EventPlace(id=p.id, name=p.name, kind=p.kind, role=role, country=p.country)


def make_event(
    gaz: Gazetteer, n: int, kind: str, actors: list[str], place_ids: list[str], assets: list[Asset], *,
    start: str, end: str | None = None, precision: str = "day", sentence: str = "", geometry=None,
) -> Event:
    places = [_place(gaz, pid) for pid in place_ids]
    if geometry is None:
        first = gaz[place_ids[0]]
        geometry = Point(first.lon, first.lat) if first.kind in ("installation", "city") else first.geometry
    return Event(
        id=f"ev-test-{n:04d}", kind=kind, actors=actors, assets=assets, places=places, geometry=geometry,
        geo_precision=1 if geometry.geom_type == "Point" else 3, start=start, end=end, time_precision=precision,
        status="observed",
        source=EventSource(document=f"test-{n}.txt", sentence=sentence or f"Sentence {n}.", start=0, end=10,
                           outlet="Test Outlet", headline=f"Headline {n}", published=start),
        confidence=0.8,
    )


def sample_events(gaz: Gazetteer) -> list[Event]:
    """Ten events across Europe: symbols, patrol areas, a route, exercise areas, one XSS sentence."""
    b52 = Asset(name="B-52H", family="B-52", category="bomber", count=4, catalogue_id="asset:b-52h")
    iskander = Asset(name="Iskander-M", family="Iskander", category="missile", count=None,
                     catalogue_id="asset:iskander")
    troops = Asset(name="troops", family="troops", category="personnel", count=5000)
    baltic = gaz["sea:baltic-sea"]
    route = LineString([(-1.79, 51.68), (4.0, 56.5), (12.0, 55.6), (19.0, 56.0), (24.0, 59.5)])
    return [
        make_event(gaz, 1, "deployment", ["US"], ["installation:raf-fairford"], [b52], start="2024-02-20",
                   end="2024-03-20", sentence="Four B-52H bombers arrived at RAF Fairford " + XSS),
        make_event(gaz, 2, "patrol", ["US"], ["sea:baltic-sea"], [Asset("B-52H", "B-52", "bomber", 2,
                   "asset:b-52h")], start="2024-03-01", geometry=baltic.geometry,
                   sentence="Two B-52s flew over the Baltic Sea."),
        make_event(gaz, 3, "patrol", ["US", "GB"], ["sea:north-sea", "sea:baltic-sea"],
                   [Asset("B-52H", "B-52", "bomber", 2, "asset:b-52h")], start="2024-03-05", geometry=route,
                   sentence="The bombers flew from Fairford across the North Sea to the Baltic."),
        make_event(gaz, 4, "basing", ["RU"], ["region:kaliningrad-oblast"], [iskander], start="2018-02-05",
                   sentence="Russia has stationed Iskander-M systems in Kaliningrad."),
        make_event(gaz, 5, "exercise", ["PL", "US"], ["country:LT"], [troops], start="2024-03-04",
                   precision="week", sentence="Exercise in Lithuania."),
        make_event(gaz, 6, "deployment", ["US"], ["installation:aegis-ashore-redzikowo"],
                   [Asset("SM-3", "SM-3", "air defence", None, None)], start="2023-12-01",
                   sentence="Aegis Ashore Redzikowo is operational."),
        make_event(gaz, 7, "deployment", ["US"], ["installation:raf-fairford"],
                   [Asset("B-52H", "B-52", "bomber", 2, "asset:b-52h")], start="2024-03-01", end="2024-03-15",
                   sentence="Two more B-52s joined them."),
        make_event(gaz, 8, "exercise", ["RU"], ["sea:black-sea"], [], start="2024-03-02", precision="week",
                   sentence="The Black Sea Fleet held drills."),
        make_event(gaz, 9, "deployment", ["DE"], ["country:LT"], [Asset("brigade", "brigade", "ground unit", 4800,
                   None)], start="2024-01-01", sentence="Germany's brigade in Lithuania."),
        make_event(gaz, 10, "patrol", ["RU"], ["sea:gulf-of-finland"], [Asset("Tu-22M3", "Tu-22M", "bomber", 2,
                   None)], start="2024-03-03", geometry=gaz["sea:gulf-of-finland"].geometry,
                   sentence="Russian bombers patrolled over the Gulf of Finland."),
    ]


def point_of(gaz: Gazetteer, place_id: str) -> Point:
    p = gaz[place_id]
    return shapely.Point(p.lon, p.lat)


# -- a real headless Chromium with every non-local request blocked and recorded --------------------
LOCAL_PREFIXES = ("file:", "data:", "about:", "blob:", "http://localhost", "http://127.0.0.1")


class BrowserPage:
    """One page in headless Chromium; `external` lists every request that tried to leave the machine."""

    def __init__(self, browser, width: int = 1280, height: int = 800) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def _route(self, route) -> None:
        route_locally(route, LOCAL_PREFIXES, self.external)

    def open(self, path) -> None:
        self.page.goto(f"file://{path}")
        self.page.wait_for_function("window.FPM_LAST !== undefined", timeout=15000)
        self.page.wait_for_timeout(300)


def chromium_available() -> bool:
    import os

    return os.path.exists(CHROMIUM)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by playwright (never `playwright install`: it downloads a browser)."""
    if not chromium_available():
        pytest.skip(f"{CHROMIUM} missing: `make system-deps` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        instance = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
