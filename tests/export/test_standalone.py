"""The standalone HTML opens with the network blocked, draws the events and its slider moves time.

Chromium gets only file:// requests (everything else is aborted and recorded); the page must not
try any. Features are counted in the DOM Leaflet builds (symbol markers, hatched event areas).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from geo.export.view import View
from tests.map_fixtures import CHROMIUM_ARGS

from .test_snapshot import baltic_patrol, seed_events

pytestmark = pytest.mark.browser
EPOCH = dt.date(1970, 1, 1)



@pytest.fixture(scope="module")
def europe_html(gazetteer, artifacts):
    from geo.export.standalone import write_standalone

    path = artifacts / "standalone_europe.html"
    view = View.make(theatre="Europe", as_of="2025-03-01", title="US posture in Europe")
    record = write_standalone(path, list(seed_events()), view, gazetteer=gazetteer)
    return path, record, view


def _open(browser: Any, path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    external: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(path.as_uri())
    page.wait_for_function("window.FPM_SLIDER !== undefined", timeout=20000)
    return page, external, errors


def _count(page: Any) -> dict[str, int]:
    return {"symbols": page.locator(".fpm-symbol-icon").count(),
            "hatched": page.locator(".leaflet-fpm-areas-pane path[fill^='url(#fpm-hatch']").count(),
            "paths": page.locator(".leaflet-overlay-pane path, .leaflet-fpm-areas-pane path").count()}


def test_everything_is_inside_the_file(europe_html):
    path, record, view = europe_html
    text = path.read_text(encoding="utf-8")
    # nothing to fetch: no script, stylesheet, image or frame URL and no CSS url() leaves the file
    # (Leaflet's "Leaflet" attribution link is an <a href>, which loads nothing)
    fetches = r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:|//|file:)"""
    assert not re.search(fetches, text, flags=re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:|//|file:)", text, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]+stylesheet", text, flags=re.IGNORECASE)
    assert "ms.Symbol" in text and "L.map(" in text  # milsymbol and Leaflet are inline
    assert record["events"] == len([e for e in seed_events() if e.geometry.bounds[0] < 60])
    meta = re.search(r'<script type="application/json" id="fpm-export">(.*?)</script>', text, flags=re.DOTALL)
    assert meta is not None
    assert View.from_dict(json.loads(meta.group(1))["view"]) == view


def test_opens_offline_and_the_slider_moves_time(browser, europe_html, artifacts):
    path, _record, _view = europe_html
    page, external, errors = _open(browser, path)
    try:
        assert page.evaluate("typeof L") == "object" and page.evaluate("typeof ms") == "object"
        start = _count(page)
        assert start["symbols"] >= 5 and start["hatched"] == 1 and start["paths"] > 50  # basemap + patrol
        assert page.locator("#fpm-slider .day").inner_text() == "As of 1 March 2025"
        page.screenshot(path=str(artifacts / "standalone_europe.png"))
        before = (dt.date(2025, 2, 15) - EPOCH).days
        page.locator("#fpm-slider input[type=range]").fill(str(before))
        moved = _count(page)
        assert moved["hatched"] == 0 and moved["paths"] == start["paths"] - 1
        assert page.evaluate("window.FPM_SLIDER_DAY") == "2025-02-15"
        page.locator("#fpm-slider input[type=range]").fill(str((dt.date(2022, 6, 29) - EPOCH).days))
        first_day = _count(page)  # the day the 2022 article's deployments and basing begin
        assert first_day["hatched"] == 0 and first_day["symbols"] == start["symbols"]
        page.locator("#fpm-slider .all").check()
        assert _count(page)["hatched"] == 1 and page.locator("#fpm-slider .day").inner_text() == "All dates"
        assert external == [] and errors == []
    finally:
        page.close()


def test_range_view_and_filters(browser, gazetteer, tmp_path):
    from geo.export.standalone import write_standalone

    path = tmp_path / "patrols.html"
    view = View.make(theatre="Baltic", start="2025-03-01", end="2025-03-31", kinds=["patrol"])
    record = write_standalone(path, list(seed_events()), view, gazetteer=gazetteer)
    assert record["event_ids"] == [baltic_patrol().id]
    page, external, errors = _open(browser, path)
    try:
        counts = _count(page)
        assert counts["symbols"] == 0 and counts["hatched"] == 1
        assert "1 March 2025 – 31 March 2025" in page.locator("#fpm-slider .day").inner_text()
        assert external == [] and errors == []
    finally:
        page.close()


def test_chromium_args_are_the_offline_set():
    assert "--disable-background-networking" in CHROMIUM_ARGS
