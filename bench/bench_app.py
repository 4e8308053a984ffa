"""The running app in a real browser with N synthetic events in a temporary store (default 10,000).

Measures what a user feels: page open to map drawn (first open, which builds the map, and a second
open served from the cache), a slider move to map redrawn (keyboard on the date slider, until the
browser-side filter has redrawn), and the bytes the page received over Streamlit's websocket (the
map payload). Targets (issue 5): 10k events open < 3 s, slider < 300 ms, payload < 5 MB; 100k events
usable (the map carries a quarter around the selected date) with the slider < 1 s.

    .venv/bin/python bench/bench_app.py            # 10,000 events
    .venv/bin/python bench/bench_app.py 100000     # the large store
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_map import synthetic  # noqa: E402

from geo.store import open_store  # noqa: E402
from tests.map_fixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.test_browser_app import LOCAL, AppServer  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SLIDER_MOVES = 8


def fill_store(path: Path, n: int) -> float:
    t0 = time.perf_counter()
    store = open_store(str(path))
    events = synthetic(n)
    for i in range(0, len(events), 5000):
        store.import_events(events[i:i + 5000], editor="bench")
    store.close()
    return time.perf_counter() - t0


def map_frame(page, timeout_s: float = 120):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("!!(window.FPM && window.FPM.map_div && window.FPM.map_div.drawn)"):
                    return frame
            except Exception:  # a frame navigating away
                continue
        page.wait_for_timeout(20)
    raise RuntimeError("the map did not draw")


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    received = [0]
    external: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.__setitem__(
        0, received[0] + len(data if isinstance(data, bytes | str) else b""))))
    t0 = time.perf_counter()
    page.goto(url)
    frame = map_frame(page)
    return page, frame, time.perf_counter() - t0, received, external


def slider_moves(page, frame) -> list[float]:
    frame.evaluate("""(() => { const c = window.FPM.map_div, f = c.setTime;
        c.setTime = function(o){ const r = f(o); window.__fpm_t = Date.now(); return r; }; })()""")
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    times = []
    for i in range(SLIDER_MOVES):
        start = page.evaluate("Date.now()")
        thumb.press("ArrowLeft" if i % 2 == 0 else "PageDown")
        deadline = time.monotonic() + 20
        while (frame.evaluate("window.__fpm_t || 0") < start) and time.monotonic() < deadline:
            page.wait_for_timeout(5)
        times.append((frame.evaluate("window.__fpm_t || 0") - start) / 1000)
        page.wait_for_timeout(300)
    return times


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="fpm-bench-app-") as tmp:
        store = Path(tmp) / "events.sqlite"
        fill = fill_store(store, N)
        server = AppServer(store, Path(tmp) / "server.log")
        try:
            with sync_playwright() as play:
                browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                query = "?asof=2024-06-15"
                page, frame, cold, received, external = open_page(browser, server.url + "/" + query)
                drawn = frame.evaluate("window.FPM.map_div.drawn")
                page.close()
                page, frame, warm, received, external2 = open_page(browser, server.url + "/" + query)
                page.wait_for_timeout(1000)
                payload = received[0]
                moves = slider_moves(page, frame)
                rebuilt = frame.evaluate("window.FPM.map_div.setTime.toString().includes('__fpm_t')")
                (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ROOT / "bench" / "results" / f"app_{N}.png"))
                browser.close()
        finally:
            server.stop()
    slider = statistics.median(moves)
    open_target, slider_target = (3.0, 0.3) if N <= 10_000 else (None, 1.0)
    print(f"events in store: {N:,} (filled in {fill:.1f} s); drawn at open: {drawn}")
    print(f"page open -> map drawn: first {cold:.2f} s (builds the map), cached {warm:.2f} s"
          + (f" (target < {open_target} s: {'OK' if warm < open_target else 'OVER'})" if open_target else ""))
    print(f"slider move -> map redrawn: median {slider * 1000:.0f} ms, max {max(moves) * 1000:.0f} ms over "
          f"{len(moves)} moves (target < {slider_target * 1000:.0f} ms: {'OK' if slider < slider_target else 'OVER'});"
          f" map kept (not rebuilt): {rebuilt}")
    print(f"bytes received over the websocket at page open (map payload): {payload / 1e6:.2f} MB "
          f"(target < 5 MB: {'OK' if payload < 5e6 else 'OVER'})")
    print(f"requests that tried to leave localhost: {len(external) + len(external2)}")
    ok = slider < slider_target and payload < 5e6 and (open_target is None or warm < open_target)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
