"""PNG snapshots and data exports, each read back by an independent reader.

The PNG is decoded with Pillow; the patrol's colour is looked for where Web Mercator puts the
Baltic Sea inside the map's bounds (the bounds and the map's pixel box come from the PNG's own
export record, the projection is computed here). Data exports go through the store's exporters
and are read back with pyogrio (GeoJSON, CSV, GeoPackage) and fastkml (KML).
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from PIL import Image

from geo.events import Event
from geo.export.record import data_export, read_png_record, select_events, sidecar_path
from geo.export.view import View
from tests.conftest import SEEDS
from tests.map_fixtures import chromium_available

US_BLUE = (0x1F, 0x5F, 0xBF)  # geo.render.symbols.COUNTRY_COLOURS["US"]
OCEAN = (0xCF, 0xE0, 0xEC)  # geo.render.basemap.OCEAN_COLOUR


@functools.cache
def seed_events() -> tuple[Event, ...]:
    """The seed articles' events as the extractor finds them (no store needed)."""
    from geo.extract.article import read_article
    from geo.extract.extractor import default_extractor

    extractor = default_extractor()
    return tuple(e for path in sorted(SEEDS.glob("*.txt")) for e in extractor.extract(read_article(path)).events)


def baltic_patrol() -> Event:
    return next(e for e in seed_events() if e.kind == "patrol" and any(p.name == "Baltic Sea" for p in e.places))


@pytest.fixture(scope="module")
def renderer() -> Iterator[object]:
    if not chromium_available():
        pytest.skip("/usr/bin/chromium missing: `make system-deps` installs it")
    from geo.export.png import Renderer

    with Renderer() as instance:
        yield instance
    assert instance._browser is None  # closed: no browser left running


def _mix(top: tuple[int, ...], bottom: tuple[int, ...], alpha: float) -> tuple[float, ...]:
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top, bottom, strict=True))


# The hatch of a patrol area (geo.render.elements): a 10 % tint of the colour, 45 % stripes over it.
STRIPE = _mix(US_BLUE, _mix(US_BLUE, OCEAN, 0.10), 0.45)


def mercator_pixel(lon: float, lat: float, bounds: list[float], box: list[float]) -> tuple[float, float]:
    """Image pixel of a lon/lat inside a Web Mercator map showing `bounds` in pixel box `box`."""
    def y(phi: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    west, south, east, north = bounds
    left, top, width, height = box
    return (left + (lon - west) / (east - west) * width,
            top + (y(north) - y(lat)) / (y(north) - y(south)) * height)


def colour_near(image: Image.Image, xy: tuple[float, float], colour: tuple[float, ...], *, radius: int = 6,
                tolerance: float = 22) -> bool:
    x0, y0 = round(xy[0]), round(xy[1])
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            pixel = image.getpixel((x0 + dx, y0 + dy))
            if max(abs(a - b) for a, b in zip(pixel[:3], colour, strict=True)) <= tolerance:
                return True
    return False


def patrol_points(n: int = 40) -> list[tuple[float, float]]:
    """Points well inside the Baltic Sea patrol area (0.3° from any coast or island)."""
    inner = baltic_patrol().geometry.buffer(-0.3)
    west, south, east, north = inner.bounds
    points = []
    steps = 12
    for i in range(steps):
        for j in range(steps):
            p = shapely.Point(west + (east - west) * (i + 0.5) / steps, south + (north - south) * (j + 0.5) / steps)
            if inner.contains(p):
                points.append((p.x, p.y))
    return points[:n]


def stripe_share(image: Image.Image, record: dict, points: list[tuple[float, float]]) -> float:
    # a window wider than one period of the hatch (8 CSS px) at the image's device scale
    radius = round(8 * record["pixels"][0] / {"slide": 1280, "a4": 877, "deck": 1160}[record["size"]])
    found = [colour_near(image, mercator_pixel(lon, lat, record["map_bounds"], record["map_px"]), STRIPE,
                         radius=radius) for lon, lat in points]
    return sum(found) / len(found)


def test_baltic_snapshot_shows_the_b52_patrol_over_the_baltic_sea(renderer, gazetteer, artifacts):
    from geo.export.png import snapshot

    view = View.make(theatre="baltic", as_of="2025-03-01")
    shot = snapshot(list(seed_events()), view, size="slide", gazetteer=gazetteer, renderer=renderer)
    path = shot.save(artifacts / "snapshot_baltic.png")
    with Image.open(path) as image:
        assert image.size == (1920, 1080)
        record = read_png_record(path)
        pixels = image.convert("RGB")
    assert record["view"]["theatre"] == "Baltic" and record["view"]["as_of"] == "2025-03-01"
    assert baltic_patrol().id in record["event_ids"]
    west, south, east, north = record["map_bounds"]
    assert west < 9.5 and east > 30.5 and south < 53.5 and north > 66  # the theatre is inside the map
    points = patrol_points()
    assert len(points) >= 20
    assert stripe_share(pixels, record, points) >= 0.85
    # Not over the North Sea or inland Sweden: the colour is the patrol's, where the patrol is.
    for lon, lat in [(3.0, 56.0), (4.5, 58.0), (15.0, 63.5), (27.0, 62.5)]:
        assert not colour_near(pixels, mercator_pixel(lon, lat, record["map_bounds"], record["map_px"]), STRIPE)
    assert record["drawn"]["areas"] == 1 and record["drawn"]["symbols"] >= 3
    assert renderer.external == [] and renderer.errors == []


def test_patrol_gone_before_its_month_and_with_other_kinds(renderer, gazetteer):
    from geo.export.png import snapshots

    events = list(seed_events())
    views = [View.make(theatre="Baltic", as_of="2025-02-15"),
             View.make(theatre="Baltic", as_of="2025-03-20", kinds=["deployment", "basing"])]
    for shot in snapshots(events, views, gazetteer=gazetteer, renderer=renderer):
        from io import BytesIO

        with Image.open(BytesIO(shot.png)) as image:
            assert stripe_share(image.convert("RGB"), shot.record, patrol_points()) < 0.1
        assert shot.record["drawn"]["areas"] == 0


def test_a4_print_size_and_record(renderer, gazetteer, artifacts):
    from geo.export.png import snapshot

    view = View.make(theatre="Baltic", start="2025-03-01", end="2025-03-31", title="Baltic bomber activity",
                           caveat="Test caveat line")
    shot = snapshot(list(seed_events()), view, size="a4", gazetteer=gazetteer, renderer=renderer)
    path = shot.save(artifacts / "snapshot_baltic_a4.png")
    with Image.open(path) as image:
        assert image.size == (3508, 2480)
        assert image.text["Title"] == "Baltic bomber activity"
        assert stripe_share(image.convert("RGB"), read_png_record(path), patrol_points()) >= 0.85
    record = read_png_record(path)
    assert View.from_dict(record["view"]) == view  # the record redraws the same view
    assert View.from_query(record["app_query"]) == view
    assert "--from 2025-03-01 --to 2025-03-31" in record["command"]


def test_snapshot_from_another_thread(renderer, gazetteer):
    """Streamlit reruns on new threads: the renderer's own thread must take the calls."""
    from geo.export.png import snapshot

    out: list[int] = []
    view = View.make(theatre="Europe", as_of="2025-03-01")
    thread = threading.Thread(target=lambda: out.append(len(snapshot(list(seed_events()), view, gazetteer=gazetteer,
                                                                     renderer=renderer).png)))
    thread.start()
    thread.join(60)
    assert out and out[0] > 10_000


def test_cli_snapshot_png_and_html(tmp_path):
    if not chromium_available():
        pytest.skip("/usr/bin/chromium missing")
    from geo.cli.program import main
    from geo.export.png import close_default_renderer

    try:
        assert main(["snapshot", "--theatre", "baltic", "--date", "2025-03-01", "--size", "slide", "--articles",
                     str(SEEDS), "-o", str(tmp_path / "map.png")]) == 0
    finally:
        close_default_renderer()
    with Image.open(tmp_path / "map.png") as image:
        assert image.size == (1920, 1080)
    command = read_png_record(tmp_path / "map.png")["command"]
    assert "python -m geo snapshot --theatre Baltic --date 2025-03-01" in command
    assert main(["snapshot", "--theatre", "baltic", "--date", "2025-03-01", "--articles", str(SEEDS), "-o",
                 str(tmp_path / "map.html")]) == 0
    assert "fpm-slider" in (tmp_path / "map.html").read_text(encoding="utf-8")
    assert main(["snapshot", "--theatre", "atlantis", "-o", str(tmp_path / "x.png")]) == 2
    assert main(["snapshot", "--date", "2025-03-01", "--from", "2025-01-01", "--articles", str(SEEDS), "-o",
                 str(tmp_path / "x.png")]) == 2


def test_view_selection_matches_store_rules():
    events = list(seed_events())
    baltic = select_events(events, View.make(theatre="Baltic", as_of="2025-03-01"))
    assert baltic_patrol() in baltic
    assert not any("Sea of Japan" in [p.name for p in e.places] for e in baltic)
    assert baltic_patrol() not in select_events(events, View.make(theatre="Baltic", as_of="2025-04-01"))
    assert select_events(events, View.make(actors=["JP"])) and all(
        "JP" in e.actors + e.partners for e in select_events(events, View.make(actors=["jp"])))
    assert select_events(events, View.make(text="B-52 Baltic")) == [baltic_patrol()]


# -- data exports (the store's exporters) with their records -----------------------------------
@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "gpkg"])
def test_data_export_reads_back_every_event(tmp_path, fmt):
    import pyogrio

    from geo.store.exchange import read_events

    events = list(seed_events())
    view = View.make(theatre="World", actors=["US"], title="All US events")
    chosen = select_events(events, view)
    path, record = data_export(chosen, tmp_path / f"events.{fmt}", view)
    ids = sorted(e.id for e in chosen)
    if fmt == "kml":
        from fastkml import kml
        from fastkml.features import Placemark
        from fastkml.utils import find_all

        document = kml.KML.parse(path, strict=False, validate=False)  # simplekml's numeric ids fail the XSD
        names = list(find_all(document, of_type=Placemark))
        assert len(names) == len(ids)
    else:
        options = {"GEOM_POSSIBLE_NAMES": "geometry", "KEEP_GEOM_COLUMNS": "NO"} if fmt == "csv" else {}
        frame = pyogrio.read_dataframe(path, **options)
        assert sorted(frame["id"]) == ids
    assert sorted(e.id for e in read_events(path)) == ids  # the store's importer still takes it
    sidecar = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert View.from_dict(sidecar["view"]) == view and sidecar["events"] == len(ids)
    if fmt == "geojson":
        assert json.loads(Path(path).read_text(encoding="utf-8"))["fpm_export"]["app_query"] == record["app_query"]
    if fmt == "gpkg":
        with sqlite3.connect(path) as db:
            (text,) = db.execute("SELECT metadata FROM gpkg_metadata").fetchone()
        assert json.loads(text)["view"]["actors"] == ["US"]


def test_cli_exports_refuse_places_they_cannot_write(tmp_path, capsys):
    """A folder, a special file, an unwritable folder or a link (issue 13, items 4 and 13): one-line
    errors before any rendering, nothing replaced; a link stays a link and its target is written."""
    import os

    from geo.cli.program import main

    folder = tmp_path / "map.html"
    folder.mkdir()
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    cases = [(["snapshot", "-o", str(folder)], "is a folder"),
             (["snapshot", "-o", str(fifo)], "named pipe"),
             (["snapshot", "-o", "/proc/fpm-test/map.png"], "cannot be created or written to"),
             (["briefing", "--dates", "2025-03-01", "-o", str(folder.with_suffix(".pptx"))], None)]
    if os.geteuid() != 0:  # root writes into any folder
        cases.append((["snapshot", "-o", str(locked / "map.html")], "cannot be created or written to"))
    folder.with_suffix(".pptx").mkdir()
    for args, message in cases:
        assert main([*args, "--articles", str(SEEDS)]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err
        assert message is None or message in err, err
    assert folder.is_dir() and fifo.is_fifo()
    target = tmp_path / "real.html"
    link = tmp_path / "link.html"
    link.symlink_to(target)
    assert main(["snapshot", "--theatre", "baltic", "--date", "2025-03-01", "--articles", str(SEEDS), "-o",
                 str(link)]) == 0
    assert link.is_symlink() and "fpm-slider" in target.read_text(encoding="utf-8")
