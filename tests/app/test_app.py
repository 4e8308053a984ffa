"""The map app's page logic: URL <-> view, panels, escaping, corrections, the add-article review,
and whole runs of the Streamlit script (streamlit.testing.v1.AppTest) against a seeded temporary store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.app.articles import article_name, events_frame, review_from_frame
from geo.app.map import PlaceIndex, fit_zoom, read_click, time_window_for_store
from geo.app.panels import banner_html, event_card_html, form_changes, safe_html
from geo.errors import InputError
from geo.export.view import View
from geo.render.timeline import weekly_counts

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
XSS_SENTENCE_MARKUP = "<img src=x onerror=alert(document.domain)>"
XSS_TEXT = (f"Four US Air Force B-52H bombers arrived at RAF Fairford on 3 March 2025 {XSS_SENTENCE_MARKUP} "
            "for a Bomber Task Force deployment.\n\nThe aircraft will stay for several weeks.")


def seed_store(path: Path) -> Path:
    """A store at `path` with the three seed articles and one article carrying markup in a sentence.

    The markup article is stored as extracted (not read from a file: the file reader would strip
    the tags as HTML), which is the worst case: raw markup in the sentence, outlet and headline."""
    from geo.extract.article import Article
    from geo.extract.extractor import default_extractor
    from geo.store.factory import open_store
    from geo.store.ingest import ingest_paths

    store = open_store(str(path))
    report = ingest_paths(store, [ROOT / "seeds"])
    assert not report.failures, report.failures
    article = Article(document="xss-test.txt", text=XSS_TEXT, published="2025-03-04",
                      outlet="Test <b>Outlet</b>", headline="Bombers <script>window.__xss=3</script> arrive")
    result = default_extractor().extract(article)
    assert result.events and XSS_SENTENCE_MARKUP in result.events[0].source.sentence
    store.ingest_article(article, result.events)
    store.close()
    return path


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory) -> Path:
    return seed_store(tmp_path_factory.mktemp("app-store") / "events.sqlite")


# -- view <-> URL ----------------------------------------------------------------------------------
def test_view_round_trips_through_the_url():
    view = View(theatre="Baltic", perspective="NATO", mode="range", start=dt.date(2025, 3, 1),
                end=dt.date(2025, 3, 31), kinds=("patrol",), actors=("US", "RU"), text="B-52", place="sea:baltic-sea",
                present=True, title="Baltic brief <b>", caveat="Open sources only")
    query = view.link()
    assert query["theatre"] == "Baltic" and query["from"] == "2025-03-01" and "asof" not in query
    assert View.from_link(query) == view


def test_bad_links_fall_back_to_defaults():
    view = View.from_link({"theatre": "Atlantis", "persp": "Martian", "asof": "2025-13-40", "kind": "patrol,bogus",
                       "actor": "US,<script>", "present": "maybe", "utm": "x"})
    assert view.theatre == "World" and view.perspective == "neutral" and view.as_of is None
    assert view.kinds == ("patrol",) and view.actors == ("US",) and not view.present
    assert view.link() == {"kind": "patrol", "actor": "US", "utm": "x"}  # unknown keys survive


def test_dates_are_kept_inside_the_store_range():
    first, last = dt.date(2022, 6, 29), dt.date(2025, 12, 11)
    view = View(as_of=dt.date(2030, 1, 1), start=dt.date(2026, 1, 1), end=dt.date(2020, 1, 1)).with_dates(first, last)
    assert view.as_of == last and view.start == first and view.end == last


# -- panels and escaping -----------------------------------------------------------------------------
def test_safe_html_leaves_no_markup_markdown_or_latex():
    text = safe_html('<img src=x onerror="a"> ![t](http://x/y.png) [l](javascript:1) $x$ :red[b] `c`\nnext')
    for active in ("<img", "![", "](", "$x$", ":red[", "`", "\n"):
        assert active not in text
    assert "&#60;img src&#61;x" in text and "<br>" in text


def test_cards_and_banner_escape_article_and_user_text(gazetteer):
    from tests.map_fixtures import XSS, sample_events

    event = sample_events(gazetteer)[0]
    card = event_card_html(event, {"US": "United States"})
    assert "<img" not in card and "<script" not in card and "&#60;img" in card
    assert "Four B-52H bombers arrived at RAF Fairford" in card and "United States" in card
    assert XSS not in banner_html(XSS, XSS, "As of 2024-03-01") and "<script" not in banner_html(XSS, XSS, "x")


def test_correction_form_sends_only_what_changed(gazetteer):
    from tests.map_fixtures import sample_events

    event = sample_events(gazetteer)[0]
    same = {"kind": event.kind, "status": event.status, "actors": "US", "partners": "", "time_precision": "day",
            "start": dt.date.fromisoformat(event.start), "end": dt.date.fromisoformat(event.end),
            "confidence": event.confidence, "notes": "", "counts": [4]}
    assert form_changes(event, same) == {}
    changed = form_changes(event, {**same, "actors": "us, gb", "end": None, "counts": [5], "notes": "checked"})
    assert changed["actors"] == ["US", "GB"] and changed["end"] is None and changed["notes"] == "checked"
    assert changed["assets"][0].count == 5 and changed["assets"][0].name == "B-52H"
    # The exercise's name, spaces tidied; the card shows it escaped
    named = form_changes(event, {**same, "name": "  Baltops   25 <b> "})
    assert named == {"name": "Baltops 25 <b>"}
    card = event_card_html(event.copy(name=named["name"]))
    assert "Baltops 25 &#60;b&#62;" in card and "<b>" not in card.replace('<b class="name">', "").replace("</b>", "")


def test_clicks_become_places(gazetteer):
    index = PlaceIndex(gazetteer)
    assert index.places_at(57.5, 19.2)[0].id == "sea:baltic-sea"
    assert index.places_at(55.3, 23.9)[0].id == "country:LT"  # inside Lithuania; regions after it
    fairford = gazetteer["installation:raf-fairford"]
    assert index.site_at(fairford.lat + 0.001, fairford.lon).id == fairford.id
    first = {"last_clicked": {"lat": 57.5, "lng": 19.2}, "last_object_clicked": None}
    click = read_click(first, None)
    assert click is not None and not click.on_symbol and read_click(first, first) is None
    symbol = {**first, "last_object_clicked": {"lat": 51.68, "lng": -1.79}}
    assert read_click(symbol, first).on_symbol  # the map click did not change: a marker swallowed it


def test_zoom_and_large_store_window():
    assert fit_zoom((9.4, 53.6, 30.2, 65.9)) in (4, 5)
    assert fit_zoom((-6.3, 36.6, -6.3, 36.6)) == 11
    assert time_window_for_store(500, (dt.date(2025, 3, 5), dt.date(2025, 3, 5))) is None
    window = time_window_for_store(100_000, (dt.date(2025, 3, 5), dt.date(2025, 11, 20)))
    assert window == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_weekly_counts_start_on_monday(gazetteer):
    from tests.map_fixtures import sample_events

    counts = weekly_counts(sample_events(gazetteer))
    assert counts["events"].sum() == 10
    assert all(ts.weekday() == 0 for ts in counts["week"])


def test_timeline_counts_from_the_store_equal_a_count_over_its_events(seeded_store):
    """The app's timeline is counted by the store's SQL; it must match counting the events in Python."""
    import pandas as pd

    from geo.app import data as app_data
    from geo.store.factory import open_store

    url = str(seeded_store)
    store = open_store(url)
    try:
        version = app_data.store_version(store)
        for filters in ((), (), (), (), ""), (("patrol",), (), (), (), ""), ((), ("US",), ("bomber",), (), "b-52"):
            got = app_data.timeline_counts(url, version, filters)
            expected = weekly_counts(store.query(**app_data._query_args(filters)))
            pd.testing.assert_frame_equal(got, expected)
            assert list(got.columns) == ["week", "kind", "events"] and all(ts.weekday() == 0 for ts in got["week"])
        every = app_data.timeline_counts(url, version, ((), (), (), (), ""))
        assert every["events"].sum() == sum(1 for e in store.query() if e.start) > 0
    finally:
        store.close()


def test_review_table_applies_the_reviewers_edits(gazetteer):
    from tests.map_fixtures import sample_events

    events = sample_events(gazetteer)[:3]
    frame = events_frame(events)
    frame.loc[0, "keep"] = False
    frame.loc[1, "status"] = "announced"
    frame.loc[2, "actors"] = "US, NO"
    review = review_from_frame(events, frame)
    assert [e.id for e in review.events] == [events[1].id, events[2].id]
    assert review.changes == {events[1].id: {"status": "announced"}, events[2].id: {"actors": ["US", "NO"]}}
    frame.loc[2, "actors"] = "United States"
    with pytest.raises(InputError, match="row 3"):
        review_from_frame(events, frame)
    assert article_name("text", "../../etc/passwd") == "etc-passwd.txt"
    assert article_name("some text").startswith("added-")


# -- the script itself ------------------------------------------------------------------------------
def _app(seeded_store: Path, monkeypatch, query: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FPM_DATABASE_URL", str(seeded_store))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_page_opens_from_a_link_and_writes_the_view_back(seeded_store, monkeypatch):
    at = _app(seeded_store, monkeypatch, {"theatre": "Baltic", "asof": "2025-03-10", "place": "sea:baltic-sea"})
    assert not at.exception, at.exception
    assert at.selectbox(key="w_theatre").value == "Baltic"
    assert at.slider(key="w_asof").value == dt.date(2025, 3, 10)
    panel = " ".join(m.value for m in at.markdown)
    assert "Baltic Sea" in panel and "Two American B-52 bombers have conducted an extensive patrol" in panel
    at.multiselect(key="w_kinds").select("patrol").run()
    assert at.query_params["kind"] == "patrol" and at.query_params["theatre"] == "Baltic"
    at.segmented_control(key="w_mode").set_value("range").run()
    assert at.query_params["mode"] == "range" and "from" in at.query_params


def test_article_markup_is_escaped_in_the_panel(seeded_store, monkeypatch):
    at = _app(seeded_store, monkeypatch, {"asof": "2025-03-10", "place": "installation:raf-fairford"})
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "Four US Air Force B-52H bombers arrived" in shown
    assert "<img" not in shown and "<script" not in shown and "&#60;img src&#61;x" in shown


def test_presentation_mode_and_stepping(seeded_store, monkeypatch):
    at = _app(seeded_store, monkeypatch, {"asof": "2025-03-10", "present": "1", "title": "Brief <i>x</i>"})
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "fpm-banner" in shown and "Brief &#60;i&#62;x" in shown and 'stSidebar"]' in shown
    at.button(key="b_fwd").click().run()
    assert at.slider(key="w_asof").value == dt.date(2025, 3, 17)
    at.button(key="b_back").click().run()
    at.button(key="b_back").click().run()
    assert at.slider(key="w_asof").value == dt.date(2025, 3, 3)
    assert at.query_params["asof"] == "2025-03-03"


def test_event_details_and_correction(seeded_store, tmp_path, monkeypatch):
    import shutil

    from geo.store.factory import open_store

    copy = tmp_path / "events.sqlite"
    shutil.copyfile(seeded_store, copy)
    store = open_store(str(copy))
    patrol = next(e for e in store.query(kinds="patrol") if "baltic" in e.places[0].id)
    store.close()
    at = _app(copy, monkeypatch, {"asof": "2025-03-10", "place": "sea:baltic-sea", "ev": patrol.id})
    assert not at.exception
    assert any(patrol.id in str(df.value.values) for df in at.dataframe)
    form_inputs = [t for t in at.text_input if t.label.startswith("Actors")]
    form_inputs[0].input("US, GB")
    at.text_input(key="editor_name").input("Test Analyst")
    at.button[[b.label for b in at.button].index("Save correction")].click().run()
    assert not at.exception
    store = open_store(str(copy))
    updated = store.get(patrol.id)
    assert updated.actors == ["US", "GB"] and updated.edited
    assert any(c.editor == "Test Analyst" and c.field == "actors" for c in store.history(patrol.id))
    store.close()


def test_maps_are_published_as_static_files(tmp_path, gazetteer):
    import json

    import folium

    from geo.app.map import MAP_FILES_URL, publish_file, publish_script, render_map
    from geo.render.mapping import build_map

    url = publish_file('{"a": 1}', "json", tmp_path)
    assert url == publish_file('{"a": 1}', "json", tmp_path)  # named by content: written once
    assert url.startswith(MAP_FILES_URL + "/") and (tmp_path / url.rsplit("/", 1)[1]).read_text() == '{"a": 1}'
    assert (tmp_path / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed by accident
    script_url, key = publish_script("var map_div = 1;", tmp_path)
    text = (tmp_path / script_url.rsplit("/", 1)[1]).read_text()
    assert json.dumps(key) in text and json.dumps("var map_div = 1;") in text
    # the app's map: the component gets a few kB; the megabytes are in files (basemap, events, scripts)
    fmap = build_map([], theatre="Baltic", gazetteer=gazetteer, assets="streamlit", serve_data=publish_file)
    spec = render_map(fmap, theatre="Baltic", events=0)
    assert len(spec.script) < 200 and "FPM_SCRIPTS" in spec.script
    assert all(link.startswith(MAP_FILES_URL) for link in spec.js_links) and len(spec.js_links) == 2
    inline = render_map(build_map([], theatre="Baltic", gazetteer=gazetteer, assets="streamlit"), theatre="Baltic",
                        events=0, static_files=False)
    assert "FeatureCollection" in inline.script and isinstance(fmap, folium.Map)


def test_a_correction_based_on_an_old_version_is_refused(seeded_store, tmp_path, monkeypatch):
    """Two analysts correct the same event: the second save, drawn before the first landed, is
    refused with a clear message and the first analyst's value stays (issue 13, item 9)."""
    import shutil

    from geo.store.factory import open_store

    copy = tmp_path / "events.sqlite"
    shutil.copyfile(seeded_store, copy)
    store = open_store(str(copy))
    patrol = next(e for e in store.query(kinds="patrol") if "baltic" in e.places[0].id)
    at = _app(copy, monkeypatch, {"asof": "2025-03-10", "place": "sea:baltic-sea", "ev": patrol.id})
    assert not at.exception
    store.update(patrol.id, {"notes": "checked by analyst one"}, editor="Analyst One")  # lands meanwhile
    store.close()
    at.text_area[[t.label for t in at.text_area].index("Notes")].input("my own note")
    at.text_input(key="editor_name").input("Analyst Two")
    at.button[[b.label for b in at.button].index("Save correction")].click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Not saved" in errors and "changed by someone else" in errors
    store = open_store(str(copy))
    assert store.get(patrol.id).notes == "checked by analyst one"
    assert [c.editor for c in store.history(patrol.id) if c.field == "notes"] == ["Analyst One"]
    store.close()


def test_store_problems_are_one_message_and_reads_never_wait(seeded_store, tmp_path, monkeypatch):
    """A file that is not a store gives a message, not a traceback; a writer holding the store's lock
    does not stop the map page from reading it (issue 13, item 8)."""
    import sqlite3

    not_a_store = tmp_path / "notes.sqlite"
    not_a_store.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    at = _app(not_a_store, monkeypatch)
    assert not at.exception, at.exception
    assert "not a usable event store" in " ".join(e.value for e in at.error)
    writer = sqlite3.connect(seeded_store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        at = _app(seeded_store, monkeypatch, {"asof": "2025-03-10", "place": "sea:baltic-sea"})
        assert not at.exception, at.exception
        assert "Two American B-52 bombers have conducted an extensive patrol" in " ".join(m.value for m in at.markdown)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_add_article_extraction_is_time_boxed(tmp_path, monkeypatch):
    """The Add-article request cannot keep a server thread busy: past its budget (shortened here)
    the extraction stops with a message saying how to read the article fully (issue 13, item 2)."""
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import geo.app.pages

        geo.app.pages.EXTRACTION_BUDGET_S = 0.2
        geo.app.pages.add_article_page()

    monkeypatch.setenv("FPM_DATABASE_URL", str(tmp_path / "events.sqlite"))
    at = AppTest.from_function(page, default_timeout=120).run()
    long_text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))) * 40
    at.text_area(key="a_text").input(long_text)
    at.button[[b.label for b in at.button].index("Extract events")].click().run()
    assert not at.exception, at.exception
    message = " ".join(e.value for e in at.error)
    assert "was stopped after" in message and "python -m geo ingest" in message
