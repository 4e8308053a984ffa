"""The map inside Streamlit: render once per map, move time without a rebuild, read clicks.

Building a folium map of the store and turning it into the component's strings costs 1-4 s
(basemap shapes, payload, Jinja), so it must not happen on a slider move. `render_map()` turns a
built map into the strings streamlit-folium's component takes, once per (filters, theatre,
perspective, store version); `show_map()` hands those cached strings to the component with only a
tiny `feature_group` script that calls the browser-side time filter (`geo.render.elements.SetTime`).
Same strings -> same component key -> the browser keeps its map and only runs the new script.

Streamlit sends a component's arguments again on every rerun (every slider move), so the map's
megabytes are not among them: `render_map` writes the map's script, the basemap GeoJSON
(`publish_file`, via build_map's `serve_data`) and one bundle of the vendor scripts to
static/maps/ (served at /app/static/maps, gzip-compressed, named by content so the browser keeps
them), and the component's own script is a one-line loader. A rerun then sends ~30 kB.

This reaches into streamlit-folium's module-level helpers (`_component_func`, `_get_map_string`,
...) because `st_folium()` re-renders the whole figure on every call and mutates the map it is given
(it adds the feature group as a child), which would change the component key and rebuild the map on
every slider move. The pinned version is checked at import.

Clicks come back as plain coordinates; `PlaceIndex` turns them into the gazetteer place the user
meant (a strait before the sea around it, a sea before the ocean, a country, a region, a base).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.gazetteer import Gazetteer, Place
from geo.render import STATIC_DIR, THEATRES, time_filter_group

__all__ = [
    "MAP_EVENT_LIMIT",
    "Click",
    "MapSpec",
    "PlaceIndex",
    "fit_zoom",
    "publish_file",
    "publish_script",
    "read_click",
    "render_map",
    "show_map",
    "time_window_for_store",
]

# Above this many events in the store the map carries only the events active in a window around
# the selected dates (a calendar quarter), not the whole history: the payload stays under ~5 MB and
# slider moves inside the window are still browser-only.
MAP_EVENT_LIMIT = 15_000
RETURNED = ["last_clicked", "last_object_clicked", "last_object_clicked_tooltip"]
SITE_SNAP_DEG = 0.02  # a clicked symbol stands on its place's point to 3 decimals; allow for rounding
MIN_ZOOM, MAX_ZOOM = 2, 12
# The map's script (basemap shapes and event payload, megabytes) is served as a static file, so the
# component's arguments, which Streamlit sends again on every rerun (every slider move), stay small.
MAP_FILES_DIR = STATIC_DIR / "maps"
MAP_FILES_URL = "/app/static/maps"
MAP_FILES_KEPT = 64


@dataclass(frozen=True, slots=True)
class MapSpec:
    """A rendered map as the streamlit-folium component takes it (cache this, it is read-only)."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    events: int  # events in the payload
    payload_bytes: int


def publish_file(text: str, suffix: str, directory: Path = MAP_FILES_DIR) -> str:
    """The URL under which the app's static serving gives `text` (written once, named by its hash).

    Content-addressed: the same map or basemap gives the same file, across reruns and restarts.
    The folder keeps the newest MAP_FILES_KEPT files of each suffix and ignores itself in git.
    """
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    path = directory / f"{key}.{suffix}"
    if path.exists():
        path.touch()  # recently used: kept by the pruning below
        return f"{MAP_FILES_URL}/{path.name}"
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# maps written by the running app (geo/app/map.py)\n*\n", encoding="utf-8")
    partial = directory / f"{key}.{os.getpid()}.partial"
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    files = sorted(directory.glob(f"*.{suffix}"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[MAP_FILES_KEPT:]:
        old.unlink(missing_ok=True)
    return f"{MAP_FILES_URL}/{path.name}"


def publish_script(script: str, directory: Path = MAP_FILES_DIR) -> tuple[str, str]:
    """(URL, key) of a static JS file that stores `script` as the string `window.FPM_SCRIPTS[key]`."""
    key = hashlib.sha256(script.encode("utf-8")).hexdigest()[:24]
    text = f"(window.FPM_SCRIPTS = window.FPM_SCRIPTS || {{}})[{json.dumps(key)}] = {json.dumps(script)};\n"
    return publish_file(text, "js", directory), key


def _bundled(links: list[str]) -> list[str]:
    """The local scripts (Leaflet, jQuery, markercluster, milsymbol) as one static file, in order.

    streamlit-folium loads its JS links one after another, a round trip each; one file (named by
    its content, so the browser keeps it across maps) saves those. Links that are not local files
    under the static folder stay as they are.
    """
    prefix = "/app/static/"
    files = [STATIC_DIR / link[len(prefix):] for link in links if link.startswith(prefix)]
    if not files or len(files) != len(links) or not all(f.is_file() for f in files):
        return links
    text = "\n;\n".join(f"/* {f.relative_to(STATIC_DIR)} */\n" + f.read_text(encoding="utf-8") for f in files)
    return [publish_file(text, "js")]


def render_map(fmap: folium.Map, *, theatre: str | tuple[float, float, float, float], events: int,
               static_files: bool = True) -> MapSpec:
    """The component strings of a built map (the expensive step; done once per map).

    With `static_files` the map's script goes to a static file (`publish_script`) loaded as one more
    JS link, and the component's script only runs it: a rerun then re-sends kilobytes, not the map.
    """
    import streamlit_folium as sf

    fmap.get_root().render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    payload_bytes = len(script.encode("utf-8")) + len(header.encode("utf-8"))
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, folium.elements.JSCSSMixin):
            css.extend(href for _, href in getattr(element, "default_css", []))
            js.extend(src for _, src in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(fmap)
    if static_files:
        js = _bundled(list(dict.fromkeys(js)))
        url, key = publish_script(script)
        js.append(url)
        # Global eval: the map's `var`s (map_div, layers) must be globals, as streamlit-folium expects.
        # The time filter is applied once by the component's feature group, right after.
        script = f"window.FPM_DEFER_TIME = true; (0, eval)(window.FPM_SCRIPTS[{json.dumps(key)}]);\n"
    bounds = THEATRES[theatre] if isinstance(theatre, str) else tuple(theatre)
    return MapSpec(script, header, html, sf.get_full_id(fmap), tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js)),
                   bounds, events, payload_bytes)  # type: ignore[arg-type]


def _time_script(window: tuple[dt.date | None, dt.date | None]) -> str:
    """The feature-group script that moves the browser-side time filter to `window`."""
    import streamlit_folium as sf

    first, last = window
    if first is not None and first == last:
        group = time_filter_group(as_of=first.isoformat())
    else:
        group = time_filter_group(start=first.isoformat() if first else None, end=last.isoformat() if last else None)
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


def show_map(spec: MapSpec, window: tuple[dt.date | None, dt.date | None], *, height: int = 620,
             center: tuple[float, float] | None = None, zoom: int | None = None) -> dict[str, Any]:
    """Draw the cached map in the page with the time filter at `window`; returns the click state."""
    import streamlit_folium as sf

    defaults = {"last_clicked": None, "last_object_clicked": None, "last_object_clicked_tooltip": None}
    result = sf._component_func(
        script=spec.script, header=spec.header, html=spec.html, id=spec.map_id,
        key=sf.generate_js_hash(spec.script, "fpm-map", False), height=height, width=None,
        returned_objects=RETURNED, default=defaults, zoom=zoom, center=list(center) if center else None,
        feature_group=_time_script(window), return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(spec.css_links), js_links=list(spec.js_links), on_change=None, wrap_longitude=False,
    )
    return result or defaults


# -- clicks ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Click:
    """What the user clicked last: a symbol (object) or a point on the map."""

    lat: float
    lon: float
    on_symbol: bool
    tooltip: str | None


def read_click(result: dict[str, Any] | None, previous: dict[str, Any] | None) -> Click | None:
    """The new click in the component's state, compared with the state of the previous run."""
    if not result:
        return None
    previous = previous or {}
    obj, point = result.get("last_object_clicked"), result.get("last_clicked")
    if obj and obj != previous.get("last_object_clicked"):
        # A symbol swallows the map click; an area passes it on, so both change together.
        on_symbol = not point or point == previous.get("last_clicked")
        return Click(float(obj["lat"]), float(obj["lng"]), on_symbol, result.get("last_object_clicked_tooltip"))
    if point and point != previous.get("last_clicked"):
        return Click(float(point["lat"]), float(point["lng"]), False, None)
    return None


class PlaceIndex:
    """Seas, countries, regions and installations of the gazetteer, searchable by point."""

    AREA_KINDS = ("sea", "country", "region")
    COUNTY = "second-level division"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        # Counties and districts (22,000 points) are below the map's grain: a click near one means
        # the state, the sea or a base.
        areas = [p for p in gazetteer.places_of_kind(*self.AREA_KINDS) if p.subkind != self.COUNTY]
        self.areas: list[Place] = areas
        self.shapes = [p.geometry for p in self.areas]
        self.tree = shapely.STRtree(self.shapes)
        self.sizes = [float(shapely.area(g)) for g in self.shapes]
        self.points: list[Place] = gazetteer.places_of_kind("installation") + areas
        self.point_tree = shapely.STRtree([shapely.Point(p.lon, p.lat) for p in self.points])

    def places_at(self, lat: float, lon: float) -> list[Place]:
        """The areas containing the point, most specific first: seas (small first), countries, regions."""
        point = shapely.Point(lon, lat)
        hits = [int(i) for i in self.tree.query(point, predicate="intersects")]
        order = {"sea": 0, "country": 1, "region": 2}
        hits.sort(key=lambda i: (order[self.areas[i].kind], self.sizes[i]))
        return [self.areas[i] for i in hits]

    def site_at(self, lat: float, lon: float) -> Place | None:
        """The place whose point a symbol stands on (installations first), if one is that close."""
        point = shapely.Point(lon, lat)
        near = [int(i) for i in self.point_tree.query(point.buffer(SITE_SNAP_DEG))]
        if not near:
            return None
        near.sort(key=lambda i: (self.points[i].kind != "installation",
                                 shapely.distance(point, shapely.Point(self.points[i].lon, self.points[i].lat))))
        return self.points[near[0]]


def query_shape(place: Place) -> BaseGeometry:
    """The shape to ask the store about: a site's point grows to ~5 km (reports round positions)."""
    geom = place.geometry
    if geom.geom_type in ("Point", "MultiPoint"):
        return geom.buffer(0.05)
    return geom


def fit_zoom(bbox: tuple[float, float, float, float], *, width_px: int = 900, height_px: int = 600) -> int:
    """The Leaflet zoom that fits a (west, south, east, north) box, for flying to a searched place."""
    west, south, east, north = bbox
    if west > east:  # wraps 180°
        east += 360
    dx = max(east - west, 0.02)
    dy = max(north - south, 0.02)
    zx = math.log2(width_px * 360 / (256 * dx))
    zy = math.log2(height_px * 180 / (256 * dy))
    return int(max(2, min(11, math.floor(min(zx, zy)))))


def time_window_for_store(total_events: int, window: tuple[dt.date | None, dt.date | None]
                          ) -> tuple[dt.date, dt.date] | None:
    """None (the whole history) for a normal store; for a very large one, the quarter(s) around the window."""
    if total_events <= MAP_EVENT_LIMIT:
        return None
    first, last = window
    if first is None or last is None:
        raise InputError("a large store needs a time window for the map")
    q_first = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    end_month = 3 * ((last.month - 1) // 3) + 3
    q_last = (dt.date(last.year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return q_first, q_last
