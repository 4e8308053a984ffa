"""PNG snapshots of the map, drawn by headless Chromium from the same folium map the app shows.

Why a browser: the map's symbols (milsymbol), hatched patrol areas and the time filter are drawn by
JavaScript, so any other renderer would show a different picture than the one the user approved
on screen. `geo.render.mapping.build_map` makes the map exactly as the app does; this module puts it in a
print frame (title, date shown, legend, scale bar, north arrow, caveat line, sources and
attribution), loads it from a local temporary folder in Debian's Chromium with every non-local
request aborted, waits until the map has drawn and takes the screenshot.

Sizes: "slide" 1920x1080 (a 1280x720 CSS page at 1.5x) and "a4" 3508x2480 = A4 landscape at 300
dpi (an 877x620 CSS page at 4x: A4 is 1:1.414, and only 2x and 4x give those exact pixels; at 4x the
text prints at about 10 pt, and software rasterising cost grows with the CSS page size, not with
the device pixels). "deck" is the picture a briefing slide holds next to its text.

Speed: one browser stays warm across calls (`Renderer`, one per process by default). A map page
stays loaded while only the date changes, so a briefing deck of ten dates loads its map once and
moves the browser-side time filter ten times. Playwright's sync API must stay on the thread that
started it, and Streamlit runs each rerun on another thread, so the renderer owns one worker
thread and every browser call goes through it.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import folium
import folium.plugins
from jinja2 import Template

from geo.errors import ForcePostureError, InputError
from geo.events import Event
from geo.export.browser import CHROMIUM, CHROMIUM_ARGS, route_locally
from geo.export.record import (
    ATTRIBUTION_LINE,
    DEFAULT_CAVEAT,
    Sources,
    active_in,
    date_label,
    event_line,
    export_record,
    png_add_text,
    png_text,
    select_events,
)
from geo.export.view import View
from geo.render import SinglePassElement, build_map, local_file_assets, safe_json

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SIZES",
    "Renderer",
    "Size",
    "Snapshot",
    "build_snapshot_html",
    "close_default_renderer",
    "default_renderer",
    "events_for",
    "snapshot",
    "snapshots",
    "sorted_days",
    "write_snapshot",
]

LOCAL_PREFIXES = ("file:", "data:", "about:", "blob:")
LOAD_TIMEOUT_MS = 30_000


@dataclasses.dataclass(frozen=True, slots=True)
class Size:
    """A CSS page size and the device scale that turns it into the wanted pixels."""

    name: str
    width: int
    height: int
    scale: float
    side: int  # width of the legend column (CSS px)
    foot: int  # height of the footer: caveat (may wrap), sources, credits

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width * self.scale), round(self.height * self.scale)


SIZES: dict[str, Size] = {
    "slide": Size("slide", 1280, 720, 1.5, 236, 60),
    "a4": Size("a4", 877, 620, 4.0, 196, 64),
    "deck": Size("deck", 1160, 840, 1.5, 220, 60),
}
FRAMES = ("full", "compact")


# -- the frame ---------------------------------------------------------------------------------
NORTH_ARROW = ('<svg viewBox="0 0 40 56" width="30" height="42" aria-label="North"><polygon points="20,4 31,40 20,33" '
               'fill="#1d2733"/><polygon points="20,4 9,40 20,33" fill="#fff" stroke="#1d2733" stroke-width="1.6"/>'
               '<text x="20" y="54" text-anchor="middle" font-family="DejaVu Sans,Arial" font-weight="700" '
               'font-size="14" fill="#1d2733">N</text></svg>')


class PrintFrame(SinglePassElement):
    """Title bar, legend column, north arrow and footer around the map, and `window.FPM_FRAME`.

    Texts arrive through `FPM_FRAME.show({...})` and are set with textContent, never as markup.
    The legend is the map's own Leaflet legend (geo.render.elements.Legend), moved into the column so
    it keeps following the time filter.
    """

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
html,body{margin:0;padding:0;width:100%;height:100%;overflow:hidden;background:#fff}
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1d2733}
#{{ this.map_id }}{position:absolute !important;left:{{ this.box[0] }}px !important;top:{{ this.box[1] }}px !important;
 width:{{ this.box[2] }}px !important;height:{{ this.box[3] }}px !important;outline:1px solid #7d858f}
.leaflet-control-zoom,.leaflet-control-attribution{display:none !important}
.leaflet-control-scale-line{background:rgba(255,255,255,.9);border-color:#1d2733;color:#1d2733;font-size:11px;
 line-height:1.25;padding:1px 5px}
#fpm-head{position:absolute;left:{{ this.box[0] }}px;right:{{ this.pad }}px;top:0;height:{{ this.head }}px;
 border-bottom:2px solid #1d2733;box-sizing:border-box;display:flex;align-items:flex-end;padding-bottom:5px}
#fpm-head .t{flex:1;min-width:0}
#fpm-title{font-size:21px;font-weight:700;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#fpm-sub{font-size:11.5px;color:#4a5560;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#fpm-date{font-size:17px;font-weight:700;white-space:nowrap;padding-left:16px;color:#1d2733}
#fpm-side{position:absolute;left:{{ this.box[0] + this.box[2] + 10 }}px;top:{{ this.box[1] }}px;
 width:{{ this.side }}px;height:{{ this.box[3] }}px;overflow:hidden;font-size:12px}
#fpm-side .fpm-legend{max-height:none;max-width:none;min-width:0;box-shadow:none;padding:0;background:none;
 border-radius:0;overflow:visible}
#fpm-side .fpm-legend .fpm-when{display:none}
#fpm-side .fpm-legend h4{font-size:13px;margin:0 0 4px}
#fpm-side .fpm-note{max-width:none}
#fpm-list-h{margin-top:8px;font-weight:700;font-size:11px;color:#444;text-transform:uppercase;
 border-top:1px solid #c9ced4;padding-top:5px}
#fpm-list{margin:3px 0 0;padding:0 0 0 12px;font-size:10.5px;line-height:1.3;color:#222}
#fpm-list li{margin:0 0 3px}
#fpm-side .side-date{font-size:15px;font-weight:700;margin-bottom:8px;padding-bottom:4px;
 border-bottom:2px solid #1d2733}
#fpm-north{position:absolute;left:{{ this.box[0] + 10 }}px;top:{{ this.box[1] + 8 }}px;z-index:1000;
 background:rgba(255,255,255,.8);border-radius:4px;padding:3px 5px 1px;line-height:0}
#fpm-foot{position:absolute;left:{{ this.box[0] }}px;right:{{ this.pad }}px;top:{{ this.box[1] + this.box[3] + 6 }}px;
 bottom:2px;font-size:10px;line-height:1.3;color:#333;overflow:hidden}
#fpm-caveat{font-weight:700;color:#8a1c1c}
#fpm-sources,#fpm-credit{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#fpm-credit{color:#59636e}
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
{% if this.head %}<div id="fpm-head"><div class="t"><div id="fpm-title"></div><div id="fpm-sub"></div></div>
<div id="fpm-date"></div></div>{% endif %}
<div id="fpm-side">{% if not this.head %}<div id="fpm-date" class="side-date"></div>{% endif %}</div>
<div id="fpm-north">{{ this.arrow }}</div>
<div id="fpm-foot"><div id="fpm-caveat"></div><div id="fpm-sources"></div><div id="fpm-credit"></div></div>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var el = document.getElementById('{{ this.map_id }}');
  var side = document.getElementById('fpm-side');
  var legend = document.querySelector('[data-fpm-legend="{{ this.map_id }}"]');
  if (legend) side.appendChild(legend);
  var listHead = document.createElement('div'); listHead.id = 'fpm-list-h'; listHead.textContent = 'On the map';
  var listBody = document.createElement('ul'); listBody.id = 'fpm-list';
  side.appendChild(listHead); side.appendChild(listBody);
  function set(id, text){ var n = document.getElementById(id); if (n) n.textContent = text || ''; }
  function frame(){
    return new Promise(function(r){ requestAnimationFrame(function(){ requestAnimationFrame(r); }); });
  }
  window.FPM_FRAME = {
    show: function(o){
      var ctrl = window.FPM['{{ this.map_id }}'];
      var drawn = ctrl.setTime(o.time || {});
      ['title', 'sub', 'date', 'caveat', 'sources', 'credit'].forEach(function(k){ set('fpm-' + k, o[k]); });
      var list = document.getElementById('fpm-list'); list.innerHTML = '';
      (o.items || []).forEach(function(t){
        var li = document.createElement('li'); li.textContent = t; list.appendChild(li);
      });
      document.getElementById('fpm-list-h').style.display = (o.items || []).length ? '' : 'none';
      var b = map.getBounds(), r = el.getBoundingClientRect();
      var rows = Array.prototype.filter.call(side.querySelectorAll('[data-fpm-key]'),
        function(n){ return n.style.display !== 'none'; }).length;
      return frame().then(function(){
        return {bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: map.getZoom(),
                rect: [r.left, r.top, r.width, r.height], drawn: drawn, legendRows: rows,
                paths: document.querySelectorAll('#{{ this.map_id }} .leaflet-overlay-pane path').length,
                markers: document.querySelectorAll('#{{ this.map_id }} .fpm-symbol-icon').length};
      });
    },
    ready: true
  };
})();
{% endmacro %}
"""
    )

    def __init__(self, map_id: str, size: Size, frame: str) -> None:
        super().__init__()
        self._name = "PrintFrame"
        self.map_id = map_id
        self.pad = 14
        self.head = 58 if frame == "full" else 0
        self.side = size.side
        foot = size.foot
        top = self.head + 8 if self.head else self.pad
        width = size.width - 2 * self.pad - self.side - 10
        self.box = (self.pad, top, width, size.height - top - foot)
        self.arrow = NORTH_ARROW


# -- building the page ---------------------------------------------------------------------------
def map_for(events: Sequence[Event], view: View, *, gazetteer: Any = None, width: Any = "100%",
            height: Any = "100%", legend_title: str = "Legend") -> folium.Map:
    """The app's map of a view (call inside `local_file_assets()`); fractional zoom so the theatre
    fills the frame, and no animation so the drawn state is final when the page says it is."""
    first, last = view.window()
    as_of = view.as_of.isoformat() if view.as_of else None
    between = None if as_of or not (first or last) else (first, last)
    fmap = build_map(events, theatre=view.bounds or view.theatre, perspective=view.perspective,
                     basemap=view.basemap, as_of=as_of, between=between, gazetteer=gazetteer,
                     title=legend_title, width=width,
                     height=height)
    fmap.options.update(zoom_snap=0.1, zoom_delta=0.5, fade_animation=False, zoom_animation=False,
                        marker_zoom_animation=False)
    return fmap


def build_snapshot_html(events: Sequence[Event], view: View, *, size: Size, frame: str = "full",
                        gazetteer: Any = None) -> str:
    """The framed map page (scripts from static/vendor by file:// URL; load it from a file)."""
    if frame not in FRAMES:
        raise InputError(f"frame was {frame!r} but is expected to be one of {list(FRAMES)}")
    with local_file_assets():
        fmap = map_for(events, view, gazetteer=gazetteer)
        PrintFrame(fmap.get_name(), size, frame).add_to(fmap)
        # Sea outlines are dashed in the app; dashing thousands of coastline segments triples
        # Chromium's software rasterising time, and at print size a solid hairline reads the same.
        fmap.get_root().header.add_child(folium.Element(
            "<style>.leaflet-overlay-pane path[stroke-dasharray='2 3']{stroke-dasharray:none}</style>"),
            name="fpm-print-seas")
        return fmap.get_root().render()


def _show_options(events: Sequence[Event], view: View, list_limit: int = 10) -> dict[str, Any]:
    """The frame's texts and the time filter for one view (texts reach the page as text only)."""
    first, last = view.window()
    shown = [e for e in events if active_in(e, first, last)]
    sub = [f"Theatre: {view.theatre}" if not view.bounds else
           "Area: {:.1f}°E–{:.1f}°E, {:.1f}°N–{:.1f}°N".format(*view.map_bounds()),
           f"perspective: {view.perspective}", f"{len(shown)} event{'s' if len(shown) != 1 else ''} shown"]
    if view.filter_summary():
        sub.append(view.filter_summary())
    if view.as_of:
        time: dict[str, Any] = {"asOf": view.as_of.isoformat()}
    elif first or last:
        time = {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None}
    else:
        time = {}
    produced = dt.date.today().isoformat()
    return {
        "time": time, "title": view.heading(), "date": date_label(view), "sub": " · ".join(sub),
        "caveat": view.caveat or DEFAULT_CAVEAT, "sources": Sources.of(shown).line(),
        "credit": f"{ATTRIBUTION_LINE} Produced {produced} with Force Posture Map; view ?{view.to_query()}",
        "items": _items(shown, list_limit),
        "_shown": shown,
    }


def _items(shown: Sequence[Event], limit: int = 10) -> list[str]:
    """The frame's "On the map" list: areas first (they carry no label on the map), then the
    symbols by their stated numbers."""
    order = {"patrol": 0, "exercise": 1, "deployment": 2, "basing": 3}
    ranked = sorted(shown, key=lambda e: (order.get(e.kind, 9), -sum(a.count or 0 for a in e.assets), e.id))
    lines = [event_line(e) for e in ranked]
    if len(lines) > limit:
        lines = [*lines[: limit - 1], f"… and {len(lines) - limit + 1} more (see the record)"]
    return lines


# -- the browser -----------------------------------------------------------------------------------
class Renderer:
    """One headless Chromium kept warm on its own thread; `close()` (or `with`) ends it.

    Pages are kept per size, and a page keeps its map while only the date changes.
    """

    def __init__(self, executable: str = CHROMIUM) -> None:
        self.executable = executable
        self._pool: ThreadPoolExecutor | None = None
        self._play: Any = None
        self._browser: Any = None
        self._pages: dict[str, Any] = {}
        self._loaded: dict[str, str] = {}
        self._tmp = Path(tempfile.mkdtemp(prefix="fpm-snapshot-"))
        self.external: list[str] = []  # every request that tried to leave the machine (aborted)
        self.errors: list[str] = []
        self._closed = False

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, fn: Any, *args: Any) -> Any:
        if self._closed:
            raise ForcePostureError("the snapshot renderer was closed")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fpm-chromium")
        return self._pool.submit(fn, *args).result()

    def _ensure(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if not Path(self.executable).exists():
            raise ForcePostureError(f"{self.executable} is missing: `make system-deps` installs Debian's chromium")
        from playwright.sync_api import sync_playwright

        if self._play is None:
            self._play = sync_playwright().start()
        self._browser = self._play.chromium.launch(executable_path=self.executable, args=CHROMIUM_ARGS)
        self._pages.clear()
        self._loaded.clear()
        return self._browser

    def _route(self, route: Any) -> None:
        route_locally(route, LOCAL_PREFIXES, self.external)

    def _page(self, size: Size) -> Any:
        browser = self._ensure()
        page = self._pages.get(size.name)
        if page is None or page.is_closed():
            context = browser.new_context(viewport={"width": size.width, "height": size.height},
                                          device_scale_factor=size.scale)
            page = context.new_page()
            page.route("**/*", self._route)
            page.on("pageerror", lambda err: self.errors.append(str(err)))
            self._pages[size.name] = page
            self._loaded.pop(size.name, None)
        return page

    def _shoot(self, html: str, size: Size, shows: list[dict[str, Any]]) -> list[tuple[bytes, dict[str, Any]]]:
        page = self._page(size)
        key = hashlib.sha1(html.encode("utf-8")).hexdigest()[:16]
        if self._loaded.get(size.name) != key:
            path = self._tmp / f"{size.name}-{key}.html"
            path.write_text(html, encoding="utf-8")
            errors_before = len(self.errors)
            page.goto(path.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
            from playwright.sync_api import Error as PlaywrightError

            try:
                page.wait_for_function("window.FPM_FRAME && window.FPM_FRAME.ready", timeout=LOAD_TIMEOUT_MS)
            except PlaywrightError as err:  # a timeout or a page crash: say what the page reported
                problems = "; ".join(self.errors[errors_before:]) or str(err)
                raise ForcePostureError(f"the map page did not draw in Chromium: {problems}") from err
            for old in self._tmp.glob(f"{size.name}-*.html"):
                if old != path:
                    old.unlink(missing_ok=True)
            self._loaded[size.name] = key
        out = []
        for show in shows:
            info = page.evaluate("o => window.FPM_FRAME.show(o)", show)
            out.append((page.screenshot(type="png", animations="disabled"), info))
        return out

    def shoot(self, html: str, size: Size, shows: list[dict[str, Any]]) -> list[tuple[bytes, dict[str, Any]]]:
        """Screenshots of one page, one per `FPM_FRAME.show` options (loads it only when it changed)."""
        return self._call(self._shoot, html, size, shows)

    def _evaluate(self, size: Size, script: str) -> Any:
        return self._page(size).evaluate(script)

    def evaluate(self, size: Size, script: str) -> Any:
        """Run a script in the page last loaded at `size` (tests and diagnostics)."""
        return self._call(self._evaluate, size, script)

    def _stop(self) -> None:
        for page in list(self._pages.values()):
            with contextlib.suppress(Exception):
                page.context.close()
        self._pages.clear()
        if self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()
        if self._play is not None:
            with contextlib.suppress(Exception):
                self._play.stop()
        self._browser = self._play = None

    def close(self) -> None:
        """Stop the browser and its thread and remove the temporary pages (safe to call twice)."""
        if self._closed:
            return
        if self._pool is not None:
            with contextlib.suppress(Exception):
                self._pool.submit(self._stop).result(timeout=30)
            self._pool.shutdown(wait=True)
        self._closed = True
        shutil.rmtree(self._tmp, ignore_errors=True)


_default: Renderer | None = None
_default_lock = threading.Lock()


def default_renderer() -> Renderer:
    """The process's warm renderer (closed at exit)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = Renderer()
            atexit.register(_default.close)
        return _default


def close_default_renderer() -> None:
    """Stop the process's warm renderer if one runs (tests; the app at shutdown)."""
    global _default
    with _default_lock:
        if _default is not None:
            _default.close()
            _default = None


# -- snapshots -----------------------------------------------------------------------------------
@dataclasses.dataclass(slots=True)
class Snapshot:
    """A finished PNG (record already inside its text chunks) and what was drawn."""

    png: bytes
    view: View
    record: dict[str, Any]
    events: list[Event]

    def save(self, path: str | Path) -> Path:
        from geo.store import atomic_output

        with atomic_output(path) as temp:
            temp.write_bytes(self.png)
        return Path(path)


def events_for(source: Any, views: Sequence[View]) -> list[Event]:
    """The events a set of views needs: from a store (`query`) or filtered from a list, over the
    union of the views' dates (the views must share their non-time filters)."""
    view = views[0]
    windows = [v.window() for v in views]
    firsts = [w[0] for w in windows]
    lasts = [w[1] for w in windows]
    first = None if any(f is None for f in firsts) else min(f for f in firsts if f is not None)
    last = None if any(x is None for x in lasts) else max(x for x in lasts if x is not None)
    union = view.between(first, last)
    if hasattr(source, "query"):
        return list(source.query(**union.store_filters(with_time=True)))
    return select_events(source, union, with_time=True)


def _map_key(view: View) -> View:
    """What decides the map page itself (dates, title and caveat only change the frame's texts)."""
    return dataclasses.replace(view.between(None, None), title="", caveat="")


def snapshots(source: Any, views: Sequence[View], *, size: str | Size = "slide", frame: str = "full",
              gazetteer: Any = None, renderer: Renderer | None = None) -> list[Snapshot]:
    """One PNG per view. Consecutive views that differ only in dates share one loaded map."""
    if not views:
        return []
    chosen = SIZES[size] if isinstance(size, str) and size in SIZES else size
    if not isinstance(chosen, Size):
        raise InputError(f"size was {size!r} but is expected to be one of {list(SIZES)}")
    if gazetteer is None:
        from geo.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    shooter = renderer or default_renderer()
    groups: list[list[View]] = []
    for view in views:
        if groups and _map_key(groups[-1][0]) == _map_key(view):
            groups[-1].append(view)
        else:
            groups.append([view])
    out: list[Snapshot] = []
    for group in groups:
        events = events_for(source, group)
        html = build_snapshot_html(events, group[0], size=chosen, frame=frame, gazetteer=gazetteer)
        limit = {"slide": 10, "a4": 6, "deck": 8}.get(chosen.name, 8)
        shows = [_show_options(events, v, limit) for v in group]
        shots = shooter.shoot(html, chosen, [{k: v for k, v in s.items() if k != "_shown"} for s in shows])
        for view, show, (png, info) in zip(group, shows, shots, strict=True):
            scale = chosen.scale
            record = export_record(view, kind="snapshot/png", events=show["_shown"], extra={
                "size": chosen.name, "pixels": list(chosen.pixels), "frame": frame,
                "map_px": [round(v * scale, 1) for v in info["rect"]],
                "map_bounds": [round(v, 6) for v in info["bounds"]], "zoom": info["zoom"],
                "drawn": info["drawn"],
            })
            description = f"{view.heading()} — {show['date']}. {show['sub']}. {show['caveat']} {show['sources']}"
            out.append(Snapshot(png_add_text(png, png_text(record, view, description)), view, record,
                                show["_shown"]))
    return out


def snapshot(source: Any, view: View, *, size: str | Size = "slide", frame: str = "full",
             gazetteer: Any = None, renderer: Renderer | None = None) -> Snapshot:
    """A PNG of one view: `source` is an EventStore or a list of events (filtered here)."""
    return snapshots(source, [view], size=size, frame=frame, gazetteer=gazetteer, renderer=renderer)[0]


def write_snapshot(path: str | Path, source: Any, view: View, **options: Any) -> Snapshot:
    shot = snapshot(source, view, **options)
    shot.save(path)
    return shot


def png_record_json(shot: Snapshot) -> str:
    return safe_json(shot.record)


def views_on(view: View, days: Iterable[dt.date | str]) -> list[View]:
    """The same view on several days (a briefing's dates)."""
    return [view.at(day) for day in days]


def sorted_days(text: str) -> list[dt.date]:
    """Comma-separated ISO dates, checked, in the order given (`--dates`)."""
    from geo.store import parse_day

    days = [parse_day(part.strip(), "date") for part in text.split(",") if part.strip()]
    if not days:
        raise InputError("--dates needs at least one ISO 8601 date, e.g. 2025-02-01,2025-03-01")
    return [d for d in days if d is not None]


def describe(shot: Snapshot) -> str:
    return json.dumps({k: shot.record[k] for k in ("kind", "size", "pixels", "events", "zoom")})
