"""Maps from real gazetteer places, checked in a real headless Chromium with no network."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.render.mapping import THEATRES, active_days, build_map, event_payload
from tests.map_fixtures import XSS, sample_events


def test_payload_escapes_and_references_shapes(gazetteer):
    events = sample_events(gazetteer)
    twin = events[1].copy(id="ev-twin")  # a second patrol over the same sea
    payload, summary = event_payload([*events, twin], gazetteer=gazetteer)
    assert len(payload["shapes"]) == 5  # Baltic once for two patrols; route, Lithuania, Black Sea, Gulf of Finland
    sentence = payload["info"][0][5]
    assert "<img" not in sentence and "&lt;img src=x onerror=" in sentence
    assert summary["drawn"]["symbol"] == 5 and summary["drawn"]["route"] == 1


def test_html_carries_no_raw_markup_from_text(gazetteer):
    html = build_map(sample_events(gazetteer), gazetteer=gazetteer, assets="file").get_root().render()
    assert XSS not in html and "<img src=x" not in html and "<script>window.__xss" not in html


def test_time_span_follows_the_store_rule(gazetteer):
    fairford, patrol = sample_events(gazetteer)[:2]
    assert active_days(fairford)[1] is not None  # ended 2024-03-20
    first, last = active_days(patrol)
    assert first is not None and last is not None and last >= first


def test_bad_arguments_say_what_is_allowed(gazetteer):
    with pytest.raises(InputError, match="Baltic"):
        build_map([], theatre="Atlantis", assets="file")
    with pytest.raises(InputError, match="perspective"):
        build_map([], perspective="Martian", assets="file")
    assert set(THEATRES) >= {"World", "Europe", "Baltic", "Black Sea", "Mediterranean", "Middle East",
                             "Indian Ocean", "Indo-Pacific", "Northeast Asia"}


def _render(browser_page, fmap, path):
    fmap.save(path)
    browser_page.open(path)
    return browser_page.page


@pytest.mark.browser
def test_map_draws_offline_with_legend_and_time_filter(gazetteer, artifacts, browser_page):
    events = sample_events(gazetteer)
    page = _render(browser_page, build_map(events, theatre="Baltic", gazetteer=gazetteer, assets="file"),
                   artifacts / "map_baltic_neutral.html")
    drawn = page.evaluate("window.FPM_LAST.drawn")
    assert drawn == {"symbols": 4, "areas": 4, "routes": 1, "events": 10}
    assert page.locator(".fpm-symbol-icon svg").count() == 4
    assert page.locator(".fpm-count").first.inner_text()
    assert page.locator(".fpm-legend").is_visible()
    assert "United States" in page.locator(".fpm-legend").inner_text()
    page.screenshot(path=str(artifacts / "map_baltic_neutral.png"))
    # time filter without a rebuild: on 2024-02-25 only what had started and not ended
    after = page.evaluate("window.FPM_LAST.setTime({asOf: '2024-02-25'})")
    assert after["events"] == 4 and after["areas"] == 0
    legend_rows = page.evaluate("Array.from(document.querySelectorAll('.fpm-legend [data-fpm-key]'))"
                                ".filter(e => e.style.display !== 'none').map(e => e.dataset.fpmKey)")
    assert "draw:area-patrol" not in legend_rows and "draw:symbol" in legend_rows
    assert browser_page.external == [] and browser_page.errors == []


@pytest.mark.browser
def test_article_text_is_inert(gazetteer, artifacts, browser_page):
    page = _render(browser_page, build_map(sample_events(gazetteer), theatre="Europe", gazetteer=gazetteer,
                                           assets="file"), artifacts / "map_xss.html")
    page.locator(".fpm-symbol-icon").first.click()  # Fairford, whose sentence carries the markup
    page.wait_for_selector(".fpm-popup")
    page.wait_for_timeout(400)  # popup fade-in, for the screenshot
    text = page.locator(".fpm-popup").inner_text()
    assert "<img src=x" in text  # shown as text ...
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0  # ... never as markup
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=str(artifacts / "map_popup.png"))
    assert browser_page.external == []


@pytest.mark.browser
def test_nato_perspective_and_world_view(gazetteer, artifacts, browser_page):
    page = _render(browser_page, build_map(sample_events(gazetteer), theatre="Europe", perspective="NATO",
                                           as_of="2024-03-05", gazetteer=gazetteer, assets="file"),
                   artifacts / "map_europe_nato.html")
    legend = page.locator(".fpm-legend").inner_text()
    assert "Friendly" in legend and "Hostile" in legend and "As of 2024-03-05" in legend
    assert page.locator("path.leaflet-interactive").count() > 100  # basemap countries and seas drawn
    page.screenshot(path=str(artifacts / "map_europe_nato.png"))
    page = _render(browser_page, build_map(sample_events(gazetteer), gazetteer=gazetteer, assets="file"),
                   artifacts / "map_world.html")
    page.screenshot(path=str(artifacts / "map_world.png"))
    assert browser_page.external == []


def test_large_payloads_merge_rows_and_keep_totals(gazetteer):
    events = sample_events(gazetteer)
    copies = [e.copy(id=f"{e.id}-copy") for e in events]
    full, _ = event_payload([*events, *copies], gazetteer=gazetteer)
    lean, _ = event_payload([*events, *copies], gazetteer=gazetteer, details=False)
    assert len(full["events"]) == len(full["info"]) == 2 * len(events) and full["details"] is True
    assert lean["info"] == [] and lean["details"] is False
    assert len(lean["events"]) <= len(events)  # each copy merged into its original's row
    assert sum(r[4] for r in lean["events"]) == 2 * len(events)
    def resolved(payload):
        return [[payload["strings"][v] if k in (1, 2, 6, 7, 8) else v for k, v in enumerate(g)]
                for g in payload["groups"]]

    assert resolved(lean) == resolved(full) and lean["shapes"] == full["shapes"]
    counted = [r for r in full["events"] if r[2] is not None]
    assert sum(r[2] for r in lean["events"] if r[2] is not None) == sum(r[2] for r in counted)


@pytest.mark.browser
def test_lean_map_draws_the_same_and_pops_up_totals(gazetteer, artifacts, browser_page):
    events = sample_events(gazetteer)
    page = _render(browser_page, build_map(events, theatre="Baltic", gazetteer=gazetteer, assets="file",
                                           details=False), artifacts / "map_baltic_lean.html")
    assert page.evaluate("window.FPM_LAST.drawn") == {"symbols": 4, "areas": 4, "routes": 1, "events": 10}
    assert page.evaluate("window.FPM_LAST.setTime({asOf: '2024-02-25'})")["events"] == 4
    page.locator(".fpm-symbol-icon").first.click()
    page.wait_for_selector(".fpm-popup")
    assert "side panel" in page.locator(".fpm-popup").inner_text()
    assert browser_page.external == [] and browser_page.errors == []
