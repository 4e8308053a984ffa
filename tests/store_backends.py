"""Fixtures and helpers shared by the store tests: every store test runs on both backends.

`store_url` is parametrised over an SQLite file in tmp_path and a private schema in the PostGIS
server named by FPM_TEST_DATABASE_URL (which `make test` starts). Without that variable the PostGIS
half skips with the reason; under `make test` (FPM_REQUIRE_POSTGIS=1) it fails instead, so a server
that did not start can never pass unnoticed.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PG_URL = os.environ.get("FPM_TEST_DATABASE_URL")
REQUIRE_POSTGIS = os.environ.get("FPM_REQUIRE_POSTGIS") == "1"


def _postgis_unavailable(reason: str) -> None:
    if REQUIRE_POSTGIS:
        pytest.fail(f"PostGIS tests are required (FPM_REQUIRE_POSTGIS=1) but {reason}")
    pytest.skip(f"PostGIS tests skipped: {reason} (make test starts a server and sets FPM_TEST_DATABASE_URL)")


@pytest.fixture(scope="session")
def postgis_server() -> str:
    """The test server's URL, with PostGIS installed in its public schema."""
    if not PG_URL:
        _postgis_unavailable("FPM_TEST_DATABASE_URL is not set")
    import psycopg

    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
    except psycopg.Error as err:
        _postgis_unavailable(f"the server at FPM_TEST_DATABASE_URL cannot be used: {str(err).strip()}")
    return str(PG_URL)


def _with_schema(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema},public")


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty store locations on one backend (an SQLite file, or a PostgreSQL schema)."""
    counter = itertools.count()
    schemas: list[str] = []
    server = request.getfixturevalue("postgis_server") if request.param == "postgis" else ""

    def make() -> str:
        if request.param == "sqlite":
            return str(tmp_path / f"store{next(counter)}" / "events.sqlite")
        import psycopg

        schema = "test_" + uuid.uuid4().hex[:12]
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        return _with_schema(server, schema)

    yield make
    if schemas:
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store_url(new_store_url: Callable[[], str]) -> str:
    """A fresh, empty store location on each backend."""
    return new_store_url()


@pytest.fixture
def store(store_url: str):
    from geo.store.factory import open_store

    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()
