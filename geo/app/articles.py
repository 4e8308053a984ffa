"""The "add article" page's logic: read pasted or uploaded text, extract, review in a table, save.

The reviewer's table is the extractor's output with the fields a person can judge from the
sentence (keep, kind, actors, dates, status) editable; what the extractor located is shown, not
edited here (places need the gazetteer; the map page's correction form handles them). Saving
stores the article with the events as extracted, then records each reviewer change through
`store.update`, so the history says what the machine found and what the person changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.errors import InputError
from geo.events import EVENT_KINDS, STATUSES, Event
from geo.extract import Article, read_article_bytes

__all__ = ["EDITABLE_COLUMNS", "Review", "SaveResult", "article_name", "events_frame", "read_pasted", "save_review"]

EDITABLE_COLUMNS = ("keep", "kind", "actors", "start", "end", "status")


def article_name(text: str, given: str = "") -> str:
    """A document name: the one given (made file-name safe) or one derived from the text's hash."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", given.strip()).strip("-.")[:80]
    if cleaned:
        return cleaned if "." in cleaned else cleaned + ".txt"
    return f"added-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}.txt"


def read_pasted(data: bytes, name: str, *, published: dt.date | None, outlet: str = "", headline: str = "") -> Article:
    """The article as the ingest step would read it from a file (HTML stripped, boilerplate dropped)."""
    if not data.strip():
        raise InputError("the article is empty: paste its text or upload a file")
    return read_article_bytes(data, name, published=published.isoformat() if published else None,
                              outlet=outlet.strip() or None, headline=headline.strip() or None)


def _assets(event: Event) -> str:
    return ", ".join(f"{a.count}× {a.name}" if a.count else a.name for a in event.assets)


def events_frame(events: list[Event]) -> pd.DataFrame:
    """One row per extracted event for st.data_editor (dates as datetime.date, the rest text)."""
    rows = []
    for e in events:
        rows.append({
            "keep": True, "kind": e.kind, "actors": ", ".join(e.actors), "assets": _assets(e),
            "places": "; ".join(p.name for p in e.places),
            "start": dt.date.fromisoformat(e.start) if e.start else None,
            "end": dt.date.fromisoformat(e.end) if e.end else None,
            "status": e.status, "confidence": round(e.confidence, 2), "sentence": e.source.sentence, "id": e.id,
        })
    columns = ["keep", "kind", "actors", "assets", "places", "start", "end", "status", "confidence", "sentence", "id"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(slots=True)
class Review:
    """The events to store and the changes the reviewer made to each (applied after ingest)."""

    events: list[Event]
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)


def _day(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if text else None


def review_from_frame(events: list[Event], frame: pd.DataFrame) -> Review:
    """What the edited table asks for; InputError names the row and column that is wrong."""
    by_id = {e.id: e for e in events}
    review = Review(events=[])
    for n, row in enumerate(frame.to_dict("records"), start=1):
        event = by_id.get(str(row.get("id")))
        if event is None or not bool(row.get("keep")):
            continue
        changes: dict[str, Any] = {}
        kind, status = str(row.get("kind") or ""), str(row.get("status") or "")
        if kind not in EVENT_KINDS:
            raise InputError(f"row {n}: kind {kind!r} is not one of {list(EVENT_KINDS)}")
        if status not in STATUSES:
            raise InputError(f"row {n}: status {status!r} is not one of {list(STATUSES)}")
        if kind != event.kind:
            changes["kind"] = kind
        if status != event.status:
            changes["status"] = status
        actors = [a.strip().upper() for a in str(row.get("actors") or "").split(",") if a.strip()]
        if any(not (a.isalpha() and len(a) == 2) for a in actors):
            raise InputError(f"row {n}: actors should be ISO 3166-1 alpha-2 codes like US, GB, "
                             f"got {row.get('actors')!r}")
        if actors != event.actors:
            changes["actors"] = actors
        for name in ("start", "end"):
            day = _day(row.get(name))
            if day != (getattr(event, name) or None):
                changes[name] = day
        review.events.append(event)
        if changes:
            review.changes[event.id] = changes
    return review


@dataclass(slots=True)
class SaveResult:
    status: str
    added: int
    corrected: int


def save_review(store: Any, article: Article, review: Review, *, editor: str) -> SaveResult:
    """Store the article with the kept events, then apply the reviewer's corrections with history."""
    summary = store.ingest_article(article, review.events)
    corrected = 0
    for event_id, changes in review.changes.items():
        store.update(event_id, changes, editor=editor)
        corrected += 1
    return SaveResult(summary.status, summary.added, corrected)
