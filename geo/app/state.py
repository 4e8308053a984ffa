"""The map page's view (theatre, dates, filters, selection, presentation) and its URL query form.

A briefing officer sends a link, and the colleague who opens it must see the same map: so the
whole view is one small dataclass that round-trips through `st.query_params` (flat string values,
lists comma-joined). Parsing never raises: a stale or hand-edited link falls back to defaults for
the parts it got wrong instead of breaking the page. Pure Python (no Streamlit import) so the
round trip is tested without a running app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from geo.events import ASSET_CATEGORIES, EVENT_KINDS, STATUSES
from geo.render import PERSPECTIVES, THEATRES

__all__ = ["TIME_MODES", "View", "clamp_day", "parse_view", "view_query"]

TIME_MODES = ("asof", "range")  # "posture as of" one day, or "events between" two days
_LISTS = ("kinds", "actors", "categories", "statuses", "tiles")
# Short, stable URL names (a link must keep working when a field is renamed in Python).
_KEYS = {
    "theatre": "theatre", "perspective": "persp", "mode": "mode", "as_of": "asof", "start": "from", "end": "to",
    "kinds": "kind", "actors": "actor", "categories": "cat", "statuses": "status", "text": "q",
    "place": "place", "event": "ev", "present": "present", "title": "title", "caveat": "caveat",
    "tiles": "tiles", "basemap": "basemap",
}
MAX_TEXT = 200


@dataclass(slots=True)
class View:
    """Everything that decides what the map page shows; defaults are the page's opening view."""

    theatre: str = "World"
    perspective: str = "neutral"
    mode: str = "asof"
    as_of: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    kinds: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    text: str = ""
    place: str = ""  # gazetteer id of the clicked or searched place (the side panel's subject)
    event: str = ""  # id of the event whose details are open
    present: bool = False
    title: str = ""
    caveat: str = ""
    tiles: tuple[str, ...] = ()  # opt-in online tile layers
    basemap: bool = True
    extra: dict[str, str] = field(default_factory=dict)  # unknown query keys, kept so links survive

    def with_dates(self, first: dt.date, last: dt.date) -> View:
        """Fill missing dates from the store's time range and keep every date inside it."""
        as_of = clamp_day(self.as_of or last, first, last)
        start = clamp_day(self.start or first, first, last)
        end = clamp_day(self.end or last, first, last)
        if end < start:
            start, end = end, start
        return replace(self, as_of=as_of, start=start, end=end)

    def time_window(self) -> tuple[dt.date | None, dt.date | None]:
        """The days the map and the side panel show: one day (as of) or the range."""
        if self.mode == "asof":
            return self.as_of, self.as_of
        return self.start, self.end

    def filters(self) -> dict[str, Any]:
        """The store query filters of the view (time excluded: the browser filters time)."""
        return {"kinds": self.kinds or None, "actors": self.actors or None, "categories": self.categories or None,
                "statuses": self.statuses or None, "text": self.text or None}


def clamp_day(day: dt.date, first: dt.date, last: dt.date) -> dt.date:
    return max(first, min(last, day))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def _choices(text: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if allowed is not None:
        items = [t for t in items if t in allowed]
    return tuple(dict.fromkeys(items))


def _first(value: str | list[str]) -> str:
    if isinstance(value, list):
        return value[-1] if value else ""
    return value


def parse_view(params: Mapping[str, str | list[str]]) -> View:
    """The view a URL query describes; anything unknown or malformed falls back to the default."""
    from geo.render import ONLINE_TILES

    raw = {k: _first(v)[: MAX_TEXT * 2] for k, v in params.items()}
    view = View()
    known = set(_KEYS.values())
    view.extra = {k: v for k, v in raw.items() if k not in known}
    get = raw.get
    if get("theatre") in THEATRES:
        view.theatre = get("theatre")  # type: ignore[assignment]
    if get("persp") in PERSPECTIVES:
        view.perspective = get("persp")  # type: ignore[assignment]
    if get("mode") in TIME_MODES:
        view.mode = get("mode")  # type: ignore[assignment]
    view.as_of, view.start, view.end = (_day(get(k) or "") for k in ("asof", "from", "to"))
    allowed: dict[str, tuple[str, ...] | None] = {"kinds": EVENT_KINDS, "actors": None, "categories": ASSET_CATEGORIES,
                                                  "statuses": STATUSES, "tiles": tuple(ONLINE_TILES)}
    for name in _LISTS:
        setattr(view, name, _choices(get(_KEYS[name]) or "", allowed[name]))
    view.actors = tuple(a.upper() for a in view.actors if a.isalpha() and len(a) <= 3)
    for name in ("text", "place", "event", "title", "caveat"):
        setattr(view, name, (get(_KEYS[name]) or "").strip()[:MAX_TEXT])
    view.present = get("present") in ("1", "true", "yes")
    view.basemap = get("basemap") not in ("0", "false", "no")
    return view


def view_query(view: View) -> dict[str, str]:
    """The URL query of a view: only what differs from the defaults, so links stay short."""
    default = View()
    out: dict[str, str] = {}
    for f in fields(View):
        if f.name == "extra":
            continue
        value = getattr(view, f.name)
        if value == getattr(default, f.name) or value in ("", ()):
            continue
        key = _KEYS[f.name]
        if isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, tuple):
            out[key] = ",".join(value)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    if view.mode == "asof":  # the range is not what is shown: leave it out of the link
        out.pop("from", None)
        out.pop("to", None)
    else:
        out.pop("asof", None)
    return {**view.extra, **out}
