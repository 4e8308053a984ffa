"""One HTML file that opens from a USB stick on a machine with no internet, time slider included.

Everything the page needs is inside the file: Leaflet, jQuery and milsymbol as inline <script>
blocks, Leaflet's CSS as a <style> block with its few images as data: URIs, our own JavaScript
(geo.render.elements), the basemap shapes (GeoJSON in the script) and the events' payload. Nothing is
fetched, so it also opens under a strict offline policy and cannot leak that it was opened.

The map is the app's own (`geo.render.mapping.build_map`, the same events the view's filters select, every
date kept), and a small date slider control at the bottom calls the browser-side time filter
`window.FPM[<map>].setTime(...)`, exactly what the app's slider does. The export record (view,
filters, reproduce command) rides along in a <meta> tag and a JSON <script> block
(geo.export.record).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import Template

from geo.errors import DataBuildError
from geo.events import Event
from geo.export.png import map_for
from geo.export.record import ATTRIBUTION_LINE, EXPORT_KEY, date_label, export_record, select_events
from geo.export.view import View
from geo.render import VENDOR_DIR, RenderedText, SinglePassElement, html_text, local_file_assets, safe_json
from geo.store import OPEN_END, event_span

__all__ = ["day_range", "inline_assets", "standalone_html", "write_standalone"]

EPOCH = dt.date(1970, 1, 1)
_SCRIPT = re.compile(r'<script src="(file://[^"]+)">\s*</script>')
_LINK = re.compile(r'<link rel="stylesheet" href="(file://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


def day_range(events: Sequence[Event], view: View) -> tuple[dt.date, dt.date] | None:
    """First and last day the slider offers: every start and every known end, and the view's dates."""
    days: list[dt.date] = []
    for event in events:
        span = event_span(event)
        if span is None:
            continue
        days.append(span[0])
        if span[1] != OPEN_END:
            days.append(span[1])
    days.extend(d for d in (view.as_of, view.start, view.end) if d is not None)
    return (min(days), max(days)) if days else None


class DateSlider(SinglePassElement):
    """A day slider, an "all dates" switch and a play button that drive the map's time filter."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
#fpm-slider{position:fixed;left:50%;top:10px;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.96);border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);padding:8px 12px 6px;
 font:12px/1.3 "DejaVu Sans",Arial,sans-serif;color:#1d2733;width:min(620px,80vw)}
#fpm-slider .top{display:flex;align-items:baseline;gap:10px;margin-bottom:4px}
#fpm-slider .title{font-weight:700;flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#fpm-slider .day{font-weight:700;font-size:13px;white-space:nowrap}
#fpm-slider input[type=range]{width:100%;margin:2px 0}
#fpm-slider .row{display:flex;align-items:center;gap:10px;font-size:11px;color:#4a5560}
#fpm-slider button{font:inherit;border:1px solid #8a939c;background:#f4f6f8;border-radius:4px;padding:1px 8px;
 cursor:pointer}
#fpm-slider .ends{flex:1;display:flex;justify-content:space-between}
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<div id="fpm-slider" role="group" aria-label="Date shown">
 <div class="top"><span class="title"></span><span class="day" aria-live="polite"></span></div>
 <input type="range" step="1" aria-label="Date shown">
 <div class="row"><button type="button" class="play" aria-label="Play">&#9654;</button>
  <label><input type="checkbox" class="all"> all dates</label>
  <span class="ends"><span class="lo"></span><span class="hi"></span></span></div>
</div>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var o = {{ this.payload }};
  var box = document.getElementById('fpm-slider');
  var ctrl = window.FPM['{{ this._parent.get_name() }}'];
  var range = box.querySelector('input[type=range]'), all = box.querySelector('.all');
  var label = box.querySelector('.day'), play = box.querySelector('.play'), timer = null;
  box.querySelector('.title').textContent = o.title;
  L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
  function iso(n){ return new Date(n * 86400000).toISOString().slice(0, 10); }
  function nice(n){ var d = new Date(n * 86400000);
    var month = d.toLocaleString('en-GB', {month: 'long', timeZone: 'UTC'});
    return d.getUTCDate() + ' ' + month + ' ' + d.getUTCFullYear(); }
  box.querySelector('.lo').textContent = iso(o.min); box.querySelector('.hi').textContent = iso(o.max);
  range.min = o.min; range.max = o.max; range.value = o.value;
  function apply(){
    if (all.checked) { ctrl.setTime({}); label.textContent = 'All dates'; range.disabled = true; }
    else {
      range.disabled = false; ctrl.setTime({asOf: iso(+range.value)});
      label.textContent = 'As of ' + nice(+range.value);
    }
    window.FPM_SLIDER_DAY = all.checked ? null : iso(+range.value);
  }
  range.addEventListener('input', apply); all.addEventListener('change', apply);
  play.addEventListener('click', function(){
    if (timer) { clearInterval(timer); timer = null; play.innerHTML = '&#9654;'; return; }
    all.checked = false; if (+range.value >= o.max) range.value = o.min;
    play.innerHTML = '&#10074;&#10074;';
    var step = Math.max(1, Math.round((o.max - o.min) / 120));
    timer = setInterval(function(){
      range.value = Math.min(o.max, +range.value + step); apply();
      if (+range.value >= o.max) { clearInterval(timer); timer = null; play.innerHTML = '&#9654;'; }
    }, 120);
  });
  if (o.initial === 'range') { label.textContent = o.label; }
  else if (o.initial === 'all') { all.checked = true; apply(); }
  else { apply(); }
  window.FPM_SLIDER = {range: range, all: all, apply: apply};
})();
{% endmacro %}
"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "DateSlider"
        self.payload = safe_json(payload)


def _file(url: str) -> Path:
    path = Path(unquote(urlparse(url).path))
    if not path.is_file():
        raise DataBuildError(f"{path} is missing: run `make assets`")
    return path


def _script_text(text: str) -> str:
    # Inside <script> only "</script" and "<!--" can end or confuse the block; both are escaped in
    # a way JavaScript strings and regular expressions read the same.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _css_text(path: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = path.parent / match.group(2)
        if not image.is_file():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode('ascii')})"

    return _CSS_URL.sub(data_uri, css).replace("</style", "<\\/style")


def inline_assets(page: str) -> str:
    """Replace every file:// <script src> and stylesheet <link> by the file's text in the page."""
    page = _SCRIPT.sub(lambda m: "<script>" + _script_text(_file(m.group(1)).read_text(encoding="utf-8"))
                       + "</script>", page)
    page = _LINK.sub(lambda m: "<style>" + _css_text(_file(m.group(1))) + "</style>", page)
    if "file://" in page:
        left = re.findall(r"file://[^\"' )]+", page)[:3]
        raise DataBuildError(f"the standalone page still refers to local files: {left}")
    return page


def standalone_html(events: Sequence[Event], view: View, *, gazetteer: Any = None,
                    preselected: bool = False) -> tuple[str, dict[str, Any]]:
    """(the page, its export record). `events` are filtered by the view except for time, so the
    slider can reach every date; pass `preselected=True` when they already are (a store query)."""
    if gazetteer is None:
        from geo.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    chosen = list(events) if preselected else select_events(events, view, with_time=False)
    span = day_range(chosen, view)
    record = export_record(view, kind="standalone/html", events=chosen, output="map.html",
                           extra={"offline": True, "days": [d.isoformat() for d in span] if span else None})
    with local_file_assets():
        fmap = map_for(chosen, view, gazetteer=gazetteer, legend_title=view.heading())
        root = fmap.get_root()
        # The view's title and the record are the user's text: final markup, never a template.
        title = html_text(f"{view.heading()} — {date_label(view)}")
        root.header.add_child(RenderedText(f"<title>{title}</title>"), name="fpm-title")
        root.header.add_child(RenderedText(
            f'<meta name="{EXPORT_KEY}" content="{html_text(json.dumps(record, ensure_ascii=False))}">'
            f'<meta name="description" content="{html_text(ATTRIBUTION_LINE)}">'
            f'<script type="application/json" id="fpm-export">{safe_json(record)}</script>'), name="fpm-export")
        if span is not None:
            first, last = span
            value = view.as_of or view.end or last
            initial = "day" if view.as_of else "range" if (view.start or view.end) else "all"
            DateSlider({
                "min": (first - EPOCH).days, "max": (last - EPOCH).days, "value": (value - EPOCH).days,
                "title": view.heading(), "label": date_label(view),
                "initial": initial,
            }).add_to(fmap)
        page = root.render()
    return inline_assets(page), record


def write_standalone(path: str | Path, events: Sequence[Event], view: View, **options: Any) -> dict[str, Any]:
    """Write the one-file map; returns its export record."""
    from geo.store import atomic_output

    page, record = standalone_html(events, view, **options)
    with atomic_output(path) as temp:
        temp.write_text(page, encoding="utf-8")
    return record


def vendor_files() -> list[Path]:
    """The vendored files a standalone page inlines (for checks and the README)."""
    return sorted(p for p in VENDOR_DIR.rglob("*") if p.suffix in (".js", ".css"))
