"""The event store: one `EventStore` interface over SQLite or PostGIS (opened by `open_store`), curation
with history, the exchange formats (GeoJSON, CSV, KML, GeoPackage) and posture over time.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.store.base import (
    EventStore,
)
from geo.store.checks import (
    MAX_ASSET_COUNT,
    MAX_DOCUMENT_CHARS,
    MAX_ID_CHARS,
    brief_repr,
    check_event,
    check_properties,
)
from geo.store.core import (
    DEFAULT_LOCK_WAIT_S,
)
from geo.store.edits import (
    EDITABLE_FIELDS,
    default_editor,
)
from geo.store.exchange import (
    FLAT_COLUMNS,
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportProblems,
    atomic_output,
    check_output,
    export_events,
    guard_cell,
    guess_format,
    import_file,
    read_events,
    unguard_cell,
)
from geo.store.factory import (
    DEFAULT_STORE_PATH,
    ENV_DATABASE_URL,
    ENV_LOCK_WAIT,
    open_store,
)
from geo.store.ingest import (
    ArticleFile,
    article_paths,
    ingest_paths,
)
from geo.store.postgis import (
    PostgisStore,
)
from geo.store.posture import (
    ACTIVE_DAYS,
    OPEN_END,
    PostureItem,
    PostureRow,
    active_span,
    country_name,
    event_span,
    is_active,
    is_country_code,
    parse_day,
    posture_items,
    sum_posture,
)
from geo.store.records import (
    ArticleRecord,
    Change,
    Filters,
    ImportSummary,
    IngestReport,
    IngestSummary,
    Trace,
    VersionedEvent,
    WeekCount,
    article_hash,
    bbox_boxes,
)
from geo.store.sqlite import (
    SqliteStore,
)

__all__ = [
    "ACTIVE_DAYS",
    "DEFAULT_LOCK_WAIT_S",
    "DEFAULT_STORE_PATH",
    "EDITABLE_FIELDS",
    "ENV_DATABASE_URL",
    "ENV_LOCK_WAIT",
    "FLAT_COLUMNS",
    "FORMATS",
    "MAX_ASSET_COUNT",
    "MAX_DOCUMENT_CHARS",
    "MAX_ID_CHARS",
    "MAX_IMPORT_BYTES",
    "OPEN_END",
    "ArticleFile",
    "ArticleRecord",
    "Change",
    "EventStore",
    "Filters",
    "ImportProblems",
    "ImportSummary",
    "IngestReport",
    "IngestSummary",
    "PostgisStore",
    "PostureItem",
    "PostureRow",
    "SqliteStore",
    "Trace",
    "VersionedEvent",
    "WeekCount",
    "active_span",
    "article_hash",
    "article_paths",
    "atomic_output",
    "bbox_boxes",
    "brief_repr",
    "check_event",
    "check_output",
    "check_properties",
    "country_name",
    "default_editor",
    "event_span",
    "export_events",
    "guard_cell",
    "guess_format",
    "import_file",
    "ingest_paths",
    "is_active",
    "is_country_code",
    "open_store",
    "parse_day",
    "posture_items",
    "read_events",
    "sum_posture",
    "unguard_cell",
]
