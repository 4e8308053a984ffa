"""Acceptance tests of the running app: `streamlit run` on a seeded temporary store, driven by
Debian's headless Chromium through playwright, with every request that leaves localhost blocked
and recorded. Screenshots go to tests/artifacts/app_*.png."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.export.browser import route_locally

from .test_app import ROOT, seed_store

pytestmark = pytest.mark.browser
LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """`streamlit run streamlit_app.py` in its own process group, stopped by `stop()`."""

    def __init__(self, store: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "FPM_DATABASE_URL": str(store)}
        streamlit = Path(sys.executable).parent / "streamlit"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(streamlit), "run", "streamlit_app.py", "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType",
             "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within 60 s; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, artifacts) -> Iterator[AppServer]:
    store = seed_store(tmp_path_factory.mktemp("browser-store") / "events.sqlite")
    server = AppServer(store, artifacts / "app_server.log")
    try:
        yield server
    finally:
        server.stop()



class AppPage:
    """One browser tab on the app; `external` lists requests that tried to leave the machine."""

    def __init__(self, browser: Any, server: AppServer, width: int = 1500, height: int = 950) -> None:
        self.server = server
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        route_locally(route, LOCAL, self.external)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, query: str = "") -> Any:
        self.page.goto(f"{self.server.url}/{query}")
        return self.map_frame()

    def map_frame(self, timeout_s: float = 30) -> Any:
        """The component iframe whose Leaflet map has drawn its events."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for frame in self.page.frames:
                try:
                    if frame.evaluate("!!(window.FPM && window.FPM.map_div && window.FPM.map_div.drawn)"):
                        return frame
                except Exception:  # a frame navigating away; try the next one
                    continue
            self.page.wait_for_timeout(50)
        raise AssertionError("the map did not draw")

    def click_map(self, frame: Any, lat: float, lon: float) -> None:
        x, y = frame.evaluate(f"(() => {{ const p = map_div.latLngToContainerPoint([{lat}, {lon}]);"
                              " return [p.x, p.y]; })()")
        box = frame.frame_element().bounding_box()
        self.page.mouse.click(box["x"] + x, box["y"] + y)

    def main_text(self) -> str:
        return self.page.locator('[data-testid="stMain"]').inner_text()

    def wait_text(self, text: str, timeout_ms: int = 20000) -> None:
        self.page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_ms)


@pytest.fixture
def app(browser, app_server) -> Iterator[AppPage]:
    tab = AppPage(browser, app_server)
    yield tab
    tab.page.close()


def drawn(frame: Any) -> dict[str, int]:
    return frame.evaluate("window.FPM.map_div.drawn")


def settle(page: AppPage, ms: int = 1200) -> None:
    page.page.wait_for_timeout(ms)


def test_map_renders_the_seed_events_offline(app, artifacts):
    frame = app.open("?asof=2025-12-11")
    counts = drawn(frame)
    assert counts["symbols"] >= 5 and counts["events"] >= 9
    assert frame.locator(".fpm-symbol-icon svg").count() == counts["symbols"]
    assert frame.locator(".fpm-legend").is_visible()
    assert "Natural Earth" in frame.locator(".leaflet-control-attribution").inner_text()
    assert "GeoNames" in frame.locator(".leaflet-control-attribution").inner_text()
    settle(app)
    app.page.screenshot(path=str(artifacts / "app_world.png"))
    assert app.external == [] and app.errors == []


def test_moving_the_slider_redraws_without_rebuilding(app, artifacts):
    frame = app.open("?asof=2025-12-11&theatre=Europe")
    before = drawn(frame)
    frame.evaluate("window.__fpm_same_map = true")
    thumb = app.page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    thumb.press("Home")  # the first day of the store: only the events of that day
    deadline = time.monotonic() + 15
    while drawn(frame) == before and time.monotonic() < deadline:
        app.page.wait_for_timeout(50)
    after = drawn(frame)
    assert after != before and after["events"] < before["events"]
    assert frame.evaluate("window.__fpm_same_map === true")  # the map was kept, only the filter moved
    # the map redraws as soon as its part of the rerun arrives; the URL is written at the run's end
    app.page.wait_for_function("location.href.includes('asof=2022-06-29')", timeout=15000)
    assert "asof=2022-06-29" in app.page.url
    settle(app)
    app.page.screenshot(path=str(artifacts / "app_slider.png"))
    assert app.external == [] and app.errors == []


def test_clicking_the_baltic_sea_lists_the_b52_patrol(app, artifacts):
    frame = app.open("?theatre=Baltic&asof=2025-03-10")
    settle(app, 600)
    app.click_map(frame, 57.5, 19.2)  # open water between Gotland and Latvia
    app.wait_text("Two American B-52 bombers have conducted an extensive patrol over the Baltic Sea")
    text = app.main_text()
    assert "Baltic Sea" in text and "UK Defence Journal" in text and "B-52H" in text
    assert "place=sea%3Abaltic-sea" in app.page.url or "place=sea:baltic-sea" in app.page.url
    settle(app)
    app.page.screenshot(path=str(artifacts / "app_baltic_click.png"))
    assert app.external == [] and app.errors == []


def test_the_url_reproduces_the_view(app, browser, app_server, artifacts):
    frame = app.open("?theatre=Baltic&asof=2025-03-10&persp=NATO")
    app.click_map(frame, 57.5, 19.2)
    app.wait_text("Two American B-52 bombers")
    app.page.locator('[data-testid="stMultiSelect"]').first.click()
    app.page.get_by_role("option", name="patrol").click()
    app.page.keyboard.press("Escape")
    deadline = time.monotonic() + 15
    while "kind=patrol" not in app.page.url and time.monotonic() < deadline:
        app.page.wait_for_timeout(100)
    link, shown = app.page.url, drawn(app.map_frame())
    other = AppPage(browser, app_server)
    try:
        other.page.goto(link)
        frame2 = other.map_frame()
        other.wait_text("Two American B-52 bombers")
        assert drawn(frame2) == shown
        assert "Friendly" in frame2.locator(".fpm-legend").inner_text()  # the NATO perspective came back
        text = other.main_text()
        assert "Baltic Sea" in text and "2025-03-10" in text
        sidebar = ""
        deadline = time.monotonic() + 15  # the sidebar's widgets may render after the main column's text
        while not ("Baltic" in sidebar and "patrol" in sidebar) and time.monotonic() < deadline:
            if sidebar:
                other.page.wait_for_timeout(200)
            sidebar = other.page.evaluate(
                "(() => { const s = document.querySelector('[data-testid=\"stSidebar\"]');"
                " return s.textContent + ' ' + Array.from(s.querySelectorAll('input')).map(i => i.value).join(' ');"
                " })()")
        assert "Baltic" in sidebar and "patrol" in sidebar
        settle(other)
        other.page.screenshot(path=str(artifacts / "app_from_link.png"))
        assert other.external == [] and other.errors == []
    finally:
        other.page.close()


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_presentation_fills_the_screen_for_the_back_of_the_room(browser, app_server, artifacts, width, height):
    app = AppPage(browser, app_server, width, height)
    try:
        frame = app.open("?theatre=Europe&asof=2022-07-01&present=1&title=US%20posture%20in%20Europe"
                         "&caveat=Open%20sources%20only")
        assert not app.page.locator('[data-testid="stSidebar"]').is_visible()
        banner = app.page.locator(".fpm-banner")
        assert banner.is_visible() and "US posture in Europe" in banner.inner_text()
        assert "Open sources only" in banner.inner_text() and "01 Jul 2022" in banner.inner_text()
        box = frame.frame_element().bounding_box()
        assert box["width"] * box["height"] >= 0.9 * width * height  # the map fills the window
        # inside, the map fills its frame, and type is set for a projector: legend rows of 16 px or more
        settle(app)
        assert frame.evaluate("map_div.getSize().y") >= 0.9 * height
        legend_px = frame.evaluate("parseFloat(getComputedStyle(document.querySelector('.fpm-legend .fpm-row'))"
                                   ".fontSize)")
        assert legend_px >= 16
        # every control on the bar is inside the window and shows its whole label
        for key in ("b_prev_day", "b_back", "b_play", "b_fwd", "b_next_day", "b_exit", "w_mode"):
            control = app.page.locator(f".st-key-{key}")
            area = control.bounding_box()
            assert area and area["x"] >= 0 and area["x"] + area["width"] <= width
            assert area["y"] + area["height"] <= height, key
            assert _whole_labels(control), key
        app.page.screenshot(path=str(artifacts / f"app_presentation_{width}x{height}.png"))
        # the legend folds to its title and date
        frame.locator(".fpm-legend .fpm-fold").click()
        assert not frame.locator(".fpm-legend .fpm-row").first.is_visible()
        assert frame.locator(".fpm-legend .fpm-when").is_visible()
        # keys reach the briefing even after a click into the map moved the focus into its frame
        app.page.mouse.click(width * 0.3, height * 0.45)
        _wait_url(app, "place=")  # the click's own rerun has finished
        settle(app)
        app.page.keyboard.press("ArrowRight")  # a week on
        _wait_url(app, "asof=2022-07-08")
        app.page.keyboard.press("PageDown")  # to the next day something started
        _wait_url(app, "asof=2025-")
        app.page.keyboard.press("Escape")
        deadline = time.monotonic() + 15
        while "present=1" in app.page.url and time.monotonic() < deadline:
            app.page.wait_for_timeout(100)
        assert "present=1" not in app.page.url
        # back to the working page (its sidebar stays as a presentation link opened it: collapsed)
        app.page.locator(".fpm-title").wait_for(state="visible", timeout=15000)
        assert not app.page.locator(".fpm-banner").is_visible()
        assert app.external == [] and app.errors == []
    finally:
        app.page.close()


def _whole_labels(control: Any) -> bool:
    """No text of the control is cut (clipped or ellipsised): nothing is wider than its box."""
    return control.evaluate("el => Array.from(el.querySelectorAll('button, p, [data-testid=stMarkdownContainer]'))"
                            ".every(b => b.scrollWidth <= b.clientWidth + 1)")


def _wait_url(app: AppPage, part: str, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while part not in app.page.url and time.monotonic() < deadline:
        app.page.wait_for_timeout(100)
    assert part in app.page.url


def test_laptop_layout_keeps_the_map_and_controls_in_view(browser, app_server, artifacts):
    app = AppPage(browser, app_server, 1366, 768)
    try:
        frame = app.open("?theatre=Europe&asof=2022-07-01")
        box = frame.frame_element().bounding_box()
        assert box["y"] + box["height"] <= 768 and box["height"] >= 420  # the whole map above the fold
        for key in ("w_mode", "w_asof", "b_back", "b_play", "b_fwd"):
            control = app.page.locator(f".st-key-{key}")
            area = control.bounding_box()
            assert area and area["y"] + area["height"] <= 768
            assert _whole_labels(control), key
        settle(app)
        app.page.screenshot(path=str(artifacts / "app_laptop_1366x768.png"))
        assert app.external == [] and app.errors == []
    finally:
        app.page.close()


def test_article_markup_is_inert_in_the_page(app, artifacts):
    frame = app.open("?theatre=Europe&asof=2025-03-10&place=installation:raf-fairford")
    app.wait_text("Four US Air Force B-52H bombers arrived")
    assert "<img src=x onerror=alert(document.domain)>" in app.main_text()  # shown as text
    # the Fairford symbol's popup (the UK's own symbol stands close by at this zoom: open it directly)
    frame.evaluate("""(() => { let best = null, d = 1e9;
        window.FPM.map_div.symbols.eachLayer(l => { const g = l._fpm.g;  // the true place (a symbol may be moved apart)
          const e = Math.abs(g[3] - 51.682) + Math.abs(g[4] + 1.79); if (e < d) { d = e; best = l; } });
        best.openPopup(); })()""")
    frame.wait_for_selector(".fpm-popup", timeout=10000)
    assert "onerror" in frame.locator(".fpm-popup").inner_text()
    settle(app, 800)
    app.page.screenshot(path=str(artifacts / "app_markup_inert.png"))
    for f in app.page.frames:
        assert f.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert f.evaluate("window.__xss === undefined")
    assert app.dialogs == [] and app.external == [] and app.errors == []
