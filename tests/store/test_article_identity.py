"""Which stored article a file is (issue 13, item 3): by where it comes from, never by bare file name.

siteA/index.html and siteB/index.html used to be one article (the second replaced the first and
retracted its events). Now an article is identified by its origin: its URL when known
(articles.json, the page's canonical link), else the file's path; its name in the store is its
path relative to the folder ingested, tagged when another article already holds that name. Every
test runs on SQLite and PostGIS, through the same `ingest` command a user types.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from geo.cli.program import main
from geo.extract.article import Article
from geo.store.core import SCHEMA_VERSION
from geo.store.factory import open_store
from geo.store.ingest import ingest_paths
from tests.store_helpers import run_sql, stored_schema

pytest_plugins = ["tests.store_backends"]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIRST, SECOND = sorted(SEEDS.glob("*.txt"))[1:3]


def ingest(store_url: str, *paths: Path) -> int:
    return main(["ingest", "--quiet", "--database", store_url, *map(str, paths)])


def documents(store_url: str) -> dict[str, int]:
    """Each stored article's name and how many live events it has."""
    with open_store(store_url) as store:
        return {a.document: len([e for e in store.query() if e.source.document == a.document])
                for a in store.articles()}


def test_two_sites_with_the_same_file_name_are_two_articles(store_url, tmp_path, gazetteer):
    """The probe's reproduction (F3): the second index.txt no longer replaces the first."""
    for site, seed in (("siteA", FIRST), ("siteB", SECOND)):
        (tmp_path / site).mkdir()
        shutil.copy(seed, tmp_path / site / "index.txt")
    assert ingest(store_url, tmp_path / "siteA") == 0
    first = documents(store_url)
    assert list(first) == ["index.txt"] and first["index.txt"] > 0
    assert ingest(store_url, tmp_path / "siteB") == 0
    both = documents(store_url)
    assert len(both) == 2 and both["index.txt"] == first["index.txt"]  # the first article's events stand
    (tagged,) = set(both) - {"index.txt"}
    assert tagged.startswith("index.txt~") and both[tagged] > 0
    assert ingest(store_url, tmp_path / "siteB", tmp_path / "siteA") == 0  # again: nothing new, nothing lost
    assert documents(store_url) == both


def test_the_same_file_changed_updates_its_article(store_url, tmp_path, gazetteer):
    folder = tmp_path / "inbox"
    folder.mkdir()
    target = folder / "report.txt"
    shutil.copy(FIRST, target)
    assert ingest(store_url, folder) == 0
    text = FIRST.read_text(encoding="utf-8")
    target.write_text("The ministry confirmed the plan.\n\n" + text, encoding="utf-8")
    assert ingest(store_url, folder) == 0
    with open_store(store_url) as store:
        (record,) = store.articles()
        assert record.document == "report.txt" and record.text.startswith("The ministry confirmed the plan.")
        assert record.origin == str(target.resolve())


def test_nested_folders_name_articles_by_their_relative_path(store_url, tmp_path, gazetteer):
    for region, seed in (("europe", FIRST), ("asia", SECOND)):
        (tmp_path / "feeds" / region).mkdir(parents=True)
        shutil.copy(seed, tmp_path / "feeds" / region / "latest.txt")
    assert ingest(store_url, tmp_path / "feeds") == 0
    assert sorted(documents(store_url)) == ["asia/latest.txt", "europe/latest.txt"]


def test_a_known_url_is_the_identity(store_url, tmp_path, gazetteer):
    """Two saves of the same web page (other folders, other file names) are one article, updated;
    the URL comes from articles.json or from the page's own canonical link."""
    url = "https://news.example/2025/03/bombers-baltic"
    body = "<p>" + FIRST.read_text(encoding="utf-8").replace("\n\n", "</p><p>") + "</p>"
    first = tmp_path / "monday"
    first.mkdir()
    head = f"<head><link rel='canonical' href='{url}'></head>"
    (first / "page.html").write_text(f"<html>{head}<body>{body}</body></html>", encoding="utf-8")
    assert ingest(store_url, first) == 0
    second = tmp_path / "tuesday"
    second.mkdir()
    (second / "saved.html").write_text(f"<html><body><p>Update: the bombers returned.</p>{body}</body></html>",
                                       encoding="utf-8")
    (second / "articles.json").write_text(json.dumps({"saved.html": {"url": url}}), encoding="utf-8")
    assert ingest(store_url, second) == 0
    with open_store(store_url) as store:
        (record,) = store.articles()
        assert record.document == "page.html" and record.origin == url
        assert "the bombers returned" in record.text


def test_a_moved_file_with_the_same_text_is_the_same_article(store_url, tmp_path, gazetteer):
    (tmp_path / "old").mkdir()
    shutil.copy(FIRST, tmp_path / "old" / "a.txt")
    assert ingest(store_url, tmp_path / "old") == 0
    before = documents(store_url)
    shutil.move(tmp_path / "old", tmp_path / "new")
    assert ingest(store_url, tmp_path / "new") == 0
    assert documents(store_url) == before


def test_pasted_articles_keep_their_own_names(store_url, gazetteer):
    """The Add-article page: a typed name another text holds gets a tag; the same text pasted again
    is the same article."""
    with open_store(store_url) as store:
        one = Article(document="brief.txt", text="Two B-52 bombers flew over the Baltic Sea on 3 March 2025.")
        assert store.resolve_document(one) == "brief.txt"
        store.ingest_article(one, [])
        assert store.resolve_document(Article(document="brief.txt", text=one.text)) == "brief.txt"
        other = Article(document="brief.txt", text="Russia moved Iskander missiles to Kaliningrad on 5 May 2025.")
        renamed = store.resolve_document(other)
        assert renamed.startswith("brief.txt~")
        other.document = renamed
        store.ingest_article(other, [])
        assert sorted(a.document for a in store.articles()) == ["brief.txt", renamed]


def test_a_store_written_before_origins_adopts_its_articles(store_url, tmp_path, gazetteer):
    """A schema 2 store (names only) is migrated on open; re-ingesting the same files finds their
    articles unchanged and records where they come from, instead of adding copies."""
    assert ingest(store_url, SEEDS) == 0
    before = documents(store_url)
    _downgrade_to_schema_2(store_url)
    assert ingest(store_url, SEEDS) == 0
    assert documents(store_url) == before
    with open_store(store_url) as store:
        assert all(a.origin and a.origin.endswith(a.document) for a in store.articles())
    assert stored_schema(store_url) == SCHEMA_VERSION


def test_one_failing_article_never_stops_the_others(store_url, tmp_path, gazetteer):
    """Each article is its own unit: a failure (here an extractor bug on one file) names the file
    and the reason, the rest are stored, and the command's exit code says that some failed."""
    from geo.extract.extractor import default_extractor

    real = default_extractor()

    class FailsOnOne:
        def extract(self, article: Any) -> Any:
            if article.document == "b.txt":
                raise OverflowError("cannot convert float infinity to integer")
            return real.extract(article)

    for name, seed in (("a.txt", FIRST), ("b.txt", FIRST), ("c.txt", SECOND)):
        shutil.copy(seed, tmp_path / name)
    with open_store(store_url) as store:
        report = ingest_paths(store, [tmp_path], extractor=FailsOnOne())
    assert [s.document for s in report.summaries] == ["a.txt", "c.txt"]
    ((failed, reason),) = report.failures
    assert failed.endswith("b.txt") and "OverflowError" in reason


def _downgrade_to_schema_2(url: str) -> None:
    """Make the store what the previous version of this program wrote: articles without origins."""
    run_sql(url, ["DROP INDEX articles_origin", "ALTER TABLE articles DROP COLUMN origin",
                  "UPDATE meta SET value = '2' WHERE key = 'schema_version'"])


@pytest.fixture(autouse=True)
def _editor(monkeypatch) -> None:
    monkeypatch.setenv("FPM_EDITOR", "identity test")


def test_an_article_never_retracts_imported_events_that_name_its_file(store_url, new_store_url, tmp_path, gazetteer):
    """Events imported from another store name their source file but come with no article: a later,
    different article of the same file name is stored beside them and retracts none of them."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(FIRST, tmp_path / "a" / "index.txt")
    shutil.copy(SECOND, tmp_path / "b" / "index.txt")
    elsewhere = new_store_url()
    assert ingest(elsewhere, tmp_path / "a") == 0
    assert main(["export", "--database", elsewhere, "-o", str(tmp_path / "a.geojson")]) == 0
    assert main(["import", "--database", store_url, "--editor", "t", str(tmp_path / "a.geojson")]) == 0
    with open_store(store_url) as store:
        imported = {e.id for e in store.query()}
    assert imported
    assert ingest(store_url, tmp_path / "b") == 0
    with open_store(store_url) as store:
        live = {e.id: e for e in store.query()}
        assert imported <= set(live)  # every imported event still stands
        (article,) = store.articles()
        assert article.document.startswith("index.txt~")
        assert all(not any(c.action == "retract" for c in store.history(i)) for i in imported)
