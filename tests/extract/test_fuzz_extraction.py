"""Property-based extraction fuzzing (hypothesis, derandomized, bounded to a few seconds each).

Whatever an article holds (seed articles cut, repeated and spliced with hostile pieces: runs of
punctuation, numbers hundreds of digits long, dates at the calendar's limits, any Unicode) and
whatever its publication date and document name, extraction either returns events whose every
field is well typed and within bounds, or refuses with one of the package's own errors.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import ForcePostureError
from geo.events import ASSET_CATEGORIES, EVENT_KINDS, GEO_PRECISION, PLACE_ROLES, STATUSES, TIME_PRECISIONS, Event
from geo.extract.article import read_article
from geo.extract.extractor import ExtractionResult, extract_text
from geo.extract.mentions import MAX_COUNT
from tests.conftest import SEEDS

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

SEED_TEXTS = [read_article(path).text for path in sorted(SEEDS.glob("*.txt"))]
# Pieces that broke, or could break, a step of extraction.
HOSTILE = [
    ".", "...", "!!!", "?", "…", ".\")", "U.S.", "Gen.", "e.g.", "\n", "\n\n", "\n- ", "\n• ", " ", "\t", "\u00a0",
    "9" * 400, "99999999999999999999", "12,345,678,901,234", "1.5 million", "2.3 million", "0.0001", "1e400",
    "twenty-one hundred", "a dozen", "from 5 to 99999999999 troops", "-7", "2**63",
    "4 March 2025", "March 4, 2025", "in 2025", "in March", "in may", "late December", "mid-2024", "2024-02-29",
    "2023-02-29", "0001-01-01", "9999-12-31", "31 February", "29 February", "last week", "next week", "on Monday",
    "last Monday", "next month", "last year", "yesterday", "since 1900", "by 2099", "on 45 March",
    "B-52 bombers", "F-35s", "two destroyers", "5,000 troops", "Tu-95", "USS John Finn", "HMS Richmond",
    "the Baltic Sea", "Poland", "Rota, Spain", "Fort Stewart, Georgia", "Europe", "the South China Sea",
    "deployed to", "patrolled", "will send", "exercise", "not", "returning to", "with Finnish fighters",
    "Russia's", "NATO", "American", "Chinese", "ÖRLAND, Norway — ", "TOKYO (Reuters) - ",
    "\ufffd", "\u202e", "\u200b", "İ", "ß", "ﬁ", "K", "北京", "🚀", "\x00", "\x0b", "<p>", "{{7*7}}",
]
PUBLISHED = [None, "2025-03-05", "2022-06-29", "2024-02-29", "0001-01-01", "0001-01", "0001", "9999-12-31",
             "9999-12", "9999"]
# The roles `mentions` gives a place in its sentence; an event keeps its locations and the places
# that qualify or precede them.
PLACE_ROLES_READ = (*PLACE_ROLES, "qualifier", "dateline", "mention", "partner", "venue", "reference", "context",
                    "name", "excluded")
DOCUMENTS = ["fuzz.txt", "caf\udce9.txt", "\udcff\udcfe", "a/b/c.html", "x" * 300, "ev\x1f.txt", "日本.txt"]

pieces = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.integers(min_value=0, max_value=10**30).map(str),
    st.tuples(st.sampled_from(".!?…,;:-\n "), st.integers(min_value=1, max_value=3_000)).map(lambda r: r[0] * r[1]),
    st.sampled_from(SEED_TEXTS).flatmap(
        lambda text: st.tuples(st.integers(0, len(text)), st.integers(0, 400)).map(lambda r: text[r[0]: r[0] + r[1]])),
)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    """A seed article with a few pieces cut out, repeated or spliced in at random places."""
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "cut", "repeat"]))
        if action == "insert":
            text = text[:at] + draw(pieces) + text[at:]
        elif action == "cut":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=300)):]
        else:
            text = text[:at] + text[at: at + 200] * draw(st.integers(min_value=2, max_value=5)) + text[at:]
    return text


articles = st.one_of(mutated_seed(), st.lists(pieces, min_size=1, max_size=30).map(" ".join))


def well_formed(result: ExtractionResult) -> None:
    """Every event field has its type and stays within its bounds; the GeoJSON form round-trips."""
    text = result.article.text
    assert all(isinstance(c.value, int) and 0 <= c.value <= MAX_COUNT < 2**63 for c in result.mentions.counts)
    for event in result.events:
        assert isinstance(event.id, str) and event.id.startswith("ev-")
        assert event.kind in EVENT_KINDS and event.status in STATUSES
        assert event.time_precision in TIME_PRECISIONS and event.geo_precision in GEO_PRECISION
        assert event.actors and all(isinstance(a, str) and a for a in event.actors)
        assert all(isinstance(p, str) and p for p in event.partners)
        for asset in event.assets:
            assert asset.category in ASSET_CATEGORIES and isinstance(asset.family, str) and asset.family
            assert asset.count is None or (type(asset.count) is int and 0 <= asset.count <= MAX_COUNT)
        assert event.places and all(isinstance(p.id, str) and p.id and p.role in PLACE_ROLES_READ for p in event.places)
        assert event.start is None or dt.date.fromisoformat(event.start)
        assert isinstance(event.confidence, float) and math.isfinite(event.confidence) and 0 < event.confidence <= 1
        assert text[event.source.start: event.source.end] == event.source.sentence
        assert isinstance(event.geometry, shapely.Geometry) and not event.geometry.is_empty
        feature = json.loads(json.dumps(event.to_feature()))
        assert Event.from_feature(feature).properties() == event.properties()


@FUZZ
@given(text=articles, published=st.sampled_from(PUBLISHED), document=st.sampled_from(DOCUMENTS))
def test_any_article_extracts_well_formed_events_or_is_refused_clearly(text: str, published: str | None,
                                                                        document: str) -> None:
    try:
        result = extract_text(text, document=document, published=published)
    except ForcePostureError:
        return  # an InputError (nothing readable, half a character) is the clear refusal
    well_formed(result)


@FUZZ
@given(number=st.integers(min_value=0, max_value=10**400), spelt=st.sampled_from(["{:d}", "{:,d}", "{:d}.5"]),
       multiplier=st.sampled_from(["", " thousand", " million"]), published=st.sampled_from(PUBLISHED))
def test_any_number_before_forces_is_a_count_within_bounds_or_none(number: int, spelt: str, multiplier: str,
                                                                  published: str | None) -> None:
    """ "Russia sent <number> troops to Belarus": the number counts the troops when it is at most
    MAX_COUNT, else there is no count."""
    result = extract_text(f"Russia sent {spelt.format(number)}{multiplier} troops to Belarus on 3 March 2025.",
                          document="fuzz.txt", published=published)
    well_formed(result)
    scale = {"": 1, " thousand": 1_000, " million": 1_000_000}[multiplier]
    value = number * scale + (scale // 2 if spelt.endswith(".5") else 0)
    for event in result.events:  # none when the date is over a year before publication
        assert [a.count for a in event.assets] == [value if value <= MAX_COUNT else None]
