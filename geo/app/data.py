"""Everything the app reads, cached the Streamlit way.

Streamlit reruns the whole script on every widget change, so anything slow is cached:
`st.cache_resource` for the long-lived shared objects (store connection, gazetteer, geocoder,
place index, extractor, rendered maps: read-only and too big to copy), `st.cache_data` for query
results (copied per caller, so a page cannot corrupt another's). Query caches are keyed by the
store's *version* (live events, history rows): an edit or an ingest bumps it, so the next run reads
fresh data without any manual invalidation.

Store adapter (issue 4's store has no "distinct actors" call): `actor_options` collects them from
one query and caches the list per version.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pandas as pd
import streamlit as st

from geo.app.map import MapSpec, PlaceIndex, publish_file, render_map
from geo.events import Event
from geo.export import padded_bounds
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.geocode import OfflineGazetteer
from geo.render import THEATRES, build_map, counts_frame
from geo.store import DEFAULT_STORE_PATH, ENV_DATABASE_URL, EventStore, open_store

__all__ = [
    "Filters",
    "actor_options",
    "country_names",
    "get_extractor",
    "get_gazetteer",
    "get_geocoder",
    "get_place_index",
    "get_store",
    "map_spec",
    "place_events",
    "store_url",
    "store_version",
    "timeline_counts",
]

# (kinds, actors, categories, statuses, text): hashable, so it can key the caches.
Filters = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], str]


def store_url() -> str:
    """The store the app shows: $FPM_DATABASE_URL, else the embedded SQLite file."""
    return os.environ.get(ENV_DATABASE_URL) or str(DEFAULT_STORE_PATH)


# A page waits this long for another process's write to finish before it says the store is busy:
# an analyst should see "retry" rather than a page that hangs for minutes.
APP_LOCK_WAIT_S = 10.0


@st.cache_resource(show_spinner=False)
def get_store(url: str) -> EventStore:
    return open_store(url, lock_wait_s=APP_LOCK_WAIT_S)


@st.cache_resource(show_spinner="Loading the gazetteer…")
def get_gazetteer() -> Gazetteer:
    return load_gazetteer()


@st.cache_resource(show_spinner=False)
def get_geocoder() -> OfflineGazetteer:
    return OfflineGazetteer(get_gazetteer())


@st.cache_resource(show_spinner=False)
def get_place_index() -> PlaceIndex:
    return PlaceIndex(get_gazetteer())


@st.cache_resource(show_spinner="Loading the extractor…")
def get_extractor() -> Any:
    from geo.extract import Extractor

    return Extractor(geocoder=get_geocoder())


def store_version(store: EventStore) -> tuple[int, int]:
    """Changes whenever an event is added, edited or deleted (two COUNT queries: cheap)."""
    return store.count(), store.history_size()


def _query_args(filters: Filters) -> dict[str, Any]:
    kinds, actors, categories, statuses, text = filters
    return {"kinds": kinds or None, "actors": actors or None, "categories": categories or None,
            "statuses": statuses or None, "text": text or None}


@st.cache_data(show_spinner=False, max_entries=8)
def actor_options(url: str, version: tuple[int, int]) -> list[str]:
    """Every actor and partner in the store, most frequent first."""
    counts = get_store(url).actor_counts()
    return sorted(counts, key=lambda c: (-counts[c], c))


@st.cache_data(show_spinner=False, max_entries=32)
def timeline_counts(url: str, version: tuple[int, int], filters: Filters) -> pd.DataFrame:
    """Events per week and kind for the chart under the map, over the whole store.

    Counted by the store in SQL (`EventStore.weekly_counts`): loading every event to count them
    here added about 20 s to the first open of a 100,000-event store."""
    return counts_frame(get_store(url).weekly_counts(**_query_args(filters)))


@st.cache_data(show_spinner=False, max_entries=8)
def start_days(url: str, version: tuple[int, int], filters: Filters) -> list[dt.date]:
    """The days shown events start on: where Page Up / Page Down step to in a briefing."""
    return get_store(url).start_days(**_query_args(filters))


def country_names(codes: list[str]) -> dict[str, str]:
    gazetteer = get_gazetteer()
    names = {}
    for code in codes:
        place = gazetteer.get(f"country:{code}")
        if place is not None:
            names[code] = place.name
    return names


@st.cache_resource(show_spinner="Drawing the map…", max_entries=12)
def map_spec(url: str, version: tuple[int, int], theatre: str, perspective: str, filters: Filters,
             tiles: tuple[str, ...], basemap: bool, window: tuple[dt.date, dt.date] | None) -> MapSpec:
    """The rendered map for one combination of view settings (time excluded unless the store is huge)."""
    store = get_store(url)
    args = _query_args(filters)
    if theatre != "World":
        args["bbox"] = padded_bounds(THEATRES[theatre])
    if window is not None:
        args["between"] = window
    events = store.query(**args)
    fmap = build_map(events, theatre=theatre, perspective=perspective, gazetteer=get_gazetteer(), basemap=basemap,
                     online_tiles=list(tiles) or None, assets="streamlit", serve_data=publish_file)
    return render_map(fmap, theatre=theatre, events=len(events))


@st.cache_data(show_spinner=False, max_entries=64)
def place_events(url: str, version: tuple[int, int], place_id: str, window: tuple[dt.date, dt.date],
                 filters: Filters) -> list[Event]:
    """The events in a place (seas, countries, regions, bases) active in the window, by start date."""
    from geo.app.map import query_shape

    place = get_gazetteer().get(place_id)
    if place is None:
        return []
    first, last = window
    return get_store(url).query(intersects=query_shape(place), between=(first, last), **_query_args(filters))
