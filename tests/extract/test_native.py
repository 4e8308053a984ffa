"""The compiled extraction modules (geo/native.py): built by `make`, used only while current, and
extracting exactly what the plain Python sources extract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import native

ROOT = Path(__file__).resolve().parents[2]

# Every article of the seeds and of the annotated corpora, extracted in one process; prints one
# JSON object of document -> events (GeoJSON features) and which modules were compiled.
_EXTRACT_ALL = """
import json, sys
from pathlib import Path
from geo import native
from geo.extract.extractor import default_extractor
from geo.extract.article import read_article

root = Path(sys.argv[1])
extractor = default_extractor()
events = {}
for folder in ["seeds"] + sorted(str(p.parent.relative_to(root)) for p in root.glob("tests/corpus*/gold.json")):
    gold = json.loads((root / folder / "gold.json").read_text())
    for name, entry in sorted(gold.items()):
        if name.startswith("_"):
            continue
        article = read_article(root / folder / name, published=entry.get("published"))
        result = extractor.extract(article)
        events[f"{folder}/{name}"] = [event.to_feature() for event in result.events]
print(json.dumps({"compiled": native.compiled_modules_loaded(), "events": events}, sort_keys=True, default=str))
"""


def _extract_all(pure_python: bool) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != native.PURE_PYTHON_VARIABLE}
    if pure_python:
        environment[native.PURE_PYTHON_VARIABLE] = "1"
    done = subprocess.run([sys.executable, "-c", _EXTRACT_ALL, str(ROOT)], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def compiled_run() -> dict:
    return _extract_all(pure_python=False)


def test_make_built_the_compiled_modules_and_extraction_uses_them(compiled_run):
    assert native.compiled_is_current(), (
        "build/native is missing or older than the sources: `make setup` (or `python -m geo compile`) "
        f"builds it; see {native.PROJECT_ROOT / 'build' / 'mypyc.log'}")
    assert compiled_run["compiled"] == list(native.COMPILED_MODULES)


def test_compiled_and_plain_python_extract_the_same_events(compiled_run):
    plain = _extract_all(pure_python=True)
    assert plain["compiled"] == []
    assert compiled_run["events"].keys() == plain["events"].keys()
    assert sum(len(events) for events in plain["events"].values()) > 200
    for document, events in plain["events"].items():
        assert compiled_run["events"][document] == events, document


def test_an_edited_source_no_longer_matches_the_build(tmp_path):
    copy = tmp_path / "geo"
    copy.mkdir()
    for name in native.COMPILED_MODULES:
        (copy / native.source_file(name)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(native.PACKAGE_DIR / native.source_file(name), copy / native.source_file(name))
    assert native.sources_digest(copy) == native.sources_digest()
    edited = copy / "extract" / "mentions.py"
    edited.write_text(edited.read_text() + "\n# an edit\n")
    assert native.sources_digest(copy) != native.sources_digest()


def test_pure_python_switch_turns_the_build_off(monkeypatch):
    monkeypatch.setenv(native.PURE_PYTHON_VARIABLE, "1")
    assert native.native_path() == []
    monkeypatch.setenv(native.PURE_PYTHON_VARIABLE, "0")
    assert native.native_path() == ([str(native.NATIVE_DIR)] if native.compiled_is_current() else [])
    # A stage's subpackage finds its compiled modules in the build's folder of the same name.
    assert native.native_path("extract") == ([str(native.NATIVE_DIR / "extract")] if native.compiled_is_current()
                                             else [])
