"""Changes to events: a correction applied and checked (`apply_changes`), the fields two versions
differ in (each becomes a history entry), the event a merge makes of duplicates, and who and when
of every change.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import asdict, is_dataclass
from typing import Any

import shapely

from geo.errors import InputError
from geo.events import Asset, Event, EventPlace, EventSource
from geo.store.checks import check_properties, to_geometry

__all__ = [
    "EDITABLE_FIELDS",
    "apply_changes",
    "checked_editor",
    "combine_events",
    "default_editor",
    "field_diffs",
    "field_value",
    "same_event",
    "utc_stamp",
]

EDITABLE_FIELDS = ("kind", "name", "actors", "partners", "assets", "places", "geometry", "geo_precision", "start",
                   "end", "time_precision", "status", "source", "confidence", "notes")


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def apply_changes(event: Event, changes: dict[str, Any]) -> Event:
    """A new Event with `changes` applied (values as objects or plain JSON); InputError if invalid."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(f"cannot change {unknown}; editable fields are {list(EDITABLE_FIELDS)}")
    props = event.properties()
    geometry = event.geometry
    for name, value in changes.items():
        if name == "geometry":
            geometry = to_geometry(value)
        elif name in ("actors", "partners"):
            codes = value.split(",") if isinstance(value, str) else value
            props[name] = ([v.strip().upper() if isinstance(v, str) else v for v in codes]
                           if isinstance(codes, list | tuple) else codes)
        else:
            props[name] = _jsonable(value)
    problems = check_properties(props)  # before the records are built: the same words in every build
    if problems:
        raise InputError(f"event {event.id}: " + "; ".join(problems))
    return Event.from_properties(props, geometry)


def field_value(event: Event, name: str) -> Any:
    """A field as plain JSON (geometry as GeoJSON), for history and comparison."""
    if name == "geometry":
        return json.loads(json.dumps(shapely.geometry.mapping(event.geometry)))
    return json.loads(json.dumps(event.properties()[name]))


def field_diffs(before: Event, after: Event) -> list[tuple[str, Any, Any]]:
    diffs = []
    for name in EDITABLE_FIELDS:
        if name == "geometry":
            if before.geometry.wkb != after.geometry.wkb:
                diffs.append((name, field_value(before, name), field_value(after, name)))
            continue
        old, new = field_value(before, name), field_value(after, name)
        if old != new:
            diffs.append((name, old, new))
    return diffs


def same_event(a: Event, b: Event) -> bool:
    return a.properties() == b.properties() and a.geometry.wkb == b.geometry.wkb


def default_editor() -> str:
    """Who is making a change: FPM_EDITOR, else the login name."""
    name = os.environ.get("FPM_EDITOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_stamp() -> str:
    """When a change is made: an ISO 8601 UTC timestamp to the millisecond."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def checked_editor(editor: str) -> str:
    """The editor named, stripped; InputError when none is (every change records who made it)."""
    name = str(editor or "").strip()
    if not name:
        raise InputError("every change needs an editor (who made it)")
    return name


def combine_events(keep: Event, others: list[Event]) -> Event:
    """The event a merge keeps: `keep` with the others' actors, assets, places and dates folded in."""
    everyone = [keep, *others]
    actors = list(dict.fromkeys(a for e in everyone for a in e.actors))
    partners = [p for p in dict.fromkeys(p for e in everyone for p in e.partners) if p not in actors]
    assets: list[Asset] = []
    by_family: dict[tuple[str, str], Asset] = {}
    for event in everyone:
        for asset in event.assets:
            key = (asset.family, asset.category)
            if key not in by_family:
                by_family[key] = Asset(**asdict(asset))
                assets.append(by_family[key])
            elif asset.count is not None and (by_family[key].count or 0) < asset.count:
                by_family[key].count = asset.count
    places: list[EventPlace] = []
    for event in everyone:
        places.extend(p for p in event.places if p.id not in {q.id for q in places})
    geometry = keep.geometry
    geo_precision = keep.geo_precision
    if {p.id for p in places} - {p.id for p in keep.places}:
        geometry = shapely.union_all([e.geometry for e in everyone])
        geo_precision = max(e.geo_precision for e in everyone)
    starts = [e.start for e in everyone if e.start]
    ends = [e.end for e in everyone if e.end]
    end = None if keep.end is None and any(e.end is None for e in everyone) else (max(ends) if ends else None)
    notes = [keep.notes] if keep.notes else []
    for other in others:
        notes.append(f"merged {other.id} from {other.source.document}: \u201c{other.source.sentence}\u201d")
    return keep.copy(
        actors=actors, partners=partners, assets=assets, places=places, geometry=geometry,
        name=keep.name or next((e.name for e in others if e.name), ""),
        geo_precision=geo_precision, start=min(starts) if starts else None, end=end,
        status="observed" if any(e.status == "observed" for e in everyone) else keep.status,
        confidence=max(e.confidence for e in everyone), notes="\n".join(notes),
        source=EventSource(**asdict(keep.source)),
    )
