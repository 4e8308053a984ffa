"""Scoring the offline geoparser on public geoparsing corpora: GeoWebNews, LGL (and TR-News, which
shares its format) and GeoVirus.

`read_geoparsing_corpus` reads one corpus file, whichever of the three formats it is in, into gold
spans with their coordinates; `evaluate_geoparsing` scores two things on it:

* resolution, given the gold spans: each gold toponym ranked by `OfflineGazetteer.rank` in the
  context of its article, scored by acc@161 km (polygon-aware and point-based), error km, the share
  left unanswered and the AUC of the log error as Gritta et al.'s CamCoder code computes it;
* recognition: the spans `resolve_names` finds in each article against the gold spans, exactly
  and by overlap.

The corpora are other people's data under their own licences: nothing of them is kept in the
project. The tests use small files written for them (tests/geocode/fixtures/).
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.gazetteer import Place
from geo.geocode.geocoder import OfflineGazetteer, default_geocoder, resolve_names
from geo.geocode.ranking import PlaceContext

__all__ = [
    "GeoparsingCorpus",
    "GeoparsingReport",
    "GoldArticle",
    "GoldToponym",
    "SpanCounts",
    "ToponymResult",
    "area_under_error_curve",
    "evaluate_geoparsing",
    "read_geoparsing_corpus",
]

ACC_KM = 161.0  # 100 miles: the threshold of the geoparsing literature (an error under it is right)
# Half the equator, the farthest two points can be: CamCoder's AUC counts an unanswered toponym as
# this far off, so that answering nothing is never better than answering wrongly.
MAX_ERROR_KM = 20039.0
# How far (characters) a gold span may sit from its phrase and still be moved onto it: the public
# corpora's offsets are sometimes a few characters off (a BOM, a collapsed line break, a title).
ALIGN_WINDOW = 20
MAX_FILE_BYTES = 256 * 1024 * 1024  # the largest public corpus (LGL) is a few MB

# GeoWebNews annotates organisations spanning a place name and the head nouns of place expressions
# ("lot", "church") beside its toponyms; its authors' geotagging gold leaves these three types out.
GWN_NOT_TOPONYMS = frozenset({"Non_Toponym", "Literal_Expression", "Non_Lit_Expression"})
UNTYPED = "untyped"  # the per-type key for corpora whose toponyms carry no type (LGL, GeoVirus)
FORMAT_NAMES = {"gwn": "GeoWebNews", "lgl": "LGL / TR-News", "geovirus": "GeoVirus"}


# -- gold -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GoldToponym:
    """One gold toponym: its span in the article's text (after alignment) and, when the corpus
    resolves it, the gold point."""

    start: int
    end: int
    name: str  # the text at the span: what the geocoder is asked
    phrase: str  # the corpus' own spelling of it (may differ in case or spacing)
    type: str  # GeoWebNews' type ("Literal", "Metonymic", ...); UNTYPED in the other corpora
    lat: float | None = None
    lon: float | None = None

    @property
    def resolvable(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    index: int  # position in the file, from 0 (GeoWebNews' own `file` attribute is the same number)
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(frozen=True, slots=True)
class GeoparsingCorpus:
    """A corpus file read: its articles, and what reading had to move, leave out or drop."""

    format: str  # "gwn", "lgl" or "geovirus"
    articles: tuple[GoldArticle, ...]
    aligned_moved: int = 0  # gold spans moved onto their phrase nearby
    unaligned: int = 0  # gold spans whose phrase was not found nearby: left out of both scores
    outside_text: int = 0  # negative offsets (the span is in the title, not the text): left out
    non_toponyms: int = 0  # GeoWebNews annotations of the types that are not toponyms: dropped

    @property
    def toponyms(self) -> list[tuple[GoldArticle, GoldToponym]]:
        return [(article, toponym) for article in self.articles for toponym in article.toponyms]


@dataclass(frozen=True, slots=True)
class _Annotation:
    """One toponym as the file gives it, before its span is checked against the text."""

    phrase: str
    start: int
    end: int
    type: str
    lat: float | None
    lon: float | None


def read_geoparsing_corpus(path: str | Path) -> GeoparsingCorpus:
    """Read a GeoWebNews, LGL / TR-News or GeoVirus XML file; the format is told by its elements.

    Gold spans are aligned to their phrase: a span whose text is not its phrase (ignoring case and
    spacing) is moved to the nearest occurrence of the phrase within ALIGN_WINDOW characters, or
    left out when there is none; both are counted. Every toponym counts for recognition, also LGL's
    without a `gaztag` (the annotator marked a place but could not link it: it is still a toponym
    a finder should find); only those with coordinates count for resolution.
    """
    path = Path(path)
    root = _parse_xml(path)
    if root.tag != "articles":
        raise InputError(f"{path} has <{root.tag}> at its root, not <articles>: it is not a geoparsing corpus "
                         "in the GeoWebNews, LGL or GeoVirus format")
    elements = root.findall("article")
    if not elements:
        raise InputError(f"{path} has no <article> elements")
    corpus_format = _detect_format(elements, path)
    articles = []
    moved = unaligned = outside = dropped = 0
    for index, element in enumerate(elements):
        where = f"{path.name}, article {index + 1}"
        text_element = element.find("text")
        # itertext: the comments were removed by the parser, which leaves the text around them
        # in pieces that together are the article as its offsets count it.
        text = "".join(text_element.itertext()) if text_element is not None else ""
        toponyms = []
        for annotation in _annotations(element, corpus_format, where):
            if corpus_format == "gwn" and annotation.type in GWN_NOT_TOPONYMS:
                dropped += 1
                continue
            if annotation.start < 0 or annotation.end < 0:
                outside += 1
                continue
            span = _align(text, annotation.phrase, annotation.start, annotation.end)
            if span is None:
                unaligned += 1
                continue
            if span != (annotation.start, annotation.end):
                moved += 1
            start, end = span
            toponyms.append(GoldToponym(start, end, text[start:end], annotation.phrase, annotation.type,
                                        annotation.lat, annotation.lon))
        articles.append(GoldArticle(index, text, tuple(toponyms)))
    return GeoparsingCorpus(corpus_format, tuple(articles), moved, unaligned, outside, dropped)


def _parse_xml(path: Path) -> Any:
    """The file's root element, parsed without expanding entities or touching the network."""
    # lxml is imported here, not at the top: `geo.geocode` is imported by every stage above it and
    # only this command reads XML.
    from lxml import etree

    try:
        if not path.is_file():
            raise InputError(f"{path} is not a file" if path.exists() else f"{path} does not exist")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not a geoparsing corpus")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InputError(f"{path} is not well-formed XML: {err.msg}") from err
    if root is None:
        raise InputError(f"{path} holds no XML element")
    # An entity left unexpanded would cut the text short and shift every offset after it.
    if next(root.iter(etree.Entity), None) is not None:
        raise InputError(f"{path} uses XML entities of its own, which are not expanded (for safety)")
    return root


def _detect_format(articles: Sequence[Any], path: Path) -> str:
    for article in articles:
        if article.find("locations") is not None:
            return "geovirus"
        for toponym in article.iterfind("toponyms/toponym"):
            if toponym.find("extractedName") is not None:
                return "gwn"
            if toponym.find("phrase") is not None:
                return "lgl"
    raise InputError(f"{path} has no toponyms in a format this command reads: GeoWebNews "
                     "(toponyms/toponym/extractedName), LGL or TR-News (toponyms/toponym/phrase) or GeoVirus "
                     "(locations/location)")


def _annotations(article: Any, corpus_format: str, where: str) -> Iterable[_Annotation]:
    if corpus_format == "gwn":
        for number, toponym in enumerate(article.iterfind("toponyms/toponym"), start=1):
            here = f"{where}, toponym {number}"
            yield _Annotation(_text(toponym, "extractedName"), _integer(toponym, "start", here),
                              _integer(toponym, "end", here), _text(toponym, "type") or UNTYPED,
                              *_point(toponym, "latitude", "longitude", here))
    elif corpus_format == "lgl":
        for number, toponym in enumerate(article.iterfind("toponyms/toponym"), start=1):
            here = f"{where}, toponym {number}"
            gaztag = toponym.find("gaztag")
            point = _point(gaztag, "lat", "lon", here) if gaztag is not None else (None, None)
            yield _Annotation(_text(toponym, "phrase"), _integer(toponym, "start", here),
                              _integer(toponym, "end", here), UNTYPED, *point)
    else:
        for number, location in enumerate(article.iterfind("locations/location"), start=1):
            here = f"{where}, location {number}"
            yield _Annotation(_text(location, "name"), _integer(location, "start", here),
                              _integer(location, "end", here), UNTYPED, *_point(location, "lat", "lon", here))


def _text(element: Any, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _integer(element: Any, tag: str, where: str) -> int:
    value = _text(element, tag)
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{where}: <{tag}> should be a whole number, not {value!r}") from None


def _point(element: Any, lat_tag: str, lon_tag: str, where: str) -> tuple[float | None, float | None]:
    """The gold point, or (None, None) when the toponym has none (it then counts for recognition only)."""
    lat_text, lon_text = _text(element, lat_tag), _text(element, lon_tag)
    if not lat_text and not lon_text:
        return None, None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise InputError(f"{where}: <{lat_tag}>/<{lon_tag}> should be numbers, not {lat_text!r}/{lon_text!r}") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InputError(f"{where}: ({lat}, {lon}) is not a latitude and longitude")
    return lat, lon


def _align(text: str, phrase: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of `phrase` at (start, end), else its occurrence starting nearest `start` within
    ALIGN_WINDOW characters; None when there is none."""
    words = phrase.split()
    if not words:  # no phrase to check the span against: trust it if it lies in the text
        return (start, end) if start < end <= len(text) and text[start:end].strip() else None
    if " ".join(text[start:end].split()).casefold() == " ".join(words).casefold():
        return start, end
    # Case and spacing as in the text (a line break inside a name), whole words only: a span must
    # not be moved onto "Kiel" inside "Kielce".
    body = r"\s+".join(re.escape(word) for word in words)
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    found = []
    # Searched to the end of the text, not cut at the window, so that "(?!\w)" sees the next letter.
    for match in pattern.finditer(text, max(0, start - ALIGN_WINDOW)):
        if match.start() > start + ALIGN_WINDOW:
            break
        found.append((abs(match.start() - start), match.start(), match.end()))
    if not found:
        return None
    _gap, begin, finish = min(found)
    return begin, finish


# -- scoring --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ToponymResult:
    """One gold toponym resolved: the answer (None when the geocoder had none) and its errors."""

    article: int
    toponym: GoldToponym
    place: Place | None
    km_polygon: float | None  # 0 inside the answer's shape, else to its nearest point
    km_point: float | None  # to the answer's representative point

    @property
    def right_polygon(self) -> bool:
        return self.km_polygon is not None and self.km_polygon < ACC_KM

    @property
    def right_point(self) -> bool:
        return self.km_point is not None and self.km_point < ACC_KM


@dataclass(slots=True)
class SpanCounts:
    """Predicted and gold spans and their matches, for precision, recall and F1."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0

    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    def f1(self) -> float | None:
        precision, recall = self.precision(), self.recall()
        if not precision or not recall:
            return 0.0 if precision is not None and recall is not None else None
        return 2 * precision * recall / (precision + recall)


@dataclass
class GeoparsingReport:
    """Every figure of one evaluation; `summary()` is the JSON, `lines()` the table."""

    corpus: GeoparsingCorpus
    results: list[ToponymResult]
    exact: SpanCounts
    overlap: SpanCounts
    # type -> [gold spans, found exactly, found by overlap]
    recognised_by_type: dict[str, list[int]] = field(default_factory=dict)
    load_seconds: float = 0.0
    resolution_seconds: float = 0.0  # context building and ranking, nothing else
    recognition_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        results = self.results
        n = len(results)
        answered = [r for r in results if r.place is not None]
        point_errors = [r.km_point for r in answered if r.km_point is not None]
        articles_recognised = len(self.corpus.articles)
        figures: dict[str, Any] = {
            "format": self.corpus.format,
            "articles": len(self.corpus.articles),
            "toponyms": n,
            "answered": len(answered),
            "acc161_polygon": _share(sum(r.right_polygon for r in results), n),
            "acc161_point": _share(sum(r.right_point for r in results), n),
            "no_answer_share": _share(n - len(answered), n),
            "acc161_polygon_answered": _share(sum(r.right_polygon for r in answered), len(answered)),
            "acc161_point_answered": _share(sum(r.right_point for r in answered), len(answered)),
            "mean_error_km": _round(statistics.fmean(point_errors), 1) if point_errors else None,
            "median_error_km": _round(statistics.median(point_errors), 1) if point_errors else None,
            "auc": _round(area_under_error_curve([r.km_point for r in results])),
            "auc_polygon": _round(area_under_error_curve([r.km_polygon for r in results])),
            "auc_answered": _round(area_under_error_curve(point_errors)),
            "recognition_gold": self.exact.gold,
            "recognition_predicted": self.exact.predicted,
            "recognition_precision_exact": _round(self.exact.precision()),
            "recognition_recall_exact": _round(self.exact.recall()),
            "recognition_f1_exact": _round(self.exact.f1()),
            "recognition_precision_overlap": _round(self.overlap.precision()),
            "recognition_recall_overlap": _round(self.overlap.recall()),
            "recognition_f1_overlap": _round(self.overlap.f1()),
            "toponyms_per_second": _round(n / self.resolution_seconds, 0) if self.resolution_seconds else None,
            "recognition_articles_per_second": (_round(articles_recognised / self.recognition_seconds, 0)
                                                if self.recognition_seconds else None),
            "resolution_seconds": _round(self.resolution_seconds, 3),
            "recognition_seconds": _round(self.recognition_seconds, 3),
            "load_seconds": _round(self.load_seconds, 3),
            "aligned_moved": self.corpus.aligned_moved,
            "unaligned": self.corpus.unaligned,
            "outside_text": self.corpus.outside_text,
            "non_toponyms": self.corpus.non_toponyms,
            "by_type": self._by_type(),
        }
        return figures

    def _by_type(self) -> dict[str, dict[str, Any]]:
        by_type: dict[str, list[ToponymResult]] = {}
        for result in self.results:
            by_type.setdefault(result.toponym.type, []).append(result)
        table = {}
        for name in sorted(set(by_type) | set(self.recognised_by_type)):
            results = by_type.get(name, [])
            n = len(results)
            gold, exact, overlap = self.recognised_by_type.get(name, [0, 0, 0])
            table[name] = {
                "toponyms": n,
                "no_answer_share": _share(sum(r.place is None for r in results), n),
                "acc161_polygon": _share(sum(r.right_polygon for r in results), n),
                "acc161_point": _share(sum(r.right_point for r in results), n),
                "recognition_gold": gold,
                "recognition_recall_exact": _share(exact, gold),
                "recognition_recall_overlap": _share(overlap, gold),
            }
        return table

    def lines(self) -> list[str]:
        """The figures as a table for people."""
        s = self.summary()
        c = self.corpus

        def f(value: float | None, digits: int = 3) -> str:
            return "-" if value is None else f"{value:.{digits}f}"

        def k(value: float | None) -> str:
            return "-" if value is None else f"{value:,.0f}"

        lines = [
            f"{FORMAT_NAMES[c.format]}: {s['articles']:,} article{'' if s['articles'] == 1 else 's'}, "
            f"{s['toponyms']:,} gold toponyms with coordinates (resolution), "
            f"{s['recognition_gold']:,} gold spans (recognition)",
            f"gold spans: {c.aligned_moved:,} moved onto their phrase, {c.unaligned:,} not found near it and "
            f"{c.outside_text:,} outside the text (both left out), {c.non_toponyms:,} non-toponym annotations dropped",
            "",
            "Resolution, gold spans               all      answered only",
            f"  acc@161 km, polygon-aware         {f(s['acc161_polygon'])}    {f(s['acc161_polygon_answered'])}",
            f"  acc@161 km, point                 {f(s['acc161_point'])}    {f(s['acc161_point_answered'])}",
            f"  no answer                         {f(s['no_answer_share'])}    ({s['answered']:,} answered)",
            f"  error km, point (answered)        mean {k(s['mean_error_km'])}, median {k(s['median_error_km'])}",
            f"  AUC of log error, point           {f(s['auc'])}    {f(s['auc_answered'])}",
            f"  AUC of log error, polygon-aware   {f(s['auc_polygon'])}",
            f"  toponyms per second               {k(s['toponyms_per_second'])} (context building included; "
            f"gazetteer load {f(s['load_seconds'], 1)} s apart)",
            "",
            "Recognition, resolve_names           P        R        F1",
            f"  exact span                        {f(s['recognition_precision_exact'])}    "
            f"{f(s['recognition_recall_exact'])}    {f(s['recognition_f1_exact'])}",
            f"  overlap, one to one               {f(s['recognition_precision_overlap'])}    "
            f"{f(s['recognition_recall_overlap'])}    {f(s['recognition_f1_overlap'])}",
            f"  {s['recognition_predicted']:,} spans predicted, "
            f"{k(s['recognition_articles_per_second'])} articles per second",
            "",
            f"{'by type':<22} {'n':>6} {'no answer':>10} {'acc@161 poly':>13} {'acc@161 point':>14} "
            f"{'gold spans':>11} {'found exact':>12} {'found overlap':>14}",
        ]
        for name, row in s["by_type"].items():
            lines.append(f"{name:<22} {row['toponyms']:>6,} {f(row['no_answer_share']):>10} "
                         f"{f(row['acc161_polygon']):>13} {f(row['acc161_point']):>14} {row['recognition_gold']:>11,} "
                         f"{f(row['recognition_recall_exact']):>12} {f(row['recognition_recall_overlap']):>14}")
        return lines

    ERROR_COLUMNS = ("article", "start", "end", "name", "type", "gold_lat", "gold_lon", "answer", "answer_kind",
                     "answer_country", "answer_id", "km_polygon", "km_point", "wrong")

    def error_rows(self) -> list[tuple[object, ...]]:
        """One row (ERROR_COLUMNS) per toponym left unanswered or wrong by either measure; `wrong` says
        which: "no answer", "both", "polygon" or "point" (countries right by their shape but far from
        the centroid the corpus gives are "point")."""
        rows: list[tuple[object, ...]] = []
        for r in self.results:
            if r.right_polygon and r.right_point:
                continue
            t, place = r.toponym, r.place
            if place is None:
                wrong = "no answer"
            elif not r.right_polygon and not r.right_point:
                wrong = "both"
            else:
                wrong = "polygon" if not r.right_polygon else "point"
            rows.append((r.article, t.start, t.end, t.name, t.type, t.lat, t.lon,
                         place.name if place else "", place.kind if place else "",
                         (place.country or "") if place else "", place.id if place else "",
                         _round(r.km_polygon, 1), _round(r.km_point, 1), wrong))
        return rows


def area_under_error_curve(errors: Sequence[float | None]) -> float | None:
    """The AUC of Gritta et al.'s CamCoder code: the errors (km, None for no answer, counted as
    MAX_ERROR_KM) sorted, log(1 + km), integrated by the trapezoidal rule and scaled to [0, 1] by
    the largest possible error. Lower is better; None for fewer than two errors."""
    import numpy as np

    if len(errors) < 2:
        return None
    ordered = np.sort(np.array([MAX_ERROR_KM if e is None else e for e in errors], dtype=float))
    # np.trapezoid is what the original's np.trapz was renamed to (numpy 2 removed the old name).
    return float(np.trapezoid(np.log(1.0 + ordered)) / (np.log(MAX_ERROR_KM) * (len(ordered) - 1)))


def evaluate_geoparsing(corpus: GeoparsingCorpus, geocoder: OfflineGazetteer | None = None) -> GeoparsingReport:
    """Score resolution on the gold spans and recognition against them (see the module's docstring)."""
    began = time.perf_counter()
    geocoder = geocoder or default_geocoder()
    geocoder.finder  # noqa: B018 -- built now (~1 s) so that no article's timing carries it
    load_seconds = time.perf_counter() - began
    measure = _Distances()
    results: list[ToponymResult] = []
    resolution_seconds = 0.0
    for article in corpus.articles:
        gold = [t for t in article.toponyms if t.resolvable]
        if not gold:
            continue
        started = time.perf_counter()
        # The context is built once per article, as the geopy call `geocode(name, context=text)`
        # builds it for each name; the gold span replaces that call's search for the name.
        context = PlaceContext.from_text(article.text, geocoder.ranker)
        answers = [geocoder.rank(t.name, context=context, span=(t.start, t.end)) for t in gold]
        resolution_seconds += time.perf_counter() - started
        for toponym, ranked in zip(gold, answers, strict=True):
            place = ranked[0][1] if ranked else None
            assert toponym.lat is not None and toponym.lon is not None
            if place is None:
                results.append(ToponymResult(article.index, toponym, None, None, None))
                continue
            results.append(ToponymResult(article.index, toponym, place,
                                         measure.to_shape(place, toponym.lat, toponym.lon),
                                         measure.between(toponym.lat, toponym.lon, place.lat, place.lon)))

    exact, overlap = SpanCounts(), SpanCounts()
    by_type: dict[str, list[int]] = {}
    recognition_seconds = 0.0
    for article in corpus.articles:
        started = time.perf_counter()
        predicted = sorted({(r.hit.start, r.hit.end) for r in resolve_names(article.text, geocoder)})
        recognition_seconds += time.perf_counter() - started
        spans = [(t.start, t.end) for t in article.toponyms]
        predicted_set = set(predicted)
        found_exactly = [span in predicted_set for span in spans]
        found_overlapping = _match_overlapping(spans, predicted)
        for counts, found in ((exact, found_exactly), (overlap, found_overlapping)):
            counts.gold += len(spans)
            counts.predicted += len(predicted)
            counts.matched += sum(found)
        for toponym, hit, touched in zip(article.toponyms, found_exactly, found_overlapping, strict=True):
            row = by_type.setdefault(toponym.type, [0, 0, 0])
            row[0] += 1
            row[1] += hit
            row[2] += touched
    return GeoparsingReport(corpus, results, exact, overlap, by_type, load_seconds, resolution_seconds,
                            recognition_seconds)


def _match_overlapping(gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]]) -> list[bool]:
    """Per gold span, whether a prediction overlapping it was matched to it, each prediction to one
    gold span at most: greedily, gold in text order, each taking the free prediction that shares
    most characters with it (so an exact match is taken before a partial one)."""
    free = list(predicted)
    matched = [False] * len(gold)
    for index in sorted(range(len(gold)), key=lambda i: gold[i]):
        start, end = gold[index]
        best, best_shared = -1, 0
        for position, (p_start, p_end) in enumerate(free):
            shared = min(end, p_end) - max(start, p_start)
            if shared > best_shared:
                best, best_shared = position, shared
        if best >= 0:
            matched[index] = True
            free.pop(best)
    return matched


class _Distances:
    """Geodesic distances on the WGS84 ellipsoid (pyproj), from a gold point to an answer."""

    def __init__(self) -> None:
        # Imported here: pyproj loads its projection database, which only this evaluation needs.
        import pyproj

        self._geod = pyproj.Geod(ellps="WGS84")

    def between(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        _forward, _back, metres = self._geod.inv(lon1, lat1, lon2, lat2)
        return float(metres) / 1000.0

    def to_shape(self, place: Place, lat: float, lon: float) -> float:
        """0 when the gold point lies in or on the place's shape, else the geodesic distance to the
        shape's nearest point. Shapely finds that nearest point in plain lon/lat degrees, not on the
        ellipsoid: a small approximation for the near misses that decide acc@161, and one that can
        pick a slightly different edge point for far misses (or across the antimeridian)."""
        from shapely.geometry import Point
        from shapely.ops import nearest_points

        shape = place.geometry  # shapely's (lon, lat) order
        point = Point(lon, lat)
        if shape.covers(point):
            return 0.0
        nearest = nearest_points(shape, point)[0]
        return self.between(lat, lon, nearest.y, nearest.x)


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, digits)
