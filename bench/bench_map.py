"""Build a map of 10,000 synthetic events on real gazetteer places; print build time and payload size.

Target (issue 5): HTML payload under 5 MB for 10k events. Events are aggregated per site, symbol
and colour in the browser and shapes are sent once, so the payload grows with the text of each
event (its popup), not with repeated geometry. This is the saved-HTML case (everything inline); the
app serves the same bytes as static files, gzip-compressed (the second figure), see bench_app.py.
Above geo.render.mapping.DETAIL_LIMIT events the popups' text is left out (`details`), e.g. `100000`.
"""

from __future__ import annotations

import gzip
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.events import Asset, Event, EventPlace, EventSource  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from geo.render import build_map  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
ACTORS = ["US", "GB", "FR", "DE", "RU", "CN", "IN", "JP", "TR", "PL", "AU", "KR", "IR", "IT", "NO"]
ASSETS = [("B-52H", "B-52", "bomber", "asset:b-52h"), ("F-35A", "F-35", "fighter", "asset:f-35a"),
          ("destroyer", "destroyer", "surface combatant", None), ("troops", "troops", "personnel", None),
          ("Iskander", "Iskander", "missile", "asset:iskander")]


def synthetic(n: int) -> list[Event]:
    rng = random.Random(5)
    gaz = load_gazetteer()
    sites = gaz.places_of_kind("installation") + rng.sample(gaz.places_of_kind("city"), 1500)
    seas = gaz.places_of_kind("sea")
    events = []
    for i in range(n):
        kind = rng.choices(["deployment", "basing", "patrol", "exercise"], [5, 2, 2, 1])[0]
        place = rng.choice(seas) if kind in ("patrol", "exercise") and rng.random() < 0.8 else rng.choice(sites)
        from shapely.geometry import Point

        geometry = place.geometry if place.kind == "sea" else Point(place.lon, place.lat)
        name, family, category, cid = rng.choice(ASSETS)
        day = 1 + rng.randrange(365 * 2)
        start = f"{2023 + day // 365}-{1 + (day % 365) // 31:02d}-{1 + (day % 31) % 28:02d}"
        events.append(Event(
            id=f"ev-bench-{i}", kind=kind, actors=[rng.choice(ACTORS)],
            assets=[Asset(name, family, category, rng.choice([None, 2, 4, 6, 12]), cid)],
            places=[EventPlace(place.id, place.name, place.kind, country=place.country)], geometry=geometry,
            geo_precision=3 if place.kind == "sea" else 1, start=start, end=None, time_precision="day",
            status="observed", confidence=0.7,
            source=EventSource(document=f"bench-{i // 5}.txt", start=0, end=100, outlet="Bench Wire",
                               headline=f"Synthetic report {i // 5}", published=start,
                               sentence=f"{name} of the {family} family reported at {place.name} in report {i}."),
        ))
    return events


def main() -> int:
    t0 = time.perf_counter()
    events = synthetic(N)
    t1 = time.perf_counter()
    fmap = build_map(events, theatre="World", gazetteer=load_gazetteer(), assets="streamlit")
    html = fmap.get_root().render()
    t2 = time.perf_counter()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"map_{N}.html").write_text(html, encoding="utf-8")
    size = len(html.encode("utf-8"))
    packed = len(gzip.compress(html.encode("utf-8"), 6))
    print(f"events: {N}; synthesis {t1 - t0:.2f} s; build_map + render {t2 - t1:.2f} s; "
          f"HTML payload {size / 1e6:.2f} MB (target < 5 MB): {'OK' if size < 5e6 else 'OVER'}; "
          f"gzip {packed / 1e6:.2f} MB")
    return 0 if size < 5e6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
