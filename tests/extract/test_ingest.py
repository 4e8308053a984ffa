"""Reading articles: encodings, HTML, page furniture, and every kind of bad input."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.extract.article import MAX_ARTICLE_BYTES, clean_text, read_article, read_article_bytes
from tests.conftest import SEEDS


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


# -- hostile files and pages (issue 13: F5, F12 and the deep-nesting observation) -------------------
def test_special_files_are_refused_without_reading(tmp_path):
    """A FIFO would block the reader forever and /dev/zero never ends: neither is read."""
    import os
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.extend(_raised(read_article, fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert isinstance(outcome[0], InputError) and "not a regular file" in str(outcome[0])
    with pytest.raises(InputError, match="not a regular file"):
        read_article("/dev/zero")


def _raised(function, *args) -> list[BaseException]:
    try:
        function(*args)
    except BaseException as err:  # the test inspects whatever came out
        return [err]
    return []


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x01", "\x1f", "\ufffe"])
def test_control_characters_in_html_are_dropped(control):
    """lxml refuses text XML cannot hold when it removes a comment or script next to it."""
    page = (f"<html><body><p>NATO jets<!-- ad -->{control} flew over Poland.</p><script>x()</script>{control}"
            f"<p>Two B-52 bombers{control} patrolled the Baltic Sea.</p></body></html>")
    article = read_article_bytes(page.encode("utf-8"), "vt.html")
    assert "NATO jets flew over Poland." in article.text.replace("  ", " ")
    assert "Two B-52 bombers patrolled the Baltic Sea." in article.text
    assert control not in article.text


def test_deeply_nested_page_is_still_read():
    depth = 3000
    page = ("<html><head><title>Deep</title><script>var hidden = 'Sea of Japan';</script></head><body>"
            + "<div>" * depth + "<p>Two B-52 bombers flew over the Baltic Sea on 3 March 2025.</p>"
            "<!-- Related: Chinese drills --><p>They returned to RAF Fairford.</p>" + "</div>" * depth
            + "</body></html>")
    article = read_article_bytes(page.encode("utf-8"), "deep.html")
    assert article.text == ("Two B-52 bombers flew over the Baltic Sea on 3 March 2025.\n\n"
                            "They returned to RAF Fairford.")
    assert any(block.label == "markup" for block in article.dropped)


def test_metadata_sidecar_that_is_not_a_mapping_is_named(tmp_path):
    (tmp_path / "a.txt").write_text("Two B-52 bombers flew over the Baltic Sea.", encoding="utf-8")
    (tmp_path / "articles.json").write_text('["a.txt"]', encoding="utf-8")
    with pytest.raises(InputError, match=r"articles\.json should be a JSON object .* it is a list"):
        read_article(tmp_path / "a.txt")
    (tmp_path / "articles.json").write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_article(tmp_path / "a.txt")


def test_file_names_that_are_not_utf8_are_kept_distinct(tmp_path):
    import os

    text = b"Two B-52 bombers flew over the Baltic Sea on 3 March 2025."
    names = [os.fsdecode(b"bericht-\xe4.txt"), os.fsdecode(b"bericht-\xf6.txt")]
    for name in names:
        (tmp_path / name).write_bytes(text)
    documents = [read_article(tmp_path / name).document for name in names]
    assert documents == ["bericht-\\xe4.txt", "bericht-\\xf6.txt"]
    for document in documents:
        document.encode("utf-8")  # storable: no surrogate escapes left


HTML_PIECES = ["<p>", "</p>", "<div class='comments'>", "</div>", "<script>", "</script>", "<style>", "<!--", "-->",
               "<title>", "<br>", "<", ">", "&amp;", "&#0;", "&#xD800;", "<![CDATA[", "]]>", "\x0b", "\x00", "\x1f",
               "\ufffe", "\ud800", "<html>", "<body>", "Two B-52 bombers flew over the Baltic Sea. "]


def test_any_page_is_read_or_refused_clearly():
    """Hypothesis: whatever the page holds, reading it gives text without control characters or a
    clear InputError; never another exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    pages = st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=10)), max_size=40).map("".join)

    @settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(page=pages, as_html=st.booleans())
    def check(page: str, as_html: bool) -> None:
        data = (("<html><body>" if as_html else "") + page).encode("utf-8", "surrogatepass")
        try:
            article = read_article_bytes(data, "fuzz.html")
        except InputError:
            return
        assert article.text.strip()
        assert not any(ord(c) < 32 and c not in "\n\t" for c in article.text)

    check()


def test_control_characters_of_every_block_leave_plain_text():
    """C0 (but tab and line feed), DEL and C1 (\\x80-\\x9f, what text decoded with the wrong encoding
    leaves) are never reporting text."""
    text = "Two B-52\x85 bombers\x7f flew\x9f over the\x08 Baltic\x1b Sea.\tThey returned.\n\nLater."
    article = read_article_bytes(text.encode("utf-8"), "controls.txt")
    assert article.text == "Two B-52 bombers flew over the Baltic Sea.\tThey returned.\n\nLater."


STORY = ("Four B-1B bombers landed at Orland Main Air Station in Norway on Monday for a Bomber Task Force "
         "rotation, the first such deployment to the country.\n\n"
         "The aircraft and about 200 airmen will train with Norwegian F-35 fighters over the Norwegian Sea "
         "for several weeks, officials said.\n")


@pytest.mark.parametrize("furniture", [
    "  • Published\n  • By Staff Report\n  • 12th Wing Public Affairs\n",  # a bulleted byline
    "View Comments\n",  # a comments link above the story
    "Trending\n",  # a list marker with the story right under it
    "• Live\n  • Audio Only\n  • facebook\n  • twitter\n",  # a share bar
])
def test_a_comments_or_headline_marker_above_the_story_drops_only_itself(furniture):
    """Such a marker cuts everything after it only once the story has been read; above the story it
    is one line of furniture (scraped pages lost their whole text to it)."""
    text, dropped = clean_text("Bombers land in Norway\n\n" + furniture + "\n" + STORY)
    assert "Four B-1B bombers landed at Orland" in text and "over the Norwegian Sea" in text
    assert dropped and all(block.text.strip() in furniture for block in dropped)


def test_a_read_more_box_inside_the_story_is_cut_and_the_story_goes_on():
    text, dropped = clean_text(STORY + "\nRead More\nNorway's F-35s take over quick reaction alert...\n\n"
                               "The detachment is the second bomber rotation in Europe this year and will end "
                               "in March, a spokesman for the air force said on Tuesday.\n")
    assert "quick reaction alert" not in text
    assert "The detachment is the second bomber rotation" in text
    assert [block.label for block in dropped] == ["furniture"]


def test_a_headline_list_running_into_comments_drops_both():
    text, _ = clean_text(STORY + "\nRelated news:\n• Drillship heads west of Cyprus\n• Jets in mock dogfight\n"
                         "YOUR COMMENTS\nsailor_77: Proud of our navy, and this is a long comment that reads "
                         "just like a sentence of reporting would.\n")
    assert "Drillship" not in text and "Proud of our navy" not in text
    assert text.rstrip().endswith("officials said.")


def test_a_one_line_biography_with_a_beat_is_dropped():
    text, dropped = clean_text(STORY + "\nIngrid Falk-Moen covers Nordic defence from Trondheim. She previously "
                               "reported from Tromso.\n")
    assert "Trondheim" not in text and [block.label for block in dropped] == ["bio"]
