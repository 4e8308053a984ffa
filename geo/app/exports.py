"""The page's export menu: what the user sees, downloadable as PNG, HTML, PowerPoint or data.

Every export goes through the same library the CLI uses (geo.export.png, geo.export.standalone,
geo.export.briefing, geo.export.record.data_export), so a file made in the app and one made with
`python -m geo snapshot ...` from the same view are the same, and both record their view.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.export import View, data_export

__all__ = ["EXPORT_KINDS", "Download", "deck_dates", "prepare_export"]

# label -> (what, option)
EXPORT_KINDS: dict[str, tuple[str, str]] = {
    "Map picture for a slide (PNG, 1920×1080)": ("png", "slide"),
    "Map picture for print (PNG, A4 landscape, 300 dpi)": ("png", "a4"),
    "Map that works offline (standalone HTML)": ("html", ""),
    "Briefing deck (PowerPoint, one slide per date)": ("pptx", ""),
    "Events as GeoJSON": ("data", "geojson"),
    "Events as CSV (WKT geometry)": ("data", "csv"),
    "Events as KML (Google Earth)": ("data", "kml"),
    "Events as GeoPackage": ("data", "gpkg"),
}
_MIME = {
    "png": "image/png", "html": "text/html", "geojson": "application/geo+json", "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml", "gpkg": "application/geopackage+sqlite3",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True, slots=True)
class Download:
    data: bytes
    file_name: str
    mime: str


def deck_dates(text: str, fallback: dt.date) -> list[dt.date]:
    """Dates typed as "2025-01-01, 2025-02-01"; the shown date alone when nothing is typed."""
    found = re.findall(r"\d{4}-\d{2}-\d{2}", text or "")
    if not found:
        if (text or "").strip():
            raise InputError("write the deck's dates as YYYY-MM-DD, separated by commas")
        return [fallback]
    try:
        days = sorted({dt.date.fromisoformat(d) for d in found})
    except ValueError as err:
        raise InputError(f"a deck date is not a real date: {err}") from err
    if len(days) > 30:
        raise InputError(f"{len(days)} dates would make {len(days)} slides; 30 at most")
    return days


def _stem(view: View) -> str:
    day = view.as_of or view.end or dt.date.today()
    return re.sub(r"[^a-z0-9]+", "-", f"force-posture-{view.theatre}-{day}".lower()).strip("-")


def prepare_export(store: Any, app_view: View, label: str, *, deck: str = "", gazetteer: Any = None) -> Download:
    """Build the file `label` names for the page's current view (what it shows: `View.shown`);
    InputError says what is wrong."""
    if label not in EXPORT_KINDS:
        raise InputError(f"unknown export {label!r}; choose one of {list(EXPORT_KINDS)}")
    what, option = EXPORT_KINDS[label]
    view = app_view.shown()
    stem = _stem(view)
    if what == "png":
        from geo.export import snapshot

        shot = snapshot(store, view, size=option, gazetteer=gazetteer)
        return Download(shot.png, f"{stem}-{option}.png", _MIME["png"])
    if what == "html":
        from geo.export import standalone_html

        events = store.query(**view.store_filters(with_time=False))
        page, _record = standalone_html(events, view, gazetteer=gazetteer, preselected=True)
        return Download(page.encode("utf-8"), f"{stem}.html", _MIME["html"])
    if what == "pptx":
        from geo.export import build_briefing

        shown = view.as_of or view.end or dt.date.today()
        views = [view.at(day) for day in deck_dates(deck, shown)]
        buffer = io.BytesIO()
        build_briefing(store, views, buffer, gazetteer=gazetteer)
        return Download(buffer.getvalue(), f"{stem}-briefing.pptx", _MIME["pptx"])
    events = store.query(**view.store_filters())
    with tempfile.TemporaryDirectory() as folder:
        target, _record = data_export(events, Path(folder) / f"{stem}.{option}", view, option)
        return Download(target.read_bytes(), target.name, _MIME[option])
