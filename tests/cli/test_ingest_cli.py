"""`python -m geo ingest / export / import`: summaries, skipped files, one-sentence errors, both backends."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from geo.cli.program import main
from geo.store.factory import open_store

pytest_plugins = ["tests.store_backends"]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def articles(tmp_path: Path, gazetteer) -> Path:
    """The seeds plus a file that is not an article and an empty one, in a nested folder."""
    folder = tmp_path / "inbox"
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "scan.txt").write_bytes(b"%PDF-1.7 binary")
    (folder / "empty.txt").write_text("   \n")
    return folder


def test_ingest_reports_and_skips_bad_files_and_reingest_changes_nothing(store_url, articles, capsys):
    code = main(["ingest", str(articles), str(articles / "missing.txt"), "--database", store_url])
    out, err = capsys.readouterr()
    assert code == 2  # some files were skipped; the rest went in
    assert "skipped" in err and "scan.txt" in err and "a PDF document" in err and "missing.txt" in err
    assert "empty.txt" in err
    assert "Traceback" not in err
    assert "articles read 3 (new 3, updated 0, unchanged 0)" in out and "files skipped 3" in out
    assert "places unresolved" in out
    with open_store(store_url) as store:
        count, history = store.count(), store.history_size()
    assert count > 0

    assert main(["ingest", str(articles / "seeds"), "--database", store_url]) == 0
    out, _ = capsys.readouterr()
    assert "articles read 3 (new 0, updated 0, unchanged 3)" in out and "added 0" in out
    with open_store(store_url) as store:
        assert (store.count(), store.history_size()) == (count, history)


def test_export_then_import_through_the_cli(store_url, new_store_url, articles, tmp_path, capsys):
    main(["ingest", str(articles / "seeds"), "--database", store_url, "--quiet"])
    capsys.readouterr()
    with open_store(store_url) as store:
        total = store.count()
        patrols = len(store.query(kinds="patrol", between=("2025-01-01", "2025-12-31")))
    for fmt in ("geojson", "csv", "kml", "gpkg"):
        out_file = tmp_path / f"all.{fmt}"
        assert main(["export", "-o", str(out_file), "--database", store_url]) == 0
        assert f"wrote {total} events" in capsys.readouterr().out
        copy = new_store_url()
        assert main(["import", str(out_file), "--database", copy, "--editor", "hana"]) == 0
        assert f"{total} added" in capsys.readouterr().out
    filtered = tmp_path / "patrols.json"
    assert main(["export", "--format", "geojson", "-o", str(filtered), "--database", store_url, "--kind", "patrol",
                 "--from", "2025-01-01", "--to", "2025-12-31", "--bbox=-180,-90,180,90"]) == 0
    assert len(json.loads(filtered.read_text())["features"]) == patrols > 0


def test_cli_errors_are_one_sentence(store_url, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,kind,geo_precision,source_document,source_sentence,geometry\n"
                   "ev-1,patrol,3,a.txt,Seen.,POINT (10 95)\n"
                   "ev-2,raid,3,a.txt,Seen.,POINT (10 50)\n")
    assert main(["import", str(bad), "--database", store_url, "--editor", "ivan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad.csv: 2 problems, nothing was imported")
    assert "row 2: geometry has a point" in err and "row 3: kind was 'raid'" in err and "Traceback" not in err
    assert main(["export", "-o", str(tmp_path / "x.docx"), "--database", store_url]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.csv"), "--database", store_url, "--from", "2024-01-01"]) == 2
    assert "--to" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.csv"), "--database", store_url, "--bbox", "1,2,3"]) == 2
    assert "bbox" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "nothing-here"), "--database", store_url]) == 2
    assert "no article could be read" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.csv"), "--database", "postgresql://u:pw@127.0.0.1:1/db"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "pw" not in err


def test_an_ingest_the_store_stays_busy_for_says_how_far_it_got(articles, tmp_path, capsys, monkeypatch):
    """Another process holds the write lock past this run's wait: the run stops with its summary and
    one line saying how far it got and that running again continues (SQLite; PostGIS's lock timeout
    is tested in test_store_concurrency)."""
    import sqlite3

    store_url = str(tmp_path / "busy.sqlite")
    open_store(store_url).close()
    monkeypatch.setenv("FPM_STORE_LOCK_WAIT_S", "0.3")
    holder = sqlite3.connect(store_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert main(["ingest", str(articles / "seeds"), "--database", store_url]) == 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    out, err = capsys.readouterr()
    assert "articles read 0" in out and "Traceback" not in err
    assert "is busy" in err and "The run stopped with 0 of 3 articles read" in err
    monkeypatch.delenv("FPM_STORE_LOCK_WAIT_S")
    assert main(["ingest", str(articles / "seeds"), "--database", store_url]) == 0  # running again continues
    assert "articles read 3 (new 3" in capsys.readouterr().out


def test_messages_say_what_is_wrong(tmp_path, capsys, monkeypatch):
    """Messages the re-check found misleading: a store of undated events is not "empty", a briefing
    with neither --dates nor --view is not "both", an unwritable folder is not a broken store."""
    import shapely

    from geo.events import Asset, Event, EventPlace, EventSource

    undated = str(tmp_path / "undated.sqlite")
    with open_store(undated) as store:
        store.add_event(Event(id="ev-undated", kind="basing", actors=["US"], assets=[Asset("F-35A", "F-35", "fighter")],
                              places=[EventPlace("country:PL", "Poland", "country")],
                              geometry=shapely.Point(19.1, 52.1), geo_precision=3, start=None, end=None,
                              time_precision="year", status="observed",
                              source=EventSource("hand.txt", "F-35s are based in Poland.", 0, 26)), editor="t")
    assert main(["snapshot", "--database", undated, "-o", str(tmp_path / "x.html")]) == 2
    assert "has 1 events but none with a date" in capsys.readouterr().err
    assert main(["briefing", "--database", undated, "-o", str(tmp_path / "x.pptx")]) == 2
    err = capsys.readouterr().err
    assert "give --dates" in err and "not both" not in err
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, not a folder\n", encoding="utf-8")
    assert main(["ingest", str(SEEDS), "--database", str(not_a_folder / "new.sqlite")]) == 2
    assert "cannot create the event store" in capsys.readouterr().err
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["ingest", str(SEEDS), "--database", str(locked / "new.sqlite")]) == 2
        assert "the folder" in capsys.readouterr().err
