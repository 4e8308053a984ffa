"""Reading articles: encodings, HTML, page furniture, and every kind of bad input."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.ingest import MAX_ARTICLE_BYTES, clean_text, read_article, read_article_bytes

from .conftest import SEEDS


def test_seed_comments_bio_and_credit_are_dropped_and_reported():
    article = read_article(SEEDS / "000_bc515cc3e7e2ca53.txt")
    assert "Glasgow Caledonian" not in article.text
    assert "Only the gullible" not in article.text
    assert "Photo courtesy" not in article.text
    assert "patrol over the Baltic Sea" in article.text
    assert article.dropped_summary() == {"credit": 1, "bio": 1, "comments": 1}
    assert article.published == "2025-03" and article.outlet == "UK Defence Journal"


def test_site_furniture_is_dropped():
    article = read_article(SEEDS / "001_faa9ce2b65bbefc6.txt")
    assert "Advertisement" not in article.text and "Latest news" not in article.text
    assert "destroyers stationed in Rota" in article.text


def test_scraped_markup_fragments_are_dropped():
    article = read_article(SEEDS / "002_7230f43d1c5252f7.txt")
    assert not article.text.startswith(("!", "|"))
    assert article.text.startswith("VISTORBELITUNG.COM")


def test_html_page_keeps_reporting_and_drops_scripts_and_furniture():
    html = b"""<!doctype html><html><head><title>Bombers over the Baltic</title>
    <script>alert('x'); var place = "Sea of Japan";</script><style>p{}</style></head><body>
    <nav>Home | World | Defence</nav>
    <article><p>Two B-52 bombers patrolled the Baltic Sea on Tuesday.</p>
    <p>They flew from RAF Fairford.</p></article>
    <div class="comments"><p>Reader: what about Canada?</p></div>
    <aside class="related">Related: Chinese drills near Taiwan</aside>
    <footer>Copyright</footer></body></html>"""
    article = read_article_bytes(html, "page.html", published="2025-03-04")
    assert "Two B-52 bombers patrolled the Baltic Sea" in article.text
    assert "alert" not in article.text and "Sea of Japan" not in article.text
    assert "Canada" not in article.text and "Taiwan" not in article.text
    assert article.headline == "Bombers over the Baltic"
    assert "read as HTML" in article.notes


def test_latin1_and_utf16_are_decoded():
    text = "Les bombardiers B-52 ont survolé la mer Baltique près de Gdańsk."
    latin = "Patrol near Ørland, Norway – two B-1B bombers.".encode("cp1252")
    assert "Ørland" in read_article_bytes(latin, "latin.txt").text
    assert "windows-1252" in read_article_bytes(latin, "latin.txt").notes[0]
    assert "Gdańsk" in read_article_bytes(text.encode("utf-16"), "wide.txt").text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"%PDF-1.7\n%...", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"abc\x00def\x00ghi", "NUL"),
    ],
)
def test_bad_input_gets_a_clear_message(data, message):
    with pytest.raises(InputError, match=message):
        read_article_bytes(data, "bad.bin")


def test_huge_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse: refused by its size alone
    with pytest.raises(InputError, match=r"50\.0 MiB.*at most 10 MiB"):
        read_article(big)
    assert MAX_ARTICLE_BYTES == 10 * 1024 * 1024


def test_page_of_only_furniture_is_an_error():
    with pytest.raises(InputError, match="no reporting text"):
        read_article_bytes(b"Advertisement\n\nLatest news\nSomething else", "furniture.txt")


def test_missing_file_and_folder_are_clear(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)


def test_inline_photo_credit_is_cut_from_its_paragraph():
    kept, dropped = clean_text("The bombers flew home. Photo courtesy of the Finnish Air Force\n")
    assert kept == "The bombers flew home."
    assert dropped[0].label == "credit"
