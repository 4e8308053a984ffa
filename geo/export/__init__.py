"""Exports: the view record shared by the app and every export, PNG snapshots, standalone HTML pages,
PowerPoint briefings, and the record each export carries so it can be made again.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.export.briefing import (
    Changes,
    build_briefing,
    changes_between,
    source_lines,
)
from geo.export.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    route_locally,
)
from geo.export.png import (
    SIZES,
    Renderer,
    Size,
    Snapshot,
    build_snapshot_html,
    close_default_renderer,
    default_renderer,
    events_for,
    snapshot,
    snapshots,
    sorted_days,
    write_snapshot,
)
from geo.export.record import (
    EXPORT_KEY,
    SOFTWARE,
    active_in,
    data_export,
    date_label,
    event_line,
    export_record,
    png_add_text,
    read_png_record,
    select_events,
    sidecar_path,
)
from geo.export.standalone import (
    day_range,
    inline_assets,
    standalone_html,
    write_standalone,
)
from geo.export.view import (
    TIME_MODES,
    View,
    clamp_day,
    padded_bounds,
    resolve_theatre,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "EXPORT_KEY",
    "SIZES",
    "SOFTWARE",
    "TIME_MODES",
    "Changes",
    "Renderer",
    "Size",
    "Snapshot",
    "View",
    "active_in",
    "build_briefing",
    "build_snapshot_html",
    "changes_between",
    "clamp_day",
    "close_default_renderer",
    "data_export",
    "date_label",
    "day_range",
    "default_renderer",
    "event_line",
    "events_for",
    "export_record",
    "inline_assets",
    "padded_bounds",
    "png_add_text",
    "read_png_record",
    "resolve_theatre",
    "route_locally",
    "select_events",
    "sidecar_path",
    "snapshot",
    "snapshots",
    "sorted_days",
    "source_lines",
    "standalone_html",
    "write_snapshot",
    "write_standalone",
]
