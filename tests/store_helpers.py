"""Helpers for the store tests: small valid events, exact comparison, separate writer processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import shapely

from geo.events import Asset, Event, EventPlace, EventSource

ROOT = Path(__file__).resolve().parent.parent


def make_event(key: str, *, kind: str = "deployment", lon: float = 10.0, lat: float = 50.0,
               start: str | None = "2024-05-01", end: str | None = None, actors: list[str] | None = None,
               partners: list[str] | None = None, category: str = "fighter", family: str = "F-35",
               count: int | None = 4, geometry: shapely.Geometry | None = None, country: str | None = "DE",
               site: str | None = None, document: str = "hand.txt", sentence: str | None = None,
               time_precision: str = "day", status: str = "observed", notes: str = "", name: str = "") -> Event:
    """A small, valid event; every argument is a field a test may want to vary."""
    text = sentence if sentence is not None else f"Event {key} happened."
    return Event(
        id=f"ev-{key}", kind=kind, actors=actors if actors is not None else ["US"],
        partners=partners or [], name=name,
        assets=[Asset(name=family, family=family, category=category, count=count, text=family)],
        places=[EventPlace(id=site or f"installation:site-{key}", name=_site_name(site, key), kind="installation",
                           role="location", text=_site_name(site, key), country=country)],
        geometry=geometry if geometry is not None else shapely.Point(lon, lat),
        geo_precision=1, start=start, end=end, time_precision=time_precision, status=status,
        source=EventSource(document=document, sentence=text, start=0, end=len(text), outlet="Test Wire",
                           headline="A headline", published=start),
        confidence=0.6, notes=notes,
    )


def _site_name(site: str | None, key: str) -> str:
    return f"Site {site.split(':')[-1]}" if site else f"Site {key}"


def same(a: Event, b: Event) -> bool:
    """Equal in every field, geometry to the last bit."""
    return a.properties() == b.properties() and a.geometry.wkb == b.geometry.wkb


def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` in a separate Python process from the project root (a real, separate writer)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def run_sql(url: str, statements: list[str]) -> None:
    """Run statements on a store's database behind the store's back (to make it what an older
    version of the program wrote), on SQLite or PostgreSQL."""
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
    else:
        import sqlite3

        with sqlite3.connect(url) as conn:
            for statement in statements:
                conn.execute(statement)


def stored_schema(url: str) -> str:
    """The schema version written in a store's meta table."""
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    import sqlite3

    with sqlite3.connect(url) as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
