"""Opening a store: `open_store` picks the backend from the URL (SQLite file or PostGIS) and reads
the lock-wait setting. The only module that imports the backends; they build on geo.store.base.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from geo.errors import InputError
from geo.gazetteer import DATA_DIR
from geo.store.base import EventStore
from geo.store.checks import brief_repr
from geo.store.core import DEFAULT_LOCK_WAIT_S
from geo.store.postgis import PostgisStore
from geo.store.sqlite import SqliteStore

__all__ = ["DEFAULT_STORE_PATH", "ENV_DATABASE_URL", "ENV_LOCK_WAIT", "open_store"]

ENV_DATABASE_URL = "FPM_DATABASE_URL"
DEFAULT_STORE_PATH = DATA_DIR / "store" / "events.sqlite"
# How long a write waits for another process's write lock before StoreBusyError, in seconds
# (DEFAULT_LOCK_WAIT_S when neither this variable nor open_store(lock_wait_s=...) says).
ENV_LOCK_WAIT = "FPM_STORE_LOCK_WAIT_S"


def open_store(url: str | os.PathLike[str] | None = None, *, lock_wait_s: float | None = None) -> EventStore:
    """The store at `url`: None -> $FPM_DATABASE_URL, else the embedded file under data/store/.

    ``postgresql://...`` (or ``postgres://``) opens PostGIS; a plain path or ``sqlite:///relative`` /
    ``sqlite:////absolute`` opens (and creates) an SQLite file. `lock_wait_s` is how long a write
    waits for another process's write lock before StoreBusyError (default $FPM_STORE_LOCK_WAIT_S,
    else 300 s); reads never wait for writers.
    """
    wait = _lock_wait(lock_wait_s)
    target = os.fspath(url) if url is not None else os.environ.get(ENV_DATABASE_URL) or None
    if target is None:
        target = str(DEFAULT_STORE_PATH)
    if target.startswith(("postgresql://", "postgres://")):
        return PostgisStore(target, lock_wait_s=wait)
    if "://" in target and not target.startswith("sqlite://"):
        raise InputError(f"database URL {target!r} is not understood: use postgresql://... or a file path")
    # SQLAlchemy's convention: sqlite:///relative/path, sqlite:////absolute/path.
    path = Path(target.removeprefix("sqlite:///")) if target.startswith("sqlite:///") else Path(target)
    return SqliteStore(path, lock_wait_s=wait)


def _lock_wait(given: float | None) -> float:
    source = "lock_wait_s"
    if given is None:
        raw = os.environ.get(ENV_LOCK_WAIT, "").strip()
        if not raw:
            return DEFAULT_LOCK_WAIT_S
        source = ENV_LOCK_WAIT
        try:
            given = float(raw)
        except ValueError:
            raise InputError(f"{ENV_LOCK_WAIT} was {brief_repr(raw)} but is expected to be a number of "
                             "seconds") from None
    if isinstance(given, bool) or not isinstance(given, int | float) or not (math.isfinite(given) and given >= 0):
        raise InputError(f"{source} was {brief_repr(given)} but is expected to be a number of seconds >= 0")
    return float(given)
