"""Extraction: read and clean an article, find its mentions (places, assets, actors, counts, dates,
trigger words), assemble them into events and merge repeats; score the result against gold.

Other stages import only the names listed in `__all__` (tests/test_layers.py checks it).
"""

from geo.native import native_path

__path__[:0] = native_path("extract")  # its mypyc build while current (geo/native.py), before any import

from geo.extract.article import (
    MAX_ARTICLE_BYTES,
    Article,
    DroppedBlock,
    clean_text,
    decode_article,
    display_name,
    html_to_text,
    read_article,
    read_article_bytes,
    regular_file_size,
)
from geo.extract.catalogue import (
    ASSETS_PATH,
    NAMED_SHIP_PREFIX,
    ActorAlias,
    ActorHit,
    AssetHit,
    AssetType,
    Catalogue,
    load_catalogue,
)
from geo.extract.dates import (
    DateMention,
    DateScan,
    PublicationDate,
    find_dates,
    parse_published,
    scan_dates,
)
from geo.extract.decision import (
    EventModel,
    candidate_features,
    feature_hash,
    load_event_model,
)
from geo.extract.evaluation import (
    ArticleScore,
    CorpusScore,
    evaluate_folder,
    load_gold,
)
from geo.extract.extractor import (
    ExtractionResult,
    Extractor,
    default_extractor,
    extract_file,
    extract_text,
)
from geo.extract.mentions import (
    CountMention,
    Mentions,
    PlaceMention,
    Sentence,
    SpanIndex,
    TriggerMention,
    find_mentions,
    split_sentences,
)
from geo.extract.training import (
    CrossReport,
    LabelledCandidates,
    cross_validate,
    label_folder,
    train_model,
)

__all__ = [
    "ASSETS_PATH",
    "MAX_ARTICLE_BYTES",
    "NAMED_SHIP_PREFIX",
    "ActorAlias",
    "ActorHit",
    "Article",
    "ArticleScore",
    "AssetHit",
    "AssetType",
    "Catalogue",
    "CorpusScore",
    "CountMention",
    "CrossReport",
    "DateMention",
    "DateScan",
    "DroppedBlock",
    "EventModel",
    "ExtractionResult",
    "Extractor",
    "LabelledCandidates",
    "Mentions",
    "PlaceMention",
    "PublicationDate",
    "Sentence",
    "SpanIndex",
    "TriggerMention",
    "candidate_features",
    "clean_text",
    "cross_validate",
    "decode_article",
    "default_extractor",
    "display_name",
    "evaluate_folder",
    "extract_file",
    "extract_text",
    "feature_hash",
    "find_dates",
    "find_mentions",
    "html_to_text",
    "label_folder",
    "load_catalogue",
    "load_event_model",
    "load_gold",
    "parse_published",
    "read_article",
    "read_article_bytes",
    "regular_file_size",
    "scan_dates",
    "split_sentences",
    "train_model",
]
