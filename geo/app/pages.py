"""The two pages of the app, arranged from widgets; every decision is made in another geo module.

The map page keeps its whole view in one `View` (geo.export.view, the record every export carries
too): it is read from the URL once per session (`View.from_link`), widgets (each with a key) edit it,
and it is written back to `st.query_params` (`View.link`) at the end of every run, so the address bar
is always a link to what is on screen. Programmatic changes to a widget (play, step, a link, a click)
go through `_set_widget()`, applied at the top of the next run before the widget exists, since
Streamlit forbids changing a widget's value after it is drawn.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from geo.app import data as app_data
from geo.app.articles import (
    EDITABLE_COLUMNS,
    article_name,
    events_frame,
    read_pasted,
    review_from_frame,
    save_review,
)
from geo.app.exports import EXPORT_KINDS, prepare_export
from geo.app.map import fit_zoom, read_click, show_map, time_window_for_store
from geo.app.panels import (
    PANEL_CSS,
    banner_html,
    event_card_html,
    event_fields,
    form_changes,
    history_frame,
    place_header_html,
    safe_html,
)
from geo.errors import ExtractionTimeout, StaleEditError, StoreBusyError
from geo.errors import ForcePostureError as FpmError
from geo.events import ASSET_CATEGORIES, EVENT_KINDS, STATUSES, TIME_PRECISIONS
from geo.export import View, clamp_day
from geo.render import ONLINE_TILES, PERSPECTIVES, THEATRES, timeline_chart

__all__ = ["add_article_page", "map_page", "page_icon"]

# The longest the Add-article page extracts before it gives up with a message (a 1 MB article
# takes a few seconds; a request must not keep a server thread for minutes).
EXTRACTION_BUDGET_S = 20.0
PLAY_STEP_DAYS = 7
PLAY_PAUSE_S = 0.9
MAX_CARDS = 40
CAVEAT_DEFAULT = "Positions as reported in open sources; not verified."

# Presentation: the map fills the window (its frame fixed over the page; inside, the map fits its
# frame and scales symbols and type, see geo.render.elements), with the title, date and caveat on a
# banner at the top and the time controls and Exit on a bar at the bottom, both over the map.
# `.fpm-presenting` is what the map's frame looks for to choose its presentation scale.
PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"] {display:none !important}
.block-container, [data-testid="stMainBlockContainer"] {padding-top:0.6rem !important; max-width:100% !important}
iframe[title="streamlit_folium.st_folium"] {position:fixed !important; inset:0 !important; width:100vw !important;
  height:100vh !important; z-index:990; border:0}
.fpm-banner {position:fixed; top:10px; left:50%; transform:translateX(-50%); z-index:1000; max-width:40vw;
  margin:0 !important; box-shadow:0 2px 8px rgba(0,0,0,.35)}
.st-key-fpm_present_bar {position:fixed; left:50%; transform:translateX(-50%); bottom:24px; width:min(1150px, 94vw);
  z-index:1000; background:rgba(255,255,255,.95); border-radius:8px; padding:2px 14px 8px;
  box-shadow:0 2px 8px rgba(0,0,0,.35)}
.st-key-fpm_present_bar p, .st-key-fpm_present_bar label, .st-key-fpm_present_bar button {font-size:1.1rem !important}
</style>
<div class="fpm-presenting"></div>
"""
PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] {padding-top:3.2rem}
.fpm-title{font-size:1.45rem;font-weight:700;margin:0;line-height:1.2}
.fpm-sub{color:#5c6570;font-size:0.85rem;margin-bottom:4px}
button kbd {display:none !important}  /* the key's badge crowds out a narrow button's label; its help names the key */
/* the map takes the height the window leaves under the title and time controls (a 1366x768 laptop too) */
iframe[title="streamlit_folium.st_folium"] {height:max(420px, calc(100vh - 215px)) !important}
</style>
"""

# widget key -> View field
_WIDGETS = {
    "w_theatre": "theatre", "w_persp": "perspective", "w_mode": "mode", "w_asof": "as_of", "w_kinds": "kinds",
    "w_actors": "actors", "w_cats": "categories", "w_status": "statuses", "w_text": "text", "w_present": "present",
    "w_title": "title", "w_caveat": "caveat", "w_tiles": "tiles", "w_basemap": "basemap",
}
_TUPLES = ("kinds", "actors", "categories", "statuses", "tiles")


def page_icon() -> Any:
    """The browser-tab icon drawn here: a material or emoji icon makes Streamlit fetch it from Google's CDN."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, 29, 29), fill="#1f5fbf", outline="#14212e", width=2)
    draw.rectangle((9, 11, 22, 20), outline="#ffffff", width=2)
    return image


def _set_widget(key: str, value: Any) -> None:
    st.session_state.setdefault("fpm_pending", {})[key] = value


def _init_state(first: dt.date, last: dt.date) -> None:
    """Widget values from the URL (first run of a session) or the last view; pending changes applied."""
    ss = st.session_state
    if "fpm_view" not in ss:
        ss["fpm_view"] = View.from_link(st.query_params.to_dict())
        ss["sel_place"], ss["sel_event"] = ss["fpm_view"].place, ss["fpm_view"].event
    view: View = ss["fpm_view"].with_dates(first, last)
    for key, name in _WIDGETS.items():
        if key not in ss:
            value = getattr(view, name)
            ss[key] = list(value) if name in _TUPLES else value
    if "w_range" not in ss:
        ss["w_range"] = (view.start, view.end)
    for key, value in ss.pop("fpm_pending", {}).items():
        ss[key] = value
    ss["w_asof"] = clamp_day(ss["w_asof"], first, last)
    start, end = ss["w_range"]
    ss["w_range"] = (clamp_day(start, first, last), clamp_day(end, first, last))


def _current_view() -> View:
    ss = st.session_state
    values = {name: (tuple(ss[key]) if name in _TUPLES else ss[key]) for key, name in _WIDGETS.items()}
    start, end = ss["w_range"]
    return replace(ss["fpm_view"], **values, start=start, end=end, place=ss.get("sel_place", ""),
                   event=ss.get("sel_event", ""))


def _step(days: int, first: dt.date, last: dt.date) -> bool:
    """Move the shown time by `days`; False when it cannot move further."""
    ss = st.session_state
    if ss["w_mode"] == "asof":
        new = clamp_day(ss["w_asof"] + dt.timedelta(days=days), first, last)
        moved = new != ss["w_asof"]
        _set_widget("w_asof", new)
        return moved
    start, end = ss["w_range"]
    shift = dt.timedelta(days=days)
    if start + shift < first or end + shift > last:
        return False
    _set_widget("w_range", (start + shift, end + shift))
    return True


def _on_theatre() -> None:
    st.session_state["fly"] = None


def _on_search_pick() -> None:
    pick = st.session_state.get("w_search_pick")
    if not pick:
        return
    place = app_data.get_gazetteer().get(pick)
    if place is None:
        return
    st.session_state["fly"] = (place.lat, place.lon, fit_zoom(place.bbox))
    st.session_state["sel_place"] = place.id
    st.session_state["sel_event"] = ""


def _select_event(event_id: str) -> None:
    st.session_state["sel_event"] = event_id


def _select_place(place_id: str) -> None:
    st.session_state["sel_place"] = place_id
    st.session_state["sel_event"] = ""


def _sidebar(actors: list[str], names: dict[str, str]) -> None:
    with st.sidebar:
        st.selectbox("Theatre", list(THEATRES), key="w_theatre", on_change=_on_theatre)
        query = st.text_input("Find a place", key="w_search", placeholder="sea, country, base, city…",
                              max_chars=120)
        if query.strip():
            try:
                found = app_data.get_geocoder().geocode(query, exactly_one=False, limit=8) or []
            except FpmError:
                found = []
            options = {loc.raw["id"]: f"{loc.raw['name']} ({loc.raw['kind']}"
                       f"{', ' + loc.raw['country'] if loc.raw.get('country') else ''})" for loc in found}
            if options:
                st.selectbox("Fly to", list(options), index=None, format_func=options.__getitem__,
                             key="w_search_pick", on_change=_on_search_pick, placeholder="choose a match")
            else:
                st.caption("No place of that name in the gazetteer.")
        st.segmented_control("Perspective", PERSPECTIVES, key="w_persp", required=True,
                             help="Neutral colours each operator country; NATO and Russia colour friend and foe.")
        st.subheader("Filters", divider="gray")
        st.multiselect("Kind", EVENT_KINDS, key="w_kinds", placeholder="all kinds")
        st.multiselect("Actor", sorted(set(actors) | set(st.session_state["w_actors"])), key="w_actors",
                       format_func=lambda c: f"{c} · {names[c]}" if c in names else c, placeholder="all actors")
        st.multiselect("Asset category", ASSET_CATEGORIES, key="w_cats", placeholder="all categories")
        st.multiselect("Status", STATUSES, key="w_status", placeholder="announced and observed")
        st.text_input("Text", key="w_text", placeholder="words in the sentence, asset, place…", max_chars=120)
        st.subheader("Presentation", divider="gray")
        st.toggle("Presentation mode", key="w_present", help="Full-width map, large type, sidebar hidden.")
        st.text_input("Title", key="w_title", placeholder="Force posture", max_chars=120)
        st.text_input("Caveat", key="w_caveat", placeholder=CAVEAT_DEFAULT, max_chars=200)
        with st.expander("Basemap"):
            st.toggle("Offline basemap (Natural Earth, gazetteer seas)", key="w_basemap")
            st.multiselect("Online tile layers (need internet)", list(ONLINE_TILES), key="w_tiles",
                           help="Opt-in; added to the layer switcher. Offline they fail and the basemap stays.")


def _jump(direction: int, days: list[dt.date], first: dt.date, last: dt.date) -> bool:
    """Move the shown time to the next (1) or previous (-1) day an event starts; False if none."""
    ss = st.session_state
    current = ss["w_asof"] if ss["w_mode"] == "asof" else ss["w_range"][0]
    targets = [d for d in days if first <= d <= last and (d > current if direction > 0 else d < current)]
    if not targets:
        return False
    target = targets[0] if direction > 0 else targets[-1]
    if ss["w_mode"] == "asof":
        _set_widget("w_asof", target)
    else:
        start, end = ss["w_range"]
        _set_widget("w_range", (target, clamp_day(target + (end - start), first, last)))
    return True


def _time_controls(first: dt.date, last: dt.date, present: bool, days: list[dt.date] | None = None) -> None:
    """Mode, slider and stepping; presenting, also Page Up / Page Down to the previous / next day an
    event starts (`days`) and Exit (Esc)."""
    ss = st.session_state
    cols = st.columns([1.4, 3.4, 4.0] if present else [1.4, 4.1, 1.6], vertical_alignment="bottom")
    cols[0].segmented_control("Time", ["asof", "range"], key="w_mode", required=True,
                              format_func={"asof": "As of", "range": "Between"}.__getitem__)
    span = first != last
    if ss["w_mode"] == "asof":
        cols[1].slider("Posture as of", min_value=first, max_value=last if span else first + dt.timedelta(days=1),
                       key="w_asof", step=dt.timedelta(days=1), format="YYYY-MM-DD", disabled=not span)
    else:
        cols[1].slider("Events between", min_value=first, max_value=last if span else first + dt.timedelta(days=1),
                       key="w_range", step=dt.timedelta(days=1), format="YYYY-MM-DD", disabled=not span)
    with cols[2]:
        b = st.columns(6 if present else 3, gap="small")
        back, play, forward = (b[1], b[2], b[3]) if present else (b[0], b[1], b[2])
        if present and b[0].button("|◀", key="b_prev_day", help="Previous day something started (Page Up)",
                                   shortcut="PageUp", width="stretch"):
            _jump(-1, days or [], first, last)
            st.rerun()
        if back.button("◀", key="b_back", help="One week back (← key)", shortcut="Left", width="stretch"):
            _step(-PLAY_STEP_DAYS, first, last)
            st.rerun()
        playing = ss.get("playing", False)
        if play.button("⏸" if playing else "▶", key="b_play", help="Play: step a week at a time (space)",
                       shortcut="Space" if present else None, width="stretch", type="primary"):
            ss["playing"] = not playing
            st.rerun()
        if forward.button("▶▶", key="b_fwd", help="One week forward (→ key)", shortcut="Right", width="stretch"):
            _step(PLAY_STEP_DAYS, first, last)
            st.rerun()
        if present and b[4].button("▶|", key="b_next_day", help="Next day something started (Page Down)",
                                   shortcut="PageDown", width="stretch"):
            _jump(1, days or [], first, last)
            st.rerun()
        if present and b[5].button("Exit", key="b_exit", help="Leave presentation mode (Esc)", shortcut="Escape",
                                   width="stretch"):
            _set_widget("w_present", False)
            ss["playing"] = False
            st.rerun()


def _event_details(store: Any, event_id: str, view: View, names: dict[str, str]) -> None:
    found = store.get_versioned(event_id)
    if found is None:
        st.warning("That event is no longer in the store (deleted or merged).")
        return
    event, version = found
    # The correction form is drawn from the version the analyst opened and its widgets are keyed by
    # it, so their values survive reruns; a save is based on that version, and a change someone
    # else made in between is refused instead of overwritten. Saving, or a refusal, forgets it: the
    # next run draws the form afresh from the event as it is.
    opened: dict[str, int] = st.session_state.setdefault("event_versions", {})
    based_on = opened.setdefault(event.id, version)
    key = f"f-{event.id}-{based_on}-"
    head = st.columns([3, 1], vertical_alignment="center")
    head[0].markdown(f"**Event** <code>{safe_html(event.id)}</code>", unsafe_allow_html=True)
    head[1].button("Close", key="b_close_event", on_click=_select_event, args=("",))
    st.markdown(event_card_html(event, names), unsafe_allow_html=True)
    st.dataframe(event_fields(event), hide_index=True, width="stretch", height=300)
    link = "?" + "&".join(f"{k}={v}" for k, v in replace(view, event=event.id).link().items() if "&" not in v)
    st.markdown(f'<a href="{safe_html(link)}" target="_self">Link to this event</a>', unsafe_allow_html=True)
    with st.expander("Correct this event", expanded=st.query_params.get("edit") == "1"), \
            st.form(f"correct-{event.id}"):
        c = st.columns(2)
        kind = c[0].selectbox("Kind", EVENT_KINDS, index=EVENT_KINDS.index(event.kind), key=key + "kind")
        status = c[1].selectbox("Status", STATUSES, index=STATUSES.index(event.status), key=key + "status")
        actors = c[0].text_input("Actors (ISO codes)", ", ".join(event.actors), key=key + "actors")
        partners = c[1].text_input("Partners", ", ".join(event.partners), key=key + "partners")
        start = c[0].date_input("Start", dt.date.fromisoformat(event.start) if event.start else None,
                                key=key + "start")
        end = c[1].date_input("End", dt.date.fromisoformat(event.end) if event.end else None, key=key + "end")
        precision = c[0].selectbox("Date precision", TIME_PRECISIONS, index=TIME_PRECISIONS.index(event.time_precision),
                                   key=key + "precision")
        confidence = c[1].slider("Confidence", 0.0, 1.0, float(event.confidence), 0.05, key=key + "confidence")
        counts = [st.number_input(f"Count: {a.name}", min_value=0, value=a.count, step=1, key=f"{key}count-{i}")
                  for i, a in enumerate(event.assets)]
        name = st.text_input("Exercise or operation name", event.name, key=key + "name")
        notes = st.text_area("Notes", event.notes, key=key + "notes")
        editor = st.text_input("Your name (kept in the history)", key="editor_name")
        if st.form_submit_button("Save correction", type="primary"):
            values = {"kind": kind, "status": status, "actors": actors, "partners": partners, "start": start,
                      "end": end, "time_precision": precision, "confidence": confidence, "notes": notes,
                      "name": name, "counts": [n or None for n in counts]}
            changes = form_changes(event, values)
            if not editor.strip():
                st.error("Give your name: every correction is signed.")
            elif not changes:
                st.info("Nothing changed.")
            else:
                try:
                    store.update(event.id, changes, editor=editor.strip(), expected_version=based_on)
                except StaleEditError as err:
                    opened.pop(event.id, None)
                    st.error(f"Not saved: {err}. The card above shows the event as it is now.")
                except FpmError as err:
                    st.error(str(err))
                else:
                    opened.pop(event.id, None)
                    st.success(f"Saved: {', '.join(changes)}.")
                    st.rerun()
    history = store.history(event.id)
    if history:
        st.caption("History")
        st.dataframe(history_frame(history), hide_index=True, width="stretch")


def _place_panel(url: str, version: tuple[int, int], view: View, names: dict[str, str],
                 window: tuple[dt.date, dt.date], filters: app_data.Filters) -> None:
    gazetteer = app_data.get_gazetteer()
    place = gazetteer.get(view.place) if view.place else None
    if place is None:
        st.markdown("##### What happened here?")
        st.caption("Click a sea, country, region or base on the map (or find a place in the sidebar) to list "
                   "what happened there in the selected time, with each report's sentence and article.")
        return
    events = app_data.place_events(url, version, place.id, window, filters)
    top = st.columns([5, 1], vertical_alignment="top")
    top[0].markdown(place_header_html(place, len(events), window), unsafe_allow_html=True)
    top[1].button("✕", key="b_close_place", on_click=_select_place, args=("",), help="Clear the selection")
    alts = [p for p in st.session_state.get("place_alts", []) if p != place.id and gazetteer.get(p) is not None]
    if alts:
        pick = st.selectbox("Also at this point", alts, index=None, format_func=lambda i: gazetteer[i].name,
                            key="w_alt_place", placeholder="a wider area…")
        if pick:
            _select_place(pick)
            st.session_state.pop("w_alt_place", None)
            st.rerun()
    if not events:
        st.caption("Nothing reported here in the selected time with these filters.")
    for event in events[:MAX_CARDS]:
        st.markdown(event_card_html(event, names), unsafe_allow_html=True)
        st.button("Details & correct", key=f"det-{event.id}", on_click=_select_event, args=(event.id,),
                  type="tertiary")
    if len(events) > MAX_CARDS:
        st.caption(f"+ {len(events) - MAX_CARDS} more: narrow the time or the filters.")


def _handle_click(result: dict[str, Any]) -> None:
    ss = st.session_state
    click = read_click(result, ss.get("prev_map"))
    ss["prev_map"] = result
    if click is None:
        return
    index = app_data.get_place_index()
    areas = index.places_at(click.lat, click.lon)
    site = index.site_at(click.lat, click.lon) if click.on_symbol else None
    chosen = site or (areas[0] if areas else None)
    if chosen is None:
        return
    ss["sel_place"], ss["sel_event"] = chosen.id, ""
    ss["place_alts"] = [p.id for p in areas if p.id != chosen.id]


def _shows_store_errors(page: Callable[[], None]) -> Callable[[], None]:
    """A page whose store problems end in one message, not a traceback: a store that cannot be
    opened or read (`InputError`), or one busy with a long write (`StoreBusyError`), with a retry."""

    @functools.wraps(page)
    def run() -> None:
        try:
            page()
        except StoreBusyError as err:
            st.warning(f"{err}. Nothing was lost; the page can be reloaded once the other write ends.")
            st.button("Retry", key="b_retry_busy")
        except FpmError as err:
            st.error(str(err))

    return run


@_shows_store_errors
def map_page() -> None:
    """The map, its time controls, the timeline and the side panel."""
    url = app_data.store_url()
    store = app_data.get_store(url)
    version = app_data.store_version(store)
    span = store.time_range()
    today = dt.date.today()
    first, last = span if span else (today - dt.timedelta(days=365), today)
    _init_state(first, last)
    ss = st.session_state
    present = bool(ss["w_present"])
    st.markdown(PAGE_CSS + PANEL_CSS + (PRESENTATION_CSS if present else ""), unsafe_allow_html=True)
    actors = app_data.actor_options(url, version)
    names = app_data.country_names(actors)
    _sidebar(actors, names)
    view = _current_view()
    window = view.window()
    assert window[0] is not None and window[1] is not None
    when = f"As of {window[0]:%d %b %Y}" if view.mode == "asof" else f"{window[0]:%d %b %Y} – {window[1]:%d %b %Y}"
    filters: app_data.Filters = (view.kinds, view.actors, view.categories, view.statuses, view.text)
    if present:
        st.markdown(banner_html(view.title, view.caveat or CAVEAT_DEFAULT, when), unsafe_allow_html=True)
        with st.container(key="fpm_present_bar"):
            _time_controls(first, last, present, app_data.start_days(url, version, filters))
    else:
        st.markdown(f'<p class="fpm-title">{safe_html(view.title or "Force Posture Map")}</p>'
                    f'<p class="fpm-sub">{safe_html(view.theatre)} · {safe_html(when)} · '
                    f"{version[0]:,} events in the store · {safe_html(view.caveat or CAVEAT_DEFAULT)}</p>",
                    unsafe_allow_html=True)
        _time_controls(first, last, present)
    big = time_window_for_store(version[0], window)
    spec = app_data.map_spec(url, version, view.theatre, view.perspective, filters, view.tiles, view.basemap, big)
    fly = ss.get("fly")
    if present:
        # The frame is fixed over the whole window by PRESENTATION_CSS (the height is the fallback);
        # a click opens the map's own popup, listing every event there, so no side panel is drawn.
        result = show_map(spec, window, height=720, center=fly[:2] if fly else None, zoom=fly[2] if fly else None)
        _handle_click(result)
        panel = None
    else:
        left, panel = st.columns([2.6, 1], gap="medium")
        with left:
            result = show_map(spec, window, height=620, center=fly[:2] if fly else None,
                              zoom=fly[2] if fly else None)
        _handle_click(result)
    if not present:
        with left:
            counts = app_data.timeline_counts(url, version, filters)
            if len(counts):
                st.altair_chart(timeline_chart(counts, window, height=110), width="stretch")
            if big is not None:
                st.caption(f"Large store: the map carries the events active {big[0]} – {big[1]}; moving outside "
                           "that quarter redraws it.")
    view = _current_view()
    if panel is not None:
        with panel:
            if view.event:
                _event_details(store, view.event, view, names)
                st.divider()
            _place_panel(url, version, view, names, (window[0], window[1]), filters)
            _export_menu(store, view)
    ss["fpm_view"] = view
    query = view.link()
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)
    if ss.get("playing"):
        time.sleep(PLAY_PAUSE_S)
        if not _step(PLAY_STEP_DAYS, first, last):
            ss["playing"] = False
        st.rerun()


def _export_menu(store: Any, view: View) -> None:
    """Snapshots, offline HTML, a briefing deck and the data behind the map, for the current view."""
    ss = st.session_state
    with st.expander("Export this view"):
        label = st.selectbox("What", list(EXPORT_KINDS), key="w_export_kind")
        if EXPORT_KINDS[label][0] == "pptx":
            st.text_input("Dates, one slide each", key="w_deck_dates", placeholder="2025-01-01, 2025-02-01, …",
                          help="Empty: one slide for the date shown.")
        if st.button("Prepare", key="b_export"):
            try:
                with st.spinner("Preparing…"):
                    ss["export_ready"] = prepare_export(store, view, label, deck=ss.get("w_deck_dates", ""),
                                                        gazetteer=app_data.get_gazetteer())
            except FpmError as err:
                ss.pop("export_ready", None)
                st.error(str(err))
        ready = ss.get("export_ready")
        if ready is not None:
            st.download_button(f"Download {ready.file_name}", data=ready.data, file_name=ready.file_name,
                               mime=ready.mime, key="b_download")


@_shows_store_errors
def add_article_page() -> None:
    """Paste or upload an article, set its date, review the extracted events, save them."""
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    st.markdown('<p class="fpm-title">Add an article</p><p class="fpm-sub">Paste the text or upload the file, '
                "set the publication date, review what was extracted, then save it to the store.</p>",
                unsafe_allow_html=True)
    ss = st.session_state
    with st.form("article-form"):
        text = st.text_area("Article text", height=220, key="a_text", placeholder="Paste the article here…")
        upload = st.file_uploader("…or upload a file", type=["txt", "html", "htm", "md"], key="a_file")
        c = st.columns(3)
        published = c[0].date_input("Published", value=None, key="a_published", format="YYYY-MM-DD")
        outlet = c[1].text_input("Outlet", key="a_outlet")
        headline = c[2].text_input("Headline", key="a_headline")
        name = st.text_input("Document name (optional)", key="a_name", placeholder="derived from the text")
        extract = st.form_submit_button("Extract events", type="primary")
    if extract:
        data = upload.getvalue() if upload is not None else text.encode("utf-8")
        doc = article_name(data.decode("utf-8", "replace"), name or (upload.name if upload is not None else ""))
        try:
            article = read_pasted(data, doc, published=published, outlet=outlet, headline=headline)
            # Before extracting (event ids derive from the name): a name another article holds gets a tag.
            article.document = app_data.get_store(app_data.store_url()).resolve_document(article)
            # A server thread is busy for as long as the extraction runs: it is time-boxed.
            result = app_data.get_extractor().extract(article, time_budget=EXTRACTION_BUDGET_S)
        except ExtractionTimeout as err:
            st.error(f"{err}. An article this long is better ingested from the command line "
                     "(`python -m geo ingest FILE`), which has no time limit.")
            return
        except FpmError as err:
            st.error(str(err))
            return
        ss["a_article"], ss["a_events"] = article, result.events
        ss["a_unresolved"] = list(getattr(result, "unresolved", []) or [])
        ss.pop("a_editor", None)
    article = ss.get("a_article")
    if article is None:
        return
    events = ss.get("a_events", [])
    st.markdown(f"**{len(events)} event{'s' if len(events) != 1 else ''} found** in "
                f"<code>{safe_html(article.document)}</code>", unsafe_allow_html=True)
    if ss.get("a_unresolved"):
        st.caption("Names the gazetteer did not know: " + ", ".join(ss["a_unresolved"]))
    frame = events_frame(events)
    edited = st.data_editor(
        frame, key="a_editor", hide_index=True, width="stretch", num_rows="fixed",
        disabled=[c for c in frame.columns if c not in EDITABLE_COLUMNS],
        column_config={
            "keep": st.column_config.CheckboxColumn("keep", width="small"),
            "kind": st.column_config.SelectboxColumn("kind", options=list(EVENT_KINDS), required=True),
            "status": st.column_config.SelectboxColumn("status", options=list(STATUSES), required=True),
            "start": st.column_config.DateColumn("start", format="YYYY-MM-DD"),
            "end": st.column_config.DateColumn("end", format="YYYY-MM-DD"),
            "sentence": st.column_config.TextColumn("sentence", width="large"),
            "id": None,
        },
    )
    editor = st.text_input("Your name (kept in the history)", key="editor_name")
    if st.button("Save to the store", type="primary", key="a_save"):
        if not editor.strip():
            st.error("Give your name: every change is signed.")
            return
        try:
            review = review_from_frame(events, edited)
            store = app_data.get_store(app_data.store_url())
            saved = save_review(store, article, review, editor=editor.strip())
        except FpmError as err:
            st.error(str(err))
            return
        st.success(f"Saved {article.document}: {saved.status}, {saved.added} events added, "
                   f"{saved.corrected} corrected by you.")
        for key in ("a_article", "a_events", "a_unresolved"):
            ss.pop(key, None)
