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
.fpm-label span{display:inline-block;transform:translate(-50%,-50%);
 font:600 calc(11px * var(--fpm-scale, 1))/1.1 "DejaVu Sans",Arial,sans-serif;
 color:#5b554c;text-shadow:0 0 3px #fff,0 0 3px #fff;letter-spacing:.02em}
.fpm-label.fpm-sea span{font-style:italic;font-weight:500;color:#3d6a8a;text-shadow:0 0 3px #e3eef6,0 0 3px #e3eef6}
.fpm-label.fpm-city span,.fpm-label.fpm-installation span{transform:translate(-4px,-50%);font-weight:500;
 font-size:calc(10.5px * var(--fpm-scale, 1));color:#3b3731}
.fpm-label.fpm-city span::before{content:"";display:inline-block;width:5px;height:5px;margin-right:4px;
 border-radius:50%;background:#3b3731;vertical-align:middle}
.fpm-label.fpm-installation span{color:#5a2d2d;font-style:italic}
.fpm-label.fpm-installation span::before{content:"";display:inline-block;width:6px;height:6px;margin-right:4px;
 border:1.5px solid #5a2d2d;background:#fff;vertical-align:middle}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var rows = {{ this.payload }};
  var layer = L.layerGroup();
  // Labels that would overlap a more important one are left out at that zoom: names first, then
  // seas, military sites and towns; bigger (earlier) first. Boxes are estimated from the text length.
  var RANK = {country: 0, sea: 1, installation: 3, city: 4}, CELL = 64;
  function rank(r){ return r[3] === 'city' && r[4] <= 5 ? 2 : RANK[r[3]]; }  // capitals, cities of a million
  var order = rows.map(function(r, i){ return i; }).sort(function(a, b){
    return (rank(rows[a]) - rank(rows[b])) || (rows[a][4] - rows[b][4]) || (a - b);
  });
  var markers = {};
  function marker(i){
    var r = rows[i];
    return markers[i] || (markers[i] = L.marker([r[1], r[2]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'fpm-label fpm-' + r[3], html: '<span>' + r[0] + '</span>', iconSize: [0, 0]})}));
  }
  function update(){
    var z = map.getZoom(), grid = {}, shown = {};
    var k = parseFloat(getComputedStyle(map.getContainer()).getPropertyValue('--fpm-scale')) || 1;
    order.forEach(function(i){
      var r = rows[i];
      if (r[4] > z) return;
      var p = map.project([r[1], r[2]], z), w = (r[0].length * 6.3 + 10) * k, h = 14 * k;
      var box = r[3] === 'city' || r[3] === 'installation' ? [p.x - 5, p.y - h / 2, p.x + w, p.y + h / 2]
                                                            : [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
      var cells = [];
      for (var cx = Math.floor(box[0] / CELL); cx <= Math.floor(box[2] / CELL); cx++)
        for (var cy = Math.floor(box[1] / CELL); cy <= Math.floor(box[3] / CELL); cy++) cells.push(cx + ',' + cy);
      var clash = cells.some(function(c){
        return (grid[c] || []).some(function(o){
          return o[0] < box[2] && box[0] < o[2] && o[1] < box[3] && box[1] < o[3];
        });
      });
      if (clash) return;
      cells.forEach(function(c){ (grid[c] = grid[c] || []).push(box); });
      shown[i] = true;
    });
    layer.eachLayer(function(m){ if (!shown[m._fpmLabel]) layer.removeLayer(m); });
    for (var i in shown) { var m = marker(i); m._fpmLabel = i; if (!layer.hasLayer(m)) layer.addLayer(m); }
  }
  layer.addTo(map);
  map.on('zoomend fpmscale', update);
  update();
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: list[list[Any]]) -> None:
        """`rows`: [name (HTML-escaped), lat, lon, "country"|"sea"|"city"|"installation", min zoom]."""
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
.leaflet-interactive:focus{outline:none}  /* Chromium rings a clicked path: a box around a sea */
.fpm-sym{position:relative;line-height:0;transform:scale(var(--fpm-scale, 1))}
.fpm-size a{font:700 13px/26px "DejaVu Sans",Arial,sans-serif;text-decoration:none;color:#222}
.fpm-count{position:absolute;left:100%;top:50%;transform:translate(2px,-50%);background:#1d2733;color:#fff;
 font:700 11px/1 "DejaVu Sans",Arial,sans-serif;padding:2px 4px;border-radius:8px;white-space:nowrap;
 box-shadow:0 0 0 1px #fff}
.fpm-popup{font:12px/1.35 "DejaVu Sans",Arial,sans-serif;max-height:260px;overflow-y:auto;min-width:240px}
.fpm-popup h4{margin:0 0 4px;font-size:13px}
.fpm-ev{border-top:1px solid #ddd;padding:4px 0}
.fpm-ev q{display:block;color:#333;font-style:italic;margin:2px 0}
.fpm-ev small{color:#666}
.fpm-kind{text-transform:uppercase;font-size:10px;font-weight:700;color:#555;letter-spacing:.04em}
.fpm-unsure .fpm-sym>svg{opacity:.6}
.fpm-q{position:absolute;right:100%;top:0;transform:translate(-1px,-30%);background:#fff;color:#8a4b00;
 border:1.5px solid #8a4b00;font:700 11px/1 "DejaVu Sans",Arial,sans-serif;padding:1px 3px;border-radius:50%}
.fpm-flag{font-size:10px;font-weight:700;color:#8a4b00;margin-left:4px}
.fpm-popup h5{margin:6px 0 2px;font-size:12px;border-top:2px solid #bbb;padding-top:4px}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var D = JSON.parse({{ this.payload_text }});
  var S = D.strings;  // resolve the interned strings once
  D.info.forEach(function(f){ [0, 1, 2, 3, 4, 6].forEach(function(k){ f[k] = S[f[k]]; }); });
  // g: [kind, sidc, fill colour, lat, lon, shape|-1, legend key, title, line colour, stripes, hatch angle]
  D.groups.forEach(function(g){ [1, 2, 6, 7, 8, 9, 12, 13].forEach(function(k){ g[k] = S[g[k]]; }); });
  // g[11]: the outlined region of a region-wide symbol (-1: none)
  var ANNOUNCED = 1, UNSURE = 2;  // row flags (geo.render.mapping.certainty)
  var DAY = 86400000;
  var cluster = D.cluster && L.markerClusterGroup;
  var symbols = cluster ? L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 7,
                                                showCoverageOnHover: false}) : L.featureGroup();
  // Event areas in a pane of their own above the basemap's, so an exercise can be put under the
  // patrols (bringToBack) without sinking under the land; the selection outline above them.
  if (!map.getPane('fpm-areas')) {
    map.createPane('fpm-areas').style.zIndex = 410;
    map.createPane('fpm-selected').style.zIndex = 420;
    map.getPane('fpm-selected').style.pointerEvents = 'none';
  }
  var areaRenderer = L.svg({pane: 'fpm-areas'}), selectedRenderer = L.svg({pane: 'fpm-selected'});
  var areas = L.featureGroup();
  areas.addTo(map); symbols.addTo(map);
  var iconCache = {}, svgCache = {};
  function symbolIcon(sidc, colour, count, flags, name){
    // Announced, not yet seen: APP-6 status "planned/anticipated" (7th digit 1), a dashed frame.
    if (flags & ANNOUNCED) sidc = sidc.substr(0, 6) + '1' + sidc.substr(7);
    var key = sidc + colour + count + '|' + flags + '|' + name;
    if (iconCache[key]) return iconCache[key];
    var base = svgCache[sidc + colour + name];  // milsymbol draws each symbol once; counts only change the badge
    if (!base) {
      // APP-6 unique designation (field T) beside the frame: "V Corps", a ship's name
      var sym = new ms.Symbol(sidc, {size: D.size, fillColor: colour, simpleStatusModifier: true,
                                     uniqueDesignation: name || ''});  // milsymbol escapes it
      base = svgCache[sidc + colour + name] = {svg: sym.asSVG(), a: sym.getAnchor(), s: sym.getSize()};
    }
    var html = '<div class="fpm-sym" style="transform-origin:' + base.a.x + 'px ' + base.a.y + 'px">' + base.svg +
               // beside a named symbol the badge sits under the name, at the frame's lower right
               (count ? '<span class="fpm-count"' + (name ? ' style="left:' + Math.round(base.a.x + D.size * 0.75) +
                        'px;top:' + Math.round(base.a.y + D.size * 0.45) + 'px"' : '') + '>' +
                        count.toLocaleString('en-US') + '</span>' : '') +
               (flags & UNSURE ? '<span class="fpm-q" title="unsure, not reviewed">?</span>' : '') + '</div>';
    return iconCache[key] = L.divIcon({className: 'fpm-symbol-icon' + (flags & UNSURE ? ' fpm-unsure' : ''),
                                       html: html,
                                       iconSize: [base.s.width, base.s.height], iconAnchor: [base.a.x, base.a.y]});
  }
  // Hatching in stripes of every actor's colour (a joint patrol shows each partner), at the angle the
  // area was given, so two areas over one sea cross instead of hiding each other; `strength` fades it.
  function hatch(stripes, angle, strength){
    var colours = stripes.split('|');
    var id = 'fpm-hatch-' + colours.join('').replace(/#/g, '') + '-' + (angle + 90) + '-' + Math.round(strength * 100);
    var svg = map.getPane('fpm-areas').querySelector('svg');
    if (!svg) return null;
    if (!svg.querySelector('#' + id)) {
      var ns = 'http://www.w3.org/2000/svg', step = 7, width = step * colours.length;
      var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
      var p = document.createElementNS(ns, 'pattern');
      p.setAttribute('id', id); p.setAttribute('patternUnits', 'userSpaceOnUse');
      p.setAttribute('width', String(width)); p.setAttribute('height', '8');
      p.setAttribute('patternTransform', 'rotate(' + angle + ')');
      var bg = document.createElementNS(ns, 'rect');
      bg.setAttribute('width', String(width)); bg.setAttribute('height', '8');
      bg.setAttribute('fill', colours[0]); bg.setAttribute('fill-opacity', String(0.10 * strength));
      p.appendChild(bg);
      colours.forEach(function(colour, i){
        var line = document.createElementNS(ns, 'rect');
        line.setAttribute('x', String(i * step)); line.setAttribute('width', '2.5'); line.setAttribute('height', '8');
        line.setAttribute('fill', colour); line.setAttribute('fill-opacity', String(0.5 * strength));
        p.appendChild(line);
      });
      defs.appendChild(p);
    }
    return 'url(#' + id + ')';
  }
  function areaStyle(g, flags){
    var c = g[8], line = D.shapes[g[5]].type.indexOf('LineString') >= 0, unsure = flags & UNSURE;
    var dash = unsure ? '2 6' : (flags & ANNOUNCED) ? '10 6' : null;
    if (line) return {color: c, weight: 3, opacity: unsure ? 0.55 : 0.9, dashArray: dash || '10 6'};
    if (g[0] === 'exercise') return {color: c, weight: 4, opacity: unsure ? 0.5 : 0.9,
                                     dashArray: unsure ? '2 6' : '9 6', fillColor: c, fillOpacity: 0.06};
    return {color: c, weight: 1.8, opacity: unsure ? 0.5 : 0.9, dashArray: dash, fillColor: c, fillOpacity: 0.25};
  }
  function tipOf(item){
    return item.g[7] + (item.n > 1 ? ' (' + item.n.toLocaleString('en-US') + ' events)' : '') +
      (item.f & UNSURE ? ' · unsure, not reviewed' : (item.f & ANNOUNCED ? ' · announced' : ''));
  }
  function flagText(flags){
    return (flags & ANNOUNCED ? '<span class="fpm-flag">ANNOUNCED</span>' : '') +
      (flags & UNSURE ? '<span class="fpm-flag">? UNSURE, NOT REVIEWED</span>' : '');
  }
  function eventsHtml(item){
    if (!D.details) {
      return '<div class="fpm-ev">' + item.n.toLocaleString('en-US') + ' events' +
        (item.c !== null ? ', ' + item.c.toLocaleString('en-US') + ' assets' : '') +
        '<br><small>Click the place to list them in the side panel.</small></div>';
    }
    var html = '';
    item.idx.slice(0, 25).forEach(function(i){
      var f = D.info[i];
      html += '<div class="fpm-ev"><span class="fpm-kind">' + f[0] + '</span>' + flagText(D.events[i][5]) + ' ' +
        f[1] + (f[2] ? ' &middot; ' + f[2] : '') + '<br>' + f[3] + '<br><small>' + f[4] + '</small>' +
        (f[5] ? '<q>' + f[5] + '</q>' : '') + '<small>' + f[6] + '</small></div>';
    });
    if (item.idx.length > 25) html += '<div class="fpm-ev"><small>+ ' + (item.idx.length - 25) + ' more</small></div>';
    return html;
  }
  // Popups are built when opened, from the rows active at that moment (never all up front).
  function popup(item){
    return '<div class="fpm-popup"><h4>' + tipOf(item) + '</h4>' + eventsHtml(item) + '</div>';
  }
  // Every area under a clicked point, not only the top one: two events over one sea are both listed.
  function ringHas(ring, x, y){
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function polygonHas(rings, x, y){
    if (!ringHas(rings[0], x, y)) return false;
    for (var h = 1; h < rings.length; h++) if (ringHas(rings[h], x, y)) return false;
    return true;
  }
  function shapeHas(shape, latlng){
    var polygons = shape.type === 'Polygon' ? [shape.coordinates] :
      shape.type === 'MultiPolygon' ? shape.coordinates : [];
    var x = ((latlng.lng + 180) % 360 + 360) % 360 - 180, y = latlng.lat;
    return polygons.some(function(rings){
      return polygonHas(rings, x, y) || polygonHas(rings, x + 360, y) || polygonHas(rings, x - 360, y);
    });
  }
  var highlight = L.featureGroup().addTo(map);
  function areasAt(latlng, clicked){
    var found = [];
    for (var gi in live) {
      var item = live[gi];
      if (item.g[5] >= 0 && (item === clicked || shapeHas(D.shapes[item.g[5]], latlng))) found.push(item);
    }
    return found;
  }
  areas.on('click', function(e){
    var clicked = e.layer && e.layer._fpm;
    var found = areasAt(e.latlng, clicked);
    if (!found.length) return;
    highlight.clearLayers();
    found.forEach(function(item){  // a white halo and a dark line: the selection reads on any colour
      [['#ffffff', 7, 0.9], ['#111111', 2.5, 1]].forEach(function(s){
        L.geoJSON(D.shapes[item.g[5]], {interactive: false, pane: 'fpm-selected', renderer: selectedRenderer,
          noClip: true, style: function(){ return {color: s[0], weight: s[1], opacity: s[2], fill: false}; }})
          .addTo(highlight);
      });
    });
    var html = '<div class="fpm-popup"><h4>' +
      (found.length > 1 ? found.length + ' areas here' : tipOf(found[0])) + '</h4>';
    found.forEach(function(item){
      html += (found.length > 1 ? '<h5>' + tipOf(item) + '</h5>' : '') + eventsHtml(item);
    });
    ctrl.selected = found.map(function(item){ return item.g[7]; });
    L.popup({maxWidth: 400}).setLatLng(e.latlng).setContent(html + '</div>').openOn(map);
  });
  map.on('popupclose', function(){ highlight.clearLayers(); ctrl.selected = []; });
  function onPopup(e){
    var item = e.popup._source && e.popup._source._fpm;
    if (item) e.popup.setContent(popup(item));
  }
  symbols.on('popupopen', onPopup);
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
  // Symbols that would overlap at this zoom are moved apart around their place, the largest forces
  // keeping theirs, each moved one tied to its true position by a leader line and a dot (clustered
  // maps, hundreds of sites, group them instead).
  var leaders = L.layerGroup().addTo(map), outlines = L.layerGroup().addTo(map);
  function declutter(){
    leaders.clearLayers();
    if (cluster) return;
    var z = map.getZoom(), size = D.size * 1.15 * (ctrl.scale || 1), grid = {}, CELL = 96, items = [];
    for (var gi in live) if (live[gi].g[5] < 0) items.push(live[gi]);
    items.sort(function(a, b){ return (b.c || 0) - (a.c || 0) || a.g[3] - b.g[3] || a.g[4] - b.g[4]; });
    function box(p, item){
      var badge = item.c ? (String(item.c.toLocaleString('en-US')).length * 7 + 12) * (ctrl.scale || 1) : 0;
      var query = item.f & UNSURE ? 18 * (ctrl.scale || 1) : 0;  // the "?" badge on the left
      return [p.x - size / 2 - query, p.y - size / 2, p.x + size / 2 + badge, p.y + size / 2];
    }
    function cells(b, visit){  // the grid cells a box covers: placed boxes are looked up by cell
      for (var cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++)
        for (var cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++)
          if (visit(cx + ',' + cy) === false) return false;
      return true;
    }
    function free(b){
      return cells(b, function(key){
        return (grid[key] || []).every(function(q){
          return q[2] <= b[0] || b[2] <= q[0] || q[3] <= b[1] || b[3] <= q[1];
        });
      });
    }
    items.forEach(function(item){
      var home = map.project([item.g[3], item.g[4]], z), spot = null;
      for (var ring = 0; ring <= 4 && !spot; ring++) {
        var steps = ring === 0 ? 1 : 8 * ring;
        for (var k = 0; k < steps && !spot; k++) {
          var angle = 2 * Math.PI * k / steps - Math.PI / 2, reach = ring * size * 1.2;
          var p = ring === 0 ? home : home.add([Math.cos(angle) * reach, Math.sin(angle) * reach]);
          if (free(box(p, item))) spot = p;
        }
      }
      spot = spot || home;
      var taken = box(spot, item);
      cells(taken, function(key){ (grid[key] = grid[key] || []).push(taken); });
      var at = map.unproject(spot, z), there = L.latLng(item.g[3], item.g[4]);
      item.layer.setLatLng(spot === home ? there : at);
      if (spot !== home) {
        var line = {color: '#1d2733', weight: 1.3, opacity: 0.85, interactive: false, pane: 'fpm-selected',
                    renderer: selectedRenderer};
        L.polyline([there, at], line).addTo(leaders);
        L.circleMarker(there, L.extend({radius: 2.5, fillColor: '#1d2733', fillOpacity: 1}, line)).addTo(leaders);
      }
    });
  }
  map.on('zoomend fpmscale', function(){ if (ctrl.drawn) declutter(); });
  function render(){
    var w = ctrl.window, active = {}, order = [], present = {}, nEvents = 0;
    var rows = D.events;
    for (var i = 0; i < rows.length; i++) {
      // r: [first day|null (undated), last day|null (ongoing), count|null, group, events, flags]
      var r = rows[i];
      if (w && (r[0] === null || r[0] > w[1])) continue;
      if (w && !(r[1] === null || r[1] >= w[0])) continue;
      nEvents += r[4];
      var a = active[r[3]];
      // a drawn feature is announced or unsure only when every event it stands for is
      if (!a) { a = active[r[3]] = {idx: [], n: 0, c: null, f: r[5]}; order.push(r[3]); }
      a.idx.push(i); a.n += r[4]; a.f &= r[5];
      if (r[2] !== null) a.c = (a.c || 0) + r[2];
    }
    var d = {symbols: 0, areas: 0, routes: 0, events: nEvents, announced: 0, unsure: 0};
    var old = live, addSymbols = [], dropSymbols = [];
    live = {};
    order.forEach(function(gi){
      var a = active[gi], g = D.groups[gi], item = old[gi];
      if (item && g[5] >= 0 && item.f !== a.f) { areas.removeLayer(item.layer); item = null; }  // restyle
      if (item) {
        delete old[gi];
        if (g[5] < 0 && (a.c !== item.c || a.f !== item.f)) {
          item.layer.setIcon(symbolIcon(g[1], g[2], a.c, a.f, g[12]));
        }
        if (a.n !== item.n || a.f !== item.f) {
          item.n = a.n; item.f = a.f;
          if (item.layer.getTooltip()) item.layer.setTooltipContent(tipOf(item));
        }
      } else {
        delete old[gi];
        item = {g: g, n: a.n, c: a.c, f: a.f};
        if (g[5] < 0) {
          item.layer = new Symbol([g[3], g[4]], {icon: symbolIcon(g[1], g[2], a.c, a.f, g[12]), riseOnHover: true,
                                                 title: ''});
          addSymbols.push(item.layer);
          if (g[11] >= 0) {
            item.outline = L.geoJSON(D.shapes[g[11]], {interactive: false, pane: 'fpm-areas', renderer: areaRenderer,
              style: function(){ return {color: g[8], weight: 1.6, opacity: 0.8, dashArray: '5 5', fill: false}; }});
            outlines.addLayer(item.outline);
          }
        } else {
          var shape = D.shapes[g[5]];
          var line = shape.type.indexOf('LineString') >= 0;
          var style = areaStyle(g, a.f);
          item.layer = L.geoJSON(shape, {style: function(){ return style; }, pane: 'fpm-areas',
                                         renderer: areaRenderer});
          item.layer.eachLayer(function(l){ l._fpm = item; });
          areas.addLayer(item.layer);
          // exercises (thick dashed outlines) lie under patrols, whose thin outlines stay on top
          if (g[0] === 'exercise') item.layer.bringToBack();
          if (!line) {
            var fill = hatch(g[9], g[10], (a.f & UNSURE ? 0.5 : 1) * (g[0] === 'exercise' ? 0.8 : 1));
            if (fill) item.layer.eachLayer(function(l){
              if (l._path) { l._path.setAttribute('fill', fill); l._path.setAttribute('fill-opacity', '1'); }
            });
          }
        }
        item.layer._fpm = item;
        if (g[5] >= 0) item.layer.bindTooltip(tipOf(item), {sticky: true, direction: 'top'});
      }
      item.idx = a.idx; item.c = a.c;
      live[gi] = item;
      if (a.f & ANNOUNCED) { d.announced++; present['draw:announced'] = true; }
      if (a.f & UNSURE) { d.unsure++; present['draw:unsure'] = true; }
      if (g[5] >= 0 && g[9].indexOf('|') >= 0) present['draw:joint'] = true;
      if (g[5] < 0) { d.symbols++; present['draw:symbol'] = true; if (g[11] >= 0) present['draw:region'] = true; }
      else if (D.shapes[g[5]].type.indexOf('LineString') >= 0) { d.routes++; present['draw:route'] = true; }
      else { d.areas++; present['draw:area-' + (g[0] === 'exercise' ? 'exercise' : 'patrol')] = true; }
      present[g[6]] = true;
      if (g[13]) g[13].split('|').forEach(function(key){ present[key] = true; });  // a joint area's partners
    });
    for (var k in old) {
      if (old[k].g[5] < 0) dropSymbols.push(old[k].layer); else areas.removeLayer(old[k].layer);
      if (old[k].outline) outlines.removeLayer(old[k].outline);
    }
    if (cluster) {  // markercluster's bulk calls: one re-clustering, not one per marker
      if (dropSymbols.length) symbols.removeLayers(dropSymbols);
      if (addSymbols.length) symbols.addLayers(addSymbols);
    } else {
      dropSymbols.forEach(function(l){ symbols.removeLayer(l); });
      addSymbols.forEach(function(l){ symbols.addLayer(l); });
    }
    declutter();
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
  // Type and symbols for the back of the room: A- / A+ scale symbols, badges, labels and the legend
  // (CSS variable --fpm-scale on the map). Shown in the app's presentation mode at 1.45 unless set.
  var SCALES = [0.8, 1, 1.2, 1.45, 1.75, 2.1], chosen = null;
  ctrl.scale = 1;
  ctrl.setScale = function(value, byUser){
    if (byUser) chosen = value;
    ctrl.scale = value;
    map.getContainer().style.setProperty('--fpm-scale', String(value));
    map.fire('fpmscale');
    return value;
  };
  var size = L.control({position: 'topleft'});
  size.onAdd = function(){
    var div = L.DomUtil.create('div', 'leaflet-bar fpm-size');
    var buttons = [['A−', -1, 'Smaller symbols and type'], ['A+', 1, 'Larger symbols and type (for a projector)']];
    buttons.forEach(function(b){
      var a = L.DomUtil.create('a', '', div);
      a.href = '#'; a.textContent = b[0]; a.title = b[2]; a.setAttribute('role', 'button');
      L.DomEvent.on(a, 'click', function(e){
        L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
        var i = SCALES.indexOf(ctrl.scale); if (i < 0) i = 1;
        ctrl.setScale(SCALES[Math.max(0, Math.min(SCALES.length - 1, i + b[1]))], true);
      });
    });
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  size.addTo(map);
  function presenting(){
    try { return !!window.parent.document.querySelector('.fpm-presenting'); } catch (e) { return false; }
  }
  // Inside the app the map fills its frame, whatever height the page gives the frame (presentation
  // mode makes it the whole window); a saved page's map is 100% of the page already.
  function fitFrame(){
    var box = map.getContainer();
    if (window.parent !== window && box.id === 'map_div') {
      box.style.height = window.innerHeight + 'px';
      map.invalidateSize();
    }
    if (chosen === null) ctrl.setScale(presenting() ? 1.45 : 1);
  }
  window.addEventListener('resize', fitFrame);
  fitFrame();
  // Presenting, the briefing's keys belong to the page around the map (step, play, exit), also
  // after a click into the map has moved the focus into its frame: they are handed on, and the
  // map's own arrow-key panning is off.
  var BRIEFING_KEYS = {Escape: 1, ' ': 1, ArrowLeft: 1, ArrowRight: 1, PageUp: 1, PageDown: 1};
  document.addEventListener('keydown', function(e){
    if (!BRIEFING_KEYS[e.key] || !presenting()) return;
    e.preventDefault(); e.stopPropagation();
    var target = window.parent.document.body;
    target.dispatchEvent(new KeyboardEvent('keydown', {key: e.key, code: e.code, keyCode: e.keyCode,
                                                        bubbles: true, cancelable: true}));
    target.dispatchEvent(new KeyboardEvent('keyup', {key: e.key, code: e.code, keyCode: e.keyCode,
                                                      bubbles: true, cancelable: true}));
  }, true);
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
 font:calc(12px * var(--fpm-scale, 1))/1.3 "DejaVu Sans",Arial,sans-serif;color:#222;max-height:60vh;overflow-y:auto;
 min-width:150px;max-width:calc(240px * var(--fpm-scale, 1))}
.fpm-legend h4{margin:0 0 2px;font-size:calc(13px * var(--fpm-scale, 1));display:flex;gap:8px;
 justify-content:space-between;align-items:baseline}
.fpm-legend .fpm-when{color:#555;font-size:calc(11px * var(--fpm-scale, 1));margin-bottom:4px}
.fpm-legend .fpm-row{display:flex;align-items:center;gap:6px;margin:2px 0;font-size:calc(11.5px * var(--fpm-scale, 1))}
.fpm-legend .fpm-sw{display:inline-block;width:22px;height:14px;flex:none}
.fpm-legend .fpm-sec{margin-top:6px;font-weight:700;font-size:calc(11px * var(--fpm-scale, 1));color:#444;
 text-transform:uppercase}
.fpm-legend .fpm-sw-q{width:14px;height:14px;margin:0 4px;text-align:center;
 font:700 10px/12px "DejaVu Sans",Arial,sans-serif;color:#8a4b00;border:1.5px solid #8a4b00;border-radius:50%;
 box-sizing:border-box}
.fpm-legend .fpm-sw-region{border:1.5px dashed #555;box-sizing:border-box}
.fpm-legend .fpm-sw-joint{
 background:repeating-linear-gradient(45deg,#c0392b 0 3px,#fff0 3px 6px,#e67e22 6px 9px,#fff0 9px 12px);
 border:1.5px solid #555;box-sizing:border-box}
.fpm-legend .fpm-note{margin-top:6px;color:#666;font-size:calc(10px * var(--fpm-scale, 1));
 max-width:calc(210px * var(--fpm-scale, 1))}
.fpm-legend .fpm-fold{border:1px solid #bbb;background:#fff;border-radius:3px;cursor:pointer;font:inherit;
 line-height:1;padding:1px 5px;color:#333}
.fpm-legend.fpm-folded > :not(h4):not(.fpm-when){display:none}
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
    // Folds to its title and date: a legend must not cover a third of a projected map.
    var title = div.querySelector('h4'), fold = document.createElement('button');
    fold.className = 'fpm-fold'; fold.type = 'button'; fold.textContent = '−'; fold.title = 'Fold the legend';
    fold.onclick = function(){
      var folded = div.classList.toggle('fpm-folded');
      fold.textContent = folded ? '+' : '−'; fold.title = folded ? 'Show the legend' : 'Fold the legend';
    };
    if (title) title.appendChild(fold);
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
