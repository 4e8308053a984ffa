"""Geocoding: rank a name's gazetteer candidates by kind, importance and the article's context
(`PlaceRanker`), offered as a geopy geocoder (`OfflineGazetteer`); online geocoders only when opted in.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.native import native_path

__path__[:0] = native_path("geocode")  # its mypyc build while current (geo/native.py), before any import

from geo.geocode.evaluation import (
    GeoparsingCorpus,
    GeoparsingReport,
    GoldArticle,
    GoldToponym,
    SpanCounts,
    ToponymResult,
    area_under_error_curve,
    evaluate_geoparsing,
    read_geoparsing_corpus,
)
from geo.geocode.geocoder import (
    OfflineGazetteer,
    default_geocoder,
    resolve_names,
    validate_query,
    with_online_fallback,
)
from geo.geocode.ranking import (
    Anchor,
    CueRule,
    PlaceContext,
    PlaceRanker,
    ResolvedName,
    load_adjectives,
    load_cues,
)

__all__ = [
    "Anchor",
    "CueRule",
    "GeoparsingCorpus",
    "GeoparsingReport",
    "GoldArticle",
    "GoldToponym",
    "OfflineGazetteer",
    "PlaceContext",
    "PlaceRanker",
    "ResolvedName",
    "SpanCounts",
    "ToponymResult",
    "area_under_error_curve",
    "default_geocoder",
    "evaluate_geoparsing",
    "load_adjectives",
    "load_cues",
    "read_geoparsing_corpus",
    "resolve_names",
    "validate_query",
    "with_online_fallback",
]
