"""`python -m geo evaluate-geoparsing`: the three corpus readers, span alignment, the scores and the CLI.

The fixtures (tests/geocode/fixtures/) are short invented texts with real coordinates, one file per
format; no public corpus is kept in the project.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from geo.cli.program import main
from geo.errors import InputError
from geo.geocode import area_under_error_curve, evaluate_geoparsing, read_geoparsing_corpus
from geo.geocode.evaluation import MAX_ERROR_KM, _align, _match_overlapping

FIXTURES = Path(__file__).parent / "fixtures"
GWN = FIXTURES / "gwn_sample.xml"
LGL = FIXTURES / "lgl_sample.xml"
GEOVIRUS = FIXTURES / "geovirus_sample.xml"


def _spans(corpus, article=0):
    return [(t.name, t.start, t.end, t.type, t.lat, t.lon) for t in corpus.articles[article].toponyms]


# -- readers --------------------------------------------------------------------------------------
def test_reads_geowebnews_dropping_non_toponyms_and_title_spans():
    corpus = read_geoparsing_corpus(GWN)
    assert corpus.format == "gwn"
    assert len(corpus.articles) == 2
    assert _spans(corpus) == [
        ("Hamburg", 18, 25, "Literal", 53.55073, 9.99302),
        ("Kiel", 29, 33, "Literal", 54.32133, 10.13489),  # given as 31-35, two characters off
        ("Baltic Sea", 43, 53, "Literal", 58.0, 20.0),
        ("Zorvan", 55, 61, "Non_Literal_Modifier", 51.5, 10.5),
        ("Denmark", 77, 84, "Metonymic", 56.0, 9.5),
    ]
    dutch, rotterdam, oslo = corpus.articles[1].toponyms
    assert (dutch.name, dutch.type, dutch.resolvable) == ("Dutch", "Demonym", False)
    assert rotterdam.resolvable and oslo.resolvable
    assert corpus.aligned_moved == 1
    assert corpus.unaligned == 0
    assert corpus.outside_text == 1  # "Kiel" in the title, at negative offsets
    assert corpus.non_toponyms == 1  # "officials", a Non_Lit_Expression


def test_reads_lgl_keeping_a_toponym_without_gaztag_for_recognition():
    corpus = read_geoparsing_corpus(LGL)
    assert corpus.format == "lgl"
    assert _spans(corpus) == [
        ("Gdansk", 13, 19, "untyped", 54.35227, 18.64912),
        ("Klaipeda", 24, 32, "untyped", 55.7068, 21.13912),  # given as 22-30
        ("Gotland", 45, 52, "untyped", None, None),  # no gaztag
    ]
    assert corpus.aligned_moved == 1
    assert [t.resolvable for _a, t in corpus.toponyms] == [True, True, False]


def test_reads_geovirus():
    corpus = read_geoparsing_corpus(GEOVIRUS)
    assert corpus.format == "geovirus"
    assert _spans(corpus) == [
        ("Stockholm", 20, 29, "untyped", 59.32938, 18.06871),
        ("Norway", 54, 60, "untyped", 61.0, 9.0),  # given as 56-62
        ("Sweden", 84, 90, "untyped", 62.0, 15.0),
    ]
    assert corpus.aligned_moved == 1


def test_alignment_finds_the_phrase_nearby_or_gives_up():
    text = "Ships left Kiel for Kielce? No: for Gdynia, and then\nNew  York."
    assert _align(text, "Kiel", 11, 15) == (11, 15)  # in place
    assert _align(text, "kiel", 13, 17) == (11, 15)  # case aside, two characters off
    assert _align(text, "Gdynia", 30, 36) == (36, 42)
    assert _align(text, "New York", 50, 58) == (53, 62)  # the text's own spacing kept
    assert _align(text, "Kielce", 60, 66) is None  # more than 20 characters away
    assert _align(text, "Kiel", 17, 21) == (11, 15)  # never onto "Kiel" inside "Kielce"
    assert _align("x" * 19 + " Kielce", "Kiel", 0, 4) is None  # nor at the window's edge


def test_an_unalignable_span_is_counted_and_left_out(tmp_path):
    path = tmp_path / "corpus.xml"
    path.write_text("""<articles><article><source>x</source>
        <text>Convoys crossed Poland at night.</text><locations>
        <location><name>Poland</name><start>16</start><end>22</end><lat>52.0</lat><lon>19.5</lon></location>
        <location><name>Latvia</name><start>0</start><end>6</end><lat>57.0</lat><lon>25.0</lon></location>
        </locations></article></articles>""", encoding="utf-8")
    corpus = read_geoparsing_corpus(path)
    assert [t.name for _a, t in corpus.toponyms] == ["Poland"]
    assert (corpus.aligned_moved, corpus.unaligned) == (0, 1)


@pytest.mark.parametrize(("content", "message"), [
    ("<articles><article><text>Kiel</text>", "not well-formed XML"),
    ("<gazetteer><place/></gazetteer>", "not <articles>"),
    ("<articles><article><text>Kiel</text><toponyms/></article></articles>", "no toponyms in a format"),
    ('<!DOCTYPE articles [<!ENTITY port "Kiel">]><articles><article><text>&port;</text></article></articles>',
     "entities"),
    ("<articles><article><text>Kiel</text><locations><location><name>Kiel</name><start>zero</start>"
     "<end>4</end></location></locations></article></articles>", "article 1, location 1: <start>"),
    ("<articles><article><text>Kiel</text><locations><location><name>Kiel</name><start>0</start>"
     "<end>4</end><lat>154.3</lat><lon>10.1</lon></location></locations></article></articles>",
     "is not a latitude"),
])
def test_bad_files_are_input_errors(tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_geoparsing_corpus(path)


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_geoparsing_corpus(tmp_path / "absent.xml")


# -- scoring --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gwn_report(geocoder):
    return evaluate_geoparsing(read_geoparsing_corpus(GWN), geocoder)


def _result(report, name):
    (found,) = [r for r in report.results if r.toponym.name == name]
    return found


def test_a_gold_point_inside_the_answer_is_0_km_and_a_wrong_gold_point_is_wrong(gwn_report):
    baltic = _result(gwn_report, "Baltic Sea")
    assert baltic.place.id == "sea:baltic-sea"
    assert baltic.km_polygon == 0.0 and baltic.right_polygon
    # The sea's representative point is far from the gold point: right by shape, wrong by point.
    assert baltic.km_point > 161 and not baltic.right_point
    hamburg = _result(gwn_report, "Hamburg")
    assert hamburg.place.name == "Hamburg" and hamburg.km_point < 1.0 and hamburg.right_polygon
    denmark = _result(gwn_report, "Denmark")
    assert denmark.place.id == "country:DK" and denmark.km_polygon == 0.0
    rotterdam = _result(gwn_report, "Rotterdam")  # gold given Madrid's coordinates on purpose
    assert rotterdam.place.country == "NL"
    assert 1_350 < rotterdam.km_point < 1_500 and not rotterdam.right_polygon and not rotterdam.right_point
    zorvan = _result(gwn_report, "Zorvan")  # an invented adjective: no place of that name
    assert zorvan.place is None and zorvan.km_polygon is None


def test_summary_figures(gwn_report):
    summary = gwn_report.summary()
    assert summary["toponyms"] == 7  # Dutch has no coordinates; the title's Kiel and "officials" are out
    assert summary["answered"] == 6
    assert summary["acc161_polygon"] == round(5 / 7, 4)  # all but Rotterdam and Zorvan
    assert summary["acc161_point"] == round(4 / 7, 4)  # and not the Baltic Sea by its point
    assert summary["no_answer_share"] == round(1 / 7, 4)
    assert summary["aligned_moved"] == 1 and summary["unaligned"] == 0
    assert summary["recognition_gold"] == 8
    kiel = _result(gwn_report, "Kiel")
    assert kiel.right_polygon  # resolved at its aligned span
    assert summary["by_type"]["Literal"]["toponyms"] == 5
    assert summary["by_type"]["Non_Literal_Modifier"]["no_answer_share"] == 1.0
    assert summary["by_type"]["Demonym"] == {
        "toponyms": 0, "no_answer_share": None, "acc161_polygon": None, "acc161_point": None,
        "recognition_gold": 1, "recognition_recall_exact": 1.0, "recognition_recall_overlap": 1.0,
    }
    rows = gwn_report.error_rows()
    assert {(row[3], row[-1]) for row in rows} == {("Baltic Sea", "point"), ("Zorvan", "no answer"),
                                                  ("Rotterdam", "both")}


def test_recognition_counts_exact_and_overlapping_spans(gwn_report):
    # The finder takes the adjective "Dutch" (not "The Dutch"), not the invented "Zorvan": 7 of 8.
    assert (gwn_report.exact.gold, gwn_report.exact.matched) == (8, 7)
    assert gwn_report.exact.recall() == 0.875


def test_overlap_matching_is_one_to_one():
    # One gold span, two predictions inside it: one matches, the other is a false positive.
    assert _match_overlapping([(0, 10)], [(0, 4), (5, 10)]) == [True]
    # The exact prediction goes to the gold span it equals, the partial one to the other.
    assert _match_overlapping([(0, 10), (8, 20)], [(8, 20), (2, 9)]) == [True, True]
    assert _match_overlapping([(0, 10), (20, 30)], [(12, 18)]) == [False, False]


def test_auc_follows_camcoder():
    assert area_under_error_curve([0.0, 0.0, 0.0]) == 0.0
    assert area_under_error_curve([None, None]) == pytest.approx(math.log(1 + MAX_ERROR_KM) / math.log(MAX_ERROR_KM))
    errors = [100.0, 0.0, None]
    logs = sorted(math.log(1 + e) for e in (0.0, 100.0, MAX_ERROR_KM))
    trapezoids = (logs[0] + logs[1]) / 2 + (logs[1] + logs[2]) / 2
    assert area_under_error_curve(errors) == pytest.approx(trapezoids / (math.log(MAX_ERROR_KM) * 2))
    assert area_under_error_curve([5.0]) is None


# -- command line ---------------------------------------------------------------------------------
def test_cli_prints_a_table_and_ends_with_json(gazetteer, capsys, tmp_path):
    errors = tmp_path / "errors.tsv"
    assert main(["evaluate-geoparsing", str(GWN), "--json", "--errors", str(errors)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert any("acc@161 km, polygon-aware" in line for line in out)
    assert any(line.startswith("Non_Literal_Modifier") for line in out)
    summary = json.loads(out[-1])
    for key in ("toponyms", "acc161_polygon", "acc161_point", "no_answer_share", "auc", "recognition_f1_exact",
                "recognition_f1_overlap", "toponyms_per_second", "aligned_moved", "unaligned", "by_type"):
        assert key in summary, key
    assert summary["toponyms"] == 7 and summary["aligned_moved"] == 1
    header, *rows = errors.read_text(encoding="utf-8").splitlines()
    assert header.split("\t")[:4] == ["article", "start", "end", "name"]
    assert sorted(row.split("\t")[3] for row in rows) == ["Baltic Sea", "Rotterdam", "Zorvan"]


def test_cli_malformed_xml_exits_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<articles><article><text>Kiel</article></articles>", encoding="utf-8")
    assert main(["evaluate-geoparsing", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "not well-formed XML" in lines[0]
