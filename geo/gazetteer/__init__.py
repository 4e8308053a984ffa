"""The offline gazetteer, the pipeline's lowest stage: built at `make` time from Natural Earth, GeoNames,
the sea limits, installations and regions (`geo.gazetteer.build`), loaded as one table of named places
with shapes, and searched in running text by name.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.native import native_path

__path__[:0] = native_path("gazetteer")  # its mypyc build while current (geo/native.py), before any import

# Build-time modules (admin, build, naturalearth, seas) are public as submodules, imported only by who needs them.
from geo.gazetteer.adjectives import (
    ACTORS_PATH,
    ADJECTIVES_PATH,
    adjective_forms,
    nationality_forms,
)
from geo.gazetteer.load import (
    BUILD_DIR,
    DATA_DIR,
    DEFAULT_GAZETTEER_PATH,
    KINDS,
    Gazetteer,
    Place,
    load_gazetteer,
)
from geo.gazetteer.names import (
    FoldedArticle,
    FoldedPattern,
    WordIndex,
    WordStartDictionary,
    WordStartMatcher,
    fold_article,
    fold_article_checked,
    fold_char,
    fold_text,
    mark_word_starts,
    marked_word,
    marked_words,
    name_key,
    word_index,
)
from geo.gazetteer.placenames import (
    NameHit,
    PlaceNameFinder,
    load_stop_names,
)
from geo.gazetteer.spatial import (
    EARTH_RADIUS_KM,
    bbox_polygon,
    check_geometry,
    distance_to_shape_km,
    haversine_km,
)

__all__ = [
    "ACTORS_PATH",
    "ADJECTIVES_PATH",
    "BUILD_DIR",
    "DATA_DIR",
    "DEFAULT_GAZETTEER_PATH",
    "EARTH_RADIUS_KM",
    "KINDS",
    "FoldedArticle",
    "FoldedPattern",
    "Gazetteer",
    "NameHit",
    "Place",
    "PlaceNameFinder",
    "WordIndex",
    "WordStartDictionary",
    "WordStartMatcher",
    "adjective_forms",
    "admin",
    "bbox_polygon",
    "build",
    "check_geometry",
    "distance_to_shape_km",
    "fold_article",
    "fold_article_checked",
    "fold_char",
    "fold_text",
    "haversine_km",
    "load_gazetteer",
    "load_stop_names",
    "mark_word_starts",
    "marked_word",
    "marked_words",
    "name_key",
    "nationality_forms",
    "naturalearth",
    "seas",
    "word_index",
]
