"""The view: what the map shows (theatre or bounds, perspective, dates, filters, selection, presentation),
one record shared by the app's map page, its share links, the CLI and every export.

A briefing officer sends a link, and the colleague who opens it must see the same map; a PNG on a
shared drive must say months later what exactly was filtered. So the app, `python -m geo snapshot`
and each export record hold the same `View`, written in the same short URL keys (`_KEYS`), and a
saved app view, a CLI call and an export record are one thing. It lives in the export stage, the
lowest that needs it; the app imports it from `geo.export`.

Two ways in, for two kinds of caller:

* Checked (`View.make`, `View.from_query`, `View.from_dict`): CLI input, briefing links and export
  records. A bad value raises InputError naming it.
* Lenient (`View.from_link`): the app's address bar. It never raises: a stale or hand-edited link
  falls back to defaults for the parts it got wrong instead of breaking the page, and keys it does
  not know are kept in `extra` so they survive the page writing its link back (`View.link`).

The page keeps a day and a range side by side and `mode` says which one is shown; a checked view
holds one of them, and its mode says which. `View.shown()` turns the page's view into the checked
one an export records: the shown time only, app-only state (selection, presentation, online tile
layers, unknown link keys) dropped. Pure Python (no Streamlit import), so it is tested without a
running app.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from geo.errors import InputError
from geo.events import ASSET_CATEGORIES, EVENT_KINDS, STATUSES
from geo.render import ONLINE_TILES, PERSPECTIVES, THEATRES
from geo.store import parse_day

__all__ = ["MAX_TEXT", "TIME_MODES", "View", "clamp_day", "padded_bounds", "resolve_theatre"]

TIME_MODES = ("asof", "range")  # "posture as of" one day, or "events between" two days
# Field -> short, stable URL name (a link must keep working when a field is renamed in Python). The
# order is the order links are written in.
_KEYS = {
    "theatre": "theatre", "perspective": "persp", "mode": "mode", "as_of": "asof", "start": "from", "end": "to",
    "kinds": "kind", "actors": "actor", "categories": "cat", "statuses": "status", "text": "q",
    "place": "place", "event": "ev", "present": "present", "title": "title", "caveat": "caveat",
    "tiles": "tiles", "basemap": "basemap", "bounds": "bounds",
}
_LISTS = ("kinds", "actors", "categories", "statuses", "tiles")
MAX_TEXT = 200  # a link's text values are cut to this (title, caveat, search text, ids)


def resolve_theatre(name: str) -> str:
    """A theatre preset's exact name from a forgiving spelling ("baltic", "black-sea", "ne asia")."""
    def norm(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    wanted = norm(name)
    for preset in THEATRES:
        if norm(preset) == wanted:
            return preset
    aliases = {"neasia": "Northeast Asia", "indopacific": "Indo-Pacific", "med": "Mediterranean",
               "mideast": "Middle East", "world": "World"}
    if wanted in aliases:
        return aliases[wanted]
    raise InputError(f"theatre was {name!r} but is expected to be one of {list(THEATRES)}")


def clamp_day(day: dt.date, first: dt.date, last: dt.date) -> dt.date:
    return max(first, min(last, day))


def padded_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    """The theatre plus its own size on every side (what the app queries: the user may pan)."""
    west, south, east, north = bounds
    dx, dy = east - west, north - south
    return max(-180.0, west - dx), max(-90.0, south - dy), min(180.0, east + dx), min(90.0, north + dy)


def _tuple(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


# -- the lenient link parser's helpers: a bad part becomes the default, never an error -----------
def _link_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def _choices(text: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(item for item in _tuple(text) if allowed is None or item in allowed)


def _first(value: str | list[str]) -> str:
    if isinstance(value, list):
        return value[-1] if value else ""
    return value


@dataclass(frozen=True, slots=True)
class View:
    """Everything that decides what the map shows; defaults are the app's opening view.

    Time: `as_of` one day ("asof" mode) or `start`..`end` ("range" mode). Frozen: change it with
    `dataclasses.replace` or the methods below. `extra` (unknown link keys) takes no part in the
    hash, so a view can be a dict key or a set member.
    """

    theatre: str = "World"
    bounds: tuple[float, float, float, float] | None = None  # (west, south, east, north) instead of a preset
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
    place: str = ""  # gazetteer id of the clicked or searched place (the app's side panel subject)
    event: str = ""  # id of the event whose details are open in the app
    present: bool = False  # the app's presentation mode
    title: str = ""
    caveat: str = ""
    tiles: tuple[str, ...] = ()  # opt-in online tile layers (the app only: exports stay offline)
    basemap: bool = True
    extra: dict[str, str] = field(default_factory=dict, hash=False)  # unknown link keys, kept so links survive

    # -- checked: CLI input, briefing links, export records ----------------------------------------
    @classmethod
    def make(cls, *, theatre: str = "World", bounds: Sequence[float] | None = None, perspective: str = "neutral",
             as_of: dt.date | str | None = None, start: dt.date | str | None = None,
             end: dt.date | str | None = None, kinds: Iterable[str] | str | None = None,
             actors: Iterable[str] | str | None = None, categories: Iterable[str] | str | None = None,
             statuses: Iterable[str] | str | None = None, text: str | None = None, title: str | None = None,
             caveat: str | None = None, basemap: bool = True) -> View:
        """A checked view; InputError names the first bad value (CLI and app input land here)."""
        theatre_name = resolve_theatre(theatre) if bounds is None else (theatre or "Custom")
        box_ = None
        if bounds is not None:
            if len(bounds) != 4:
                raise InputError(f"bounds should be (west, south, east, north), got {bounds!r}")
            west, south, east, north = (float(v) for v in bounds)
            if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
                raise InputError(f"bounds {bounds!r} are not a west<east, south<north box within the Mercator world")
            box_ = (west, south, east, north)
        if perspective not in PERSPECTIVES:
            raise InputError(f"perspective was {perspective!r} but is expected to be one of {list(PERSPECTIVES)}")
        day, first, last = parse_day(as_of, "date"), parse_day(start, "from"), parse_day(end, "to")
        if day is not None and (first or last):
            raise InputError("give one day (--date) or a range (--from/--to), not both")
        if first and last and last < first:
            raise InputError(f"the range ends ({last}) before it starts ({first})")
        checks = (("kind", _tuple(kinds), EVENT_KINDS), ("category", _tuple(categories), ASSET_CATEGORIES),
                  ("status", _tuple(statuses), STATUSES))
        for what, given, allowed in checks:
            for value in given:
                if value not in allowed:
                    raise InputError(f"{what} was {value!r} but is expected to be one of {list(allowed)}")
        codes = tuple(a.upper() for a in _tuple(actors))
        for code in codes:
            if not (code.isalpha() and 2 <= len(code) <= 3):
                raise InputError(f"actor was {code!r} but is expected to be an ISO 3166-1 alpha-2 code such as US")
        return cls(theatre=theatre_name, bounds=box_, perspective=perspective,
                   mode="range" if (first or last) else "asof", as_of=day, start=first, end=last,
                   kinds=_tuple(kinds), actors=codes, categories=_tuple(categories), statuses=_tuple(statuses),
                   text=(text or "").strip(), title=(title or "").strip(), caveat=(caveat or "").strip(),
                   basemap=basemap)

    @classmethod
    def from_query(cls, query: str | Mapping[str, str]) -> View:
        """A checked view from an app share link's query (`theatre=Baltic&asof=2025-03-01`, a full URL
        works too); InputError on a bad value. The app-only keys (place, ev, present, tiles) are ignored."""
        if isinstance(query, str):
            text = query.split("?", 1)[1] if "?" in query else query
            params = dict(parse_qsl(text, keep_blank_values=False))
        else:
            params = dict(query)
        mode = params.get("mode", "asof")
        bounds = params.get("bounds")
        return cls.make(
            theatre=params.get("theatre", "World"),
            bounds=[float(v) for v in bounds.split(",")] if bounds else None,
            perspective=params.get("persp", "neutral"),
            as_of=params.get("asof") if mode != "range" else None,
            start=params.get("from") if mode == "range" else None,
            end=params.get("to") if mode == "range" else None,
            kinds=params.get("kind"), actors=params.get("actor"), categories=params.get("cat"),
            statuses=params.get("status"), text=params.get("q"), title=params.get("title"),
            caveat=params.get("caveat"), basemap=params.get("basemap") not in ("0", "false", "no"),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> View:
        """The view of an export record's "view" (`to_dict`), checked."""
        return cls.make(theatre=data.get("theatre") or "World", bounds=data.get("bounds"),
                        perspective=data.get("perspective") or "neutral", as_of=data.get("as_of"),
                        start=data.get("start"), end=data.get("end"), kinds=data.get("kinds"),
                        actors=data.get("actors"), categories=data.get("categories"),
                        statuses=data.get("statuses"), text=data.get("text"), title=data.get("title"),
                        caveat=data.get("caveat"), basemap=bool(data.get("basemap", True)))

    def shown(self) -> View:
        """The checked view of what the page shows, for an export: only the shown time (the day in "asof"
        mode, the range otherwise); app-only state (selection, presentation, tile layers, unknown link
        keys) dropped. InputError when the page's view does not pass `make`'s checks."""
        in_day = self.mode == "asof"
        return View.make(
            theatre=self.theatre, bounds=self.bounds, perspective=self.perspective,
            as_of=self.as_of if in_day else None,
            start=self.start if not in_day else None, end=self.end if not in_day else None,
            kinds=self.kinds, actors=self.actors, categories=self.categories, statuses=self.statuses,
            text=self.text, title=self.title, caveat=self.caveat, basemap=self.basemap,
        )

    # -- lenient: the app's address bar ------------------------------------------------------------
    @classmethod
    def from_link(cls, params: Mapping[str, str | list[str]]) -> View:
        """The view a URL query describes; anything unknown or malformed falls back to the default.

        `bounds` stays in `extra` as it came: the page draws theatres, not a box, so the link keeps it
        without the page showing it (and an export from the page does not use it)."""
        raw = {k: _first(v)[: MAX_TEXT * 2] for k, v in params.items()}
        known = set(_KEYS.values()) - {"bounds"}
        get = raw.get
        values: dict[str, Any] = {"extra": {k: v for k, v in raw.items() if k not in known}}
        if get("theatre") in THEATRES:
            values["theatre"] = get("theatre")
        if get("persp") in PERSPECTIVES:
            values["perspective"] = get("persp")
        if get("mode") in TIME_MODES:
            values["mode"] = get("mode")
        values["as_of"], values["start"], values["end"] = (_link_day(get(k) or "") for k in ("asof", "from", "to"))
        allowed: dict[str, tuple[str, ...] | None] = {"kinds": EVENT_KINDS, "actors": None,
                                                      "categories": ASSET_CATEGORIES, "statuses": STATUSES,
                                                      "tiles": tuple(ONLINE_TILES)}
        for name in _LISTS:
            values[name] = _choices(get(_KEYS[name]) or "", allowed[name])
        values["actors"] = tuple(a.upper() for a in values["actors"] if a.isalpha() and len(a) <= 3)
        for name in ("text", "place", "event", "title", "caveat"):
            values[name] = (get(_KEYS[name]) or "").strip()[:MAX_TEXT]
        values["present"] = get("present") in ("1", "true", "yes")
        values["basemap"] = get("basemap") not in ("0", "false", "no")
        return cls(**values)

    def link(self) -> dict[str, str]:
        """The URL query of the view: only what differs from the defaults, so links stay short, and only
        the shown time (the day in "asof" mode, the range otherwise); unknown keys kept, first."""
        default = View()
        out: dict[str, str] = {}
        for name, key in _KEYS.items():
            value = getattr(self, name)
            if value == getattr(default, name) or value in ("", ()):
                continue
            if isinstance(value, bool):
                out[key] = "1" if value else "0"
            elif name == "bounds":
                out[key] = ",".join(f"{v:g}" for v in value)
            elif isinstance(value, tuple):
                out[key] = ",".join(value)
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        if self.mode == "asof":  # the range is not what is shown: leave it out of the link
            out.pop("from", None)
            out.pop("to", None)
        else:
            out.pop("asof", None)
        return {**self.extra, **out}

    def to_query(self) -> str:
        """The app's share-link query for this view, as a string (`link()` URL-encoded)."""
        out = self.link()
        mode = out.pop("mode", None)
        if mode is not None:  # last, where export records have always had it
            out["mode"] = mode
        return urlencode(out)

    def with_dates(self, first: dt.date, last: dt.date) -> View:
        """Fill missing dates from the store's time range and keep every date inside it (the page's
        day and range both get a value, whichever mode shows)."""
        as_of = clamp_day(self.as_of or last, first, last)
        start = clamp_day(self.start or first, first, last)
        end = clamp_day(self.end or last, first, last)
        if end < start:
            start, end = end, start
        return replace(self, as_of=as_of, start=start, end=end)

    # -- what it covers ----------------------------------------------------------------------------
    def map_bounds(self) -> tuple[float, float, float, float]:
        return self.bounds if self.bounds is not None else THEATRES[self.theatre]

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """(first, last) day shown: one day (as of) or the range; (None, None) shows every date."""
        if self.mode == "asof":
            return self.as_of, self.as_of
        return self.start, self.end

    def reference_day(self) -> dt.date | None:
        """The day a briefing compares against the previous slide: the date shown or the range's end."""
        return self.as_of or self.end or self.start

    def at(self, day: dt.date | str) -> View:
        """The same view on another day (a briefing's next slide)."""
        return replace(self, mode="asof", as_of=parse_day(day, "date"), start=None, end=None)

    def between(self, first: dt.date | None, last: dt.date | None) -> View:
        """The same view over a range of days; None leaves that side open (both None: every date)."""
        return replace(self, mode="range", as_of=None, start=first, end=last)

    def heading(self) -> str:
        return self.title or f"Force posture — {self.theatre}"

    def store_filters(self, *, with_time: bool = True) -> dict[str, Any]:
        """Keyword arguments for `EventStore.query` (bbox = the theatre plus a margin, as the app)."""
        args: dict[str, Any] = {"kinds": self.kinds or None, "actors": self.actors or None,
                                "categories": self.categories or None, "statuses": self.statuses or None,
                                "text": self.text or None}
        if self.bounds is not None or self.theatre != "World":
            args["bbox"] = padded_bounds(self.map_bounds())
        first, last = self.window()
        if with_time and (first or last):
            args["between"] = (first or dt.date(1, 1, 1), last or dt.date(9999, 12, 30))
        return args

    def filter_summary(self) -> str:
        """One line naming the filters in force (printed in the frame; empty when none)."""
        parts = []
        for label, values in (("kinds", self.kinds), ("actors", self.actors), ("assets", self.categories),
                              ("status", self.statuses)):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.text:
            parts.append(f"text: “{self.text}”")
        return "; ".join(parts)

    # -- serialising -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The "view" of every export record (JSON-ready; the app-only fields are not part of it)."""
        return {
            "theatre": self.theatre, "bounds": list(self.bounds) if self.bounds else None,
            "perspective": self.perspective,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "kinds": list(self.kinds), "actors": list(self.actors), "categories": list(self.categories),
            "statuses": list(self.statuses), "text": self.text, "title": self.title, "caveat": self.caveat,
            "basemap": self.basemap,
        }

    def command(self, output: str = "map.png") -> str:
        """The CLI call that draws this view again."""
        args = ["python", "-m", "geo", "snapshot", "--theatre", self.theatre]
        if self.bounds:
            args = ["python", "-m", "geo", "snapshot", "--bounds", ",".join(f"{v:g}" for v in self.bounds)]
        if self.perspective != "neutral":
            args += ["--perspective", self.perspective]
        if self.as_of:
            args += ["--date", self.as_of.isoformat()]
        if self.start:
            args += ["--from", self.start.isoformat()]
        if self.end:
            args += ["--to", self.end.isoformat()]
        for flag, values in (("--kind", self.kinds), ("--actor", self.actors), ("--category", self.categories),
                             ("--status", self.statuses)):
            for value in values:
                args += [flag, value]
        for flag, value in (("--text", self.text), ("--title", self.title), ("--caveat", self.caveat)):
            if value:
                args += [flag, value]
        if not self.basemap:
            args.append("--no-basemap")
        return shlex.join([*args, "-o", output])
