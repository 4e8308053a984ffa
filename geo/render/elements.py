"""The JavaScript pieces of our maps, each a small folium MacroElement with a Jinja template.

Following folium's own plugins: options reach JavaScript only as JSON made safe for a <script>
block (`safe_json`), and files load from `default_js`, which `geo.render.offline_assets` points at local
copies. Every string inside the event payload is already HTML-escaped by `geo.render.mapping` (with
`html_text`), so the script may put it into popups as markup; nothing here builds markup from raw
text.

Article text must never reach a template compile. branca renders each element's macros and then
compiles the *rendered* text as a Jinja template once more when the figure renders, so a
"{{ ... }}" in an event's sentence would run on the server. Two guards, each enough on its own
for our elements: `safe_json` and `html_text` break every Jinja opener ("{{", "{%", "{#") in the
text they carry, and our elements (`SinglePassElement`) hand their rendered text to the figure as
it is (`RenderedText`), without that second compile. folium's own elements keep branca's second
pass (folium relies on it for element references), so text reaches them only through the first guard.

- `EventLayer`: draws the events (APP-6 symbols with counts, patrol areas/routes, exercise areas)
  from one JSON payload and filters them by date in the browser, so the app changes the time
  without rebuilding the map: `window.FPM[<map name>].setTime({asOf: "2024-03-01"})` or
  `{from: ..., to: ...}`; `SetTime` is that call as an element (for streamlit-folium's
  `feature_group_to_add`).
- `LabelLayer`: country and sea names that appear from a per-label zoom.
- `Legend`: a Leaflet control listing what the layer draws; entries with nothing active hide.
- `Attribution`: the data credits Leaflet shows in the corner (there is no tile layer to carry them).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from jinja2 import Template

from geo.render.offline_assets import current_url

__all__ = [
    "Attribution",
    "EventLayer",
    "LabelLayer",
    "Legend",
    "RenderedText",
    "SetTime",
    "SinglePassElement",
    "html_text",
    "safe_json",
]

# A brace that opens a Jinja expression, statement or comment. In JSON text a brace that opens an
# object is always followed by a quote or "}", so a match there always lies inside a string.
_JINJA_OPENER = re.compile(r"\{(?=[{%#])")
_HTML_INERT = str.maketrans({"{": "&#123;", "}": "&#125;", "%": "&#37;"})


def safe_json(value: Any) -> str:
    """JSON that cannot end a <script> block, open markup or open a Jinja tag: < > & ', line
    separators and every brace before "{", "%" or "#" escaped (the same characters once parsed)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return _JINJA_OPENER.sub(r"\\u007b", text)


def html_text(value: object) -> str:
    """Text as HTML that shows literally: markup escaped (quotes included, for attributes) and the
    template characters { } % as character references, so no Jinja tag can form."""
    return html.escape("" if value is None else str(value), quote=True).translate(_HTML_INERT)


class RenderedText(Element):
    """Text that is already final HTML or JavaScript: the figure takes it as it is.

    branca's own `Element(text)` compiles `text` as a Jinja template; this never does.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RenderedText"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        return self.text


class SinglePassElement(MacroElement):
    """A MacroElement whose rendered header, html and script reach the figure without a second
    Jinja compile (branca's MacroElement.render wraps each in `Element(...)`, which compiles it)."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only render inside a branca Figure (a folium map)")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(RenderedText(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class LabelLayer(SinglePassElement):
    """Place names as text-only markers; each shows from its own minimum zoom."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.fpm-label{background:none;border:none;white-space:nowrap;pointer-events:none}
.fpm-label span{display:inline-block;transform:translate(-50%,-50%);font:600 11px/1.1 "DejaVu Sans",Arial,sans-serif;
 color:#5b554c;text-shadow:0 0 3px #fff,0 0 3px #fff;letter-spacing:.02em}
.fpm-label.fpm-sea span{font-style:italic;font-weight:500;color:#3d6a8a;text-shadow:0 0 3px #e3eef6,0 0 3px #e3eef6}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var rows = {{ this.payload }};
  var layer = L.layerGroup();
  var markers = rows.map(function(r){
    var icon = L.divIcon({className: 'fpm-label ' + (r[3] === 'sea' ? 'fpm-sea' : 'fpm-country'),
                          html: '<span>' + r[0] + '</span>', iconSize: [0, 0]});
    return [r[4], L.marker([r[1], r[2]], {icon: icon, interactive: false, keyboard: false})];
  });
  function update(){
    var z = map.getZoom();
    markers.forEach(function(m){
      if (m[0] <= z) { if (!layer.hasLayer(m[1])) layer.addLayer(m[1]); }
      else if (layer.hasLayer(m[1])) layer.removeLayer(m[1]);
    });
  }
  layer.addTo(map);
  map.on('zoomend', update);
  update();
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: list[list[Any]]) -> None:
        """`rows`: [name (HTML-escaped), lat, lon, "country"|"sea", min zoom]."""
        super().__init__()
        self._name = "LabelLayer"
        self.payload = safe_json(rows)


class EventLayer(JSCSSMixin, SinglePassElement):
    """All events of a map in one payload, drawn and time-filtered in the browser."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.fpm-symbol-icon{background:none;border:none}
.fpm-sym{position:relative;line-height:0}
.fpm-count{position:absolute;left:100%;top:50%;transform:translate(2px,-50%);background:#1d2733;color:#fff;
 font:700 11px/1 "DejaVu Sans",Arial,sans-serif;padding:2px 4px;border-radius:8px;white-space:nowrap;
 box-shadow:0 0 0 1px #fff}
.fpm-popup{font:12px/1.35 "DejaVu Sans",Arial,sans-serif;max-height:260px;overflow-y:auto;min-width:240px}
.fpm-popup h4{margin:0 0 4px;font-size:13px}
.fpm-ev{border-top:1px solid #ddd;padding:4px 0}
.fpm-ev q{display:block;color:#333;font-style:italic;margin:2px 0}
.fpm-ev small{color:#666}
.fpm-kind{text-transform:uppercase;font-size:10px;font-weight:700;color:#555;letter-spacing:.04em}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var D = JSON.parse({{ this.payload_text }});
  var S = D.strings;  // resolve the interned strings once
  D.info.forEach(function(f){ [0, 1, 2, 3, 4, 6].forEach(function(k){ f[k] = S[f[k]]; }); });
  // g: [kind, sidc, fill colour, lat, lon, shape|-1, legend key, title, line colour]
  D.groups.forEach(function(g){ [1, 2, 6, 7, 8].forEach(function(k){ g[k] = S[g[k]]; }); });
  var DAY = 86400000;
  var cluster = D.cluster && L.markerClusterGroup;
  var symbols = cluster ? L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 7,
                                                showCoverageOnHover: false}) : L.featureGroup();
  var areas = L.featureGroup();
  areas.addTo(map); symbols.addTo(map);
  var iconCache = {}, svgCache = {};
  function symbolIcon(sidc, colour, count){
    var key = sidc + colour + count;
    if (iconCache[key]) return iconCache[key];
    var base = svgCache[sidc + colour];  // milsymbol draws each symbol once; counts only change the badge
    if (!base) {
      var sym = new ms.Symbol(sidc, {size: D.size, fillColor: colour, simpleStatusModifier: true});
      base = svgCache[sidc + colour] = {svg: sym.asSVG(), a: sym.getAnchor(), s: sym.getSize()};
    }
    var html = '<div class="fpm-sym">' + base.svg +
               (count ? '<span class="fpm-count">' + count.toLocaleString('en-US') + '</span>' : '') + '</div>';
    return iconCache[key] = L.divIcon({className: 'fpm-symbol-icon', html: html,
                                       iconSize: [base.s.width, base.s.height], iconAnchor: [base.a.x, base.a.y]});
  }
  function hatch(colour){
    var id = 'fpm-hatch-' + colour.replace('#', '');
    var svg = map.getPanes().overlayPane.querySelector('svg');
    if (!svg) return null;
    if (!svg.querySelector('#' + id)) {
      var ns = 'http://www.w3.org/2000/svg';
      var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
      var p = document.createElementNS(ns, 'pattern');
      p.setAttribute('id', id); p.setAttribute('patternUnits', 'userSpaceOnUse');
      p.setAttribute('width', '8'); p.setAttribute('height', '8'); p.setAttribute('patternTransform', 'rotate(45)');
      var bg = document.createElementNS(ns, 'rect');
      bg.setAttribute('width', '8'); bg.setAttribute('height', '8');
      bg.setAttribute('fill', colour); bg.setAttribute('fill-opacity', '0.10');
      var line = document.createElementNS(ns, 'rect');
      line.setAttribute('width', '2.5'); line.setAttribute('height', '8');
      line.setAttribute('fill', colour); line.setAttribute('fill-opacity', '0.45');
      p.appendChild(bg); p.appendChild(line); defs.appendChild(p);
    }
    return 'url(#' + id + ')';
  }
  function tipOf(item){
    return item.g[7] + (item.n > 1 ? ' (' + item.n.toLocaleString('en-US') + ' events)' : '');
  }
  // Popups are built when opened, from the rows active at that moment (never all up front).
  function popup(item){
    var html = '<div class="fpm-popup"><h4>' + tipOf(item) + '</h4>';
    if (!D.details) {
      return html + '<div class="fpm-ev">' + item.n.toLocaleString('en-US') + ' events' +
        (item.c !== null ? ', ' + item.c.toLocaleString('en-US') + ' assets' : '') +
        '<br><small>Click the place to list them in the side panel.</small></div></div>';
    }
    item.idx.slice(0, 25).forEach(function(i){
      var f = D.info[i];
      html += '<div class="fpm-ev"><span class="fpm-kind">' + f[0] + '</span> ' + f[1] +
        (f[2] ? ' &middot; ' + f[2] : '') + '<br>' + f[3] + '<br><small>' + f[4] + '</small>' +
        (f[5] ? '<q>' + f[5] + '</q>' : '') + '<small>' + f[6] + '</small></div>';
    });
    if (item.idx.length > 25) html += '<div class="fpm-ev"><small>+ ' + (item.idx.length - 25) + ' more</small></div>';
    return html + '</div>';
  }
  function onPopup(e){
    var item = e.popup._source && e.popup._source._fpm;
    if (item) e.popup.setContent(popup(item));
  }
  symbols.on('popupopen', onPopup); areas.on('popupopen', onPopup);
  // Symbols get their tooltip and popup on first hover or click: thousands of markers, few touched.
  symbols.on('mouseover', function(e){
    var l = e.layer;
    if (!l || !l._fpm || l._tooltip) return;
    l.bindTooltip(tipOf(l._fpm), {sticky: true, direction: 'top'});
    l.openTooltip(e.latlng);
  });
  var Symbol = L.Marker.extend({  // a marker that binds its popup when first asked to open it
    openPopup: function(latlng){
      if (!this._popup) this.bindPopup('…', {maxWidth: 380});  // filled on open
      return L.Marker.prototype.openPopup.call(this, latlng);
    }
  });
  symbols.on('click', function(e){
    var l = e.layer;
    if (l && l._fpm && !l._popup) l.openPopup();
  });
  function toDay(s){
    if (s === null || s === undefined || s === '') return null;
    var p = String(s).split('-');
    return Math.floor(Date.UTC(+p[0], (+p[1] || 1) - 1, +p[2] || 1) / DAY);
  }
  var ctrl = {window: null, drawn: null};
  var live = {};  // group index -> {layer, g, idx, n, c}: what is on the map now
  function render(){
    var w = ctrl.window, active = {}, order = [], present = {}, nEvents = 0;
    var rows = D.events;
    for (var i = 0; i < rows.length; i++) {
      // r: [first day|null (undated), last day|null (ongoing), count|null, group, events]
      var r = rows[i];
      if (w && (r[0] === null || r[0] > w[1])) continue;
      if (w && !(r[1] === null || r[1] >= w[0])) continue;
      nEvents += r[4];
      var a = active[r[3]];
      if (!a) { a = active[r[3]] = {idx: [], n: 0, c: null}; order.push(r[3]); }
      a.idx.push(i); a.n += r[4];
      if (r[2] !== null) a.c = (a.c || 0) + r[2];
    }
    var d = {symbols: 0, areas: 0, routes: 0, events: nEvents};
    var old = live, addSymbols = [], dropSymbols = [];
    live = {};
    order.forEach(function(gi){
      var a = active[gi], g = D.groups[gi], item = old[gi];
      if (item) {
        delete old[gi];
        if (g[5] < 0 && a.c !== item.c) item.layer.setIcon(symbolIcon(g[1], g[2], a.c));
        if (a.n !== item.n) { item.n = a.n; if (item.layer.getTooltip()) item.layer.setTooltipContent(tipOf(item)); }
      } else {
        item = {g: g, n: a.n, c: a.c};
        if (g[5] < 0) {
          item.layer = new Symbol([g[3], g[4]], {icon: symbolIcon(g[1], g[2], a.c), riseOnHover: true, title: ''});
          addSymbols.push(item.layer);
        } else {
          var shape = D.shapes[g[5]];
          var line = shape.type.indexOf('LineString') >= 0;
          var c = g[8];
          var style = line ? {color: c, weight: 3, opacity: 0.9, dashArray: '10 6'} :
            g[0] === 'exercise' ? {color: c, weight: 2.5, opacity: 0.95, dashArray: '8 5',
                                   fillColor: c, fillOpacity: 0.06} :
            {color: c, weight: 1.8, opacity: 0.9, fillColor: c, fillOpacity: 0.25};
          item.layer = L.geoJSON(shape, {style: function(){ return style; }});
          item.layer.eachLayer(function(l){ l._fpm = item; });
          areas.addLayer(item.layer);
          if (!line && g[0] === 'patrol') {
            var fill = hatch(c);
            if (fill) item.layer.eachLayer(function(l){
              if (l._path) { l._path.setAttribute('fill', fill); l._path.setAttribute('fill-opacity', '1'); }
            });
          }
        }
        item.layer._fpm = item;
        if (g[5] >= 0) {
          item.layer.bindTooltip(tipOf(item), {sticky: true, direction: 'top'});
          item.layer.bindPopup('…', {maxWidth: 380});  // filled on open
        }
      }
      item.idx = a.idx; item.c = a.c;
      live[gi] = item;
      if (g[5] < 0) { d.symbols++; present['draw:symbol'] = true; }
      else if (D.shapes[g[5]].type.indexOf('LineString') >= 0) { d.routes++; present['draw:route'] = true; }
      else { d.areas++; present['draw:area-' + (g[0] === 'exercise' ? 'exercise' : 'patrol')] = true; }
      present[g[6]] = true;
    });
    for (var k in old) {
      if (old[k].g[5] < 0) dropSymbols.push(old[k].layer); else areas.removeLayer(old[k].layer);
    }
    if (cluster) {  // markercluster's bulk calls: one re-clustering, not one per marker
      if (dropSymbols.length) symbols.removeLayers(dropSymbols);
      if (addSymbols.length) symbols.addLayers(addSymbols);
    } else {
      dropSymbols.forEach(function(l){ symbols.removeLayer(l); });
      addSymbols.forEach(function(l){ symbols.addLayer(l); });
    }
    ctrl.drawn = d; ctrl.present = present;
    ctrl.updateLegend();
  }
  ctrl.updateLegend = function(){
    var present = ctrl.present || {};
    var legend = document.querySelectorAll('[data-fpm-legend="{{ this._parent.get_name() }}"] [data-fpm-key]');
    Array.prototype.forEach.call(legend, function(el){
      el.style.display = present[el.getAttribute('data-fpm-key')] ? '' : 'none';
    });
    var when = document.querySelector('[data-fpm-legend="{{ this._parent.get_name() }}"] .fpm-when');
    if (when) when.textContent = ctrl.label || '';
  };
  ctrl.setTime = function(opt){
    opt = opt || {};
    if (opt.asOf) { var d0 = toDay(opt.asOf); ctrl.window = [d0, d0]; ctrl.label = 'As of ' + opt.asOf; }
    else if (opt.from || opt.to) {
      ctrl.window = [opt.from ? toDay(opt.from) : -1e9, opt.to ? toDay(opt.to) : 1e9];
      ctrl.label = 'Between ' + (opt.from || '…') + ' and ' + (opt.to || '…');
    } else { ctrl.window = null; ctrl.label = 'All dates'; }
    render();
    return ctrl.drawn;
  };
  ctrl.symbols = symbols; ctrl.areas = areas;
  window.FPM = window.FPM || {};
  window.FPM['{{ this._parent.get_name() }}'] = ctrl;
  window.FPM_LAST = ctrl;
  // In the app the page sets the time right after (`SetTime`): drawing everything first is wasted.
  if (!window.FPM_DEFER_TIME) ctrl.setTime(D.time);
})();
{% endmacro %}
"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        """`payload`: {"groups", "events", "info", "details", "shapes", "strings", "time", "size", "cluster"}
        built by geo.render.mapping.event_payload."""
        super().__init__()
        self._name = "EventLayer"
        self.payload = safe_json(payload)
        # The same JSON as a JS string literal for JSON.parse (faster than an object literal of megabytes);
        # still safe in a <script> block: `safe_json` left no < > & ' in it, and json.dumps escapes the rest.
        self.payload_text = json.dumps(self.payload, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
            "\u2029", "\\u2029")
        # Instance lists (not the class's): the milsymbol URL depends on the serving mode in force.
        self.default_js = [("milsymbol", current_url("milsymbol"))]
        self.default_css = []
        if payload.get("cluster"):
            self.default_js = [*MarkerCluster.default_js, *self.default_js]
            self.default_css = list(MarkerCluster.default_css)


class SetTime(SinglePassElement):
    """Calls the event layer's time filter; add inside a FeatureGroup for `feature_group_to_add`."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function(){
  var opt = {{ this.payload }};
  for (var k in (window.FPM || {})) { window.FPM[k].setTime(opt); }
})();
{% endmacro %}
"""
    )

    def __init__(self, *, as_of: str | None = None, start: str | None = None, end: str | None = None) -> None:
        super().__init__()
        self._name = "SetTime"
        self.payload = safe_json({"asOf": as_of, "from": start, "to": end})


class Legend(SinglePassElement):
    """A Leaflet control with pre-escaped HTML rows; rows carry `data-fpm-key` for the time filter."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.fpm-legend{background:rgba(255,255,255,.94);padding:8px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);
 font:12px/1.3 "DejaVu Sans",Arial,sans-serif;color:#222;max-height:60vh;overflow-y:auto;
 min-width:150px;max-width:240px}
.fpm-legend h4{margin:0 0 2px;font-size:13px}
.fpm-legend .fpm-when{color:#555;font-size:11px;margin-bottom:4px}
.fpm-legend .fpm-row{display:flex;align-items:center;gap:6px;margin:2px 0;font-size:11.5px}
.fpm-legend .fpm-sw{display:inline-block;width:22px;height:14px;flex:none}
.fpm-legend .fpm-sec{margin-top:6px;font-weight:700;font-size:11px;color:#444;text-transform:uppercase}
.fpm-legend .fpm-note{margin-top:6px;color:#666;font-size:10px;max-width:210px}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var legend = L.control({position: '{{ this.position }}'});
  legend.onAdd = function(){
    var div = L.DomUtil.create('div', 'fpm-legend');
    div.setAttribute('data-fpm-legend', '{{ this._parent.get_name() }}');
    div.innerHTML = {{ this.payload }};
    L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
    Array.prototype.forEach.call(div.querySelectorAll('[data-sidc]'), function(el){
      if (window.ms) el.innerHTML = new ms.Symbol(el.getAttribute('data-sidc'),
        {size: 12, fillColor: el.getAttribute('data-colour')}).asSVG();
    });
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
  var ctrl = (window.FPM || {})['{{ this._parent.get_name() }}'];
  if (ctrl) ctrl.updateLegend();  // the event layer drew before the legend existed
})();
{% endmacro %}
"""
    )

    def __init__(self, html: str, position: str = "topright") -> None:
        """`html` must already be escaped (geo.render.mapping builds it with html.escape)."""
        super().__init__()
        self._name = "Legend"
        self.payload = safe_json(html)
        self.position = position


class Attribution(SinglePassElement):
    """Adds the data credits to Leaflet's attribution control (Natural Earth, GeoNames CC-BY)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.payload }});
{% endmacro %}
"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.payload = safe_json(text)
