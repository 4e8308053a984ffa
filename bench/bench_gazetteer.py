"""Gazetteer and geocoder figures (issue 2 targets): load < 1 s, >= 10,000 geocodes/s warm on one
core, full build < 60 s (run with --build to time a build into a temporary folder)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["Sea of Japan", "Rota", "Georgia", "UK", "Baltic States", "East Sea", "Naval Station Rota",
           "Kaliningrad", "Taiwan Strait", "Washington", "Madrid", "Senkaku Islands", "Diego Garcia",
           "Black Sea", "Poland", "Okinawa", "Strait of Hormuz", "Ramstein Air Base", "Luzon", "Andersen AFB"]


def time_load() -> float:
    # A fresh interpreter: the figure includes imports, as a user's first call would.
    code = ("import time; t = time.perf_counter(); from geo.gazetteer.load import Gazetteer; g = Gazetteer.load(); "
            "print(time.perf_counter() - t, len(g))")
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout.split()[0]) for _ in range(3))
    return best


def main() -> None:
    print(f"gazetteer load (fresh process, imports included): {time_load():.3f} s (target < 1 s)")
    from geo.geocode import OfflineGazetteer

    geocoder = OfflineGazetteer()
    for query in QUERIES:
        geocoder.geocode(query)
    calls = 50_000
    started = time.perf_counter()
    for i in range(calls):
        geocoder.geocode(QUERIES[i % len(QUERIES)])
    rate = calls / (time.perf_counter() - started)
    print(f"geocode, warm, one core: {rate:,.0f} calls/s (target >= 10,000)")
    context = "Washington would collaborate with Spain to increase the number of US destroyers stationed in Rota."
    started = time.perf_counter()
    for _ in range(2_000):
        geocoder.geocode("Rota", context=context)
    print(f"geocode with a context sentence: {2_000 / (time.perf_counter() - started):,.0f} calls/s")
    if "--build" in sys.argv:
        from geo.gazetteer import build

        with tempfile.TemporaryDirectory() as folder:
            report = build.build_gazetteer(out_path=Path(folder) / "gazetteer.parquet")
        print(f"full build: {report.seconds:.1f} s (target < 60 s); {report.counts}")


if __name__ == "__main__":
    main()
