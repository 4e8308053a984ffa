"""Turn events into an offline folium map: symbols, patrol and exercise areas, legend, time filter.

`build_map(events, theatre=..., perspective=...)` is the one entry point the app and the exports
use. Deployments and basing become APP-6 symbols (milsymbol, drawn in the browser) with the summed
asset count beside them, one symbol per site, actor colour and symbol; patrols become hatched areas
or dashed routes; exercises dashed outlined areas. Everything is in one compact payload that the
browser filters by date (`geo.render.elements.EventLayer`), so moving a time slider never rebuilds
the map. Shapes are simplified once and referenced by index: forty patrols over the Baltic Sea
carry the Baltic polygon once.

Every string that reaches the page is HTML-escaped here (`geo.render.elements.html_text`), and the
payload is JSON made safe for a <script> block: article text can never become markup, nor a Jinja
tag when branca renders the figure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import folium
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.events import Event
from geo.extract import NAMED_SHIP_PREFIX
from geo.gazetteer import Gazetteer
from geo.render.basemap import ATTRIBUTION, add_basemap, add_online_tiles
from geo.render.elements import Attribution, EventLayer, Legend, SetTime, html_text
from geo.render.offline_assets import Mode, use_local_assets
from geo.render.symbols import (
    AFFILIATIONS,
    DEFAULT_SIDC,
    PERSPECTIVES,
    Style,
    event_count,
    event_style,
    primary_asset,
)
from geo.store import OPEN_END, event_span

__all__ = [
    "THEATRES",
    "active_days",
    "build_map",
    "event_payload",
    "legend_html",
    "time_filter_group",
]

# Theatre presets as (west, south, east, north) in degrees; chosen to frame each area's usual
# reporting (the Baltic includes the Kaliningrad-Gotland-Gulf of Finland triangle, Northeast Asia
# the Korean peninsula, Japan and the Taiwan Strait's north end).
THEATRES: dict[str, tuple[float, float, float, float]] = {
    "World": (-170.0, -50.0, 170.0, 75.0),
    "Europe": (-25.0, 34.0, 45.0, 71.0),
    "Baltic": (9.0, 53.0, 31.0, 66.5),
    "Black Sea": (26.0, 40.0, 42.5, 48.0),
    "Mediterranean": (-7.0, 30.0, 37.0, 46.5),
    "Middle East": (25.0, 12.0, 63.0, 42.0),
    "Indian Ocean": (30.0, -40.0, 120.0, 30.0),
    "Indo-Pacific": (60.0, -45.0, 180.0, 50.0),
    "Northeast Asia": (115.0, 25.0, 150.0, 50.0),
}

SYMBOL_KINDS = ("deployment", "basing")
SYMBOL_SIZE = 26
CLUSTER_ABOVE = 400  # symbol sites beyond which markers cluster at low zoom
COORD_DECIMALS = 3  # symbol positions (~100 m)
SHAPE_DECIMALS = 2
INTERNED_INFO = (0, 1, 2, 3, 4, 6)  # popup fields sent as string-table indices (all but the sentence)
# Up to this many events the map carries each event's popup text; above, rows are merged per site
# and day and popups give totals (the side panel lists a clicked place's events from the store).
DETAIL_LIMIT = 20_000
EPOCH = dt.date(1970, 1, 1)
# How sure the map is of what it shows, per event row (a bit mask the browser reads):
ANNOUNCED = 1  # announced, not yet seen: the APP-6 "planned/anticipated" status, a dashed frame
UNSURE = 2  # the extractor was unsure and no one has reviewed it: a "?" badge, a faded, dotted outline
# Below this confidence an unreviewed event is drawn as unsure. Leave-one-corpus-out (`python -m geo
# evaluate --cross`, reliability table, December 2026): under 0.5 right 24% of the time, 0.5-0.6 54%,
# 0.6-0.8 52-55%, 0.8 and over 66-67%: the clear break is at 0.5; 0.6 also flags the items the UX
# review found wrong at 0.5 (the Romania "3,000x fighter").
UNSURE_BELOW = 0.6
MAX_STRIPES = 3  # a joint patrol's hatching carries at most this many actors' colours
# Hatch angles of areas that share one shape, in drawing order: two patrols over one sea cross.
HATCH_ANGLES = (45, -45, 0, 90)


# -- time ------------------------------------------------------------------------------------------
def _day(value: dt.date | None) -> int | None:
    return None if value is None or value == OPEN_END else (value - EPOCH).days


def active_days(event: Event) -> tuple[int | None, int | None]:
    """(first, last) active day as days since 1970-01-01 by the store's rule (geo.store.posture, the one
    definition); last None while ongoing; (None, None) for an undated event, shown only unfiltered."""
    try:
        span = event_span(event)
    except InputError:
        return None, None
    if span is None:
        return None, None
    return _day(span[0]), _day(span[1])


# -- payload ---------------------------------------------------------------------------------------
def _round(geom: BaseGeometry) -> BaseGeometry:
    # 0.01° (~1 km) is below the simplification error of every shape drawn as an event area
    return shapely.transform(geom, lambda xy: np.round(xy, SHAPE_DECIMALS))


def _simplified(geom: BaseGeometry) -> BaseGeometry:
    """Shapes drawn as event areas: simplified in proportion to their size (seas, countries)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        west, south, east, north = geom.bounds
        tolerance = min(0.2, max(0.01, max(east - west, north - south) / 250))
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    elif geom.geom_type in ("LineString", "MultiLineString"):
        geom = shapely.simplify(geom, 0.01)
    return _round(geom)


# Simplified GeoJSON of event shapes, kept across maps: every map of a store carries the same few
# hundred seas and countries, and simplifying a sea costs ~50 ms. Keyed by a fingerprint (type,
# bounds, vertex count, area and length) that is cheap to take and tells real shapes apart.
_SHAPES: dict[tuple[Any, ...], dict[str, Any]] = {}
_SHAPES_MAX = 4096


def _shape_key(geom: BaseGeometry) -> tuple[Any, ...]:
    return (geom.geom_type, geom.bounds, int(shapely.get_num_coordinates(geom)),
            round(float(shapely.area(geom)), 9), round(float(shapely.length(geom)), 9))


def _shape_json(key: tuple[Any, ...], geom: BaseGeometry) -> dict[str, Any]:
    found = _SHAPES.get(key)
    if found is None:
        if len(_SHAPES) >= _SHAPES_MAX:
            _SHAPES.clear()
        found = _SHAPES[key] = shapely.geometry.mapping(_simplified(geom))
    return found


def _site(event: Event, gazetteer: Gazetteer | None) -> tuple[float, float, str]:
    """(lat, lon, name) where an event's symbol stands: its first located gazetteer place's point.

    Shapely and GeoJSON are (lon, lat); folium/Leaflet markers are [lat, lon]: swapped here.
    """
    located = [p for p in event.places if p.role == "location"] or list(event.places)
    name = located[0].name if located else ""
    geom = event.geometry
    if geom.geom_type == "Point":  # the extractor's point is the site itself
        return geom.y, geom.x, name
    for place in located:  # an area (a country, a sea): stand at its gazetteer point, inside it
        record = gazetteer.get(place.id) if gazetteer is not None else None
        if record is not None:
            return record.lat, record.lon, place.name
    point = geom.representative_point()
    return point.y, point.x, name


def _assets_text(event: Event) -> str:
    parts = []
    for asset in event.assets:
        label = asset.name or asset.family
        parts.append(f"{asset.count}× {label}" if asset.count else label)
    return ", ".join(parts)


def _info(event: Event) -> list[str]:
    """The popup fields of one event, every one HTML-escaped."""
    actors = ", ".join(event.actors) or "unknown actor"
    if event.partners:
        actors += " with " + ", ".join(event.partners)
    places = "; ".join(f"{p.name} ({p.kind}{'' if p.role == 'location' else ', ' + p.role})" for p in event.places)
    when = event.start or "date unknown"
    if event.end:
        when += f" to {event.end}"
    precision = "" if event.time_precision == "day" else f" ({event.time_precision})"
    dates = f"{when}{precision} · {event.status} · confidence {event.confidence:.2f}"
    if event.edited:
        dates += " · edited"
    src = event.source
    source = " — ".join(x for x in (src.outlet, src.headline, src.published, src.document) if x)
    kind = f"{event.kind}: {event.name}" if event.name else event.kind
    return [html_text(field) for field in (kind, actors, _assets_text(event), places, dates, src.sentence,
                                           source)]


# A force's own name as APP-6 writes it beside the frame (unique designation, field T): an ordinal
# or Roman numeral unit ("V Corps", "173rd Airborne Brigade") or a named ship.
_UNIT_NAME = re.compile(r"(?:[IVX]+|\d+(?:st|nd|rd|th)?)\s+[A-Z]")
DESIGNATION_CHARS = 24


def designation(event: Event) -> str:
    """The unique designation the event's symbol carries, or "" (a type such as B-52 is not one)."""
    for asset in event.assets:
        if (asset.catalogue_id or "").startswith(NAMED_SHIP_PREFIX) or _UNIT_NAME.match(asset.name):
            name = asset.name.strip()
            return name if len(name) <= DESIGNATION_CHARS else name[:DESIGNATION_CHARS - 1] + "…"
    return ""


def _region_wide(event: Event) -> bool:
    """A posture item over a whole region ("Europe", "the Baltic states"), not at a site or country."""
    located = [p for p in event.places if p.role == "location"] or list(event.places)
    return bool(located) and located[0].kind == "region" and event.geometry.geom_type in ("Polygon", "MultiPolygon")


def certainty(event: Event) -> int:
    """The event's ANNOUNCED and UNSURE flags: how the map qualifies what it draws."""
    flags = ANNOUNCED if event.status == "announced" else 0
    if event.confidence < UNSURE_BELOW and not event.edited:
        flags |= UNSURE
    return flags


def _striped_styles(event: Event, perspective: str, first: Style) -> dict[str, Style]:
    """Legend key -> style of each actor an area is hatched for, first actor's first (at most
    MAX_STRIPES colours): a joint patrol shows every partner, and each has its legend row."""
    styles = {first.legend_key: first}
    for actor in event.actors[1:]:
        style = event_style(event.copy(actors=[actor]), perspective)
        if len({s.colour for s in styles.values()} | {style.colour}) > MAX_STRIPES:
            break
        styles.setdefault(style.legend_key, style)
    return styles


def event_payload(
    events: Iterable[Event],
    *,
    perspective: str = "neutral",
    gazetteer: Gazetteer | None = None,
    time: dict[str, str | None] | None = None,
    cluster: bool | None = None,
    details: bool | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(payload for EventLayer, summary for the legend) of the events.

    payload["groups"][g] = [kind, sidc, colour, lat, lon, shape index|-1, legend key, title, line
    colour, stripes, hatch angle, outline shape|-1, unique designation, legend keys]: one drawn feature (a symbol
    per site, symbol and colour; an area per shape, kind and actors' colours); sidc, colour, legend
    key, title, line colour, stripes ("|"-joined colours of the actors) and designation are indices
    into payload["strings"]; areas on one shape get HATCH_ANGLES in turn; a region-wide symbol's
    region is outlined (its shape index).
    payload["events"][i] = [first day|None, last day|None, count|None, group, events, flags]: days
    count from 1970-01-01 (None: undated, or ongoing for the last day); flags are `certainty()`'s
    ANNOUNCED and UNSURE. With `details` (default: up to
    DETAIL_LIMIT events) each row is one event and payload["info"][i] its escaped popup fields
    (INTERNED_INFO as string indices); without, rows with the same days and group are merged
    ("events" counts them), there is no "info", and popups show the group's totals only.
    """
    if perspective not in PERSPECTIVES:
        raise InputError(f"`perspective` was {perspective!r} but is expected to be one of {list(PERSPECTIVES)}")
    events = list(events)
    with_info = len(events) <= DETAIL_LIMIT if details is None else details
    rows: list[list[Any]] = []
    merged: dict[tuple[Any, ...], list[Any]] = {}
    info: list[list[Any]] = []
    shapes: list[dict[str, Any]] = []
    shape_index: dict[tuple[Any, ...], int] = {}
    legend: dict[str, dict[str, Any]] = {}
    drawn: Counter[str] = Counter()
    sites: set[str] = set()
    groups: dict[str, int] = {}  # site/shape + symbol + colour -> one drawn feature
    group_rows: list[list[Any]] = []
    strings: dict[str, int] = {}  # repeated strings (codes, colours, titles, sources) sent once
    areas_on: Counter[int] = Counter()  # shape index -> areas drawn on it so far (their hatch angles)

    def ref(text: str) -> int:
        return strings.setdefault(text, len(strings))

    for event in events:
        style = event_style(event, perspective)
        count = event_count(event)
        geom = event.geometry
        as_symbol = event.kind in SYMBOL_KINDS or geom.geom_type in ("Point", "MultiPoint")
        outline = -1
        if as_symbol:
            lat, lon, site = _site(event, gazetteer)
            lat, lon = round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS)
            shape = -1
            if _region_wide(event):
                # "20,000 troops to Europe": one symbol at the region's point, and the region outlined
                fingerprint = _shape_key(geom)
                outline = shape_index.get(fingerprint, -1)
                if outline < 0:
                    outline = shape_index[fingerprint] = len(shapes)
                    shapes.append(_shape_json(fingerprint, geom))
                drawn["region"] += 1
            key = f"s|{lat},{lon}|{style.sidc}|{style.colour}"
            sites.add(key)
            drawn["symbol"] += 1
            styles = {style.legend_key: style}
        else:
            fingerprint = _shape_key(geom)
            shape = shape_index.get(fingerprint, -1)
            if shape < 0:
                shape = shape_index[fingerprint] = len(shapes)
                shapes.append(_shape_json(fingerprint, geom))
            lat = lon = 0.0
            styles = _striped_styles(event, perspective, style)
            stripes = "|".join(dict.fromkeys(shown.stroke for shown in styles.values()))  # line colours, once each
            key = f"a|{shape}|{event.kind}|{stripes}"
            if "|" in stripes:
                drawn["joint"] += 1
            line = "LineString" in geom.geom_type
            drawn["route" if line else f"area-{'exercise' if event.kind == 'exercise' else 'patrol'}"] += 1
        group = groups.get(key)
        if group is None:
            actor = ", ".join(event.actors) or "unknown actor"
            if as_symbol:
                asset = primary_asset(event)
                what = asset.name if asset is not None else event.kind
                title = f"{actor} · {what} · {site}" if site else f"{actor} · {what}"
            else:
                names = ", ".join(p.name for p in event.places if p.role != "origin") or event.kind
                title = f"{actor} · {event.kind} · {names}"
            group = groups[key] = len(group_rows)
            angle = 0
            if not as_symbol:
                angle = HATCH_ANGLES[areas_on[shape] % len(HATCH_ANGLES)]
                areas_on[shape] += 1
            group_rows.append([event.kind, ref(style.sidc), ref(style.colour), lat, lon, shape,
                               ref(style.legend_key), ref(html_text(title)), ref(style.stroke),
                               ref(stripes if not as_symbol else style.stroke), angle, outline,
                               # raw: milsymbol escapes the text it writes into the SVG (tested)
                               ref(designation(event) if as_symbol else ""),
                               ref("|".join(styles) if not as_symbol else "")])
        # every colour drawn has its legend row: a joint patrol's partners too, not only its first actor
        for key, shown in styles.items():
            entry = legend.setdefault(key, {"label": shown.legend_label, "colour": shown.colour,
                                            "affiliation": shown.affiliation, "events": 0})
            entry["events"] += 1
        first, last = active_days(event)
        flags = certainty(event)
        drawn["announced" if flags & ANNOUNCED else "reported"] += 1
        if flags & UNSURE:
            drawn["unsure"] += 1
        if with_info:
            rows.append([first, last, count, group, 1, flags])
            fields: list[Any] = _info(event)
            for k in INTERNED_INFO:  # actors, assets, places, source line: few distinct values
                fields[k] = ref(fields[k])
            info.append(fields)
        else:
            row = merged.get((first, last, group, flags))
            if row is None:
                row = merged[(first, last, group, flags)] = [first, last, None, group, 0, flags]
                rows.append(row)
            if count is not None:
                row[2] = (row[2] or 0) + count
            row[4] += 1
    use_cluster = len(sites) > CLUSTER_ABOVE if cluster is None else cluster
    payload = {"groups": group_rows, "events": rows, "info": info, "details": with_info, "shapes": shapes,
               "strings": list(strings), "time": time or {}, "size": SYMBOL_SIZE, "cluster": use_cluster}
    return payload, {"legend": legend, "drawn": drawn, "perspective": perspective}


# -- legend ----------------------------------------------------------------------------------------
_SWATCHES = {
    "symbol": None,
    "area-patrol": ('<svg class="fpm-sw" viewBox="0 0 22 14"><defs><pattern id="fpm-lg-h" width="5" height="5" '
                    'patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="1.6" height="5" '
                    'fill="#555"/></pattern></defs><rect x="1" y="1" width="20" height="12" fill="url(#fpm-lg-h)" '
                    'stroke="#555" stroke-width="1.5"/></svg>', "Patrol area (hatched)"),
    "route": ('<svg class="fpm-sw" viewBox="0 0 22 14"><path d="M1 10 L21 4" stroke="#555" stroke-width="2.5" '
              'stroke-dasharray="5 3" fill="none"/></svg>', "Patrol route (dashed line)"),
    "area-exercise": ('<svg class="fpm-sw" viewBox="0 0 22 14"><rect x="1.5" y="1.5" width="19" height="11" '
                      'fill="#555" fill-opacity="0.06" stroke="#555" stroke-width="2" stroke-dasharray="4 2.5"/>'
                      '</svg>', "Exercise area (dashed outline)"),
}


def legend_html(summary: dict[str, Any], *, title: str = "Force posture", country_names: dict[str, str] | None = None,
                max_rows: int = 14) -> str:
    """The legend's HTML (escaped): who (colours or affiliations) and what (symbols, areas, routes)."""
    perspective = summary["perspective"]
    legend: dict[str, dict[str, Any]] = summary["legend"]
    drawn: Counter[str] = summary["drawn"]
    names = country_names or {}
    out = [f"<h4>{html_text(title)}</h4>", '<div class="fpm-when"></div>']
    out.append(f'<div class="fpm-sec">{"Operator country" if perspective == "neutral" else "Affiliation"}</div>')
    entries = sorted(legend.items(), key=lambda kv: -kv[1]["events"])
    if perspective != "neutral":
        order = list(AFFILIATIONS)
        entries = sorted(legend.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)
    for key, entry in entries[:max_rows]:
        sidc = DEFAULT_SIDC[:3] + AFFILIATIONS[entry["affiliation"]][0] + DEFAULT_SIDC[4:]
        label = entry["label"]
        if perspective == "neutral" and key in names:
            label = f"{key} — {names[key]}"
        elif perspective != "neutral":
            label = {"friend": "Friendly", "hostile": "Hostile", "neutral": "Neutral", "unknown": "Unknown"}[key]
        out.append(f'<div class="fpm-row" data-fpm-key="{html_text(key)}"><span class="fpm-sw" '
                   f'data-sidc="{html_text(sidc)}" data-colour="{html_text(entry["colour"])}"></span>'
                   f'{html_text(label)}</div>')
    if len(entries) > max_rows:
        out.append(f'<div class="fpm-note">+ {len(entries) - max_rows} more countries</div>')
    out.append('<div class="fpm-sec">Shown as</div>')
    if drawn.get("symbol"):
        out.append('<div class="fpm-row" data-fpm-key="draw:symbol"><span class="fpm-sw" '
                   f'data-sidc="{DEFAULT_SIDC[:3]}4{DEFAULT_SIDC[4:]}" data-colour="#dddddd"></span>'
                   'APP-6 symbol (deployment, basing); badge = number of assets</div>')
    for key in ("area-patrol", "route", "area-exercise"):
        if drawn.get(key):
            svg, text = _SWATCHES[key]  # type: ignore[misc]
            out.append(f'<div class="fpm-row" data-fpm-key="draw:{key}">{svg}{html_text(text)}</div>')
    if drawn.get("region"):
        out.append('<div class="fpm-row" data-fpm-key="draw:region"><span class="fpm-sw fpm-sw-region"></span>'
                   'Region-wide: one symbol, the region outlined</div>')
    if drawn.get("announced"):
        planned = DEFAULT_SIDC[:3] + "4" + DEFAULT_SIDC[4:6] + "1" + DEFAULT_SIDC[7:]
        out.append('<div class="fpm-row" data-fpm-key="draw:announced"><span class="fpm-sw" '
                   f'data-sidc="{planned}" data-colour="#dddddd"></span>'
                   'Announced, not yet seen (dashed frame or outline)</div>')
    if drawn.get("unsure"):
        out.append('<div class="fpm-row" data-fpm-key="draw:unsure"><span class="fpm-sw fpm-sw-q">?</span>'
                   f'Unsure, not reviewed (confidence under {UNSURE_BELOW:.1f}): faded, dotted; '
                   'check the source</div>')
    if drawn.get("joint"):
        out.append('<div class="fpm-row" data-fpm-key="draw:joint"><span class="fpm-sw fpm-sw-joint"></span>'
                   'Joint activity: stripes in each actor\'s colour</div>')
    note = ("Neutral view: colour = operator country; frames are not affiliations."
            if perspective == "neutral" else f"Perspective: {perspective}.")
    out.append(f'<div class="fpm-note">{html_text(note)} Positions as reported in open sources.</div>')
    return "".join(out)


# -- map -------------------------------------------------------------------------------------------
def _bounds(theatre: str | Sequence[float]) -> tuple[float, float, float, float]:
    if isinstance(theatre, str):
        if theatre not in THEATRES:
            raise InputError(f"`theatre` was {theatre!r} but is expected to be one of {list(THEATRES)}")
        return THEATRES[theatre]
    if len(theatre) != 4:
        raise InputError(f"`theatre` bounds should be (west, south, east, north), got {theatre!r}")
    west, south, east, north = (float(v) for v in theatre)
    return west, south, east, north


def build_map(
    events: Iterable[Event],
    *,
    theatre: str | Sequence[float] = "World",
    perspective: str = "neutral",
    basemap: bool = True,
    online_tiles: Sequence[str] | None = None,
    as_of: str | dt.date | None = None,
    between: tuple[str | dt.date | None, str | dt.date | None] | None = None,
    gazetteer: Gazetteer | None = None,
    assets: Mode | None = None,
    assets_base: str | None = None,
    cluster: bool | None = None,
    details: bool | None = None,
    serve_data: Callable[[str, str], str] | None = None,
    legend: bool = True,
    title: str = "Force posture",
    width: str | int = "100%",
    height: str | int = "100%",
) -> folium.Map:
    """An offline folium map of the events in a theatre, under a perspective.

    `as_of` shows what is active on one day, `between` what is active during a range; neither
    shows all. `assets` picks where the JS/CSS come from (see geo.render.offline_assets; None keeps the
    current setting, "streamlit" if none). `online_tiles` names extra opt-in layers from
    geo.render.basemap.ONLINE_TILES. `details` keeps each event's popup text (default: up to DETAIL_LIMIT
    events; see `event_payload`). `serve_data(text, suffix) -> URL` lets the basemap's GeoJSON be
    served as files (the app) rather than embedded (saved HTML, the default); see
    geo.render.basemap.add_basemap. The browser-side controller is `window.FPM[<map name>]`.
    """
    if assets is not None:
        use_local_assets(assets, assets_base)
    elif not folium.Map.default_js or "cdn" in folium.Map.default_js[0][1]:
        use_local_assets("streamlit")
    bounds = _bounds(theatre)
    if as_of is not None and between is not None:
        raise InputError("give `as_of` or `between`, not both")
    time: dict[str, str | None] = {}
    if as_of is not None:
        time = {"asOf": str(as_of)}
    elif between is not None:
        time = {"from": str(between[0]) if between[0] else None, "to": str(between[1]) if between[1] else None}
    west, south, east, north = bounds
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=3,
        tiles=None,
        min_zoom=2,
        max_zoom=12,  # MarkerCluster with tiles=None needs an explicit maxZoom
        control_scale=True,
        width=width,
        height=height,
    )
    # folium 0.20 hands min/max zoom to the tile layer, and with tiles=None they would be lost:
    # without a map maxZoom Leaflet.markercluster refuses to cluster and the map stays empty.
    fmap.options["max_zoom"] = 12
    fmap.options["min_zoom"] = 2
    fmap.get_root().header.add_child(
        folium.Element(f"<style>#{fmap.get_name()}{{background:#cfe0ec}}</style>"), name="fpm-bg"
    )
    if basemap:
        add_basemap(fmap, None if theatre == "World" else bounds, serve=serve_data)
    if online_tiles:
        add_online_tiles(fmap, online_tiles)
        folium.LayerControl(collapsed=True).add_to(fmap)
    Attribution(html_text(ATTRIBUTION)).add_to(fmap)
    payload, summary = event_payload(events, perspective=perspective, gazetteer=gazetteer, time=time,
                                     cluster=cluster, details=details)
    EventLayer(payload).add_to(fmap)
    if legend:
        names = {}
        if gazetteer is not None:
            for key in summary["legend"]:
                place = gazetteer.get(f"country:{key}")
                if place is not None:
                    names[key] = place.name
        Legend(legend_html(summary, title=title, country_names=names)).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def time_filter_group(*, as_of: str | None = None, start: str | None = None, end: str | None = None,
                      name: str = "time") -> folium.FeatureGroup:
    """A FeatureGroup whose only job is to move the map's time filter (streamlit-folium's
    `feature_group_to_add`): the map is kept and only the filter's script runs again."""
    group = folium.FeatureGroup(name=name, control=False)
    SetTime(as_of=as_of, start=start, end=end).add_to(group)
    return group
