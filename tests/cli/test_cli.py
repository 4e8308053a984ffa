"""The command line as a user runs it: a real subprocess, real exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_geocode_prints_a_geojson_feature(gazetteer):
    result = run_cli("geocode", "Sea of Japan")
    assert result.returncode == 0, result.stderr
    feature = json.loads(result.stdout)
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {k: feature["properties"][k] for k in ("id", "name", "kind")} == {
        "id": "sea:sea-of-japan", "name": "Sea of Japan", "kind": "sea"}
    assert "source" in feature["properties"] and "country" in feature["properties"]


def test_geocode_with_context(gazetteer):
    result = run_cli("geocode", "Georgia", "--context", "Soldiers left Fort Stewart, Georgia, for Poland.")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["properties"]["country"] == "US"


def test_geocode_unknown_place_exits_1_with_a_message(gazetteer):
    result = run_cli("geocode", "Xyzzy Plugh Nowhere")
    assert result.returncode == 1
    assert "no place called 'Xyzzy Plugh Nowhere'" in result.stderr
    assert "Traceback" not in result.stderr


def test_geocode_empty_query_is_a_clear_error(gazetteer):
    result = run_cli("geocode", "   ")
    assert result.returncode == 2
    assert "empty" in result.stderr and "Traceback" not in result.stderr


def test_output_piped_into_a_reader_that_stops_early(gazetteer):
    """`geocode ... | head -c 100`: the closed pipe ends the command quietly, no traceback."""
    pipeline = subprocess.run(
        f"set -o pipefail; {sys.executable} -m geo geocode 'Pacific Ocean' | head -c 100 >/dev/null",
        shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert pipeline.returncode == 141, pipeline.stderr
    assert "Traceback" not in pipeline.stderr and "BrokenPipeError" not in pipeline.stderr
