"""The event store on both backends: queries, ingest, curation with history, transactions, concurrency."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from pathlib import Path

import pytest
import shapely

from geo.errors import InputError, NoMatchError
from geo.events import Asset
from geo.extract.article import Article, read_article
from geo.store.factory import open_store
from geo.store.ingest import ingest_paths
from tests.store_helpers import make_event, run_python, same

pytest_plugins = ["tests.store_backends"]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def extractor(gazetteer):
    from geo.extract.extractor import default_extractor

    return default_extractor()


def _fill(store) -> None:
    events = [
        make_event("baltic", kind="patrol", lon=20.0, lat=56.0, start="2025-03-04", category="bomber", family="B-52",
                   count=2, country=None, sentence="Two B-52 bombers patrolled over the Baltic Sea."),
        make_event("rota", kind="basing", lon=-6.35, lat=36.64, start="2022-06-29", actors=["US"], partners=["ES"],
                   category="surface combatant", family="destroyer", count=6, country="ES"),
        make_event("japan", kind="exercise", lon=135.0, lat=40.0, start="2025-12-10", partners=["JP"],
                   category="bomber", family="B-52", count=None, country=None, status="observed"),
        make_event("guam", kind="deployment", lon=144.9, lat=13.58, start="2024-01-10", end="2024-03-01",
                   category="bomber", family="B-1", count=4, country="GU"),
        make_event("aleutian", kind="patrol", lon=-175.0, lat=52.0, start="2024-07-01", actors=["RU", "CN"],
                   category="bomber", family="Tu-95", count=2, country=None, status="announced"),
        make_event("undated", kind="basing", lon=10.0, lat=50.0, start=None, country="DE"),
    ]
    store.import_events(events, editor="test")


# -- queries -------------------------------------------------------------------------------------------
def test_query_filters_by_date_kind_actor_category_status_text(store):
    _fill(store)
    ids = lambda events: sorted(e.id for e in events)  # noqa: E731
    assert ids(store.query(active_on="2022-07-01")) == ["ev-rota"]
    # A basing with no end is ongoing; a patrol lasts its day; the deployment ends on its end date.
    assert ids(store.query(active_on=dt.date(2025, 3, 4))) == ["ev-baltic", "ev-rota"]
    assert ids(store.query(active_on="2025-03-05")) == ["ev-rota"]
    assert ids(store.query(active_on="2024-03-01")) == ["ev-guam", "ev-rota"]
    assert ids(store.query(active_on="2024-03-02")) == ["ev-rota"]
    # An exercise with no end stays active a week.
    assert ids(store.query(active_on="2025-12-16", kinds="exercise")) == ["ev-japan"]
    assert ids(store.query(active_on="2025-12-17", kinds="exercise")) == []
    assert ids(store.query(between=("2024-06-01", "2024-12-31"), kinds=["patrol", "deployment"])) == ["ev-aleutian"]
    assert ids(store.query(actors="jp")) == ["ev-japan"]  # partners count, codes are case-blind
    assert ids(store.query(actors=["CN"])) == ["ev-aleutian"]
    assert ids(store.query(categories="surface combatant")) == ["ev-rota"]
    assert ids(store.query(statuses="announced")) == ["ev-aleutian"]
    assert ids(store.query(text="b-52 BALTIC")) == ["ev-baltic"]
    assert ids(store.query(text="100%_")) == []  # LIKE wildcards are taken literally
    assert len(store.query()) == 6
    assert len(store.query(limit=2)) == 2
    # The undated event shows without date filters and never with them.
    assert "ev-undated" in ids(store.query(kinds="basing"))
    assert "ev-undated" not in ids(store.query(active_on="2030-01-01"))


def test_query_bbox_including_the_antimeridian_and_intersects_interiors(store):
    _fill(store)
    ids = lambda events: sorted(e.id for e in events)  # noqa: E731
    assert ids(store.query(bbox=(-10, 30, 30, 60))) == ["ev-baltic", "ev-rota", "ev-undated"]
    # West > east: a Pacific box across 180°.
    assert ids(store.query(bbox=(130, 0, -170, 60))) == ["ev-aleutian", "ev-guam", "ev-japan"]
    assert ids(store.query(bbox=(130, 0, -170, 60), between=("2024-01-01", "2024-12-31"))) == ["ev-aleutian", "ev-guam"]
    baltic = shapely.box(13, 53, 30, 66)
    neighbour = shapely.box(0, 45, 13, 66)  # shares the 13°E border with `baltic`
    store.add_event(make_event("sea", kind="patrol", geometry=baltic, start="2025-03-04", country=None), editor="t")
    assert ids(store.query(intersects=baltic)) == ["ev-baltic", "ev-sea"]
    assert ids(store.query(intersects=neighbour)) == ["ev-undated"]  # touching the border is not "in" the sea
    assert ids(store.query(intersects=baltic, active_on="2025-03-04", limit=1)) == ["ev-baltic"]
    with pytest.raises(InputError, match="bbox"):
        store.query(bbox=(0, 50, 10))
    with pytest.raises(InputError, match="south > north"):
        store.query(bbox=(0, 60, 10, 50))
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        store.query(active_on="March 2025")


def test_time_range_count_and_get(store):
    assert store.time_range() is None and store.count() == 0
    _fill(store)
    assert store.time_range() == (dt.date(2022, 6, 29), dt.date(2025, 12, 10))
    assert store.count() == 6
    assert store.get("ev-rota").partners == ["ES"]
    assert store.get("ev-nothing") is None


def test_start_days_are_the_days_live_events_start_with_the_filters(store):
    assert store.start_days() == []
    _fill(store)
    store.add_event(make_event("twin", kind="patrol", lon=20.5, lat=56.5, start="2025-03-09", country=None),
                    editor="t")
    store.add_event(make_event("gone", kind="patrol", lon=20.5, lat=56.5, start="2025-03-05", country=None),
                    editor="t")
    store.delete("ev-gone", editor="t")

    def reference(**filters) -> list[dt.date]:
        return sorted({dt.date.fromisoformat(e.start) for e in store.query(**filters) if e.start})

    days = store.start_days()
    assert days == reference() and len(days) == len(set(days)) and dt.date(2025, 3, 5) not in days
    baltic = shapely.box(13, 53, 30, 66)
    for filters in ({"kinds": "patrol"}, {"actors": ["RU"]}, {"statuses": "announced"}, {"bbox": (130, 0, -170, 60)},
                    {"intersects": baltic}, {"text": "no such words"}):
        assert store.start_days(**filters) == reference(**filters), filters
    assert store.start_days(intersects=baltic) and all(isinstance(d, dt.date) for d in store.start_days())


def test_actor_counts_count_live_events_per_country_as_actor_or_partner(store):
    assert store.actor_counts() == {}
    _fill(store)
    expected: dict[str, int] = {}
    for event in store.query():
        for code in {*event.actors, *event.partners}:
            expected[code] = expected.get(code, 0) + 1
    assert store.actor_counts() == expected and sum(expected.values()) > store.count()
    gone = store.query()[0]
    store.delete(gone.id, editor="t")
    after = store.actor_counts()
    assert all(after.get(code, 0) == expected[code] - 1 for code in {*gone.actors, *gone.partners})


def test_weekly_counts_group_by_the_monday_of_the_start_and_keep_the_filters(store):
    from geo.render.timeline import week_of, weekly_counts

    _fill(store)
    # Week edges: a Sunday joins its Monday's week, the next Monday starts a new one, New Year's Day
    # 2025 (a Wednesday) belongs to the week of Monday 30 December 2024; a retired event never counts.
    for key, start in (("sunday", "2025-03-09"), ("monday", "2025-03-10"), ("newyear", "2025-01-01"),
                       ("gone", "2025-03-05")):
        store.add_event(make_event(key, kind="patrol", lon=20.5, lat=56.5, start=start, country=None), editor="t")
    store.delete("ev-gone", editor="t")
    day = dt.date.fromisoformat
    assert store.weekly_counts() == [
        (day("2022-06-27"), "basing", 1), (day("2024-01-08"), "deployment", 1), (day("2024-07-01"), "patrol", 1),
        (day("2024-12-30"), "patrol", 1), (day("2025-03-03"), "patrol", 2), (day("2025-03-10"), "patrol", 1),
        (day("2025-12-08"), "exercise", 1),
    ]  # the undated basing belongs to no week
    counted = store.weekly_counts()[0]
    assert (counted.week, counted.kind, counted.events) == (day("2022-06-27"), "basing", 1)
    assert all(isinstance(c.week, dt.date) and c.week.weekday() == 0 and type(c.events) is int
               for c in store.weekly_counts())

    def reference(**filters) -> list[tuple[dt.date, str, int]]:
        """The same counts made in Python over `query`, as the timeline made them before."""
        frame = weekly_counts(store.query(**filters))
        return [(ts.date(), kind, int(n)) for ts, kind, n in frame.itertuples(index=False)]

    baltic = shapely.box(13, 53, 30, 66)
    for filters in ({}, {"kinds": "patrol"}, {"kinds": ["basing", "exercise"]}, {"actors": "jp"},
                    {"actors": ["RU"]}, {"categories": "bomber"}, {"statuses": "announced"}, {"text": "b-52 baltic"},
                    {"bbox": (130, 0, -170, 60)}, {"bbox": (-10, 30, 30, 60), "kinds": "patrol"},
                    {"intersects": baltic}, {"intersects": shapely.box(0, 45, 13, 66)}, {"text": "no such words"}):
        assert store.weekly_counts(**filters) == reference(**filters), filters
    assert store.weekly_counts(kinds="patrol", bbox=(130, 0, -170, 60)) == [(week_of(day("2024-07-01")), "patrol", 1)]
    assert store.weekly_counts(intersects=baltic) == [
        (day("2024-12-30"), "patrol", 1), (day("2025-03-03"), "patrol", 2), (day("2025-03-10"), "patrol", 1)]
    with pytest.raises(InputError, match="south > north"):
        store.weekly_counts(bbox=(0, 60, 10, 50))


# -- ingest --------------------------------------------------------------------------------------------
def test_ingest_seeds_then_reingest_changes_nothing(store, extractor):
    report = ingest_paths(store, [SEEDS], extractor=extractor)
    assert not report.failures
    totals = report.totals()
    assert totals["articles read"] == 3 and totals["new"] == 3
    assert totals["events found"] == totals["events added"] == store.count() > 0
    def state() -> tuple:
        return ({e.id: e.to_json() for e in store.query()}, store.history_size(),
                [a.content_hash for a in store.articles()])

    before = state()
    again = ingest_paths(store, [SEEDS], extractor=extractor)
    assert again.totals()["unchanged"] == 3 and again.totals()["events added"] == 0
    forced = ingest_paths(store, [SEEDS], extractor=extractor, force=True)
    assert forced.totals()["events updated"] == forced.totals()["events added"] == 0
    assert state() == before
    articles = {a.document: a for a in store.articles()}
    assert articles["001_faa9ce2b65bbefc6.txt"].published == "2022-06-29"
    # Every event traces back to its sentence in the stored article text.
    for event in store.query():
        trace = store.trace(event.id)
        assert trace.matches and trace.article is not None and trace.sentence in trace.article.text


def test_history_and_corrections_survive_reingest(store, extractor, tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    ingest_paths(store, [folder], extractor=extractor)
    events = store.query()
    corrected, deleted, kept, merged = events[0].id, events[1].id, events[2].id, events[3].id
    store.update(corrected, {"notes": "checked against the imagery", "assets": [Asset("B-52H", "B-52", "bomber", 3)]},
                 editor="alice")
    store.delete(deleted, editor="bob")
    store.merge(kept, [merged], editor="carol")
    snapshot = {e.id: e.to_json() for e in store.query()}

    # Same article, forced re-extraction; then a changed article (new metadata) re-extracted.
    ingest_paths(store, [folder], extractor=extractor, force=True)
    metadata = json.loads((folder / "articles.json").read_text())
    for name, entry in metadata.items():
        if not name.startswith("_"):
            entry["outlet"] = "Changed Outlet"
    (folder / "articles.json").write_text(json.dumps(metadata))
    report = ingest_paths(store, [folder], extractor=extractor)
    assert report.totals()["updated"] == 3 and report.totals()["kept as a person left them"] >= 4

    assert store.get(corrected).notes == "checked against the imagery"
    assert store.get(corrected).assets == [Asset("B-52H", "B-52", "bomber", 3)]
    assert store.get(deleted) is None and store.get(merged) is None
    assert store.get(kept).to_json() == snapshot[kept]
    machine = [e for e in store.query() if not e.edited]
    assert machine and all(e.source.outlet == "Changed Outlet" for e in machine)

    history = store.history(corrected)
    assert [c.action for c in history] == ["create", "update", "update"]
    update = {c.field: c for c in history if c.action == "update"}
    assert (update["notes"].editor, update["notes"].before) == ("alice", "")
    assert update["notes"].after.startswith("checked")
    assert update["assets"].after[0]["count"] == 3
    assert dt.datetime.fromisoformat(update["notes"].at.replace("Z", "+00:00")).year >= 2024
    assert [c.action for c in store.history(deleted)] == ["create", "delete"]
    assert store.history(deleted)[-1].before["id"] == deleted  # the whole event is kept in history
    assert any(c.field == "merged_into" and c.after == kept for c in store.history(merged))
    assert any(c.field == "merged_from" and c.after == [merged] for c in store.history(kept))


def test_changed_article_refreshes_and_retracts_machine_events_only(store):
    article = Article("a.txt", "Two B-52 bombers landed at RAF Fairford on Monday.", published="2024-05-01")
    first = [make_event("a1", document="a.txt"), make_event("a2", document="a.txt"), make_event("a3", document="a.txt")]
    assert store.ingest_article(article, first).added == 3
    store.update("ev-a3", {"notes": "a person looked"}, editor="dana")
    changed = Article("a.txt", "Four B-52 bombers landed at RAF Fairford on Monday.", published="2024-05-01")
    second = [make_event("a1", document="a.txt", count=9), make_event("a4", document="a.txt")]
    summary = store.ingest_article(changed, second)
    assert (summary.status, summary.added, summary.updated, summary.removed, summary.kept) == ("updated", 1, 1, 1, 0)
    assert store.get("ev-a1").assets[0].count == 9 and store.get("ev-a2") is None
    assert store.get("ev-a3").notes == "a person looked"  # not supported any more, but a person's: stays
    assert [c.action for c in store.history("ev-a2")] == ["create", "retract"]
    assert [(c.action, c.field) for c in store.history("ev-a1")] == [("create", None), ("reingest", "assets")]
    assert store.article("a.txt").text.startswith("Four B-52")


def test_an_invalid_event_writes_nothing_of_its_article(store):
    article = Article("bad.txt", "Two B-52 bombers landed at RAF Fairford on Monday.")
    good, bad = make_event("g", document="bad.txt"), make_event("b", lon=200.0, document="bad.txt")
    with pytest.raises(InputError, match="outside lon"):
        store.ingest_article(article, [good, bad])
    assert store.count() == 0 and store.articles() == [] and store.history_size() == 0


# -- curation ------------------------------------------------------------------------------------------
def test_update_validates_and_records_every_field(store):
    event = store.add_event(make_event("x"), editor="erin")
    assert event.edited
    with pytest.raises(InputError, match="cannot change"):
        store.update("ev-x", {"colour": "red"}, editor="erin")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        store.update("ev-x", {"start": "2024-13-45"}, editor="erin")
    with pytest.raises(InputError, match="before start"):
        store.update("ev-x", {"end": "2020-01-01"}, editor="erin")
    with pytest.raises(InputError, match="outside lon"):
        store.update("ev-x", {"geometry": {"type": "Point", "coordinates": [50.0, 100.0]}}, editor="erin")
    with pytest.raises(InputError, match="editor"):
        store.update("ev-x", {"notes": "anon"}, editor="")
    with pytest.raises(NoMatchError):
        store.update("ev-missing", {"notes": "x"}, editor="erin")
    assert store.history_size() == 1 and same(store.get("ev-x"), event)
    moved = store.update("ev-x", {"geometry": "POINT (11.5 48.1)", "end": dt.date(2024, 6, 1), "kind": "basing",
                                  "actors": "us, gb", "confidence": 0.9}, editor="erin")
    assert moved.geometry.equals(shapely.Point(11.5, 48.1))
    assert moved.end == "2024-06-01" and moved.actors == ["US", "GB"]
    fields = {c.field: c for c in store.history("ev-x") if c.action == "update"}
    assert set(fields) == {"geometry", "end", "kind", "actors", "confidence"}
    assert fields["geometry"].before == {"type": "Point", "coordinates": [10.0, 50.0]}
    assert fields["end"].before is None and fields["end"].after == "2024-06-01"
    with pytest.raises(InputError, match="already exists"):
        store.add_event(make_event("x"), editor="erin")
    manual = store.add_event(make_event("y").copy(id=""), editor="erin")
    assert manual.id.startswith("ev-manual-") and store.get(manual.id) is not None


def test_merge_and_delete(store):
    a = store.add_event(make_event("m1", count=2, start="2024-05-02"), editor="f")
    store.add_event(make_event("m2", count=5, start="2024-05-01", site="installation:other", lon=11, lat=51,
                               partners=["PL"]), editor="f")
    merged = store.merge(a.id, ["ev-m2"], editor="frank")
    assert merged.start == "2024-05-01" and merged.assets[0].count == 5 and merged.partners == ["PL"]
    assert {p.id for p in merged.places} == {"installation:site-m1", "installation:other"}
    assert merged.geometry.geom_type == "MultiPoint" and "merged ev-m2" in merged.notes
    assert [e.id for e in store.query()] == ["ev-m1"]
    with pytest.raises(NoMatchError):
        store.merge("ev-m1", ["ev-m2"], editor="frank")  # already merged away
    with pytest.raises(InputError):
        store.merge("ev-m1", ["ev-m1"], editor="frank")
    store.delete("ev-m1", editor="frank")
    assert store.count() == 0 and store.query() == []
    with pytest.raises(NoMatchError):
        store.delete("ev-m1", editor="frank")
    with pytest.raises(NoMatchError):
        store.trace("ev-m1")


# -- transactions and concurrency --------------------------------------------------------------------------
CRASH_SCRIPT = """
import os, sys
from geo.store.exchange import import_file
from geo.store.base import EventStore
from geo.store.factory import open_store

calls = 0
original = EventStore._put_event

def crash_half_way(self, cur, row):
    global calls
    calls += 1
    if calls > 20:
        os._exit(3)  # the process dies mid-transaction: no cleanup, no rollback call
    return original(self, cur, row)

EventStore._put_event = crash_half_way
import_file(open_store(sys.argv[1]), sys.argv[2], editor="crash")
"""


def test_a_crash_in_the_middle_of_an_import_leaves_the_store_as_it_was(store, store_url, tmp_path):
    from geo.store.exchange import export_events

    store.add_event(make_event("before"), editor="t")
    before = (store.count(), store.history_size(), store.get("ev-before").to_json())
    path = export_events([make_event(f"c{i}") for i in range(60)], tmp_path / "many.geojson")
    result = run_python(CRASH_SCRIPT, store_url, str(path))
    assert result.returncode == 3, result.stderr
    reopened = open_store(store_url)
    try:
        assert (reopened.count(), reopened.history_size(), reopened.get("ev-before").to_json()) == before
    finally:
        reopened.close()


WRITER_SCRIPT = """
import sys, time
from pathlib import Path
from geo.store.factory import open_store
from tests.store_helpers import make_event

url, tag, go, n = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = open_store(url)
while not go.exists():
    time.sleep(0.01)
for i in range(n):
    store.add_event(make_event(f"{tag}-{i}", lon=i % 90, lat=i % 45), editor=tag)
    store.update("ev-shared", {"notes": f"{tag} {i}"}, editor=tag)
store.close()
"""


def test_two_writer_processes_lose_nothing(store, store_url, tmp_path):
    import subprocess
    import sys

    store.add_event(make_event("shared"), editor="t")
    go = tmp_path / "go"
    n = 30
    env_root = str(ROOT)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, store_url, tag, str(go), str(n)], cwd=env_root,
                         env={**__import__("os").environ, "PYTHONPATH": env_root}, stderr=subprocess.PIPE, text=True)
        for tag in ("w1", "w2")
    ]
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    assert store.count() == 1 + 2 * n
    assert {e.id for e in store.query()} == {"ev-shared"} | {f"ev-w{w}-{i}" for w in (1, 2) for i in range(n)}
    updates = [c for c in store.history("ev-shared") if c.action == "update"]
    assert len(updates) == 2 * n
    assert sorted(c.after for c in updates) == sorted(f"w{w} {i}" for w in (1, 2) for i in range(n))
    # Each update's "before" is the previous update's "after": no write was lost in between.
    for previous, current in itertools.pairwise(updates):
        assert current.before == previous.after


# -- opening -------------------------------------------------------------------------------------------------
def test_open_store_urls_and_clear_errors(tmp_path, monkeypatch):
    path = tmp_path / "nested" / "events.sqlite"
    with open_store(f"sqlite:///{path}") as opened:  # four slashes: an absolute path
        assert path.exists() and opened.count() == 0
    monkeypatch.setenv("FPM_DATABASE_URL", str(path))
    with open_store() as opened:
        assert Path(opened.url.removeprefix("sqlite:///")) == path
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="not a usable event store"):
        open_store(junk)
    with pytest.raises(InputError, match="not understood"):
        open_store("mysql://somewhere/db")
    with pytest.raises(InputError, match="cannot connect"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    try:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    except InputError as err:
        assert "secret" not in str(err)


def test_default_store_lives_in_data_store_and_is_git_ignored():
    from geo.store.factory import DEFAULT_STORE_PATH

    assert DEFAULT_STORE_PATH == ROOT / "data" / "store" / "events.sqlite"
    ignore = (ROOT / "data" / "store" / ".gitignore").read_text()
    assert "*" in ignore.splitlines()


def test_read_article_of_seed_matches_stored_text(store, extractor):
    path = SEEDS / "002_7230f43d1c5252f7.txt"
    article = read_article(path)
    store.ingest_article(article, extractor.extract(article).events)
    assert store.article(article.document).text == article.text
