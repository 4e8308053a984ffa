"""Article and user text never reaches a Jinja template compile (issue 13, RELIABILITY.md F1).

branca compiles every element's rendered text once more as a template, so a "{{ ... }}" in an
event's sentence used to run on the server (it created folders, read `id`) on every surface that
draws a map: saved HTML, the app's map, PNG snapshots, briefing decks, the export menu. Each test
here puts template syntax into every text field a surface shows (sentence, places, actors, assets,
headline, outlet, document, notes, the view's title and caveat) and checks, on that surface:
- nothing ran: a `os.mkdir` payload left no folder (the working directory is a fresh tmp_path),
  and an expression that would print a marker word never printed it;
- the map still drew, even with a `{% for %}` that would not compile;
- the text is shown literally: the strings the browser receives decode back to what was written.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from geo.events import Asset, Event, EventPlace, EventSource
from geo.export.view import View
from tests.map_fixtures import make_event

from .test_app import seed_store

PROBE = "fpm_ssti_probe"
MARKER = "fpm_was_evaluated"
# Every payload is harmless as text; evaluated by Jinja, the first creates ./fpm_ssti_probe, the
# second prints fpm_was_evaluated (a word the text itself never contains), the third does not compile.
RUN_CODE = "{{ cycler.__init__.__globals__.os.mkdir(dict(" + PROBE + "=1)|first) }}"
PRINT_MARKER = "{{ dict(fpm_was=1)|first ~ dict(_evaluated=1)|first }}"
STATEMENT = "{% for x in y %}"
HOSTILE = f"{RUN_CODE} {{{{7*7}}}} {PRINT_MARKER} {STATEMENT} {{# note #}} 100% {{%- raw %}}"
# Without the statements that cannot compile: what an attacker who wants the code to run writes.
COMPILING = f"{RUN_CODE} {{{{7*7}}}} {PRINT_MARKER}"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> Any:
    """Each test runs in a fresh folder; a payload that ran would leave its folder there."""
    monkeypatch.chdir(tmp_path)
    yield
    assert not (tmp_path / PROBE).exists(), "a template payload ran on the server"


def assert_not_evaluated(text: str) -> None:
    """No template printed the marker."""
    assert MARKER not in text


def hostile_event(gazetteer, n: int = 90, *, actors: list[str] | None = None, text: str = HOSTILE) -> Event:
    """A bomber deployment at RAF Fairford with template syntax in every text field."""
    base = make_event(gazetteer, n, "deployment", ["US"], ["installation:raf-fairford"],
                      [Asset("B-52H", "B-52", "bomber", 2, "asset:b-52h")], start="2025-03-03",
                      sentence="Two B-52H bombers arrived at RAF Fairford " + text)
    place = base.places[0]
    return base.copy(
        actors=actors or ["US"],
        places=[EventPlace(id=place.id, name=f"{place.name} {text}", kind=place.kind, role=place.role,
                           text=text, country=place.country)],
        assets=[Asset(name=f"B-52H {text}", family="B-52", category="bomber", count=2,
                      catalogue_id="asset:b-52h", app6=text, text=text)],
        source=EventSource(document=f"ssti-{n}.txt", sentence=base.source.sentence, start=0, end=10,
                           outlet=f"Outlet {text}", headline=f"Headline {text}", published="2025-03-03"),
        notes=text,
    )


def hostile_patrol(gazetteer, *, text: str = HOSTILE) -> Event:
    """A patrol area over the Baltic Sea, drawn as a shape (another path through the payload)."""
    sea = gazetteer["sea:baltic-sea"]
    base = make_event(gazetteer, 91, "patrol", ["US"], ["sea:baltic-sea"],
                      [Asset("B-52H", "B-52", "bomber", 2, "asset:b-52h")], start="2025-03-03",
                      geometry=sea.geometry, sentence="Two B-52s patrolled the Baltic Sea " + text)
    return base.copy(places=[EventPlace(id=sea.id, name=f"Baltic Sea {text}", kind="sea")])


def hostile_view(*, text: str = HOSTILE) -> View:
    return View.make(theatre="Europe", as_of="2025-03-10", title=f"Brief {text}", caveat=text)


def event_layer_payload(page: str) -> dict[str, Any]:
    """The EventLayer's payload as the browser parses it (a JSON text inside a JS string)."""
    found = re.search(r'JSON\.parse\(("(?:[^"\\]|\\.)*")\)', page)
    assert found, "no event layer in the page"
    return json.loads(json.loads(found.group(1)))


def shown_texts(payload: dict[str, Any]) -> list[str]:
    """Every popup and tooltip text of the payload, as the page displays it (markup decoded)."""
    strings = payload["strings"]
    texts = [strings[g[7]] for g in payload["groups"]]
    for row in payload["info"]:
        texts.extend(strings[v] if isinstance(v, int) else v for v in row)
    return [html.unescape(t) for t in texts]


def assert_shown_literally(payload: dict[str, Any], *, fields: int) -> None:
    """`fields` of the payload's texts carry the hostile text exactly as written."""
    carrying = [t for t in shown_texts(payload) if HOSTILE in t]
    assert len(carrying) >= fields, shown_texts(payload)


# -- library surfaces: folium map, the app's component strings, snapshot page, standalone page -------
def test_saved_map_html_shows_template_syntax_as_text(gazetteer):
    from geo.render.mapping import build_map

    events = [hostile_event(gazetteer), hostile_patrol(gazetteer), hostile_event(gazetteer, 92, actors=["GB"])]
    fmap = build_map(events, theatre="Europe", gazetteer=gazetteer, title=f"Legend {HOSTILE}")
    page = fmap.get_root().render()
    assert_not_evaluated(page)
    payload = event_layer_payload(page)
    assert len(payload["groups"]) == 3 and len(payload["info"]) == 3  # every event drawn
    # per deployment: title, actors, assets, places, sentence, source; the patrol: title, places, sentence
    assert_shown_literally(payload, fields=13)
    legend = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', page)
    assert legend and f"Legend {HOSTILE}" in html.unescape(json.loads(legend.group(1)))


def test_app_component_strings_carry_the_text_literally(gazetteer):
    from geo.app.map import render_map
    from geo.render.mapping import build_map

    fmap = build_map([hostile_event(gazetteer), hostile_patrol(gazetteer)], theatre="Europe", gazetteer=gazetteer,
                     title=HOSTILE)
    spec = render_map(fmap, theatre="Europe", events=2, static_files=False)
    for part in (spec.script, spec.header, spec.html):
        assert_not_evaluated(part)
    assert_shown_literally(event_layer_payload(spec.script), fields=8)


def test_snapshot_page_and_standalone_page(gazetteer):
    from geo.export.png import SIZES, build_snapshot_html
    from geo.export.standalone import standalone_html

    events = [hostile_event(gazetteer), hostile_patrol(gazetteer)]
    snapshot_page = build_snapshot_html(events, hostile_view(), size=SIZES["slide"], gazetteer=gazetteer)
    assert_not_evaluated(snapshot_page)
    assert_shown_literally(event_layer_payload(snapshot_page), fields=8)
    page, record = standalone_html(events, hostile_view(), gazetteer=gazetteer)
    assert_not_evaluated(page)
    assert record["view"]["title"] == f"Brief {HOSTILE}"
    title = re.search(r"<title>(.*?)</title>", page, flags=re.DOTALL)
    assert title and html.unescape(title.group(1)).startswith(f"Brief {HOSTILE} — ")
    embedded = re.search(r'<script type="application/json" id="fpm-export">(.*?)</script>', page, flags=re.DOTALL)
    assert embedded and json.loads(embedded.group(1))["view"]["caveat"] == HOSTILE
    assert_shown_literally(event_layer_payload(page), fields=8)


@pytest.mark.parametrize("surface", ["saved map", "app component", "snapshot page", "standalone page"])
def test_code_in_the_text_never_runs(gazetteer, surface):
    """The payload alone, which compiles: evaluated, it would create ./fpm_ssti_probe (checked after
    each test) and print the marker."""
    from geo.app.map import render_map
    from geo.export.png import SIZES, build_snapshot_html
    from geo.export.standalone import standalone_html
    from geo.render.mapping import build_map

    events = [hostile_event(gazetteer, text=COMPILING), hostile_patrol(gazetteer, text=COMPILING)]
    if surface == "saved map":
        page = build_map(events, theatre="Europe", gazetteer=gazetteer, title=COMPILING).get_root().render()
    elif surface == "app component":
        spec = render_map(build_map(events, theatre="Europe", gazetteer=gazetteer, title=COMPILING),
                          theatre="Europe", events=2, static_files=False)
        page = spec.header + spec.html + spec.script
    elif surface == "snapshot page":
        page = build_snapshot_html(events, hostile_view(text=COMPILING), size=SIZES["slide"], gazetteer=gazetteer)
    else:
        page = standalone_html(events, hostile_view(text=COMPILING), gazetteer=gazetteer)[0]
    assert_not_evaluated(page)
    assert sum(COMPILING in t for t in shown_texts(event_layer_payload(page))) >= 8


def test_the_escapes_change_nothing_a_reader_sees():
    from geo.render.elements import html_text, safe_json

    value = {"a": [HOSTILE, "{}", "{{", "%}", "50%", "{\"nested\": 1}"], "b": {"c": {"d": HOSTILE}}}
    text = safe_json(value)
    assert json.loads(text) == value  # the same values once parsed
    assert not re.search(r"\{[{%#]", text)  # and no Jinja opener left in the JSON text
    for sample in (HOSTILE, "a{{b}}c{%d%}e{#f#}", "{", "%"):
        escaped = html_text(sample)
        assert html.unescape(escaped) == sample
        assert not re.search(r"[{}%<>]", escaped)


def test_an_inland_view_draws_without_any_sea(gazetteer):
    """Switzerland's box holds no sea: the sea layer is left out instead of failing (F10)."""
    from geo.export.png import SIZES, build_snapshot_html
    from geo.render.mapping import build_map

    event = make_event(gazetteer, 93, "exercise", ["CH"], ["country:CH"], [], start="2025-03-03")
    page = build_map([event], theatre=(5.0, 47.0, 6.0, 48.0), gazetteer=gazetteer).get_root().render()
    assert len(event_layer_payload(page)["groups"]) == 1
    view = View.make(bounds=(5.0, 47.0, 6.0, 48.0), as_of="2025-03-10")
    snapshot_page = build_snapshot_html([event], view, size=SIZES["slide"], gazetteer=gazetteer)
    assert len(event_layer_payload(snapshot_page)["groups"]) == 1


# -- the app and the CLI, on a store holding such an event -----------------------------------------
@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, gazetteer) -> Path:
    """The seeded app store plus one article whose text, outlet and headline carry the payloads,
    extracted as the Add-article page would, and one event with payloads in every text field."""
    from geo.extract.article import Article
    from geo.extract.extractor import default_extractor
    from geo.store.factory import open_store

    path = seed_store(tmp_path_factory.mktemp("ssti-store") / "events.sqlite")
    store = open_store(str(path))
    article = Article(document="ssti-article.txt", published="2025-03-04", outlet=f"Outlet {HOSTILE}",
                      headline=f"Headline {HOSTILE}",
                      text=f"Four US Air Force B-52H bombers arrived at RAF Fairford on 3 March 2025. {HOSTILE}")
    result = default_extractor().extract(article)
    assert result.events
    store.ingest_article(article, result.events)
    store.add_event(hostile_event(gazetteer), editor="ssti test")
    store.close()
    return path


def test_app_map_page_with_template_syntax_in_the_store(hostile_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FPM_DATABASE_URL", str(hostile_store))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "streamlit_app.py"), default_timeout=90)
    at.query_params.update({"theatre": "Europe", "asof": "2025-03-10", "place": "installation:raf-fairford",
                            "title": f"Brief {HOSTILE}"})
    at.run()
    assert not at.exception, at.exception
    shown = html.unescape(" ".join(m.value for m in at.markdown))
    assert "Two B-52H bombers arrived at RAF Fairford " + HOSTILE in shown  # the side panel's card
    assert_not_evaluated(shown)


def test_cli_snapshot_html_of_that_store(hostile_store, tmp_path):
    from geo.cli.program import main

    out = tmp_path / "map.html"
    view = "theatre=Europe&asof=2025-03-10&title=" + quote(HOSTILE, safe="")
    assert main(["snapshot", "--database", str(hostile_store), "-o", str(out), "--view", view]) == 0
    page = out.read_text(encoding="utf-8")
    assert_not_evaluated(page)
    assert_shown_literally(event_layer_payload(page), fields=6)


# -- in a real browser: the PNG, the deck and the offline page show the text ------------------------
@pytest.mark.browser
def test_export_menu_png_deck_and_offline_page(hostile_store, gazetteer, browser, tmp_path):
    import io

    from pptx import Presentation

    from geo.app.exports import EXPORT_KINDS, prepare_export
    from geo.store.factory import open_store

    store = open_store(str(hostile_store))
    view = View(theatre="Europe", as_of=dt.date(2025, 3, 10), title=f"Brief {HOSTILE}", caveat=HOSTILE)
    files = {label: prepare_export(store, view, label, gazetteer=gazetteer) for label, (what, option)
             in EXPORT_KINDS.items() if (what, option) in (("png", "slide"), ("pptx", ""), ("html", ""))}
    store.close()
    png, deck, page = (next(f for f in files.values() if f.file_name.endswith(s)) for s in (".png", ".pptx", ".html"))
    assert png.data.startswith(b"\x89PNG") and len(png.data) > 50_000  # a drawn map, not an error page
    slide_texts = [shape.text_frame.text for slide in Presentation(io.BytesIO(deck.data)).slides
                   for shape in slide.shapes if shape.has_text_frame]
    assert any(HOSTILE in text for text in slide_texts), slide_texts
    target = tmp_path / page.file_name
    target.write_bytes(page.data)
    tab = browser.new_page(viewport={"width": 1280, "height": 800})
    tab.goto(target.as_uri())
    tab.wait_for_function("window.FPM_SLIDER !== undefined", timeout=20000)
    assert tab.evaluate("document.title").startswith(f"Brief {HOSTILE}")
    assert tab.locator("#fpm-slider .title").inner_text() == f"Brief {HOSTILE}"
    assert tab.locator(".fpm-symbol-icon").count() > 0
    tab.evaluate("""(() => { const ctrl = window.FPM_LAST; let best = null;
        ctrl.symbols.eachLayer(l => { if (!best || l._fpm.n > best._fpm.n) best = l; });
        ctrl.symbols.eachLayer(l => { const p = l.getLatLng();
          if (Math.abs(p.lat - 51.682) + Math.abs(p.lng + 1.79) < 0.05) best = l; });
        best.openPopup(); })()""")
    tab.wait_for_selector(".fpm-popup", timeout=10000)
    assert HOSTILE in tab.locator(".fpm-popup").inner_text()
    tab.close()


# -- property-based: any text in any field --------------------------------------------------------
TEMPLATE_PIECES = ["{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "raw", "endraw", "for x in y", "7*7", "%",
                   "{", "}", "\\", "\"", "'", "<", ">", "&", "</script>", "\u2028", "\x00", "\x0b"]


def _hostile_texts():
    from hypothesis import strategies as st

    return st.lists(st.one_of(st.sampled_from(TEMPLATE_PIECES), st.text(max_size=8)), max_size=12).map("".join)


def test_any_text_in_any_field_is_drawn_literally(gazetteer):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from geo.render.mapping import build_map

    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(texts=st.lists(_hostile_texts(), min_size=1, max_size=3), title=_hostile_texts())
    def check(texts: list[str], title: str) -> None:
        events = [hostile_event(gazetteer, 100 + n, text=text) for n, text in enumerate(texts)]
        page = build_map(events, theatre="Europe", gazetteer=gazetteer, title=title, basemap=False).get_root().render()
        shown = shown_texts(event_layer_payload(page))
        for text in texts:  # the sentence, as the popup shows it (control characters included)
            assert f"Two B-52H bombers arrived at RAF Fairford {text}" in shown

    check()
