"""The gazetteer: one table of named places, each with a shape, loaded from the built file.

The build (`geo.gazetteer.build`, `python -m geo build`) writes `data/build/gazetteer.parquet`
(GeoParquet, EPSG:4326). This module only reads it: it indexes every name and alias by
`geo.gazetteer.names.name_key` and hands out `Place` records; shapes are decoded from WKB on first use.
"""

from __future__ import annotations

import functools
import marshal
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import GazetteerMissingError
from geo.gazetteer.names import name_key
from geo.native import PROJECT_ROOT

__all__ = [
    "BUILD_DIR",
    "DATA_DIR",
    "DEFAULT_GAZETTEER_PATH",
    "KINDS",
    "Gazetteer",
    "Place",
    "load_gazetteer",
]

DATA_DIR = PROJECT_ROOT / "data"
BUILD_DIR = DATA_DIR / "build"
DEFAULT_GAZETTEER_PATH = BUILD_DIR / "gazetteer.parquet"
INDEX_SUFFIX = ".index"
INDEX_VERSION = 1

KINDS = ("country", "sea", "region", "city", "installation")

# Columns of the built table, in order (the build writes exactly these).
COLUMNS = (
    "id", "name", "kind", "subkind", "country", "importance", "aliases", "lat", "lon",
    "west", "south", "east", "north", "population", "capital", "operators", "source", "keys",
)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer record. `lat`/`lon` is a representative point inside the shape."""

    id: str
    name: str
    kind: str
    subkind: str
    country: str | None
    importance: float
    aliases: tuple[str, ...]
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]  # west, south, east, north; west > east wraps 180°
    population: int
    capital: bool
    operators: tuple[str, ...]
    source: str
    geometry_wkb: bytes = field(repr=False, compare=False)

    @property
    def geometry(self) -> BaseGeometry:
        """The shape to draw and to test containment with (polygon, or point for sites)."""
        return _decode_wkb(self.geometry_wkb)

    @property
    def covered(self) -> BaseGeometry:
        """The shape the place covers: its polygon, or for a region known only by a point and an
        extent (a US state, an island group) that extent."""
        if self.kind == "region" and self.geometry.geom_type == "Point":
            from geo.gazetteer.spatial import bbox_polygon

            return bbox_polygon(self.bbox)
        return self.geometry

    def to_record(self) -> dict[str, object]:
        """A JSON-ready dict of the record (no geometry)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "subkind": self.subkind,
            "country": self.country,
            "importance": self.importance,
            "aliases": list(self.aliases),
            "lat": self.lat,
            "lon": self.lon,
            "bbox": list(self.bbox),
            "population": self.population,
            "capital": self.capital,
            "operators": list(self.operators),
            "source": self.source,
        }

    def to_feature(self) -> dict[str, object]:
        """An RFC 7946 GeoJSON Feature of the place's shape."""
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": shapely.geometry.mapping(self.geometry),
            "properties": {
                "id": self.id,
                "name": self.name,
                "kind": self.kind,
                "subkind": self.subkind,
                "country": self.country,
                "source": self.source,
            },
            "bbox": list(self.bbox),
        }


@functools.lru_cache(maxsize=4096)
def _decode_wkb(wkb: bytes) -> BaseGeometry:
    return shapely.from_wkb(wkb)


class Gazetteer:
    """Read-only access to the built place table, by id and by any name or alias."""

    def __init__(
        self,
        rows: list[tuple],
        wkbs: list[bytes],
        keys: list[list[str]] | None = None,
        index: dict[str, list[int]] | None = None,
    ) -> None:
        """`keys[i]` are row i's name keys (the build precomputes them); derived when absent."""
        self._rows = rows
        self._wkbs = wkbs
        self._by_id: dict[str, int] = {row[0]: i for i, row in enumerate(rows)}
        if index is None:
            if keys is None:
                keys = [list(dict.fromkeys(name_key(s) for s in (row[1], *row[6]))) for row in rows]
            index = {}
            for i, row_keys in enumerate(keys):
                for key in row_keys:
                    if key:
                        index.setdefault(key, []).append(i)
        self._by_key = index
        self._places: dict[int, Place] = {}

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Gazetteer:
        """Load the built gazetteer; raises GazetteerMissingError with the fix when absent."""
        import pyarrow.parquet as pq

        target = Path(path) if path is not None else DEFAULT_GAZETTEER_PATH
        fast = target.with_suffix(INDEX_SUFFIX)
        if fast.exists() and target.exists() and fast.stat().st_mtime >= target.stat().st_mtime:
            return cls._load_index(fast)
        if not target.exists():
            raise GazetteerMissingError(
                f"the built gazetteer {target} does not exist: run `make data` "
                "(or `python -m geo build`) first"
            )
        table = pq.read_table(target)
        try:
            columns = {name: table.column(name).to_pylist() for name in COLUMNS}
        except KeyError as err:
            raise GazetteerMissingError(
                f"the built gazetteer {target} is from an older version ({err}): run `make data` again"
            ) from err
        aliases = [tuple(a.split("|")) if a else () for a in columns["aliases"]]
        operators = [tuple(o.split("|")) if o else () for o in columns["operators"]]
        rows = list(
            zip(
                columns["id"], columns["name"], columns["kind"], columns["subkind"],
                columns["country"], columns["importance"], aliases, columns["lat"], columns["lon"],
                columns["west"], columns["south"], columns["east"], columns["north"],
                columns["population"], columns["capital"], operators, columns["source"],
                strict=True,
            )
        )
        keys = [k.split("|") for k in columns["keys"]]
        return cls(rows, table.column("geometry").to_pylist(), keys)

    @classmethod
    def _load_index(cls, path: Path) -> Gazetteer:
        # marshal is several times faster than parquet + re-indexing; the file is our own build's.
        payload = marshal.loads(path.read_bytes())
        if payload.get("version") != INDEX_VERSION or tuple(payload.get("columns", ())) != COLUMNS:
            raise GazetteerMissingError(f"{path} is from another version: run `make data` again")
        return cls(payload["rows"], payload["wkb"], index=payload["index"])

    def write_index(self, path: Path) -> None:
        """Write the fast-loading companion file the build places beside the GeoParquet table."""
        payload = {"version": INDEX_VERSION, "columns": list(COLUMNS), "rows": self._rows,
                   "wkb": self._wkbs, "index": self._by_key}
        partial = path.with_suffix(".partial")
        partial.write_bytes(marshal.dumps(payload))
        partial.replace(path)

    # -- access -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._by_id

    def __iter__(self) -> Iterator[Place]:
        return (self._place(i) for i in range(len(self._rows)))

    def names(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(kind, name, aliases) of every place, without making its `Place` (the name finder reads
        all 170,000 names once; making the records took most of its build time)."""
        return ((r[2], r[1], r[6]) for r in self._rows)

    def get(self, place_id: str) -> Place | None:
        i = self._by_id.get(place_id)
        return None if i is None else self._place(i)

    def __getitem__(self, place_id: str) -> Place:
        place = self.get(place_id)
        if place is None:
            raise KeyError(place_id)
        return place

    def candidates(self, name: str) -> list[Place]:
        """Every place called `name` (any spelling the index knows), unranked."""
        return [self._place(i) for i in self._by_key.get(name_key(name), ())]

    def has_name(self, key: str) -> bool:
        """Whether a (normalised) key names at least one place."""
        return key in self._by_key

    def keys(self) -> Iterable[str]:
        """Every normalised name key (for building the mention finder)."""
        return self._by_key.keys()

    def places_of_kind(self, *kinds: str) -> list[Place]:
        wanted = set(kinds)
        return [self._place(i) for i, row in enumerate(self._rows) if row[2] in wanted]

    def _place(self, i: int) -> Place:
        place = self._places.get(i)
        if place is None:
            r = self._rows[i]
            place = Place(
                id=r[0], name=r[1], kind=r[2], subkind=r[3] or "", country=r[4] or None,
                importance=float(r[5]), aliases=r[6], lat=float(r[7]), lon=float(r[8]),
                bbox=(float(r[9]), float(r[10]), float(r[11]), float(r[12])),
                population=int(r[13] or 0), capital=bool(r[14]), operators=r[15], source=r[16],
                geometry_wkb=self._wkbs[i],
            )
            self._places[i] = place
        return place


@functools.cache
def load_gazetteer(path: str | None = None) -> Gazetteer:
    """The process-wide gazetteer (loaded once; the app and the CLI share it)."""
    return Gazetteer.load(path)
