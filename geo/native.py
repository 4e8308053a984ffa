"""Compiled extraction: the modules the extractor spends its time in, built into C extensions by mypyc.

The Python sources stay the only source. `python -m geo compile` compiles them into
`build/native/geo/` and records a digest of the sources it compiled; on import, `geo` puts that
folder first on its path only while the digest still matches, so an edited module is never shadowed
by a stale build and a machine without a C compiler runs the same code as plain Python.
`FPM_PURE_PYTHON=1` turns the compiled modules off (to compare the two, or to debug).

mypyc compiles the modules as they are type-annotated, so they must stay clean under mypy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
NATIVE_ROOT = PROJECT_ROOT / "build" / "native"
NATIVE_DIR = NATIVE_ROOT / "geo"
DIGEST_FILE = NATIVE_DIR / "SOURCES.sha256"
# mypyc's group name: its shared library becomes `geo._native__mypyc`, found beside the modules.
GROUP = "geo._native"

# Everything one extraction runs through, with the data classes it reads (native attribute access
# is where compiled code gains most).
# Names are relative to `geo` (a dot for a stage's subpackage).
COMPILED_MODULES = (
    "gazetteer.names",
    "gazetteer.placenames",
    "gazetteer.load",
    "gazetteer.spatial",
    "events",
    "extract.dates",
    "extract.catalogue",
    "geocode.ranking",
    "extract.mentions",
    "extract.geometry",
    "extract.clues",
    "extract.drafts",
    "extract.merging",
    "extract.extractor",
)
PURE_PYTHON_VARIABLE = "FPM_PURE_PYTHON"


def module_paths() -> list[str]:
    """The compiled modules' sources, relative to the project root (as mypy and mypyc take them)."""
    return [f"geo/{source_file(name)}" for name in COMPILED_MODULES]


def source_file(name: str) -> str:
    """A compiled module's source file relative to the package folder."""
    return name.replace(".", "/") + ".py"


def sources_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the compiled modules' sources and the interpreter they were built for."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for name in COMPILED_MODULES:
        digest.update(name.encode())
        digest.update((package_dir / source_file(name)).read_bytes())
    return digest.hexdigest()


def compiled_is_current() -> bool:
    """A build exists and was made from the sources as they are now."""
    try:
        return DIGEST_FILE.read_text().strip() == sources_digest()
    except OSError:
        return False


def native_path(subpackage: str = "") -> list[str]:
    """The folder to put first on `geo.__path__` (or on a stage subpackage's `__path__`, whose
    compiled modules sit in the build's folder of the same name): empty when compiled modules are
    off or stale."""
    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return []
    return [str(NATIVE_DIR / subpackage)] if compiled_is_current() else []


def compiled_modules_loaded() -> list[str]:
    """Which of `COMPILED_MODULES`, imported so far, came from the compiled build."""
    loaded = []
    for name in COMPILED_MODULES:
        module = sys.modules.get(f"geo.{name}")
        # mypyc names a grouped module's file after its package path inside the build folder.
        if module is not None and Path(module.__file__ or "").is_relative_to(NATIVE_DIR):
            loaded.append(name)
    return loaded


def build() -> Path:
    """Compile `COMPILED_MODULES` into `NATIVE_DIR` (needs mypy and a C compiler)."""
    from mypyc.build import mypycify  # build-time only
    from setuptools import Distribution

    digest = sources_digest()
    work = PROJECT_ROOT / "build" / "mypyc"
    shutil.rmtree(NATIVE_DIR, ignore_errors=True)
    previous = Path.cwd()
    os.chdir(PROJECT_ROOT)  # mypyc names modules after their paths relative to here
    try:
        extensions = mypycify(
            module_paths(),
            opt_level="3",
            target_dir=str(work),
            group_name=GROUP,
            verbose=False,
        )
        distribution = Distribution({"name": "force-posture-map-native", "ext_modules": extensions})
        command = distribution.get_command_obj("build_ext")
        command.build_lib = str(NATIVE_ROOT)
        command.build_temp = str(work / "temp")
        command.ensure_finalized()
        command.run()
    finally:
        os.chdir(previous)
    DIGEST_FILE.write_text(digest + "\n")
    return NATIVE_DIR


def compile_modules(only_if_stale: bool = False) -> int:
    """`python -m geo compile [--if-stale]`: build, quietly (the compiler's output goes to a log);
    the exit status says whether compiled modules are now current."""
    if only_if_stale and compiled_is_current():
        print(f"compiled extraction is current ({NATIVE_DIR.relative_to(PROJECT_ROOT)})")
        return 0
    log = PROJECT_ROOT / "build" / "mypyc.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        # A child process, so that the C compiler's own output lands in the log too.
        done = subprocess.run([sys.executable, "-c", "import geo.native; geo.native.build()"],
                              cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0 or not compiled_is_current():
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
        print(f"compiled extraction not built (full log: {log.relative_to(PROJECT_ROOT)}); "
              "extraction runs as plain Python, the same but about 1.4x slower", file=sys.stderr)
        return 1
    print(f"compiled {len(COMPILED_MODULES)} modules with mypyc into {NATIVE_DIR.relative_to(PROJECT_ROOT)}")
    return 0

