"""Force Posture Map: turn open-source reporting on military force posture into maps.

Data flows one way: text -> mentions -> events -> store -> time slice -> map, one subpackage per
stage, each importing only the stages below it (README "Architecture"):

    gazetteer < geocode < extract < store < render < export < app | cli

The modules of the first, flat layout (`geo.geocoding`, `geo.extraction`, `geo.mapping`, ...) still
import, as the stage that now holds their public names, with a DeprecationWarning.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

from geo.native import native_path

__version__ = "0.1.0"

# The extraction modules compiled by mypyc, when built from these very sources (geo/native.py).
__path__[:0] = native_path()

# Old flat module -> where its public names live now.
MOVED_MODULES = {
    "geo.geocoding": "geo.geocode", "geo.ranking": "geo.geocode",
    "geo.gazetteer_build": "geo.gazetteer.build", "geo.naturalearth": "geo.gazetteer.naturalearth",
    "geo.seas": "geo.gazetteer.seas", "geo.names": "geo.gazetteer", "geo.placenames": "geo.gazetteer",
    "geo.spatial": "geo.gazetteer",
    "geo.ingest": "geo.extract", "geo.dates": "geo.extract", "geo.catalogue": "geo.extract",
    "geo.mentions": "geo.extract", "geo.extraction": "geo.extract", "geo.evaluation": "geo.extract",
    "geo.store_sqlite": "geo.store", "geo.store_postgis": "geo.store", "geo.exchange": "geo.store",
    "geo.posture": "geo.store",
    "geo.symbols": "geo.render", "geo.basemap": "geo.render", "geo.map_elements": "geo.render",
    "geo.offline_assets": "geo.render", "geo.mapping": "geo.render", "geo.timeline": "geo.render",
    "geo.export_meta": "geo.export", "geo.snapshot": "geo.export", "geo.standalone": "geo.export",
    "geo.briefing": "geo.export", "geo.browser": "geo.export",
    "geo.app_articles": "geo.app", "geo.app_data": "geo.app", "geo.app_exports": "geo.app",
    "geo.app_map": "geo.app", "geo.app_pages": "geo.app", "geo.app_panels": "geo.app", "geo.app_state": "geo.export",
    "geo.export_cli": "geo.cli",
}


class _MovedModule(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old module name as the module that holds its names now (the same object, so
    classes and state are shared, not copied)."""

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED_MODULES[spec.name]
        warnings.warn(f"{spec.name} moved: import from {new}", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its own name."""


if not any(isinstance(finder, _MovedModule) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModule())
