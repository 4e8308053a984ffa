"""Small spherical helpers shared by ranking, evaluation and the store."""

from __future__ import annotations

import math

import shapely
import shapely.ops
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

__all__ = ["EARTH_RADIUS_KM", "bbox_polygon", "check_geometry", "distance_to_shape_km", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (arguments in geopy's lat, lon order)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_to_shape_km(shape: BaseGeometry, lat: float, lon: float) -> float:
    """0 when the point lies inside the shape, else the distance to the shape's nearest point.

    Shapely works in (lon, lat): the point is built that way round.
    """
    point = Point(lon, lat)
    if shape.geom_type in ("Point", "MultiPoint"):
        nearest = shapely.ops.nearest_points(shape, point)[0]
        return haversine_km(lat, lon, nearest.y, nearest.x)
    if shape.covers(point):
        return 0.0
    nearest = shapely.ops.nearest_points(shape, point)[0]
    return haversine_km(lat, lon, nearest.y, nearest.x)


def check_geometry(geometry: BaseGeometry | None, where: str) -> None:
    """The rules every stored shape obeys; the DataBuildError names the row (`where`)."""
    from geo.errors import DataBuildError

    if geometry is None or geometry.is_empty:
        raise DataBuildError(f"{where}: empty geometry")
    if not geometry.is_valid:
        raise DataBuildError(f"{where}: invalid geometry ({shapely.is_valid_reason(geometry)})")
    west, south, east, north = geometry.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise DataBuildError(f"{where}: coordinates outside lon [-180, 180] / lat [-90, 90]")


def bbox_polygon(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    """The box as a (Multi)Polygon, split at 180° when it wraps."""
    west, south, east, north = bbox
    if west <= east:
        return box(west, south, east, north)
    return shapely.MultiPolygon([box(west, south, 180, north), box(-180, south, east, north)])
