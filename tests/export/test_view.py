"""The one view record: the app page's lenient link form, the checked form exports and the CLI use,
and the step from the one to the other (`View.shown`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from geo.errors import InputError
from geo.export.view import View

DAY = dt.date(2025, 3, 10)


def page_view(**changes: object) -> View:
    """A view as the map page holds it: a day and a range side by side, app-only state set."""
    view = View(theatre="Baltic", mode="asof", as_of=DAY, start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 31),
                kinds=("patrol",), actors=("US",), text="B-52", place="sea:baltic-sea", event="e1", present=True,
                title="Brief", caveat="Open sources", tiles=("OpenStreetMap",), basemap=False, extra={"utm": "x"})
    return dataclasses.replace(view, **changes)


def test_shown_keeps_the_shown_time_and_drops_app_only_state():
    day = page_view().shown()
    assert day == View.make(theatre="Baltic", as_of=DAY, kinds="patrol", actors="US", text="B-52", title="Brief",
                            caveat="Open sources", basemap=False)
    assert (day.place, day.event, day.present, day.tiles, day.extra) == ("", "", False, (), {})
    span = page_view(mode="range").shown()
    assert (span.mode, span.as_of, span.start, span.end) == ("range", None, dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    assert span.window() == (dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    with pytest.raises(InputError, match="actor"):
        page_view(actors=("A",)).shown()  # the link parser lets it through; the export's checks do not


def test_the_app_link_and_the_export_query_agree():
    view = View.make(theatre="Baltic", start="2025-03-01", end="2025-03-31", kinds="patrol", title="T")
    assert view.to_query() == "theatre=Baltic&from=2025-03-01&to=2025-03-31&kind=patrol&title=T&mode=range"
    assert View.from_link(view.link()).shown() == view == View.from_query(view.to_query())
    assert page_view().link() == {"utm": "x", "theatre": "Baltic", "asof": "2025-03-10", "kind": "patrol",
                                  "actor": "US", "q": "B-52", "place": "sea:baltic-sea", "ev": "e1", "present": "1",
                                  "title": "Brief", "caveat": "Open sources", "tiles": "OpenStreetMap",
                                  "basemap": "0"}


def test_changing_the_time_keeps_the_mode_consistent():
    view = View.make(theatre="Baltic", start="2025-03-01", end="2025-03-31")
    assert view.at("2025-03-05").window() == (dt.date(2025, 3, 5),) * 2
    assert view.at("2025-03-05") == View.make(theatre="Baltic", as_of="2025-03-05")
    assert View.make(as_of=DAY).between(None, DAY).window() == (None, DAY)
    assert view.between(None, None).store_filters() == view.store_filters(with_time=False)


def test_views_hash_and_stay_frozen():
    assert len({page_view(), page_view(), View()}) == 2  # `extra` (a dict) takes no part in the hash
    with pytest.raises(dataclasses.FrozenInstanceError):
        page_view().theatre = "World"  # type: ignore[misc]
