"""Where an event is: which of its places to draw (the most specific), whether one place lies in
another, the event's shape (a point, a sea's polygon, a patrol's route, a union of areas) and how
precisely it is placed. Shapes and containment are cached per place, as gazetteer places never change.
"""

from __future__ import annotations

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.extract.mentions import PlaceMention

DRAW_TOLERANCE_DEGREES = 0.01


def unique_places(places: list[PlaceMention]) -> list[PlaceMention]:
    seen: dict[str, PlaceMention] = {}
    for place in places:
        seen.setdefault(place.place.id, place)
    return list(seen.values())


def most_specific(places: list[PlaceMention]) -> list[PlaceMention]:
    """Drop a country or wide region when a place inside it is named too (Hmeimim, not all of Syria)."""
    kept = []
    for place in places:
        broad = place.place.kind in ("country", "region", "sea")
        inner = [o for o in places if (o is not place and o.place.kind in ("installation", "city"))
                 or (o is not place and o.place.kind == "region" and place.place.kind == "country")]
        if broad and any(contains(place, o) for o in inner):
            continue
        kept.append(place)
    return kept or places


def contains(outer: PlaceMention, inner: PlaceMention) -> bool:
    if outer.place.kind == "country" and inner.place.country == outer.place.country:
        return True
    # Remembered by the pair: a sentence or an event compares its places pairwise, and an article
    # that names the same places again and again would test the same shapes again and again.
    pair = (outer.place.id, inner.place.id)
    inside = _CONTAINED.get(pair)
    if inside is None:
        if outer.place.geometry.geom_type == "Point":  # a region known by its point and extent
            inside = bool(outer.place.covered.contains(shapely.Point(inner.place.lon, inner.place.lat)))
        else:
            shape = outer.place.geometry
            shapely.prepare(shape)  # cached shapes stay prepared: later tests are cheap
            inside = bool(shapely.dwithin(shape, shapely.Point(inner.place.lon, inner.place.lat), 0.05))
        if len(_CONTAINED) >= MAX_CACHED_PAIRS:
            del _CONTAINED[next(iter(_CONTAINED))]  # the oldest goes first
        _CONTAINED[pair] = inside
    return inside


# (outer place id, inner place id) -> whether the inner place lies in the outer one (gazetteer places
# never change); bounded like the unions below.
_CONTAINED: dict[tuple[str, str], bool] = {}
MAX_CACHED_PAIRS = 65_536


def geo_precision(place) -> int:
    if place.kind in ("installation", "city"):
        return 1
    if place.kind == "region" and place.subkind not in ("composite",):
        return 2
    return 3


def event_geometry(kind: str, places: list[PlaceMention], shapes: list[BaseGeometry]) -> BaseGeometry:
    """The site's point, the sea's polygon; a patrol through several sites is a route."""
    if len(shapes) == 1:
        return shapes[0]
    if kind == "patrol" and all(s.geom_type == "Point" for s in shapes):
        return LineString([(s.x, s.y) for s in shapes])
    # The drawn shape: ~1 km of simplification is invisible on a theatre map and makes the union cheap.
    # Still, a country with two seas takes GEOS tens of milliseconds, and news names the same
    # theatre again and again: the union of the same places in the same order is made once.
    key = tuple(p.place.id for p in places)
    union = _UNIONS.get(key)
    if union is None:
        union = shapely.union_all([drawn(p.place.id, shape) for p, shape in zip(places, shapes, strict=True)])
        if len(_UNIONS) >= MAX_CACHED_UNIONS:
            del _UNIONS[next(iter(_UNIONS))]  # the oldest goes first
        _UNIONS[key] = union
    return union


_DRAWN: dict[str, BaseGeometry] = {}
# Unions of drawn shapes by the places' ids in order (shapely geometries are immutable, so events
# can share one). Bounded: a few thousand theatres cover years of reporting.
_UNIONS: dict[tuple[str, ...], BaseGeometry] = {}
MAX_CACHED_UNIONS = 4096


def drawn(place_id: str, shape: BaseGeometry) -> BaseGeometry:
    """A place's drawing shape, simplified once per process (gazetteer shapes never change)."""
    if shape.geom_type == "Point":
        return shape
    drawn = _DRAWN.get(place_id)
    if drawn is None:
        drawn = _DRAWN[place_id] = shapely.simplify(shape, DRAW_TOLERANCE_DEGREES, preserve_topology=True)
    return drawn
