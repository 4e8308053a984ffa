"""The article commands: `extract` (an article's events as GeoJSON, nothing stored) and `evaluate`
(extraction scored against a folder's gold)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_commands"]


def _cmd_extract(args: argparse.Namespace) -> int:
    from geo.extract import default_extractor, read_article

    article = read_article(args.article, published=args.published)
    result = default_extractor().extract(article)
    print(json.dumps(result.to_feature_collection(), ensure_ascii=False, indent=None if args.compact else 1))
    if not result.events:
        print(f"note: no events found in {article.document}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.extract import evaluate_folder

    def show(score) -> None:
        if args.quiet:
            return
        t, e = score.toponyms, score.events
        print(f"{score.name}: toponyms P {t.precision:.2f} R {t.recall:.2f} | events P {e.precision:.2f} "
              f"R {e.recall:.2f} F1 {e.f1:.2f}")
        for problem in score.problems:
            print(f"    {problem}")

    result = evaluate_folder(args.folder, progress=show)
    summary = result.summary()
    if not args.quiet:
        print("overall: " + ", ".join(f"{k} {v}" for k, v in summary.items() if k not in ("folder",)))
    if args.json:
        print(json.dumps(summary))
    return 0


def add_commands(commands: Any) -> None:
    """Register `extract` and `evaluate` on the CLI's subparsers."""
    extract = commands.add_parser("extract", help="print the events of an article as GeoJSON (stores nothing)")
    extract.add_argument("article", help="a text or HTML file")
    extract.add_argument("--published", help="publication date, YYYY-MM-DD (or YYYY-MM, YYYY)")
    extract.add_argument("--compact", action="store_true", help="one-line JSON")
    extract.set_defaults(handler=_cmd_extract)

    evaluate = commands.add_parser("evaluate", help="score extraction against FOLDER/gold.json")
    evaluate.add_argument("folder", help="a folder of articles with a gold.json in the gold format")
    evaluate.add_argument("--json", action="store_true", help="end with one JSON line of the scores")
    evaluate.add_argument("--quiet", action="store_true", help="print only the JSON line (with --json)")
    evaluate.set_defaults(handler=_cmd_evaluate)
