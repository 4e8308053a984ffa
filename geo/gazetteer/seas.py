"""Named seas, straits, gulfs and oceans as water polygons: curated limit polygons minus land.

No package ships named sea polygons, so `data/sea_limits.geojson` holds hand-drawn *limit*
polygons that roughly follow published limits (mostly IHO S-23, 1953). A limit may run over land
on purpose: drawing it along a coastline would take thousands of vertices, while subtracting
Natural Earth land gives the true coast for free and keeps each limit to a few dozen vertices.

Nesting is explicit: a feature's `parent` (a gulf in its sea, a sea in its ocean) may overlap it;
any other two features must not, so the map never shows two names for the same water by accident.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import DataBuildError
from geo.gazetteer.spatial import check_geometry

__all__ = [
    "SEA_LIMITS_PATH",
    "area_km2",
    "build_sea_shapes",
    "check_sea_shapes",
    "load_sea_limits",
]

SEA_LIMITS_PATH: Path = Path(__file__).resolve().parents[2] / "data" / "sea_limits.geojson"

# Cut-off water (a lagoon behind a limit line, a river reach) below this share of a sea's largest
# piece is dropped: it is an artefact of the simplified limit, not part of the named sea.
FRAGMENT_SHARE = 0.01
# Tolerances of the checks. Land and limits come from different sources at different scales, so a
# sea may graze land or a neighbour a little; anything bigger is a drawing error.
LAND_OVERLAP_SHARE = 0.005
SEA_OVERLAP_SHARE = 0.01
AREA_TOLERANCE = 0.10

_COLUMNS = [
    "id",
    "name",
    "aliases",
    "subkind",
    "parent",
    "importance",
    "published_area_km2",
    "area_km2",
    "source",
    "geometry",
]
_SUBKINDS = {"sea", "strait", "gulf", "bay", "ocean", "channel"}

# Equal-area cylindrical projection (EASE-Grid 2.0 global): valid everywhere incl. the poles, and
# each half of an antimeridian-split shape projects on its own side, so the split needs no care.
_TO_EQUAL_AREA = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True)
# Limit edges are straight in lon/lat; densify before projecting so the projected polygon follows them.
_DENSIFY_DEG = 0.25


def load_sea_limits(path: Path = SEA_LIMITS_PATH) -> gpd.GeoDataFrame:
    """Read the curated limit polygons (one row per named water body, EPSG:4326)."""
    frame = gpd.read_file(path)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    # GeoJSON arrays may come back as strings or numpy arrays depending on the reader.
    frame["aliases"] = [_as_list(v) for v in frame["aliases"]]
    frame["parent"] = pd.Series([_as_parent(p) for p in frame["parent"]], dtype=object)
    return frame


def _as_parent(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parsed = json.loads(value) if value.startswith("[") else [value]
        return [str(v) for v in parsed]
    if isinstance(value, float) and np.isnan(value):
        return []
    return [str(v) for v in value]


def area_km2(geometry: BaseGeometry) -> float:
    """Area of a lon/lat (multi)polygon in km², in an equal-area projection."""
    if geometry.is_empty:
        return 0.0
    dense = shapely.segmentize(geometry, _DENSIFY_DEG)
    projected = shapely.transform(dense, lambda xy: np.column_stack(_TO_EQUAL_AREA.transform(xy[:, 0], xy[:, 1])))
    return float(projected.area) / 1e6


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []  # points and lines left over by make_valid are not water


def _land_near(land: BaseGeometry, bounds: tuple[float, float, float, float]) -> BaseGeometry:
    """Land clipped to a box; clip_by_rect is fast but may return invalid rings, so repair them."""
    return shapely.make_valid(shapely.clip_by_rect(land, *bounds))


def _water(limit: BaseGeometry, land: BaseGeometry) -> BaseGeometry:
    """The limit minus land, without cut-off fragments; land is clipped first to keep it fast."""
    pieces = []
    for part in _polygons(shapely.make_valid(limit)):
        nearby = _land_near(land, part.bounds)
        pieces.extend(_polygons(shapely.make_valid(part.difference(nearby))))
    if not pieces:
        return MultiPolygon()
    # Fragments are judged by equal-area size so high-latitude pieces are not under-counted.
    sizes = [area_km2(p) for p in pieces]
    largest = max(sizes)
    kept = [p for p, size in zip(pieces, sizes, strict=True) if size >= FRAGMENT_SHARE * largest]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def build_sea_shapes(limits: gpd.GeoDataFrame, land: BaseGeometry) -> gpd.GeoDataFrame:
    """Water polygons of every named sea: each limit minus land, with a computed area."""
    rows = []
    for row in limits.itertuples(index=False):
        water = _water(row.geometry, land)
        published = row.published_area_km2
        rows.append(
            {
                "id": row.id,
                "name": row.name,
                "aliases": list(row.aliases),
                "subkind": row.subkind,
                "parent": _as_parent(row.parent),
                "importance": float(row.importance),
                "published_area_km2": None if published is None or np.isnan(published) else float(published),
                "area_km2": area_km2(water),
                "source": row.source,
                "geometry": water,
            }
        )
    return gpd.GeoDataFrame(rows, columns=_COLUMNS, geometry="geometry", crs="EPSG:4326")


def _ancestors(seas: gpd.GeoDataFrame) -> dict[str, set[str]]:
    parent_of = {i: _as_parent(p) for i, p in zip(seas["id"], seas["parent"], strict=True)}
    result: dict[str, set[str]] = {}
    for sea_id in parent_of:
        seen: set[str] = set()
        current = parent_of[sea_id]
        while current is not None and current not in seen:
            seen.add(current)
            current = parent_of.get(current)
        result[sea_id] = seen
    return result


def check_sea_shapes(seas: gpd.GeoDataFrame, land: BaseGeometry) -> None:
    """Raise DataBuildError naming the first bad row; silent when every sea is sound."""
    ids = list(seas["id"])
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DataBuildError(f"sea {duplicates[0]!r}: duplicate id")
    known = set(ids)
    for row in seas.itertuples(index=False):
        geom = row.geometry
        check_geometry(geom, f"sea {row.id!r}")
        parent = _as_parent(row.parent)
        if parent is not None and parent not in known:
            raise DataBuildError(f"sea {row.id!r}: unknown parent {parent!r}")
        if row.subkind not in _SUBKINDS:
            raise DataBuildError(f"sea {row.id!r}: unknown subkind {row.subkind!r}")
        area = _known_area(row)
        # The share of land is a ratio: plain degree areas give it to well under a tenth of a percent.
        on_land = area * geom.intersection(_land_near(land, geom.bounds)).area / geom.area
        if on_land > LAND_OVERLAP_SHARE * area:
            raise DataBuildError(f"sea {row.id!r}: {on_land:.0f} km² of land inside ({on_land / area:.1%})")
        published = row.published_area_km2
        if published is not None and not np.isnan(published):
            off = abs(area - published) / published
            if off > AREA_TOLERANCE:
                raise DataBuildError(
                    f"sea {row.id!r}: area {area:,.0f} km² is {off:.0%} off the published {published:,.0f} km²"
                )
    _check_overlaps(seas)


def _known_area(row: object) -> float:
    """The equal-area size build_sea_shapes already computed, or computed now."""
    known = getattr(row, "area_km2", None)
    if known is not None and not (isinstance(known, float) and np.isnan(known)):
        return float(known)
    return area_km2(row.geometry)  # type: ignore[attr-defined]


def _check_overlaps(seas: gpd.GeoDataFrame) -> None:
    ancestors = _ancestors(seas)
    geoms = list(seas.geometry)
    sea_ids = list(seas["id"])
    areas = [_known_area(row) for row in seas.itertuples(index=False)]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        a, b = sea_ids[i], sea_ids[j]
        if a in ancestors[b] or b in ancestors[a]:
            continue
        overlap = geoms[i].intersection(geoms[j])
        if overlap.area < 1e-9:
            continue  # neighbours touching along a shared limit
        shared = area_km2(overlap)
        smaller = min(areas[i], areas[j])
        if shared > SEA_OVERLAP_SHARE * smaller:
            raise DataBuildError(f"sea {b!r}: overlaps {a!r} by {shared:.0f} km² ({shared / smaller:.1%})")
