"""Tests of the named-sea polygons: data sanity, published areas, sample points, and pictures.

The rendering test rasterizes each sea over its land and saves the picture under
tests/artifacts/seas/ so a person can look at what the numbers say.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image, ImageDraw, ImageFilter
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import DataBuildError
from geo.gazetteer.naturalearth import land
from geo.gazetteer.seas import SEA_LIMITS_PATH, area_km2, build_sea_shapes, check_sea_shapes, load_sea_limits

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "seas"
WIDTH_PX = 400


@pytest.fixture(scope="module")
def world_land() -> BaseGeometry:
    return land()


@pytest.fixture(scope="module")
def limits() -> gpd.GeoDataFrame:
    return load_sea_limits()


@pytest.fixture(scope="module")
def seas(limits: gpd.GeoDataFrame, world_land: BaseGeometry) -> gpd.GeoDataFrame:
    return build_sea_shapes(limits, world_land)


def _by_id(seas: gpd.GeoDataFrame, sea_id: str) -> BaseGeometry:
    rows = seas[seas["id"] == sea_id]
    assert len(rows) == 1, sea_id
    return rows.geometry.iloc[0]


def test_path_and_count(seas: gpd.GeoDataFrame) -> None:
    assert SEA_LIMITS_PATH.name == "sea_limits.geojson" and SEA_LIMITS_PATH.exists()
    assert len(seas) >= 60
    assert list(seas.columns) == [
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
    assert seas.crs.to_epsg() == 4326
    assert all(isinstance(a, list) for a in seas["aliases"])


def test_geometries_valid_and_in_range(seas: gpd.GeoDataFrame) -> None:
    for row in seas.itertuples():
        assert row.geometry.is_valid and not row.geometry.is_empty, row.id
        minx, miny, maxx, maxy = row.geometry.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90, row.id
        assert row.area_km2 > 0, row.id


def test_limits_are_rfc7946(limits: gpd.GeoDataFrame) -> None:
    for row in limits.itertuples():
        minx, miny, maxx, maxy = row.geometry.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90, row.id
        assert row.source and row.name and 0 <= row.importance <= 1, row.id


def test_check_passes(seas: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    check_sea_shapes(seas, world_land)


@pytest.mark.parametrize(
    ("sea_id", "low", "high"),
    [("sea:baltic-sea", 0.9, 1.1), ("sea:sea-of-japan", 0.9, 1.1), ("sea:east-china-sea", 0.9, 1.1)],
)
def test_key_areas(seas: gpd.GeoDataFrame, sea_id: str, low: float, high: float) -> None:
    row = seas[seas["id"] == sea_id].iloc[0]
    assert row.published_area_km2 is not None
    assert low <= row.area_km2 / row.published_area_km2 <= high, (row.area_km2, row.published_area_km2)


WATER_POINTS = [
    (19.5, 58.0, "sea:baltic-sea"),
    (135.0, 40.0, "sea:sea-of-japan"),
    (125.0, 29.0, "sea:east-china-sea"),
    (3.0, 56.0, "sea:north-sea"),
    (5.0, 68.0, "sea:norwegian-sea"),
    (40.0, 73.0, "sea:barents-sea"),
    (-5.0, 45.5, "bay:bay-of-biscay"),
    (-1.0, 50.3, "channel:english-channel"),
    (-5.0, 53.8, "sea:irish-sea"),
    (26.0, 60.0, "gulf:gulf-of-finland"),
    (20.0, 62.5, "gulf:gulf-of-bothnia"),
    (23.5, 57.5, "gulf:gulf-of-riga"),
    (11.5, 57.0, "sea:kattegat"),
    (9.0, 58.0, "sea:skagerrak"),
    (12.7, 55.9, "strait:oresund"),
    (5.0, 38.0, "sea:mediterranean-sea"),
    (25.0, 38.5, "sea:aegean-sea"),
    (16.0, 43.0, "sea:adriatic-sea"),
    (12.0, 40.0, "sea:tyrrhenian-sea"),
    (34.0, 43.5, "sea:black-sea"),
    (36.5, 46.0, "sea:sea-of-azov"),
    (28.0, 40.7, "sea:sea-of-marmara"),
    (29.07, 41.15, "strait:bosporus"),
    (26.4, 40.2, "strait:dardanelles"),
    (-5.6, 35.95, "strait:strait-of-gibraltar"),
    (38.0, 21.0, "sea:red-sea"),
    (48.0, 12.5, "gulf:gulf-of-aden"),
    (51.0, 27.0, "gulf:persian-gulf"),
    (56.5, 26.4, "strait:strait-of-hormuz"),
    (58.0, 24.5, "gulf:gulf-of-oman"),
    (65.0, 15.0, "sea:arabian-sea"),
    (88.0, 15.0, "bay:bay-of-bengal"),
    (96.0, 12.0, "sea:andaman-sea"),
    (99.8, 4.0, "strait:strait-of-malacca"),
    (104.0, 1.2, "strait:singapore-strait"),
    (114.0, 12.0, "sea:south-china-sea"),
    (101.5, 10.0, "gulf:gulf-of-thailand"),
    (119.5, 24.0, "strait:taiwan-strait"),
    (121.0, 21.5, "strait:luzon-strait"),
    (123.0, 36.0, "sea:yellow-sea"),
    (120.0, 39.0, "sea:bohai-sea"),
    (129.8, 34.2, "strait:korea-strait"),
    (127.0, 25.3, "strait:miyako-strait"),
    (130.0, 20.0, "sea:philippine-sea"),
    (150.0, 55.0, "sea:sea-of-okhotsk"),
    (-178.0, 58.0, "sea:bering-sea"),
    (178.0, 60.0, "sea:bering-sea"),
    (-75.0, 15.0, "sea:caribbean-sea"),
    (-90.0, 25.0, "gulf:gulf-of-mexico"),
    (155.0, -18.0, "sea:coral-sea"),
    (160.0, -38.0, "sea:tasman-sea"),
    (110.0, -5.0, "sea:java-sea"),
    (120.0, 8.0, "sea:sulu-sea"),
    (122.0, 3.0, "sea:celebes-sea"),
    (-40.0, 30.0, "ocean:north-atlantic-ocean"),
    (-140.0, 10.0, "ocean:pacific-ocean"),
    (80.0, -30.0, "ocean:indian-ocean"),
    (0.0, 85.0, "ocean:arctic-ocean"),
    (-145.0, 57.5, "gulf:gulf-of-alaska"),
    (-140.0, 71.0, "sea:beaufort-sea"),
    (2.0, 3.0, "gulf:gulf-of-guinea"),
    (107.5, 20.0, "gulf:gulf-of-tonkin"),
    (8.5, 43.7, "sea:ligurian-sea"),
    (34.75, 28.7, "gulf:gulf-of-aqaba"),
    (33.0, 28.8, "gulf:gulf-of-suez"),
    (-85.0, 60.0, "bay:hudson-bay"),
    (-80.0, 52.5, "bay:hudson-bay"),  # James Bay
    (-65.0, 73.0, "bay:baffin-bay"),
    (-62.0, 48.5, "gulf:gulf-of-st-lawrence"),
    (125.0, 76.0, "sea:laptev-sea"),
    (160.0, 73.0, "sea:east-siberian-sea"),
]


@pytest.mark.parametrize(("lon", "lat", "sea_id"), WATER_POINTS)
def test_water_points(seas: gpd.GeoDataFrame, lon: float, lat: float, sea_id: str) -> None:
    assert _by_id(seas, sea_id).covers(Point(lon, lat))


LAND_POINTS = {
    "Moscow": (37.62, 55.75),
    "Berlin": (13.4, 52.52),
    "Tokyo": (139.69, 35.69),
    "Paris": (2.35, 48.86),
    "Beijing": (116.4, 39.9),
    "Tehran": (51.39, 35.69),
    "Washington": (-77.04, 38.9),
    "Canberra": (149.13, -35.28),
    "Madrid": (-3.7, 40.4),
    "Ankara": (32.85, 39.93),
    "Kyiv": (30.52, 50.45),
    "Riyadh": (46.72, 24.69),
}


def test_land_points_not_covered(seas: gpd.GeoDataFrame) -> None:
    tree = shapely.STRtree(list(seas.geometry))
    for city, (lon, lat) in LAND_POINTS.items():
        hits = tree.query(Point(lon, lat), predicate="intersects")
        assert len(hits) == 0, (city, [seas["id"].iloc[i] for i in hits])


def test_bering_sea_crosses_antimeridian(seas: gpd.GeoDataFrame) -> None:
    bering = _by_id(seas, "sea:bering-sea")
    assert isinstance(bering, MultiPolygon)
    xs = np.concatenate([np.asarray(p.exterior.coords)[:, 0] for p in bering.geoms])
    assert xs.min() >= -180 and xs.max() <= 180
    assert any(p.bounds[0] > 0 for p in bering.geoms) and any(p.bounds[2] < 0 for p in bering.geoms)
    # one equal-area figure for both halves (Britannica 2,304,000 km²)
    assert 0.9 < area_km2(bering) / 2_304_000 < 1.1


def test_check_names_bow_tie_row(seas: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    broken = seas.iloc[[list(seas["id"]).index("sea:kattegat")]].copy()
    broken.loc[broken.index[0], "geometry"] = Polygon([(11, 56), (12, 57), (12, 56), (11, 57)])
    with pytest.raises(DataBuildError, match="sea:kattegat"):
        check_sea_shapes(broken, world_land)


def test_check_names_duplicate_id(seas: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    doubled = gpd.GeoDataFrame(
        [seas.iloc[0].to_dict() | {"id": "sea:twice"}, seas.iloc[1].to_dict() | {"id": "sea:twice"}],
        geometry="geometry",
        crs="EPSG:4326",
    )
    with pytest.raises(DataBuildError, match="sea:twice"):
        check_sea_shapes(doubled, world_land)


def test_check_names_area_and_land_errors(seas: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    row = seas[seas["id"] == "gulf:gulf-of-riga"].copy()
    row["parent"] = None  # alone in the frame, its parent would be unknown
    row["published_area_km2"] = 99_000.0
    with pytest.raises(DataBuildError, match=r"gulf:gulf-of-riga.*off the published"):
        check_sea_shapes(row, world_land)
    row = seas[seas["id"] == "gulf:gulf-of-riga"].copy()
    row["parent"] = None
    row["published_area_km2"] = None
    row["geometry"] = [shapely.box(21.5, 56.5, 25.5, 58.8)]  # the limit box, land not removed
    with pytest.raises(DataBuildError, match=r"gulf:gulf-of-riga.*land inside"):
        check_sea_shapes(row, world_land)


# ---------------------------------------------------------------- pictures


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in _polygons(part)]


def _unwrap(geom: BaseGeometry) -> tuple[BaseGeometry, bool]:
    """Shift the western half of an antimeridian-split shape east by 360° if that makes it compact."""
    parts = _polygons(geom)
    west = [p for p in parts if p.bounds[0] <= -179.999]
    east = [p for p in parts if p.bounds[2] >= 179.999]
    if not west or not east:
        return geom, False
    shifted = shapely.union_all([translate(p, 360) if p.bounds[2] <= 0 else p for p in parts])
    wide = geom.bounds[2] - geom.bounds[0]
    if shifted.bounds[2] - shifted.bounds[0] < wide:
        return shifted, True
    return geom, False


def _land_in(world_land: BaseGeometry, bounds: tuple[float, float, float, float], shifted: bool) -> BaseGeometry:
    minx, miny, maxx, maxy = bounds
    if not shifted:
        return shapely.clip_by_rect(world_land, minx, miny, maxx, maxy)
    east = shapely.clip_by_rect(world_land, minx, miny, 180, maxy)
    west = translate(shapely.clip_by_rect(world_land, -180, miny, maxx - 360, maxy), 360)
    return shapely.union_all([east, west])


class _Canvas:
    """Plate carrée raster of a bounding box, `WIDTH_PX` wide."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        minx, miny, maxx, maxy = bounds
        pad = 0.02 * max(maxx - minx, maxy - miny, 0.05)
        self.minx, self.maxy = minx - pad, maxy + pad
        self.scale = WIDTH_PX / (maxx - minx + 2 * pad)
        self.size = (WIDTH_PX, max(20, min(1200, round((maxy - miny + 2 * pad) * self.scale))))

    def _xy(self, coords: object) -> list[tuple[float, float]]:
        arr = np.asarray(coords)
        return list(zip((arr[:, 0] - self.minx) * self.scale, (self.maxy - arr[:, 1]) * self.scale, strict=True))

    def fill(self, geom: BaseGeometry) -> np.ndarray:
        image = Image.new("1", self.size, 0)
        draw = ImageDraw.Draw(image)
        for poly in _polygons(geom):
            draw.polygon(self._xy(poly.exterior.coords), fill=1, outline=1)
            for hole in poly.interiors:
                draw.polygon(self._xy(hole.coords), fill=0, outline=0)
        return np.asarray(image, dtype=bool)

    def outline(self, geom: BaseGeometry) -> np.ndarray:
        image = Image.new("1", self.size, 0)
        draw = ImageDraw.Draw(image)
        for poly in _polygons(geom):
            for ring in [poly.exterior, *poly.interiors]:
                draw.line(self._xy(ring.coords), fill=1, width=1)
        return np.asarray(image, dtype=bool)


def _grow(mask: np.ndarray, px: int) -> np.ndarray:
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    return np.asarray(image.filter(ImageFilter.MaxFilter(2 * px + 1))) > 0


def _shrink(mask: np.ndarray, px: int) -> np.ndarray:
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    return np.asarray(image.filter(ImageFilter.MinFilter(2 * px + 1))) > 0


def raster_defects(
    water: BaseGeometry, limit: BaseGeometry, world_land: BaseGeometry
) -> tuple[float, float, Image.Image]:
    """(share of sea pixels on land, share of coast pixels with no land within 2 px, picture).

    Coast pixels are the sea's edge pixels away from the limit polygon's own edge (2 px), i.e. the
    edge the land cut; each must have land within 2 px, or the land used was buffered or simplified.
    """
    water, shifted = _unwrap(water)
    if shifted:
        limit = shapely.union_all([translate(p, 360) if p.bounds[2] <= 0 else p for p in _polygons(limit)])
    canvas = _Canvas(water.bounds)
    sea = canvas.fill(water)
    ground = canvas.fill(_land_in(world_land, water.bounds, shifted))
    inner = _shrink(sea, 1)
    # Both fills paint their boundary pixels, so fjords, skerries and spits narrower than a pixel show
    # up on both masks; only land that survives a 2 px erosion counts as land inside the sea.
    solid_overlap = inner & _shrink(ground, 2)
    on_land = float(solid_overlap.sum()) / max(1, int(sea.sum()))
    edge = sea & ~inner
    edge[[0, -1], :] = False
    edge[:, [0, -1]] = False
    coast = edge & ~_grow(canvas.outline(limit), 2)
    gaps = coast & ~_grow(ground, 2)
    gap_share = float(gaps.sum()) / max(1, int(coast.sum()))
    rgb = np.full((*sea.shape, 3), 255, dtype=np.uint8)
    rgb[ground] = (200, 200, 200)
    rgb[sea] = (120, 170, 230)
    rgb[solid_overlap] = (230, 30, 30)
    rgb[gaps] = (230, 0, 230)
    return on_land, gap_share, Image.fromarray(rgb)


def test_rendering_catches_bad_land(limits: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    """The picture test must fail a sea built without land or with a coarsened land."""
    limit = limits[limits["id"] == "gulf:gulf-of-riga"].geometry.iloc[0]
    minx, miny, maxx, maxy = limit.bounds
    nearby = shapely.clip_by_rect(world_land, minx - 1, miny - 1, maxx + 1, maxy + 1)
    unsubtracted, _, _ = raster_defects(limit, limit, world_land)
    assert unsubtracted > 0.05
    coarse_water = limit.difference(nearby.buffer(0.08))
    _, gaps, _ = raster_defects(coarse_water, limit, world_land)
    assert gaps > 0.2
    simplified_water = limit.difference(nearby.simplify(0.1))
    on_land, gaps, _ = raster_defects(simplified_water, limit, world_land)
    assert on_land > 0.005 or gaps > 0.02


def test_rendering_every_sea(seas: gpd.GeoDataFrame, limits: gpd.GeoDataFrame, world_land: BaseGeometry) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    limit_of = dict(zip(limits["id"], limits.geometry, strict=True))
    bad = []
    for row in seas.itertuples():
        on_land, gaps, picture = raster_defects(row.geometry, limit_of[row.id], world_land)
        picture.save(ARTIFACTS / f"{row.id.replace(':', '_')}.png")
        if on_land >= 0.005 or gaps >= 0.02:
            bad.append((row.id, round(on_land, 4), round(gaps, 4)))
    assert not bad, bad
