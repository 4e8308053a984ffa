"""Events per week, the small chart under the map.

It answers "when did things happen" at a glance so the user knows where to drag the time slider.
Weeks start on Monday (ISO weeks, as briefings count them); an event counts in the week it
started. Kinds are stacked with the same colours everywhere in the app.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from geo.events import EVENT_KINDS, Event

__all__ = ["KIND_COLOURS", "counts_frame", "timeline_chart", "week_of", "weekly_counts"]

KIND_COLOURS = {"deployment": "#1f5fbf", "basing": "#7b3fa0", "patrol": "#d1822c", "exercise": "#2e9e3e"}


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week a day falls in."""
    return day - dt.timedelta(days=day.weekday())


def weekly_counts(events: Iterable[Event]) -> pd.DataFrame:
    """One row per (week, kind) with the number of events starting in that week; undated skipped."""
    counts: Counter[tuple[dt.date, str]] = Counter()
    for event in events:
        if not event.start or len(event.start) < 10:
            continue
        try:
            day = dt.date.fromisoformat(event.start[:10])
        except ValueError:
            continue
        counts[(week_of(day), event.kind)] += 1
    return counts_frame((week, kind, n) for (week, kind), n in sorted(counts.items()))


def counts_frame(counts: Iterable[tuple[dt.date, str, int]]) -> pd.DataFrame:
    """The chart's table from (Monday, kind, events) rows, such as `EventStore.weekly_counts` returns.

    One place builds it, so counts made in Python and counts made by the store's SQL give the
    chart exactly the same columns and types."""
    rows = [{"week": pd.Timestamp(week), "kind": kind, "events": int(n)} for week, kind, n in counts]
    return pd.DataFrame(rows, columns=["week", "kind", "events"])


def timeline_chart(counts: pd.DataFrame, window: tuple[dt.date | None, dt.date | None], *, height: int = 120):
    """An Altair bar chart of the weekly counts with the selected day or range shaded."""
    import altair as alt

    kinds = list(EVENT_KINDS)
    base = alt.Chart(counts).mark_bar(size=4).encode(
        x=alt.X("week:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True)),
        y=alt.Y("sum(events):Q", title="events / week", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=[KIND_COLOURS[k] for k in kinds]),
                        legend=alt.Legend(orient="top", title=None, direction="horizontal")),
        tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "kind:N", "sum(events):Q"],
    )
    first, last = window
    layers = [base]
    if first is not None and last is not None:
        mark = pd.DataFrame([{"start": pd.Timestamp(first), "end": pd.Timestamp(last + dt.timedelta(days=1))}])
        if first == last:
            layers.append(alt.Chart(mark).mark_rule(color="#c0392b", strokeWidth=2).encode(x="start:T"))
        else:
            layers.insert(0, alt.Chart(mark).mark_rect(color="#c0392b", opacity=0.12).encode(x="start:T", x2="end:T"))
    return alt.layer(*layers).properties(height=height)
