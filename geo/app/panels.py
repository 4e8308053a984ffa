"""What the map page shows beside and under the map, as escaped HTML and plain tables.

Every string that came from an article or a user passes through `safe_html` before it reaches
`st.markdown(..., unsafe_allow_html=True)`: HTML-escaped, and the characters Streamlit's markdown
would still act on (`*`, `_`, `[`, `$` for LaTeX, `:` for emoji and colour directives, backticks,
line breaks) turned into entities, so an article saying `<img src=x onerror=...>` or
`![](http://tracker)` shows those characters and nothing else. Tables go through `st.dataframe`,
which never interprets its cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from geo.events import EVENT_KINDS, STATUSES, TIME_PRECISIONS, Event
from geo.gazetteer import Place
from geo.render import KIND_COLOURS
from geo.store import event_span

__all__ = [
    "PANEL_CSS",
    "banner_html",
    "event_card_html",
    "event_fields",
    "form_changes",
    "history_frame",
    "place_header_html",
    "safe_html",
]

# One pass over the characters: HTML's own five, then what markdown, LaTeX and directives act on.
_INERT = {c: f"&#{ord(c)};" for c in "<>&\"'*_[]()$:`~#|\\!{}="}
_INERT["\n"] = "<br>"
_INERT["\r"] = ""


def safe_html(value: object) -> str:
    """Text made inert for Streamlit's markdown with HTML allowed (see the module docstring)."""
    return "".join(_INERT.get(c, c) for c in ("" if value is None else str(value)))


PANEL_CSS = """
<style>
.fpm-card{border:1px solid #d9dee5;border-left:4px solid var(--k,#888);border-radius:6px;padding:8px 10px;
 margin:0 0 6px;background:#fff;font-size:0.86rem;line-height:1.35}
.fpm-card .k{font-size:0.68rem;font-weight:700;letter-spacing:.05em;text-transform:uppercase;color:var(--k,#555)}
.fpm-card .who{font-weight:600}
.fpm-card .meta{color:#5c6570;font-size:0.78rem}
.fpm-card blockquote{margin:4px 0;padding:2px 8px;border-left:3px solid #d0d5dc;color:#333;font-style:italic}
.fpm-place h3{margin:0;padding:0;font-size:1.15rem}
.fpm-place .sub{color:#5c6570;font-size:0.8rem}
.fpm-banner{background:#14212e;color:#fff;padding:10px 18px;border-radius:6px;margin-bottom:8px}
.fpm-banner .t{font-size:1.9rem;font-weight:700;line-height:1.2}
.fpm-banner .c{font-size:1.05rem;color:#ffd479;margin-top:2px}
.fpm-banner .d{font-size:1.1rem;color:#c9d6e3;float:right;margin-top:6px}
</style>
"""


def _dates(event: Event) -> str:
    when = event.start or "date unknown"
    if event.end:
        when += f" to {event.end}"
    elif event.kind in ("deployment", "basing") and event.start:
        when += ", ongoing"
    if event.time_precision != "day":
        when += f" ({event.time_precision})"
    return when


def _assets(event: Event) -> str:
    parts = []
    for asset in event.assets:
        label = asset.name or asset.family
        parts.append(f"{asset.count:,}× {label}" if asset.count else label)
    return ", ".join(parts) or "no asset named"


def event_card_html(event: Event, country_names: dict[str, str] | None = None) -> str:
    """One event as a card: kind, who, what, when, the source sentence and the article."""
    names = country_names or {}
    who = ", ".join(names.get(a, a) for a in event.actors) or "unknown actor"
    if event.partners:
        who += " with " + ", ".join(names.get(a, a) for a in event.partners)
    src = event.source
    article = " · ".join(x for x in (src.outlet, src.headline, src.published) if x) or src.document
    colour = KIND_COLOURS.get(event.kind, "#888")
    places = "; ".join(p.name for p in event.places)
    edited = " · edited" if event.edited else ""
    return (
        f'<div class="fpm-card" style="--k:{colour}"><span class="k">{safe_html(event.kind)}</span> '
        + (f'<b class="name">{safe_html(event.name)}</b> ' if event.name else "")
        + f'<span class="meta">{safe_html(event.status)} · {safe_html(_dates(event))}{edited}</span><br>'
        f'<span class="who">{safe_html(who)}</span> · {safe_html(_assets(event))}<br>'
        f'<span class="meta">{safe_html(places)}</span>'
        f"<blockquote>{safe_html(src.sentence)}</blockquote>"
        f'<span class="meta">Source: {safe_html(article)} ({safe_html(src.document)})</span></div>'
    )


def place_header_html(place: Place, n_events: int, window: tuple[dt.date | None, dt.date | None]) -> str:
    first, last = window
    when = f"on {first}" if first == last else f"between {first} and {last}"
    what = f"{n_events} event{'s' if n_events != 1 else ''} active {when}"
    return (f'<div class="fpm-place"><h3>{safe_html(place.name)}</h3>'
            f'<span class="sub">{safe_html(place.kind)}{" · " + safe_html(place.country) if place.country else ""}'
            f" · {safe_html(what)}</span></div>")


def banner_html(title: str, caveat: str, when: str) -> str:
    """The presentation banner: the user's title and caveat (escaped) and the date shown."""
    return (f'<div class="fpm-banner"><span class="d">{safe_html(when)}</span>'
            f'<div class="t">{safe_html(title or "Force posture")}</div>'
            + (f'<div class="c">{safe_html(caveat)}</div>' if caveat else "") + "</div>")


def event_fields(event: Event) -> pd.DataFrame:
    """All fields of an event as a two-column table (strings only: safe in st.dataframe)."""
    span = event_span(event) if event.start else None
    src = event.source
    rows: list[tuple[str, Any]] = [
        ("id", event.id), ("kind", event.kind), ("name", event.name), ("status", event.status),
        ("actors", ", ".join(event.actors)), ("partners", ", ".join(event.partners)),
        ("assets", "; ".join(f"{a.count or '?'} × {a.name} ({a.category}{', nuclear' if a.nuclear else ''})"
                             for a in event.assets)),
        ("places", "; ".join(f"{p.name} [{p.id}, {p.role}]" for p in event.places)),
        ("geometry", f"{event.geometry.geom_type}, precision {event.geo_precision}"),
        ("start", event.start or ""), ("end", event.end or ""), ("time precision", event.time_precision),
        ("active", "" if span is None else f"{span[0]} to {'ongoing' if span[1].year == 9999 else span[1]}"),
        ("confidence", f"{event.confidence:.2f}"), ("edited", "yes" if event.edited else "no"),
        ("sentence", src.sentence), ("document", src.document), ("outlet", src.outlet or ""),
        ("headline", src.headline or ""), ("published", src.published or ""), ("notes", event.notes),
    ]
    return pd.DataFrame({"field": [r[0] for r in rows], "value": [str(r[1]) for r in rows]})


def history_frame(changes: Iterable[Any]) -> pd.DataFrame:
    """An event's history (geo.store.Change rows) as a table, values shortened for reading."""
    def short(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= 80 else text[:77] + "..."

    return pd.DataFrame([{"when": c.at, "who": c.editor, "action": c.action, "field": c.field or "",
                          "before": short(c.before), "after": short(c.after)} for c in changes],
                        columns=["when", "who", "action", "field", "before", "after"])


def _codes(text: str) -> list[str]:
    return [t.strip().upper() for t in text.replace(";", ",").split(",") if t.strip()]


def form_changes(event: Event, values: dict[str, Any]) -> dict[str, Any]:
    """The store.update changes a correction form asks for: only the fields that differ.

    `values`: kind, status, actors, partners (comma-separated ISO codes), start, end (dates or None),
    time_precision, confidence, notes, name (of the exercise or operation), counts (one per asset, None
    for "not stated").
    """
    changes: dict[str, Any] = {}
    if values["kind"] in EVENT_KINDS and values["kind"] != event.kind:
        changes["kind"] = values["kind"]
    if values["status"] in STATUSES and values["status"] != event.status:
        changes["status"] = values["status"]
    if values["time_precision"] in TIME_PRECISIONS and values["time_precision"] != event.time_precision:
        changes["time_precision"] = values["time_precision"]
    for name in ("actors", "partners"):
        codes = _codes(values[name])
        if codes != list(getattr(event, name)):
            changes[name] = codes
    for name in ("start", "end"):
        day = values[name]
        text = day.isoformat() if isinstance(day, dt.date) else None
        if text != (getattr(event, name) or None):
            changes[name] = text
    if abs(float(values["confidence"]) - event.confidence) > 1e-9:
        changes["confidence"] = round(float(values["confidence"]), 2)
    if values["notes"] != event.notes:
        changes["notes"] = values["notes"]
    name = " ".join(str(values.get("name", event.name)).split())
    if name != event.name:
        changes["name"] = name
    counts: Sequence[int | None] = values.get("counts", [])
    if counts and list(counts) != [a.count for a in event.assets]:
        assets = [dataclasses.replace(a, count=c) for a, c in zip(event.assets, counts, strict=True)]
        changes["assets"] = assets
    return changes
