"""SIDCs in the asset catalogue, affiliation under perspectives, colours; milsymbol draws every code."""

from __future__ import annotations

import csv
import re

import pytest

from geo.errors import InputError
from geo.events import Asset
from geo.extract.catalogue import ASSETS_PATH
from geo.render.symbols import (
    CATEGORY_SIDC,
    DEFAULT_SIDC,
    affiliation,
    country_colour,
    event_count,
    event_style,
    sidc_for,
    with_identity,
)
from tests.map_fixtures import sample_events

SIDC_TEMPLATE = re.compile(r"10[0-9]X[0-9]{16}")




def _rows() -> list[dict[str, str]]:
    with ASSETS_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_asset_row_has_a_sidc_template():
    rows = _rows()
    assert rows
    for row in rows:
        assert SIDC_TEMPLATE.fullmatch(row["sidc"]), (row["id"], row["sidc"])
    # one plain-English description, one code
    by_app6: dict[str, set[str]] = {}
    for row in rows:
        by_app6.setdefault(row["app6"], set()).add(row["sidc"])
    assert all(len(codes) == 1 for codes in by_app6.values())


def test_known_codes():
    assert sidc_for(Asset("B-52H", "B-52", "bomber", 4, "asset:b-52h")) == "100X0100001101030000"  # air / bomber
    assert sidc_for(Asset("x", "x", "submarine")) == CATEGORY_SIDC["submarine"]
    assert sidc_for(None) == DEFAULT_SIDC


def test_perspectives():
    assert affiliation("US", "NATO") == "friend"
    assert affiliation("RU", "NATO") == "hostile"
    assert affiliation("IN", "NATO") == "neutral"
    assert affiliation(None, "NATO") == "unknown"
    assert affiliation("US", "Russia") == "hostile"
    assert affiliation("RU", "neutral") == "neutral"
    with pytest.raises(InputError, match="perspective"):
        affiliation("US", "Martian")


def test_identity_digit_and_colours():
    assert with_identity("100X0100001101030000", "hostile")[3] == "6"
    with pytest.raises(InputError):
        with_identity("123", "friend")
    assert country_colour("ZZ") == country_colour("ZZ")
    assert country_colour("US") != country_colour("RU")


def test_event_style_under_perspectives(gazetteer):
    fairford = sample_events(gazetteer)[0]
    assert event_count(fairford) == 4
    neutral = event_style(fairford)
    nato = event_style(fairford, "NATO")
    assert neutral.sidc[3] == "4" and neutral.colour == country_colour("US")
    assert nato.sidc[3] == "3" and nato.legend_key == "friend"


@pytest.mark.browser
def test_milsymbol_draws_every_code(browser_page):
    codes = sorted({r["sidc"] for r in _rows()} | set(CATEGORY_SIDC.values()) | {DEFAULT_SIDC})
    page = browser_page
    page.page.set_content("<html><body></body></html>")
    from geo.render.offline_assets import VENDOR_DIR

    page.page.add_script_tag(path=str(VENDOR_DIR / "milsymbol" / "milsymbol.js"))
    invalid = page.page.evaluate(
        "codes => codes.flatMap(c => ['3','6','4','1'].map(i => c.slice(0,3) + i + c.slice(4)))"
        ".filter(c => !new ms.Symbol(c).isValid())", codes)
    assert invalid == []


def test_count_badge_does_not_add_a_breakdown_to_its_total(gazetteer):
    from geo.events import Asset

    event = sample_events(gazetteer)[0]
    breakdown = event.copy(assets=[
        Asset("troops", "troops", "personnel", 5000), Asset("personnel", "personnel", "personnel", 2000),
        Asset("destroyer", "destroyer", "surface combatant", 2),
    ])
    assert event_count(breakdown) == 5002
    assert event_count(event.copy(assets=[Asset("troops", "troops", "personnel")])) is None
