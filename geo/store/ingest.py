"""Ingesting article files: find them (`article_paths`), then read, extract and store each one as
its own unit (`ingest_paths`), so one bad file is reported and skipped while the rest go in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from geo.errors import ForcePostureError, StoreBusyError
from geo.store.base import EventStore
from geo.store.records import IngestReport, IngestSummary

__all__ = ["ArticleFile", "article_paths", "ingest_paths"]

ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".md")


class ArticleFile(NamedTuple):
    """An article file to ingest, and the folder it was found in: its name in the store is its path
    relative to that folder."""

    path: Path
    root: Path


def article_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[ArticleFile], list[tuple[str, str]]]:
    """Article files named or inside the folders named (recursively, sorted); plus what was missing."""
    found: dict[Path, ArticleFile] = {}
    missing: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if (p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                        and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                    found.setdefault(p, ArticleFile(p, path))
        elif path.is_file():
            found.setdefault(path, ArticleFile(path, path.parent))
        elif path.exists():
            missing.append((str(path), f"{path} is not a regular file (a device, pipe or socket)"))
        else:
            missing.append((str(path), f"{path} does not exist"))
    return list(found.values()), missing


def ingest_paths(store: EventStore, paths: Iterable[str | os.PathLike[str]], *, force: bool = False,
                 extractor: Any = None,
                 progress: Callable[[Path, IngestSummary | None, str | None], None] | None = None) -> IngestReport:
    """Read, extract and store every article; each is its own unit: a file that fails is reported with
    the reason and skipped, and the rest go in. Only a store that stays busy (StoreBusyError) ends the
    run early, since no other article could be written either: `report.stopped` says so, and what was
    stored before stays (running again skips it)."""
    from geo.extract import display_name, read_article

    files, missing = article_paths(paths)
    report = IngestReport(failures=[(display_name(name), message) for name, message in missing], files=len(files))
    for name, message in missing:
        if progress:
            progress(Path(name), None, message)
    for path, root in files:
        try:
            article = read_article(path, root=root)
            article.document = store.resolve_document(article)
            if not force:
                unchanged = store.unchanged_summary(article)
                if unchanged is not None:  # the extractor (and its gazetteer) is not even loaded
                    report.summaries.append(unchanged)
                    if progress:
                        progress(path, unchanged, None)
                    continue
            if extractor is None:
                from geo.extract import default_extractor

                extractor = default_extractor()
            result = extractor.extract(article)
            summary = store.ingest_article(article, result.events, force=force,
                                           unresolved=len(getattr(result, "unresolved", []) or []))
        except StoreBusyError as err:
            report.stopped = str(err)
            break
        except ForcePostureError as err:
            problem = str(err)
        except Exception as err:  # a bug in one article's extraction must not stop the others
            problem = f"could not be processed ({type(err).__name__}: {err}); please report it"
        else:
            report.summaries.append(summary)
            if progress:
                progress(path, summary, None)
            continue
        report.failures.append((display_name(str(path)), problem))
        if progress:
            progress(path, None, problem)
    return report
