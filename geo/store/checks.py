"""What the store accepts: every event property, date and geometry is checked here before it is
written (`check_event`, `check_properties`), with the same words with and without the compiled
build; plus `to_geometry`, which reads a geometry from any of the forms a user may give one.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.events import (
    ASSET_CATEGORIES,
    EVENT_KINDS,
    GEO_PRECISION,
    PLACE_ROLES,
    STATUSES,
    TIME_PRECISIONS,
    Event,
)
from geo.store.posture import is_country_code, parse_day

__all__ = [
    "MAX_ASSET_COUNT",
    "MAX_DOCUMENT_CHARS",
    "MAX_ID_CHARS",
    "brief_repr",
    "check_event",
    "check_geometry",
    "check_properties",
    "to_geometry",
]

# Bounds both backends can index: PostgreSQL refuses a B-tree entry over about 2,700 bytes, and a
# character is at most 4 bytes of UTF-8, so 600 characters of document name always fit.
MAX_ID_CHARS = 200
MAX_DOCUMENT_CHARS = 600
# posture_items.asset_count is a 32-bit INTEGER on PostGIS, and SQLite's 64-bit SUM then cannot
# overflow; no force is counted in billions.
MAX_ASSET_COUNT = 2**31 - 1
# Characters an id may not hold: control and format characters (the posture panel joins ids with
# the unit separator \x1f, and an invisible or right-to-left mark makes two ids look alike).
_ID_FORBIDDEN = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
_ASSET_TEXT = ("name", "family", "app6", "text")
_PLACE_TEXT = ("id", "name", "kind", "text")


def brief_repr(value: Any, limit: int = 40) -> str:
    """A value for a message: short, and never the whole of a huge or deeply nested one."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "...")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of {len(str(abs(value))) if value.bit_length() < 10_000 else 'thousands of'} digits"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _text_problem(value: Any, what: str, *, optional: bool = False) -> str | None:
    """Why `value` cannot be stored as text (None when it can): both databases refuse NUL characters
    and unpaired surrogates, so neither may reach them."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return f"{what} was {brief_repr(value)} but is expected to be text"
    if "\x00" in value:
        return f"{what} contains a NUL character (\\x00)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} contains an unpaired surrogate character, which is not valid Unicode text"
    return None


def _id_problem(value: Any, what: str, limit: int) -> str | None:
    problem = _text_problem(value, what)
    if problem:
        return problem
    if not value.strip():
        return f"{what} is empty"
    if len(value) > limit:
        return f"{what} is {len(value):,} characters long; at most {limit} are allowed"
    bad = next((ch for ch in value if unicodedata.category(ch) in _ID_FORBIDDEN), None)
    if bad is not None:
        return f"{what} {brief_repr(value)} contains the control or format character U+{ord(bad):04X}"
    return None


def _choice_problem(value: Any, what: str, allowed: Iterable[Any]) -> str | None:
    allowed = list(allowed)
    if isinstance(value, bool) or value not in allowed or type(value) is not type(allowed[0]):
        return f"{what} was {brief_repr(value)} but is expected to be one of {allowed}"
    return None


def _count_problem(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ASSET_COUNT:
        return f"{what} was {brief_repr(value)} but is expected to be a whole number from 0 to {MAX_ASSET_COUNT:,}"
    return None


def _asset_problems(number: int, asset: Any) -> list[str]:
    if not isinstance(asset, dict):
        return [f"asset {number} was {brief_repr(asset)} but is expected to be an object"]
    name = asset.get("name")
    label = f"asset {number}" + (f" ({brief_repr(name)})" if isinstance(name, str) else "")
    problems = [p for key in _ASSET_TEXT if key in ("name", "family") or key in asset
                if (p := _text_problem(asset.get(key), f"{label} {key}"))]
    if asset.get("category") not in ASSET_CATEGORIES:
        problems.append(f"{label} has category {brief_repr(asset.get('category'))}, expected one of "
                        f"{list(ASSET_CATEGORIES)}")
    problems += filter(None, [_count_problem(asset.get("count"), f"{label} count"),
                              _text_problem(asset.get("catalogue_id"), f"{label} catalogue_id", optional=True)])
    if not isinstance(asset.get("nuclear", False), bool):
        problems.append(f"{label} nuclear was {brief_repr(asset.get('nuclear'))} but is expected to be true or false")
    return problems


def _place_problems(number: int, place: Any) -> list[str]:
    if not isinstance(place, dict):
        return [f"place {number} was {brief_repr(place)} but is expected to be an object"]
    name = place.get("name")
    label = f"place {number}" + (f" ({brief_repr(name)})" if isinstance(name, str) else "")
    problems = [p for key in _PLACE_TEXT if key != "text" or key in place
                if (p := _text_problem(place.get(key), f"{label} {key}"))]
    if isinstance(place.get("id"), str) and not place["id"].strip():
        problems.append(f"{label} id is empty")
    if (role := place.get("role", "location")) not in PLACE_ROLES:
        problems.append(f"{label} role was {brief_repr(role)} but is expected to be one of {list(PLACE_ROLES)}")
    if (country := place.get("country")) is not None and not is_country_code(country):
        problems.append(f"{label} country was {brief_repr(country)} but is expected to be an ISO 3166-1 alpha-2 "
                        "code such as 'DE', or empty")
    return problems


def _source_problems(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return [f"source was {brief_repr(source)} but is expected to be an object"]
    problems = [p for p in (_id_problem(source.get("document"), "source document", MAX_DOCUMENT_CHARS),
                            _text_problem(source.get("sentence"), "source sentence"),
                            *(_text_problem(source.get(k), f"source {k}", optional=True)
                              for k in ("outlet", "headline", "published"))) if p]
    for key in ("start", "end"):
        value = source.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"source {key} was {brief_repr(value)} but is expected to be a character offset >= 0")
    return problems


def check_properties(props: dict[str, Any]) -> list[str]:
    """Every problem with an event's properties (its GeoJSON form, as `Event.properties` gives it),
    in words a user can act on; empty when they are fine.

    Types are checked here, not left to the record classes: compiled, they refuse a wrong type
    with a terse TypeError, and as plain Python (FPM_PURE_PYTHON=1, or a stale build) they take
    anything, so a number as an asset name went into the store and broke every map and export.
    Nothing is converted: a value of the wrong type is reported, never quietly turned into text.
    """
    problems = [p for p in (
        _id_problem(props.get("id"), "id", MAX_ID_CHARS),
        _choice_problem(props.get("kind"), "kind", EVENT_KINDS),
        _choice_problem(props.get("status"), "status", STATUSES),
        _choice_problem(props.get("time_precision"), "time_precision", TIME_PRECISIONS),
        _choice_problem(props.get("geo_precision"), "geo_precision", GEO_PRECISION),
        _text_problem(props.get("notes"), "notes"),
        _text_problem(props.get("name"), "name", optional=True),
    ) if p]
    for name in ("start", "end"):
        value = props.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{name} was {brief_repr(value)} but is expected to be an ISO 8601 date YYYY-MM-DD")
            continue
        try:
            parse_day(value, name)
        except InputError as err:
            problems.append(str(err) if len(value or "") <= 40 else f"{name} was {brief_repr(value)} but is expected "
                            "to be an ISO 8601 date YYYY-MM-DD")
    confidence = props.get("confidence")
    if not (isinstance(confidence, int | float) and not isinstance(confidence, bool)
            and 0.0 <= confidence <= 1.0):  # NaN fails the comparison, so it is refused too
        problems.append(f"confidence was {brief_repr(confidence)} but is expected to be a number between 0 and 1")
    if not isinstance(props.get("edited", False), bool):
        problems.append(f"edited was {brief_repr(props.get('edited'))} but is expected to be true or false")
    for name in ("actors", "partners"):
        codes = props.get(name)
        if not isinstance(codes, list):
            problems.append(f"{name} was {brief_repr(codes)} but is expected to be a list of ISO 3166-1 alpha-2 codes")
            continue
        problems += [f"{name[:-1]} {brief_repr(code)} is not an ISO 3166-1 alpha-2 country code such as 'US'"
                     for code in codes if not is_country_code(code)]
    for name, check in (("assets", _asset_problems), ("places", _place_problems)):
        items = props.get(name)
        if not isinstance(items, list):
            problems.append(f"{name} was {brief_repr(items)} but is expected to be a list of objects")
            continue
        for number, item in enumerate(items, start=1):
            problems += check(number, item)
    problems += _source_problems(props.get("source"))
    return problems


def check_event(event: Event) -> list[str]:
    """Every problem with an event, in words a user can act on (empty when it is fine)."""
    try:
        props = event.properties()
    except (TypeError, AttributeError) as err:  # plain Python lets anything into the records
        return [f"the event's records are malformed: {err}"]
    problems = check_properties(props)
    if isinstance(event.start, str) and isinstance(event.end, str) and not any(
            p.startswith(("start ", "end ")) for p in problems):
        first, last = parse_day(event.start), parse_day(event.end)
        if first and last and last < first:
            problems.append(f"end {event.end} is before start {event.start}")
    problems.extend(check_geometry(event.geometry))
    return problems


def check_geometry(geometry: BaseGeometry | None) -> list[str]:
    if geometry is None or not isinstance(geometry, BaseGeometry):
        return ["geometry is missing"]
    if geometry.is_empty:
        return ["geometry is empty"]
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return ["geometry has a coordinate that is not a finite number"]
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
        bad = coords[(np.abs(lon) > 180) | (np.abs(lat) > 90)][0]
        return [f"geometry has a point ({bad[0]:g}, {bad[1]:g}) outside lon -180..180 / lat -90..90 "
                "(coordinates are lon, lat in EPSG:4326; were they swapped or projected?)"]
    if not geometry.is_valid:
        return [f"geometry is not valid: {shapely.is_valid_reason(geometry)}"]
    return []


def to_geometry(value: Any) -> BaseGeometry:
    """A shapely geometry from shapely, a GeoJSON mapping, WKT or WKB."""
    try:
        if isinstance(value, BaseGeometry):
            return value
        if isinstance(value, dict):
            return shapely.geometry.shape(value)
        if isinstance(value, bytes | bytearray | memoryview):
            return shapely.from_wkb(bytes(value))
        if isinstance(value, str):
            text = value.strip()
            return shapely.geometry.shape(json.loads(text)) if text.startswith("{") else shapely.from_wkt(text)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException) as err:
        raise InputError(f"geometry could not be read: {err}") from err
    raise InputError(f"geometry should be a shapely geometry, GeoJSON, WKT or WKB, got {type(value).__name__}")
