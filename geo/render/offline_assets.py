"""Serve every JavaScript and CSS file a map needs from this machine, never from a CDN.

Out of the box folium points Leaflet, jQuery, Bootstrap, Font Awesome and each plugin at CDNs, so
with no internet a map is blank (`L is not defined`), and streamlit-folium gives up at the first file
it cannot load. Two jobs live here:

1. `install_assets()` (run by `make assets` at setup) copies the files from registry packages into
   `static/vendor/`: Leaflet 1.9.3 (PyPI xstatic-leaflet, the version folium 0.20 asks for),
   Leaflet.markercluster (xstatic-leaflet-markercluster), jQuery 3.7.1 (xstatic-jquery) and milsymbol
   (npm, installed by the Makefile into the git-ignored `build/npm/`).
2. `use_local_assets(mode)` rewrites folium's class-level `default_js` / `default_css` lists (which
   both saved HTML and `st_folium` read) to those local files.

Bootstrap, Font Awesome and Leaflet.awesome-markers are dropped rather than served: nothing we draw
needs them (symbols are milsymbol SVGs in `DivIcon`s, never `folium.Icon`), and leaving them out
keeps every page smaller. Do not use `folium.Icon` on our maps.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import folium
import folium.plugins

from geo.errors import DataBuildError, InputError

__all__ = [
    "NPM_DIR",
    "STATIC_DIR",
    "VENDOR_DIR",
    "VENDOR_FILES",
    "install_assets",
    "local_css",
    "local_file_assets",
    "local_js",
    "missing_assets",
    "use_local_assets",
    "write_streamlit_config",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = PROJECT_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
NPM_DIR = PROJECT_ROOT / "build" / "npm" / "node_modules"
STREAMLIT_URL_PREFIX = "/app/static/vendor"

Mode = Literal["streamlit", "relative", "file", "inline"]
MODES = ("streamlit", "relative", "file", "inline")


def _xstatic(package: str) -> Path:
    """The data folder of an installed xstatic package (`xstatic.pkg.<name>`)."""
    import importlib

    module = importlib.import_module(f"xstatic.pkg.{package}")
    return Path(module.BASE_DIR)


# Files under static/vendor/: relative path -> (where it comes from, how to find it).
# Sources are resolved lazily so importing this module never needs the npm folder.
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "leaflet/leaflet.js": ("xstatic", "leaflet:leaflet.js"),
    "leaflet/leaflet.css": ("xstatic", "leaflet:leaflet.css"),
    "leaflet/images/marker-icon.png": ("xstatic", "leaflet:images/marker-icon.png"),
    "leaflet/images/marker-icon-2x.png": ("xstatic", "leaflet:images/marker-icon-2x.png"),
    "leaflet/images/marker-shadow.png": ("xstatic", "leaflet:images/marker-shadow.png"),
    "leaflet/images/layers.png": ("xstatic", "leaflet:images/layers.png"),
    "leaflet/images/layers-2x.png": ("xstatic", "leaflet:images/layers-2x.png"),
    "jquery/jquery.min.js": ("xstatic", "jquery:jquery.min.js"),
    "markercluster/leaflet.markercluster.js": ("xstatic", "leaflet_markercluster:leaflet.markercluster.js"),
    "markercluster/MarkerCluster.css": ("xstatic", "leaflet_markercluster:MarkerCluster.css"),
    "markercluster/MarkerCluster.Default.css": ("xstatic", "leaflet_markercluster:MarkerCluster.Default.css"),
    "milsymbol/milsymbol.js": ("npm", "milsymbol/dist/milsymbol.js"),
    "milsymbol/LICENSE": ("npm", "milsymbol/LICENSE"),
}

# What each folium class we use should load, as (folium's name, file under static/vendor/).
_MAP_JS = [("leaflet", "leaflet/leaflet.js"), ("jquery", "jquery/jquery.min.js")]
_MAP_CSS = [("leaflet_css", "leaflet/leaflet.css")]
_CLUSTER_JS = [("markerclusterjs", "markercluster/leaflet.markercluster.js")]
_CLUSTER_CSS = [
    ("markerclustercss", "markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "markercluster/MarkerCluster.Default.css"),
]
MILSYMBOL_JS = ("milsymbol", "milsymbol/milsymbol.js")


def _source_path(kind: str, where: str) -> Path:
    if kind == "xstatic":
        package, rel = where.split(":", 1)
        return _xstatic(package) / rel
    return NPM_DIR / where


def install_assets(target: Path = VENDOR_DIR) -> list[Path]:
    """Copy every vendored file into `target`; raises DataBuildError naming what is missing."""
    written = []
    for rel, (kind, where) in VENDOR_FILES.items():
        source = _source_path(kind, where)
        if not source.exists():
            fix = "run `make assets` (it installs the npm package)" if kind == "npm" else "run `make setup`"
            raise DataBuildError(f"vendored file {rel} not found at {source}: {fix}")
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(destination)
    return written


def missing_assets(target: Path = VENDOR_DIR) -> list[str]:
    """Vendored files absent from `target` (empty when the map can render offline)."""
    return [rel for rel in VENDOR_FILES if not (target / rel).exists()]


def _url(rel: str, mode: Mode, base: str | Path | None) -> str:
    if mode == "streamlit":
        return f"{(str(base) if base is not None else STREAMLIT_URL_PREFIX).rstrip('/')}/{rel}"
    if mode == "relative":
        # A path relative to where the HTML file will be saved; `base` is that folder.
        folder = Path(base) if base is not None else PROJECT_ROOT
        import os

        return Path(os.path.relpath(VENDOR_DIR / rel, folder)).as_posix()
    if mode == "file":
        return (VENDOR_DIR / rel).as_uri()
    # inline: a data: URL keeps a single self-contained file (used for one-file exports).
    import base64

    data = (VENDOR_DIR / rel).read_bytes()
    mime = "text/css" if rel.endswith(".css") else "text/javascript"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def local_js(rel: str, mode: Mode = "streamlit", base: str | Path | None = None) -> str:
    """The URL of one vendored file under the given serving mode."""
    if mode not in MODES:
        raise InputError(f"`mode` was {mode!r} but is expected to be one of {list(MODES)}")
    return _url(rel, mode, base)


local_css = local_js


def use_local_assets(mode: Mode = "streamlit", base: str | Path | None = None) -> None:
    """Point folium's class-level asset lists at local files (idempotent; call before rendering).

    Modes: "streamlit" -> `/app/static/vendor/...` (Streamlit's static serving; `base` overrides the
    prefix); "relative" -> paths relative to the folder `base` the HTML is saved in; "file" ->
    absolute `file://` URLs (tests, local previews); "inline" -> `data:` URLs (one self-contained file).
    """
    if mode not in MODES:
        raise InputError(f"`mode` was {mode!r} but is expected to be one of {list(MODES)}")
    if mode in ("relative", "file", "inline"):
        missing = missing_assets()
        if missing:
            raise DataBuildError(f"vendored files missing from {VENDOR_DIR}: {missing}; run `make assets`")

    def urls(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, _url(rel, mode, base)) for name, rel in pairs]

    folium.Map.default_js = urls(_MAP_JS)
    folium.Map.default_css = urls(_MAP_CSS)
    folium.plugins.MarkerCluster.default_js = urls(_CLUSTER_JS)
    folium.plugins.MarkerCluster.default_css = urls(_CLUSTER_CSS)
    # Our own elements (geo.render.mapping) read their milsymbol URL from here.
    _current["milsymbol"] = _url(MILSYMBOL_JS[1], mode, base)
    _current["leaflet_images"] = _url("leaflet/images", mode, base) + "/" if mode != "inline" else ""


_current: dict[str, str] = {}


_ASSET_LOCK = threading.Lock()


@contextlib.contextmanager
def local_file_assets() -> Iterator[None]:
    """Build and render with `file://` asset URLs, then put the app's serving mode back.

    `use_local_assets` sets folium's class-level lists, which a Streamlit page in the same process
    reads too; the lock and the restore keep a snapshot from leaving the app's map pointing at files.
    """
    with _ASSET_LOCK:
        saved = (folium.Map.default_js, folium.Map.default_css, folium.plugins.MarkerCluster.default_js,
                 folium.plugins.MarkerCluster.default_css, dict(_current))
        try:
            use_local_assets("file")
            yield
        finally:
            (folium.Map.default_js, folium.Map.default_css, folium.plugins.MarkerCluster.default_js,
             folium.plugins.MarkerCluster.default_css) = saved[:4]
            _current.clear()
            _current.update(saved[4])


def current_url(name: str) -> str:
    """The URL `use_local_assets` chose for one of our own files ("milsymbol", "leaflet_images")."""
    if name not in _current:
        use_local_assets()
    return _current[name]


def write_streamlit_config(root: Path = PROJECT_ROOT) -> Path:
    """Write `.streamlit/config.toml`: serve ./static at /app/static, never call out to the internet."""
    path = root / ".streamlit" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `make assets` (geo/render/offline_assets.py). The map loads Leaflet and milsymbol from\n"
        "# ./static/vendor, which Streamlit serves at /app/static only with static serving on.\n"
        "[server]\nenableStaticServing = true\n\n"
        "# Streamlit otherwise calls home with usage statistics, and when headless it asks a web\n"
        "# service for the machine's external address to print; this app works with no internet.\n"
        "# (A team server can set serverAddress to the name its users type.)\n"
        "[browser]\ngatherUsageStats = false\nserverAddress = \"localhost\"\n\n"
        "# No \"Deploy\" button (it points at Streamlit's cloud) in a briefing room's toolbar.\n"
        "[client]\ntoolbarMode = \"minimal\"\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy the map's JavaScript/CSS into static/vendor/.")
    parser.add_argument("--target", type=Path, default=VENDOR_DIR)
    args = parser.parse_args(argv)
    written = install_assets(args.target)
    config = write_streamlit_config()
    print(f"{len(written)} files in {args.target}; {config.relative_to(PROJECT_ROOT)} written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
