"""The package layout: one subpackage per pipeline stage, imports only downwards, no circles, and
other stages reach a stage only through the names its `__init__` lists.

`make test` runs `lint-imports` (the layers contract in pyproject.toml) before pytest; these tests
show that the contract really fails on a wrong import, and check what import-linter does not.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import grimp
import pytest

from tests.conftest import ROOT

STAGES = ("gazetteer", "geocode", "extract", "store", "render", "export", "app", "cli")  # lowest first
SHARED_MODULES = {"__init__", "__main__", "errors", "events", "budget", "native"}
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)}, check=False)


def test_the_layers_contract_is_kept():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "wrong_import"), [
    ("gazetteer/spatial.py", "from geo.render import THEATRES"),  # the lowest stage reaching the map
    ("store/posture.py", "from geo.app import map_page"),
    ("extract/dates.py", "import geo.store.base"),
])
def test_a_wrong_import_breaks_the_contract(tmp_path, module, wrong_import):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "geo", project / "geo", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project)
    assert _lint_imports(project).returncode == 0  # the copy itself is clean
    target = project / "geo" / module
    # Inside a function, as lazy imports are written: the contract counts those too.
    target.write_text(target.read_text() + f"\n\ndef _reach_up() -> None:\n    {wrong_import}  # noqa\n")
    done = _lint_imports(project)
    assert done.returncode != 0
    importer = "geo." + module.removesuffix(".py").replace("/", ".")
    assert "BROKEN" in done.stdout and importer in done.stdout, done.stdout


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import one another in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_strongly_connected_finds_a_circle():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_in_a_circle():
    graph = grimp.build_graph("geo", cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    assert _strongly_connected(edges) == []


def _geo_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of a geo module in a file; names empty for `import x`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "geo":
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "geo"]
    return found


def test_stages_reach_each_other_only_through_public_names():
    public = {stage: set(importlib.import_module(f"geo.{stage}").__all__) for stage in STAGES}
    files = [*sorted((ROOT / "geo").rglob("*.py")), ROOT / "streamlit_app.py"]
    wrong = []
    for path in files:
        parts = path.relative_to(ROOT).parts
        own = parts[1] if parts[0] == "geo" and len(parts) > 2 else None
        for line, module, names in _geo_imports(path):
            stage = module.split(".")[1] if module.count(".") >= 1 else None
            if stage not in STAGES or stage == own:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            if module != f"geo.{stage}" or not names:
                wrong.append(f"{where} imports {module} (use `from geo.{stage} import ...`)")
            else:
                wrong += [f"{where} imports {name}, not in geo.{stage}.__all__"
                          for name in names if name not in public[stage]]
    assert wrong == []


def test_every_public_name_exists():
    for stage in STAGES:
        package = importlib.import_module(f"geo.{stage}")
        for name in package.__all__:
            # A build-time submodule is listed but imported only by who needs it.
            assert hasattr(package, name) or (ROOT / "geo" / stage / f"{name}.py").exists(), (stage, name)


def test_the_tree_shows_the_stages():
    top = {p.stem for p in (ROOT / "geo").glob("*.py")}
    assert top <= SHARED_MODULES, top - SHARED_MODULES
    packages = {p.name for p in (ROOT / "geo").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(STAGES)


def test_old_module_paths_still_import_with_a_warning():
    from geopy.geocoders.base import Geocoder

    import geo
    import geo.geocode

    code = "from geo.geocoding import OfflineGazetteer; print(OfflineGazetteer.__module__)"
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and "geo.geocoding moved: import from geo.geocode" in done.stderr
    with pytest.warns(DeprecationWarning, match="geo.extraction moved"):
        from geo.extraction import default_extractor
    from geo.extract import default_extractor as current
    assert default_extractor is current  # the same object, not a copy
    with pytest.warns(DeprecationWarning):
        from geo.geocoding import OfflineGazetteer
    assert OfflineGazetteer is geo.geocode.OfflineGazetteer and issubclass(OfflineGazetteer, Geocoder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # warned once per name, at its first import
        for old, new in geo.MOVED_MODULES.items():
            assert importlib.import_module(old) is importlib.import_module(new)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("geo.no_such_module")
