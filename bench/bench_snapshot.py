"""Time PNG snapshots and a 10-slide briefing deck on the seed events; print the figures.

Targets (issue 6): a PNG snapshot under 3 s with the browser warm; a 10-slide deck under 30 s.
"Warm" means the renderer's Chromium is already running (it stays up across calls in the app);
each timed snapshot still builds the folium map and loads a new page, except the one marked
"same map, new date", which is what the app's date slider produces. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.export import Renderer, View, build_briefing, snapshot  # noqa: E402
from geo.extract import default_extractor, read_article  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402

SNAPSHOT_TARGET_S = 3.0
DECK_TARGET_S = 30.0


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    extractor = default_extractor()
    events = [e for p in sorted((ROOT / "seeds").glob("*.txt")) for e in extractor.extract(read_article(p)).events]
    gazetteer = load_gazetteer()
    ok = True
    with Renderer() as renderer:
        cold, _ = timed(lambda: snapshot(events, View.make(theatre="World", as_of="2025-03-01"),
                                         gazetteer=gazetteer, renderer=renderer))
        print(f"cold snapshot (browser start included): {cold:.2f} s")
        rows = []
        for theatre in ("Baltic", "Europe", "Northeast Asia", "Black Sea", "Baltic"):
            for size in ("slide", "a4"):
                view = View.make(theatre=theatre, as_of="2025-03-01" if theatre != "Northeast Asia" else
                                       "2025-12-11")
                seconds, shot = timed(lambda v=view, s=size: snapshot(events, v, size=s, gazetteer=gazetteer,
                                                                      renderer=renderer))
                rows.append((theatre, size, seconds, len(shot.png)))
                print(f"warm snapshot {theatre:15s} {size:5s}: {seconds:.2f} s ({len(shot.png) / 1e6:.1f} MB)")
        same, _ = timed(lambda: snapshot(events, View.make(theatre="Baltic", as_of="2025-04-01"),
                                         gazetteer=gazetteer, renderer=renderer, size="a4"))
        print(f"warm snapshot, same map, new date (a4): {same:.2f} s")
        warm = [r[2] for r in rows]
        print(f"warm snapshots: median {statistics.median(warm):.2f} s, max {max(warm):.2f} s "
              f"(target < {SNAPSHOT_TARGET_S:.0f} s)")
        ok &= statistics.median(warm) < SNAPSHOT_TARGET_S
        days = [dt.date(2025, 1, 1) + dt.timedelta(days=14 * i) for i in range(10)]
        base = View.make(theatre="Baltic")
        with tempfile.TemporaryDirectory() as folder:
            deck, _ = timed(lambda: build_briefing(events, [base.at(d) for d in days], Path(folder) / "deck.pptx",
                                                   gazetteer=gazetteer, renderer=renderer))
            mixed = [View.make(theatre=t, as_of="2025-03-01") for t in
                     ("Baltic", "Europe", "Black Sea", "Mediterranean", "Baltic")] * 2
            deck_mixed, _ = timed(lambda: build_briefing(events, mixed, Path(folder) / "mixed.pptx",
                                                         gazetteer=gazetteer, renderer=renderer))
        print(f"10-slide deck, one theatre, 10 dates: {deck:.2f} s (target < {DECK_TARGET_S:.0f} s)")
        print(f"10-slide deck, 10 saved views (5 theatres, each loaded anew): {deck_mixed:.2f} s")
        ok &= deck < DECK_TARGET_S and deck_mixed < DECK_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
