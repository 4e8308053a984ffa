"""Event store speed on both backends (issue 4 targets, embedded store):

* a date-range + bounding-box query over 100,000 events < 50 ms,
* posture at a date < 200 ms,
* ingesting 10,000 events (100 articles of 100 events, the store's part: checks, rows, history) < 10 s.

The synthetic events look like real ones: 400 sites clustered in the theatres the map shows, a mix
of kinds (patrols and exercises are short; most deployments end; basing is ongoing), 1-3 assets
each, a tenth with polygon geometry, dates spread over 2015-2025.

PostGIS: the server named by FPM_BENCH_DATABASE_URL (or FPM_TEST_DATABASE_URL); without one the
script starts a throwaway local server itself when PostgreSQL is installed, and stops it after.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import shapely

from geo.events import ASSET_CATEGORIES, Asset, Event, EventPlace, EventSource
from geo.extract import Article
from geo.store import open_store

EVENTS = 100_000
INGEST_ARTICLES, EVENTS_PER_ARTICLE = 100, 100
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
# Theatre centres (lon, lat, spread in degrees) where sites cluster, and queries look.
THEATRES = {
    "Europe": (15.0, 50.0, 10.0), "Middle East": (45.0, 28.0, 8.0), "Indo-Pacific": (130.0, 25.0, 15.0),
    "North Atlantic": (-20.0, 60.0, 10.0), "Americas": (-90.0, 30.0, 15.0), "Africa": (20.0, 0.0, 15.0),
}
QUERY_BOXES = {"Europe": (-10.0, 35.0, 30.0, 60.0), "Baltic": (10.0, 53.0, 30.0, 66.0),
               "Western Pacific": (120.0, 20.0, 150.0, 45.0), "Gulf": (45.0, 20.0, 60.0, 32.0)}
KIND_WEIGHTS = {"patrol": 0.45, "exercise": 0.25, "deployment": 0.25, "basing": 0.05}
# 60 asset families, each of one category, as in the catalogue.
FAMILIES = [(f"family-{k}", ASSET_CATEGORIES[k % len(ASSET_CATEGORIES)]) for k in range(60)]
ACTORS = ["US", "GB", "FR", "DE", "RU", "CN", "JP", "AU", "PL", "IT", "IN", "KR", "TR", "ES", "NL"]


def synthetic_events(count: int, seed: int, prefix: str = "bench") -> list[Event]:
    rng = random.Random(seed)
    sites = []
    for number in range(400):
        lon0, lat0, spread = rng.choice(list(THEATRES.values()))
        lon = max(-179.0, min(179.0, rng.gauss(lon0, spread)))
        lat = max(-80.0, min(80.0, rng.gauss(lat0, spread / 2)))
        resident = [rng.randrange(len(FAMILIES)) for _ in range(rng.randint(1, 3))]
        sites.append((f"installation:bench-{number}", f"Site {number}", lon, lat, rng.choice(ACTORS), resident))
    span = (LAST_DAY - FIRST_DAY).days
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    events = []
    for number in range(count):
        site_id, site_name, lon, lat, owner, resident = rng.choice(sites)
        kind = rng.choices(kinds, weights)[0]
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        end = None
        if kind == "deployment" and rng.random() < 0.8:
            end = start + dt.timedelta(days=rng.randrange(30, 365))
        if rng.random() < 0.1:
            geometry = shapely.box(lon - 1.5, lat - 1.0, lon + 1.5, lat + 1.0)
        else:
            geometry = shapely.Point(lon + rng.uniform(-0.05, 0.05), lat + rng.uniform(-0.05, 0.05))
        # Mostly the site's resident types (a bomber base sees bombers), sometimes a visitor.
        picks = [rng.choice(resident) if rng.random() < 0.8 else rng.randrange(len(FAMILIES))
                 for _ in range(rng.randint(1, 3))]
        assets = [Asset(name=FAMILIES[k][0], family=FAMILIES[k][0], category=FAMILIES[k][1],
                        count=rng.choice([None, 1, 2, 4, 6, 12, 100])) for k in picks]
        sentence = f"Forces of {owner} were reported at {site_name} in a {kind} numbered {number}."
        events.append(Event(
            # Mostly the site's own forces; now and then a visiting ally or a rival passing by.
            id=f"ev-{prefix}-{number}", kind=kind, actors=[owner if rng.random() < 0.7 else rng.choice(ACTORS)],
            assets=assets,
            places=[EventPlace(site_id, site_name, "installation", "location", site_name, owner)],
            geometry=geometry, geo_precision=1, start=start.isoformat(), end=end.isoformat() if end else None,
            time_precision=rng.choice(["day", "day", "day", "week", "month"]),
            status=rng.choice(["observed", "announced"]),
            source=EventSource(document=f"{prefix}-{number // 100}.txt", sentence=sentence, start=0,
                               end=len(sentence), outlet="Bench Wire", headline="Synthetic",
                               published=start.isoformat()),
            confidence=round(rng.uniform(0.4, 0.95), 2),
        ))
    return events


def timed(action: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    results = []
    value: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = action()
        results.append((time.perf_counter() - started) * 1000)
    return results, value


def run(label: str, url: str) -> None:
    rng = random.Random(7)
    store = open_store(url)
    try:
        events = synthetic_events(EVENTS, seed=1)
        started = time.perf_counter()
        for first in range(0, len(events), 10_000):
            store.import_events(events[first:first + 10_000], editor="bench")
        load = time.perf_counter() - started
        print(f"[{label}] loaded {store.count():,} events in {load:.1f} s ({len(events) / load:,.0f} events/s)")

        queries: list[tuple[str, dt.date, dt.date]] = []
        for _ in range(20):
            month = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days - 31))
            queries.append((rng.choice(list(QUERY_BOXES)), month, month + dt.timedelta(days=30)))
        times, sizes = [], []
        for box, first_day, last_day in queries:
            took, found = timed(lambda b=box, f=first_day, t=last_day: store.query(between=(f, t), bbox=QUERY_BOXES[b]),
                                1)
            times += took
            sizes.append(len(found))  # type: ignore[arg-type]
        print(f"[{label}] date range (31 days) + bbox query: median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms over {len(times)} queries returning {min(sizes)}-{max(sizes)} events "
              f"(median {statistics.median(sizes):.0f}) (target < 50 ms)")

        days = [FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days)) for _ in range(10)]
        times, sizes = [], []
        for day in days:
            took, rows = timed(lambda d=day: store.posture(d), 1)
            times += took
            sizes.append(len(rows))  # type: ignore[arg-type]
        print(f"[{label}] posture at a date: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
              f"({statistics.median(sizes):.0f} site/country rows) (target < 200 ms)")

        # The text filter is one SQL condition however many words it has (json_each / LIKE ALL).
        for words in ("family-12", "patrol family-12 site", " ".join(f"absent{n}" for n in range(1000))):
            times, sizes = [], []
            for first_day in [FIRST_DAY + dt.timedelta(days=365 * k) for k in range(5)]:
                took, found = timed(lambda w=words, f=first_day: store.query(
                    text=w, between=(f, f + dt.timedelta(days=364))), 1)
                times += took
                sizes.append(len(found))  # type: ignore[arg-type]
            print(f"[{label}] text filter of {len(words.split()):,} word(s) + one year: median "
                  f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms (median {statistics.median(sizes):.0f} "
                  "events)")

        fresh = synthetic_events(INGEST_ARTICLES * EVENTS_PER_ARTICLE, seed=2, prefix="ingest")
        started = time.perf_counter()
        for number in range(INGEST_ARTICLES):
            batch = fresh[number * EVENTS_PER_ARTICLE:(number + 1) * EVENTS_PER_ARTICLE]
            article = Article(document=f"ingest-{number}.txt", text=f"Synthetic article {number}.",
                              published="2024-01-01")
            store.ingest_article(article, batch)
        took = time.perf_counter() - started
        print(f"[{label}] ingest {len(fresh):,} events ({INGEST_ARTICLES} articles) into a store of "
              f"{EVENTS:,}: {took:.2f} s (target < 10 s)")
    finally:
        store.close()


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A local server in a temporary folder, like `make test` starts; None if PostgreSQL is absent."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not bins:
        yield None
        return
    bin_dir = bins[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="fpm-bench-pg."))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run_quiet = {"check": True, "cwd": "/", "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A",
                        "trust", "-E", "UTF8", "--no-locale"], **run_quiet)  # type: ignore[call-overload]
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"),
                        "-w", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                        "start"], **run_quiet)  # type: ignore[call-overload]
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as err:
        print(f"PostGIS: could not start a local server ({err})", file=sys.stderr)
        yield None
    finally:
        with suppress(subprocess.CalledProcessError):
            if (folder / "data" / "postmaster.pid").exists():
                subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w",
                                "stop"], **run_quiet)  # type: ignore[call-overload]
        shutil.rmtree(folder, ignore_errors=True)


def postgis_schema_url(server: str) -> tuple[str, Callable[[], None]]:
    """A private schema for the run, dropped afterwards, so a shared server is left as it was."""
    from urllib.parse import quote

    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    return server + ("&" if "?" in server else "?") + "options=" + quote(f"-csearch_path={schema},public"), drop


def main() -> None:
    # Timings are wall clock on a shared machine: the load says how much of them is waiting.
    print(f"store benchmark: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="fpm-bench-") as folder:
        run("sqlite", str(Path(folder) / "events.sqlite"))
    server = os.environ.get("FPM_BENCH_DATABASE_URL") or os.environ.get("FPM_TEST_DATABASE_URL")
    if server:
        url, drop = postgis_schema_url(server)
        try:
            run("postgis", url)
        finally:
            drop()
        return
    with throwaway_postgres() as local:
        if local is None:
            print("[postgis] skipped: no server (set FPM_BENCH_DATABASE_URL) and PostgreSQL is not installed")
            return
        url, drop = postgis_schema_url(local)
        run("postgis", url)
        drop()


if __name__ == "__main__":
    main()
