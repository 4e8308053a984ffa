"""The offline vector basemap: land, country borders, seas and labels drawn from the gazetteer.

With no internet there are no tiles, so the default map background is our own: Natural Earth
countries and the gazetteer's constructed seas. `build_basemap()` (Makefile step `basemap`, run by
`make data`) simplifies them once and writes `data/build/basemap_*.geojson`; `add_basemap()` draws
them as folium GeoJson layers clipped to the view, so a regional map carries only its own coastline.

Countries go through `shapely.coverage_simplify`, which keeps shared borders identical (a plain
per-polygon simplify opens slivers between neighbours). Two levels: "coarse" (0.05°, ~89k vertices)
for wide views, "world" (0.15°, 1-2 px at zoom 2-3) for the whole globe, "detail" (0.01°) clipped to regional theatres.
Seas are drawn under the land in the ocean colour, so their coastlines can be simplified hard (0.1°,
0.25° for the globe): the land hides the error.
Online tiles (OpenStreetMap, CartoDB, Esri imagery) are opt-in extra layers over nothing else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import GazetteerMissingError, InputError
from geo.gazetteer import BUILD_DIR, Gazetteer, load_gazetteer

__all__ = [
    "ATTRIBUTION",
    "BASEMAP_FILES",
    "OCEAN_COLOUR",
    "ONLINE_TILES",
    "add_basemap",
    "add_online_tiles",
    "build_basemap",
    "load_layer",
]

ATTRIBUTION = "Natural Earth; GeoNames (CC-BY 4.0)"
OCEAN_COLOUR = "#cfe0ec"
LAND_COLOUR = "#f4f1ea"
BORDER_COLOUR = "#9a9489"
SEA_LABEL_COLOUR = "#3d6a8a"

LEVELS = {"world": 0.15, "coarse": 0.05, "detail": 0.01}
SEA_TOLERANCE = {"seas": 0.1, "seas_world": 0.25}
# Decimal places kept: 0.01° (~1 km) is under the 0.05-0.1° simplification error; detail keeps 0.001°.
PRECISION = {"world": 2, "coarse": 2, "detail": 3, "seas": 2, "labels": 3}

BASEMAP_FILES = {
    "countries_world": BUILD_DIR / "basemap_countries_world.geojson",
    "countries_coarse": BUILD_DIR / "basemap_countries_coarse.geojson",
    "countries_detail": BUILD_DIR / "basemap_countries_detail.geojson",
    "seas": BUILD_DIR / "basemap_seas.geojson",
    "seas_world": BUILD_DIR / "basemap_seas_world.geojson",
    "labels": BUILD_DIR / "basemap_labels.geojson",
}
# Each filled layer's outlines as lines (shared borders once), made at build time: a view cuts lines
# where it ends, while a cut polygon's own outline would run along the cut, a seam across the land.
OUTLINED = ("countries_world", "countries_coarse", "countries_detail", "seas", "seas_world")
BASEMAP_FILES.update({f"{name}_lines": BUILD_DIR / f"basemap_{name}_lines.geojson" for name in OUTLINED})

# Opt-in online layers: (name, URL template, attribution). Off unless asked for; when the network
# is absent their tiles simply fail and the vector basemap underneath stays visible.
ONLINE_TILES: dict[str, tuple[str, str]] = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
    ),
    "CartoDB Positron": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "&copy; OpenStreetMap contributors &copy; CARTO",
    ),
    "Esri World Imagery": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri",
    ),
}


# -- build ----------------------------------------------------------------------------------------
def _round(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


def _label_min_zoom(kind: str, subkind: str, importance: float, area_deg2: float) -> int:
    """The zoom from which a label shows: big or important first, small straits only close in."""
    if kind == "sea":
        if subkind == "ocean":
            return 2
        if subkind == "strait":
            return 6 if importance < 0.8 else 5
        return 3 if importance >= 0.85 else 4 if importance >= 0.65 else 5
    if area_deg2 > 150:
        return 2
    if area_deg2 > 20:
        return 3
    if area_deg2 > 3:
        return 4
    if area_deg2 > 0.3:
        return 5
    return 6


TOWN_POPULATION = 250_000  # the smallest city the basemap names (from zoom 6)


def _point_label(place_id: str, name: str, kind: str, lon: float, lat: float, minzoom: int) -> dict[str, Any]:
    return {"type": "Feature", "id": place_id,
            "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
            "properties": {"name": name, "kind": kind, "minzoom": minzoom}}


def _outline_feature(path: Path) -> dict[str, Any]:
    """One feature with every outline of a written layer as lines, each shared border once."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    shapes = shapely.make_valid(np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object))
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(shapes)))
    return {"type": "Feature", "geometry": shapely.geometry.mapping(lines), "properties": {}}


def _write(path: Path, features: list[dict[str, Any]]) -> int:
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    partial = path.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return len(text)


def build_basemap(gazetteer: Gazetteer | None = None, out_dir: Path = BUILD_DIR) -> dict[str, int]:
    """Write the simplified basemap files; returns each file's size in bytes."""
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    out_dir.mkdir(parents=True, exist_ok=True)
    countries = gaz.places_of_kind("country")
    seas = gaz.places_of_kind("sea")
    if not countries:
        raise GazetteerMissingError("the gazetteer has no countries: run `make data` again")
    shapes = np.array([shapely.make_valid(p.geometry) for p in countries], dtype=object)
    sizes: dict[str, int] = {}
    for level, tolerance in LEVELS.items():
        simple = shapely.coverage_simplify(shapes, tolerance)
        features = [
            {"type": "Feature", "id": p.id,
             "geometry": shapely.geometry.mapping(_round(g, PRECISION[level])),
             "properties": {"id": p.id, "name": p.name, "iso": p.country}}
            for p, g in zip(countries, simple, strict=True) if not g.is_empty
        ]
        sizes[f"countries_{level}"] = _write(out_dir / BASEMAP_FILES[f"countries_{level}"].name, features)
    # Oceans first, straits last, so the smaller water bodies lie on top and take the hover.
    order = {"ocean": 0, "sea": 1, "gulf": 2, "bay": 2, "channel": 3, "strait": 4}
    for name, tolerance in SEA_TOLERANCE.items():
        sea_features = []
        for p in sorted(seas, key=lambda s: (order.get(s.subkind, 1), -s.importance)):
            g = shapely.simplify(p.geometry, tolerance, preserve_topology=True)
            if g.is_empty:
                continue
            sea_features.append({"type": "Feature", "id": p.id,
                                 "geometry": shapely.geometry.mapping(_round(g, PRECISION["seas"])),
                                 "properties": {"id": p.id, "name": p.name, "subkind": p.subkind}})
        sizes[name] = _write(out_dir / BASEMAP_FILES[name].name, sea_features)
    for name in OUTLINED:
        sizes[f"{name}_lines"] = _write(out_dir / BASEMAP_FILES[f"{name}_lines"].name,
                                        [_outline_feature(out_dir / BASEMAP_FILES[name].name)])
    labels = []
    for p in [*countries, *seas]:
        area = float(shapely.area(p.geometry)) if p.kind == "country" else 0.0
        labels.append(_point_label(p.id, p.name, p.kind, p.lon, p.lat,
                                   _label_min_zoom(p.kind, p.subkind, p.importance, area)))
    # Close in, the towns and military sites a reader looks for around a base: capitals and the
    # largest cities from zoom 5, other cities of 250,000 from 6, every gazetteer installation from 6.
    for p in gaz.places_of_kind("city"):
        population = p.population or 0
        if p.capital or population >= TOWN_POPULATION:
            minzoom = 5 if p.capital or population >= 1_000_000 else 6
            labels.append(_point_label(p.id, p.name, "city", p.lon, p.lat, minzoom))
    for p in gaz.places_of_kind("installation"):
        labels.append(_point_label(p.id, p.name, "installation", p.lon, p.lat, 6))
    sizes["labels"] = _write(out_dir / BASEMAP_FILES["labels"].name, labels)
    return sizes


# -- load & draw ----------------------------------------------------------------------------------
@functools.cache
def load_layer(name: str) -> tuple[tuple[dict[str, Any], ...], np.ndarray]:
    """(properties per feature, shapely geometries) of one basemap file, read once per process."""
    if name not in BASEMAP_FILES:
        raise InputError(f"basemap layer was {name!r} but is expected to be one of {sorted(BASEMAP_FILES)}")
    path = BASEMAP_FILES[name]
    if not path.exists():
        raise GazetteerMissingError(f"the basemap file {path} does not exist: run `make data`")
    data = json.loads(path.read_text(encoding="utf-8"))
    props = tuple(f["properties"] for f in data["features"])
    geoms = np.array([shapely.geometry.shape(f["geometry"]) for f in data["features"]], dtype=object)
    return props, geoms


@functools.lru_cache(maxsize=48)
def _collection(name: str, bounds: tuple[float, ...] | None, outside: bool = False) -> dict[str, Any]:
    """The layer as a GeoJSON dict, clipped to (west, south, east, north) when given, or with
    `outside` everything but that box (the world around a theatre's detailed layer).

    Cached per process (a few MB in all): every map of a theatre draws the same basemap, and turning
    the world's countries into GeoJSON costs about a second. Callers must not modify the result.
    """
    props, geoms = load_layer(name)
    if bounds is not None and outside:
        geoms = _outside(geoms, bounds)
    elif bounds is not None:
        geoms = shapely.clip_by_rect(geoms, *bounds)
    features = []
    for p, g in zip(props, geoms, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type == "GeometryCollection":  # clipping can leave stray lines on the box edge
            parts = [part for part in g.geoms if part.geom_type in ("Polygon", "MultiPolygon")]
            if not parts:
                continue
            g = shapely.union_all(parts)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            continue  # a sliver cut to a line or point by the box: Leaflet would draw a point as a pin
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p})
    return {"type": "FeatureCollection", "features": features}


def _outside(geoms: np.ndarray, bounds: Sequence[float]) -> np.ndarray:
    """Each geometry without the part inside `bounds`: clipped to the four bands around the box (a
    rectangle clip is fast where a polygon difference costs a second on the world's countries)."""
    west, south, east, north = bounds
    bands = [band for band in ((-180.0, -90.0, west, 90.0), (east, -90.0, 180.0, 90.0), (west, -90.0, east, south),
                               (west, north, east, 90.0)) if band[0] < band[2] and band[1] < band[3]]
    cut = [shapely.clip_by_rect(geoms, *band) for band in bands]
    out = []
    for pieces in zip(*cut, strict=True):
        parts = [part for piece in pieces if piece is not None and not piece.is_empty
                 for part in shapely.get_parts(piece)]
        polygons = [p for p in parts if p.geom_type == "Polygon"]
        lines = [p for p in parts if p.geom_type == "LineString"]
        out.append(shapely.MultiPolygon(polygons) if polygons else shapely.MultiLineString(lines) if lines
                   else shapely.GeometryCollection())
    return np.array(out, dtype=object)


@functools.lru_cache(maxsize=48)
def _outlines(name: str, bounds: tuple[float, ...] | None, outside: bool = False) -> dict[str, Any]:
    """The layer's outlines (built with it as lines), cut like `_collection`; a cut line just stops."""
    lines = load_layer(f"{name}_lines")[1]
    if bounds is not None and outside:
        lines = _outside(lines, bounds)
    elif bounds is not None:
        lines = shapely.clip_by_rect(lines, *bounds)
    parts = [part for line in lines if line is not None and not line.is_empty
             for part in shapely.get_parts(line) if part.geom_type == "LineString"]
    merged = shapely.MultiLineString(parts)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(merged), "properties": {}}] if parts else []}


@functools.lru_cache(maxsize=48)
def _collection_text(name: str, bounds: tuple[float, ...] | None, outside: bool = False,
                     outlines: bool = False) -> str:
    source = _outlines if outlines else _collection
    return json.dumps(source(name, bounds, outside), ensure_ascii=False, separators=(",", ":"))


def _layer(source: str, clip: tuple[float, ...] | None, serve: Callable[[str, str], str] | None,
           outside: bool = False, outlines: bool = False, **options: Any) -> folium.GeoJson | None:
    """A basemap GeoJson layer: its data inline, or (with `serve`) loaded from the URL serve() gives.
    None when nothing of it lies in `clip` (an inland box has no sea): folium cannot build a
    tooltip over an empty layer, and there is nothing to draw."""
    collection = (_outlines if outlines else _collection)(source, clip, outside)
    if not collection["features"]:
        return None
    layer = folium.GeoJson(collection, **options)
    if serve is not None:
        # folium then loads it with a synchronous request: drawn in order, under the event layer.
        layer.embed = False
        layer.embed_link = serve(_collection_text(source, clip, outside, outlines), "json")
    return layer


def _fill(colour: str) -> dict[str, Any]:
    """A basemap fill: its hairline stroke in its own colour closes the anti-aliasing seam where two
    cut pieces of land meet, and shows no border (borders are the separate line layers)."""
    return {"fillColor": colour, "fillOpacity": 1, "color": colour, "weight": 0.8, "opacity": 1}


def _named() -> dict[str, Any]:
    """A fill layer's hover name (a new tooltip each time: a folium element has one parent)."""
    return {"tooltip": folium.GeoJsonTooltip(fields=["name"], labels=False, sticky=True), "smooth_factor": 1.0}


def _padded(bounds: Sequence[float], pad: float = 1.0) -> tuple[float, float, float, float]:
    """Bounds grown by `pad` of their size (the user pans a little), limited to the world."""
    west, south, east, north = bounds
    dx, dy = (east - west) * pad, (north - south) * pad
    return (max(-180.0, west - dx), max(-90.0, south - dy), min(180.0, east + dx), min(90.0, north + dy))


def add_basemap(
    fmap: folium.Map,
    bounds: Sequence[float] | None = None,
    *,
    detail: bool | None = None,
    labels: bool = True,
    serve: Callable[[str, str], str] | None = None,
) -> folium.FeatureGroup:
    """Draw seas, land with country borders and labels under everything else on `fmap`.

    `bounds` (west, south, east, north) clips the shapes to the view plus a margin; `detail`
    chooses the 0.01° countries (default: when the view spans less than 60° of longitude); the
    whole world (no bounds) uses the 0.1° level, regional views wider than 60° the 0.05° one.
    `serve(text, suffix) -> URL` publishes the seas' and countries' GeoJSON as files (the app's
    static folder, `geo.app.map.publish_file`) instead of embedding it: the same files serve every
    map of a theatre and the browser parses them as JSON. Saved HTML leaves `serve` out (inline).
    """
    from geo.render.elements import LabelLayer, html_text  # local import: map_elements imports nothing from here

    clip = _padded(bounds) if bounds is not None else None
    if detail is None:
        detail = bounds is not None and (bounds[2] - bounds[0]) < 60
    group = folium.FeatureGroup(name="Basemap (Natural Earth, gazetteer seas)", control=False, overlay=True)
    # Fills carry no visible stroke: with a theatre's clip their outlines would run along the cut. The outlines
    # are drawn once more as lines (`_outlines`), which just stop at the cut.
    seas_source = "seas" if clip else "seas_world"
    countries_source = "countries_detail" if detail else "countries_coarse" if clip else "countries_world"
    layers = [
        # Around a theatre, the world's land at the coarsest level (the map's background is the
        # ocean): panning or zooming out never shows China or Canada as sea behind a straight seam.
        None if clip is None else _layer(
            "countries_world", clip, serve, outside=True, name="Countries beyond the theatre",
            style_function=lambda _f: _fill(LAND_COLOUR),
            highlight_function=lambda _f: {"fillColor": "#ece6d8"}, **_named()),
        _layer(seas_source, clip, serve, name="Seas",
               style_function=lambda _f: _fill(OCEAN_COLOUR),
               highlight_function=lambda _f: {"fillColor": "#bcd4e6"}, **_named()),
        _layer(countries_source, clip, serve, name="Countries",
               style_function=lambda _f: _fill(LAND_COLOUR),
               highlight_function=lambda _f: {"fillColor": "#ece6d8"}, **_named()),
        _layer(seas_source, clip, serve, outlines=True, name="Sea limits",
               style_function=lambda _f: {"color": "#b7cfe0", "weight": 0.6, "dashArray": "2 3", "fill": False,
                                          "interactive": False}),
        None if clip is None else _layer(
            "countries_world", clip, serve, outside=True, outlines=True, name="Borders beyond the theatre",
            style_function=lambda _f: {"color": BORDER_COLOUR, "weight": 0.6, "fill": False, "interactive": False}),
        _layer(countries_source, clip, serve, outlines=True, name="Borders",
               style_function=lambda _f: {"color": BORDER_COLOUR, "weight": 0.8, "fill": False, "interactive": False}),
    ]
    for layer in layers:
        if layer is not None:
            layer.add_to(group)
    rows: list[list[Any]] = []
    if labels:  # every label: the ones beyond the theatre name the land drawn there
        props, geoms = load_layer("labels")
        for p, g in zip(props, geoms, strict=True):
            rows.append([html_text(p["name"]), round(g.y, 3), round(g.x, 3), p["kind"], p["minzoom"]])
    group.add_to(fmap)
    if labels:
        LabelLayer(rows).add_to(fmap)
    return group


def add_online_tiles(fmap: folium.Map, names: Sequence[str]) -> None:
    """Add the named online tile layers as opt-in choices in the layer control (never by default)."""
    for name in names:
        if name not in ONLINE_TILES:
            raise InputError(f"online tile layer was {name!r} but is expected to be one of {sorted(ONLINE_TILES)}")
        url, attribution = ONLINE_TILES[name]
        folium.TileLayer(tiles=url, attr=attribution, name=name, overlay=False, control=True,
                         max_zoom=18, show=False).add_to(fmap)


def main() -> int:
    sizes = build_basemap()
    for name, size in sizes.items():
        print(f"{BASEMAP_FILES[name].name}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
