"""Shared fixtures: the real built gazetteer (built once if absent) and the project paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def gazetteer():
    from geo.gazetteer.load import DEFAULT_GAZETTEER_PATH, load_gazetteer

    if not DEFAULT_GAZETTEER_PATH.exists():  # `make test` builds it; a bare `pytest` may not have
        from geo.gazetteer.build import build_gazetteer

        build_gazetteer()
    return load_gazetteer()


@pytest.fixture(scope="session")
def geocoder(gazetteer):
    from geo.geocode.geocoder import OfflineGazetteer

    return OfflineGazetteer(gazetteer)


@pytest.fixture(scope="session")
def seeds_gold() -> dict:
    """The acceptance gold of the seeds; the copy in shared/ wins when it is there."""
    path = SHARED / "acceptance" / "seeds_gold.json"
    if not path.exists():
        path = SEEDS / "gold.json"
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, one per test module (see tests/map_fixtures.py)."""
    from tests.map_fixtures import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def browser_page(browser):
    """A fresh page with every non-local request blocked and recorded."""
    from tests.map_fixtures import BrowserPage

    page = BrowserPage(browser)
    yield page
    page.page.close()
