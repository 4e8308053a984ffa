"""PowerPoint briefings: one slide per date or saved view, with the map, what changed, and sources.

A briefing officer's deck answers "what is there now, and what moved since the last slide?". Each
slide holds the map picture (geo.export.png, the same map as the app), a short list of events that
started or ended between the previous slide's date and this one (by geo.store.posture's "active" rule,
so the list agrees with what the map shows), and in the speaker notes the source of every event on
the slide (outlet, headline, date, the sentence it was read from) so the briefer can answer "where
does this come from?" without the app. Each slide's notes end with its view record, and the deck's
core properties carry all views (geo.export.record), so any slide can be drawn again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from geo.errors import InputError
from geo.events import Event
from geo.export.png import SIZES, Renderer, Snapshot, events_for, snapshots
from geo.export.record import SOFTWARE, active_in, date_label, event_line, export_record
from geo.export.record import short_day as _short
from geo.export.view import View
from geo.store import OPEN_END, event_span

__all__ = ["Changes", "build_briefing", "changes_between", "event_line", "source_lines"]

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
MAX_LINES = 9
NOTES_SOURCES = 60


@dataclasses.dataclass(slots=True)
class Changes:
    """Events that started, and that ended, between two days (after `since`, up to `until`)."""

    since: dt.date | None
    until: dt.date
    started: list[Event]
    ended: list[Event]


def changes_between(events: Sequence[Event], since: dt.date | None, until: dt.date) -> Changes:
    """Started: first active day in (since, until]. Ended: active on `since`, last day before `until`.
    With no `since` (the first slide) nothing is compared."""
    started: list[Event] = []
    ended: list[Event] = []
    if since is None:
        return Changes(None, until, started, ended)
    for event in events:
        span = event_span(event)
        if span is None:
            continue
        first, last = span
        if since < first <= until:
            started.append(event)
        elif first <= since <= last < until:
            ended.append(event)
    started.sort(key=lambda e: (e.start or "", e.id))
    ended.sort(key=lambda e: (event_span(e) or (OPEN_END, OPEN_END))[1])
    return Changes(since, until, started, ended)


def source_lines(events: Sequence[Event], limit: int = NOTES_SOURCES) -> list[str]:
    """One notes line per distinct source sentence: outlet — “headline” (date): “sentence”."""
    seen: dict[tuple[str, str], str] = {}
    for event in events:
        src = event.source
        key = (src.document, src.sentence)
        if key in seen:
            continue
        head = " — ".join(x for x in (src.outlet or src.document, f"“{src.headline}”" if src.headline else "") if x)
        seen[key] = f"• {head} ({src.published or 'undated'}): “{src.sentence.strip()}” [{event.id}]"
    lines = list(seen.values())
    if len(lines) > limit:
        lines = [*lines[:limit], f"… and {len(lines) - limit} more sources"]
    return lines


def _bullets(changes: Changes, shown: Sequence[Event]) -> tuple[str, list[tuple[str, str]]]:
    """(heading, [(marker, text)]) for the slide's change column."""
    if changes.since is None:
        heading = f"On this date: {len(shown)} event{'s' if len(shown) != 1 else ''}"
        items = [("•", event_line(e)) for e in shown]
    else:
        heading = f"Since {_short(changes.since)}"
        items = [("+", event_line(e)) for e in changes.started] + [("–", event_line(e)) for e in changes.ended]
        if not items:
            items = [("•", "No event started or ended.")]
    if len(items) > MAX_LINES:
        more = len(items) - (MAX_LINES - 1)
        items = [*items[: MAX_LINES - 1], ("", f"… and {more} more (see notes)")]
    return heading, items


def build_briefing(source: Any, views: Sequence[View], path: str | Path | BinaryIO, *, gazetteer: Any = None,
                   renderer: Renderer | None = None, title: str | None = None) -> dict[str, Any]:
    """Write the deck; returns its record (also in the deck's core properties).

    `source` is an EventStore or a list of events; `views` are dates of one view (`view.at(day)`)
    or saved views from the app (`View.from_query(link)`), in slide order.
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    if not views:
        raise InputError("a briefing needs at least one date or view")
    shots: list[Snapshot] = snapshots(source, views, size="deck", frame="compact", gazetteer=gazetteer,
                                      renderer=renderer)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    blank = deck.slide_layouts[6]
    dark = RGBColor(0x1D, 0x27, 0x33)
    width_px, height_px = SIZES["deck"].pixels
    pic_h = 6.25
    pic_w = pic_h * width_px / height_px
    col_x = 0.3 + pic_w + 0.25
    col_w = SLIDE_W_IN - col_x - 0.3
    previous: tuple[View, list[Event]] | None = None
    slide_records = []
    for number, (view, shot) in enumerate(zip(views, shots, strict=True), start=1):
        slide = deck.slides.add_slide(blank)
        box = slide.shapes.add_textbox(Inches(0.3), Inches(0.15), Inches(SLIDE_W_IN - 0.6), Inches(0.7))
        frame = box.text_frame
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = f"{view.heading()} — {date_label(view)}"
        run.font.size, run.font.bold, run.font.color.rgb = Pt(24), True, dark
        slide.shapes.add_picture(io.BytesIO(shot.png), Inches(0.3), Inches(0.95), height=Inches(pic_h))
        # What changed: compare with the previous slide's events of the same view, else this one's.
        day = view.reference_day()
        pool = events_for(source, [view.between(None, None)]) if previous is not None else shot.events
        since = previous[0].reference_day() if previous is not None else None
        changes = changes_between(pool, since, day) if day is not None else Changes(None, dt.date.today(), [], [])
        heading, items = _bullets(changes, shot.events)
        column = slide.shapes.add_textbox(Inches(col_x), Inches(0.95), Inches(col_w), Inches(pic_h)).text_frame
        column.word_wrap = True
        head = column.paragraphs[0].add_run()
        head.text = heading
        head.font.size, head.font.bold, head.font.color.rgb = Pt(15), True, dark
        for marker, text in items:
            para = column.add_paragraph()
            para.space_before = Pt(5)
            mark = para.add_run()
            mark.text = f"{marker} " if marker else ""
            mark.font.size, mark.font.bold = Pt(12), True
            mark.font.color.rgb = RGBColor(0x1F, 0x7A, 0x3A) if marker == "+" else \
                RGBColor(0xA3, 0x1F, 0x1F) if marker == "–" else dark
            body = para.add_run()
            body.text = text
            body.font.size = Pt(12)
        foot = slide.shapes.add_textbox(Inches(0.3), Inches(7.18), Inches(SLIDE_W_IN - 0.6), Inches(0.3)).text_frame
        small = foot.paragraphs[0].add_run()
        small.text = f"{number}/{len(views)} · {len(shot.events)} events shown · sources in the notes · {SOFTWARE}"
        small.font.size = Pt(9)
        small.font.color.rgb = RGBColor(0x59, 0x63, 0x6E)
        # Notes: every source behind the slide, then the record that redraws it.
        cited = list({e.id: e for e in [*shot.events, *changes.started, *changes.ended]}.values())
        record = export_record(view, kind="briefing/slide", events=shot.events, extra={"slide": number})
        notes = [f"Sources ({len(cited)} events on or changed on this slide):", *source_lines(cited), "",
                 "fpm:export " + json.dumps({k: record[k] for k in ("fpm_export", "kind", "slide", "view",
                                                                      "app_query", "command")},
                                            ensure_ascii=False, separators=(",", ":"))]
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)
        slide_records.append({"slide": number, "view": view.to_dict(), "app_query": record["app_query"],
                              "events": len(shot.events)})
        previous = (view, shot.events)
    days = [d for d in (v.reference_day() for v in views) if d is not None]
    span = f"{_short(min(days))} – {_short(max(days))}" if len(set(days)) > 1 else date_label(views[0])
    deck_title = title or f"{views[0].heading()}, {span}"
    out_name = str(path) if isinstance(path, (str, Path)) else str(getattr(path, "name", "brief.pptx"))
    record = export_record(views[0], kind="briefing/pptx",
                           events=list({e.id: e for s in shots for e in s.events}.values()),
                           output=out_name, extra={"slides": slide_records,
                                                    "command": briefing_command(views, out_name)})
    props = deck.core_properties
    props.title = deck_title[:255]
    props.subject = "Force posture briefing from open-source reporting"
    props.author = SOFTWARE
    props.keywords = "force posture; briefing; " + "; ".join(dict.fromkeys(v.theatre for v in views))
    props.category = "fpm-briefing"
    props.comments = _short_record(views)
    props.identifier = record["created"]
    props.created = dt.datetime.now().replace(microsecond=0)
    if hasattr(path, "write"):  # a download button's BytesIO
        deck.save(path)
        return record
    from geo.store import atomic_output

    with atomic_output(path) as temp:
        deck.save(str(temp))
    return record


def briefing_command(views: Sequence[View], output: str) -> str:
    """The CLI call that builds the same deck: `--dates` when the views differ only by date."""
    import shlex

    base = views[0].between(None, None)
    if all(v.between(None, None) == base and v.as_of for v in views):
        parts = shlex.split(base.command(output))
        parts[3] = "briefing"
        parts[-2:-2] = ["--dates", ",".join(v.as_of.isoformat() for v in views if v.as_of)]
        return shlex.join(parts)
    args = ["python", "-m", "geo", "briefing"]
    for view in views:
        args += ["--view", view.to_query()]
    return shlex.join([*args, "-o", output])


def _short_record(views: Sequence[View]) -> str:
    """Core properties hold 255 characters: the views' app queries, as many as fit (all are in the notes)."""
    queries = [v.to_query() for v in views]
    for keep in range(len(queries), 0, -1):
        text = json.dumps({"fpm_export": 1, "kind": "briefing/pptx", "views": queries[:keep],
                           **({"more_in_notes": len(queries) - keep} if keep < len(queries) else {})},
                          separators=(",", ":"))
        if len(text) <= 255:
            return text
    return json.dumps({"fpm_export": 1, "kind": "briefing/pptx", "views_in_notes": len(queries)})


def shown_on(events: Sequence[Event], view: View) -> list[Event]:
    first, last = view.window()
    return [e for e in events if active_in(e, first, last)]
