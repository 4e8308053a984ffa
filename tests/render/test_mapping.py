"""Maps from real gazetteer places, checked in a real headless Chromium with no network."""

from __future__ import annotations

import io

import pytest
import shapely

from geo.errors import InputError
from geo.events import Asset
from geo.render.basemap import LAND_COLOUR
from geo.render.mapping import (
    ANNOUNCED,
    THEATRES,
    UNSURE,
    active_days,
    build_map,
    certainty,
    designation,
    event_payload,
    legend_html,
)
from geo.render.symbols import country_colour
from tests.map_fixtures import XSS, make_event, sample_events


def test_payload_escapes_and_references_shapes(gazetteer):
    events = sample_events(gazetteer)
    twin = events[1].copy(id="ev-twin")  # a second patrol over the same sea
    payload, summary = event_payload([*events, twin], gazetteer=gazetteer)
    # Baltic once for two patrols; route, Lithuania, Black Sea, Gulf of Finland, Kaliningrad Oblast (a shape
    # since the gazetteer has every country's first-level divisions)
    assert len(payload["shapes"]) == 6
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
    assert drawn == {"symbols": 4, "areas": 4, "routes": 1, "events": 10, "announced": 0, "unsure": 0}
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
        return [[payload["strings"][v] if k in (1, 2, 6, 7, 8, 9, 12, 13) else v for k, v in enumerate(g)]
                for g in payload["groups"]]

    assert resolved(lean) == resolved(full) and lean["shapes"] == full["shapes"]
    counted = [r for r in full["events"] if r[2] is not None]
    assert sum(r[2] for r in lean["events"] if r[2] is not None) == sum(r[2] for r in counted)


@pytest.mark.browser
def test_lean_map_draws_the_same_and_pops_up_totals(gazetteer, artifacts, browser_page):
    events = sample_events(gazetteer)
    page = _render(browser_page, build_map(events, theatre="Baltic", gazetteer=gazetteer, assets="file",
                                           details=False), artifacts / "map_baltic_lean.html")
    assert page.evaluate("window.FPM_LAST.drawn") == {"symbols": 4, "areas": 4, "routes": 1, "events": 10,
                                                      "announced": 0, "unsure": 0}
    assert page.evaluate("window.FPM_LAST.setTime({asOf: '2024-02-25'})")["events"] == 4
    page.locator(".fpm-symbol-icon").first.click()
    page.wait_for_selector(".fpm-popup")
    assert "side panel" in page.locator(".fpm-popup").inner_text()
    assert browser_page.external == [] and browser_page.errors == []


def test_unsure_and_announced_events_are_flagged_until_reviewed(gazetteer):
    fairford = sample_events(gazetteer)[0]
    announced = fairford.copy(id="ev-announced", status="announced")
    unsure = fairford.copy(id="ev-unsure", confidence=0.45)
    reviewed = fairford.copy(id="ev-reviewed", confidence=0.45, edited=True)
    assert [certainty(e) for e in (fairford, announced, unsure, reviewed)] == [0, ANNOUNCED, UNSURE, 0]
    payload, summary = event_payload([fairford, announced, unsure, reviewed], gazetteer=gazetteer)
    assert [row[5] for row in payload["events"]] == [0, ANNOUNCED, UNSURE, 0]
    assert summary["drawn"]["announced"] == 1 and summary["drawn"]["unsure"] == 1
    legend = legend_html(summary)
    assert 'data-fpm-key="draw:unsure"' in legend and "not reviewed" in legend
    assert 'data-fpm-key="draw:announced"' in legend


def sea_of_japan_story(gaz):
    """The seed story: a China-Russia patrol and the US-Japan exercise that answered it, one sea."""
    sea = gaz["sea:sea-of-japan"]
    patrol = make_event(gaz, 21, "patrol", ["CN", "RU"], ["sea:sea-of-japan"],
                        [Asset("H-6K", "H-6", "bomber", 2, None)], start="2025-12-09", geometry=sea.geometry,
                        sentence="Chinese and Russian bombers flew a joint patrol over the Sea of Japan.")
    exercise = make_event(gaz, 22, "exercise", ["US", "JP"], ["sea:sea-of-japan"],
                          [Asset("B-52H", "B-52", "bomber", 2, "asset:b-52h")], start="2025-12-10",
                          geometry=sea.geometry, sentence="US bombers and Japanese fighters held a drill.")
    return [patrol, exercise]


def test_areas_on_one_sea_cross_and_a_joint_patrol_carries_every_actor_colour(gazetteer):
    payload, summary = event_payload(sea_of_japan_story(gazetteer))
    strings = payload["strings"]
    patrol, exercise = payload["groups"]
    assert patrol[5] == exercise[5]  # one shape, sent once
    assert strings[patrol[9]] == f"{country_colour('CN')}|{country_colour('RU')}"
    assert patrol[10] != exercise[10]  # hatch angles differ, so both read
    assert summary["drawn"]["joint"] == 2 and "Joint activity" in legend_html(summary)  # US-JP is joint too
    # every colour on the map has its legend row: Russia and Japan too, not only each area's first actor
    assert set(summary["legend"]) == {"CN", "RU", "US", "JP"}
    assert strings[patrol[13]] == "CN|RU" and strings[exercise[13]] == "US|JP"


@pytest.mark.browser
def test_both_events_on_one_sea_show_and_one_click_lists_both(gazetteer, artifacts, browser_page):
    events = sea_of_japan_story(gazetteer)
    unsure = events[1].copy(id="ev-unsure-site", kind="deployment", confidence=0.4, places=[],
                            geometry=shapely.Point(139.77, 35.45))
    announced = events[1].copy(id="ev-announced-site", kind="basing", status="announced",
                               geometry=shapely.Point(127.77, 26.35))
    page = _render(browser_page, build_map([*events, unsure, announced], theatre="Northeast Asia",
                                           gazetteer=gazetteer, assets="file"), artifacts / "map_sea_of_japan.html")
    # the joint patrol's hatching carries China's and Russia's colours; the exercise its own at another angle
    fills = page.evaluate("Array.from(document.querySelectorAll('.leaflet-fpm-areas-pane pattern'))"
                          ".map(p => [p.getAttribute('patternTransform'),"
                          " Array.from(p.querySelectorAll('rect')).slice(1).map(r => r.getAttribute('fill'))])")
    assert ["rotate(45)", [country_colour("CN"), country_colour("RU")]] in fills
    assert ["rotate(-45)", [country_colour("US"), country_colour("JP")]] in fills
    legend = page.locator(".fpm-legend").inner_text()
    assert all(name in legend for name in ("China", "Russia", "United States", "Japan"))  # every colour drawn
    sea = gazetteer["sea:sea-of-japan"]
    page.mouse.click(*_on_screen(page, sea.lat, sea.lon))
    page.wait_for_selector(".fpm-popup")
    text = page.locator(".fpm-popup").inner_text()
    assert "2 areas here" in text and "joint patrol" in text and "held a drill" in text
    assert page.locator(".leaflet-fpm-selected-pane path").count() == 4  # each area outlined: halo and line
    # unsure: a "?" badge; announced: APP-6 status "planned", which milsymbol draws with a dashed frame
    assert page.locator(".fpm-unsure .fpm-q").count() == 1
    assert page.locator(".fpm-symbol-icon svg [stroke-dasharray]").count() >= 1
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "map_sea_of_japan.png"))
    assert browser_page.external == [] and browser_page.errors == []


@pytest.mark.browser
def test_land_is_drawn_far_beyond_the_theatre(gazetteer, artifacts, browser_page):
    page = _viewed(browser_page, gazetteer, "Baltic", artifacts / "map_baltic_zoomed_out.html", (45, 60, 3))
    page.screenshot(path=str(artifacts / "map_baltic_zoomed_out.png"))
    # sample the screenshot far outside the Baltic box (away from labels and borders): Siberia, the Urals
    for lat, lon in ((60.0, 100.0), (58.0, 80.0), (55.0, 60.0)):
        assert _pixel(page, *_on_screen(page, lat, lon)) == LAND_RGB, (lat, lon)
    assert browser_page.errors == []


def _viewed(browser_page, gazetteer, theatre: str, path, view: tuple[float, float, int]):
    """The sample events' map of a theatre, open in the browser and moved to (lat, lon, zoom)."""
    page = _render(browser_page, build_map(sample_events(gazetteer), theatre=theatre, gazetteer=gazetteer,
                                           assets="file"), path)
    page.evaluate(f"window.FPM_LAST.areas._map.setView([{view[0]}, {view[1]}], {view[2]}, {{animate: false}})")
    page.wait_for_timeout(300)
    return page


def _on_screen(page, lat: float, lon: float) -> tuple[float, float]:
    """Page coordinates of a place on the last map drawn."""
    return tuple(page.evaluate(
        f"(() => {{ const m = window.FPM_LAST.areas._map, p = m.latLngToContainerPoint([{lat}, {lon}]);"
        f" const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }})()"))


LAND_RGB = tuple(int(LAND_COLOUR[i:i + 2], 16) for i in (1, 3, 5))


def _pixel(page, x: float, y: float) -> tuple[int, int, int]:
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})))
    return shot.convert("RGB").getpixel((0, 0))


def test_a_region_wide_item_is_one_symbol_with_its_region_outlined(gazetteer):
    troops = Asset("troops", "troops", "personnel", 20000, None)
    europe = make_event(gazetteer, 31, "deployment", ["US"], ["region:europe"], [troops], start="2022-06-29")
    fairford = sample_events(gazetteer)[0]
    payload, summary = event_payload([europe, fairford], gazetteer=gazetteer)
    region, site = payload["groups"]
    assert region[5] == -1 and region[11] >= 0  # a symbol, and Europe's shape to outline
    assert shapely.geometry.shape(payload["shapes"][region[11]]).contains(shapely.Point(15.0, 50.0))
    assert site[11] == -1  # a base is a point: nothing to outline
    assert summary["drawn"]["region"] == 1 and 'data-fpm-key="draw:region"' in legend_html(summary)


@pytest.mark.browser
def test_close_symbols_move_apart_with_leader_lines(gazetteer, artifacts, browser_page):
    page = _viewed(browser_page, gazetteer, "Europe", artifacts / "map_europe_declutter.html", (54, 18, 3))
    boxes = page.evaluate("Array.from(document.querySelectorAll('.fpm-symbol-icon svg')).map(e => {"
                          " const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    assert len(boxes) == 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1, (a, b)
    assert page.locator(".leaflet-fpm-selected-pane path").count() >= 2  # a leader line and its dot
    page.screenshot(path=str(artifacts / "map_europe_declutter.png"))
    assert browser_page.errors == []


def test_a_named_unit_or_ship_is_the_symbol_s_unique_designation(gazetteer):
    corps = make_event(gazetteer, 41, "basing", ["US"], ["country:PL"],
                       [Asset("permanent headquarters", "headquarters", "headquarters", None, None),
                        Asset("V Corps", "corps headquarters", "headquarters", None, None)], start="2022-06-29")
    bombers = sample_events(gazetteer)[0]
    assert (designation(corps), designation(bombers)) == ("V Corps", "")  # a type (B-52H) is not a unit's name
    payload, _ = event_payload([corps, bombers], gazetteer=gazetteer)
    assert [payload["strings"][g[12]] for g in payload["groups"]] == ["V Corps", ""]


@pytest.mark.browser
def test_a_ship_name_with_markup_is_drawn_as_text(gazetteer, artifacts, browser_page):
    ship = make_event(gazetteer, 42, "deployment", ["US"], ["installation:naval-station-rota"],
                      [Asset("USS <b onmouseover=x>Ross</b>", "destroyer", "surface combatant", 1, "ship:uss-ross")],
                      start="2022-06-29")
    page = _render(browser_page, build_map([ship], theatre="Europe", gazetteer=gazetteer, assets="file"),
                   artifacts / "map_designation.html")
    texts = page.evaluate("Array.from(document.querySelectorAll('.fpm-symbol-icon text')).map(t => t.textContent)")
    assert "USS <b onmouseover=x>Ro…" in texts  # cut to 24 characters, and written as text ...
    assert page.locator(".fpm-symbol-icon b").count() == 0  # ... never as markup
    assert browser_page.errors == []
