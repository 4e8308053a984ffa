"""The article commands: `extract` (an article's events as GeoJSON, nothing stored), `evaluate`
(extraction scored against a folder's gold, or leave-one-corpus-out with `--cross`) and `train` (the
decision model from annotated folders)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo.errors import InputError

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
    from geo.extract import Extractor, cross_validate, evaluate_folder, load_event_model

    if args.cross:
        if len(args.folder) < 2:
            raise InputError("--cross needs two folders or more: each is scored by a model trained on the others")
        report = cross_validate(args.folder, progress=None if args.quiet else print)
        print("\n".join(report.lines()))
        if args.json:
            print(json.dumps({"mean_event_f1": round(report.mean_f1(report.scores), 4),
                              "rules_mean_event_f1": round(report.mean_f1(report.rules), 4)}))
        return 0
    if len(args.folder) > 1:
        raise InputError("give one folder (or several with --cross)")
    extractor = Extractor(model=load_event_model(args.model)) if args.model else None

    def show(score) -> None:
        if args.quiet:
            return
        t, e = score.toponyms, score.events
        print(f"{score.name}: toponyms P {t.precision:.2f} R {t.recall:.2f} | events P {e.precision:.2f} "
              f"R {e.recall:.2f} F1 {e.f1:.2f}")
        for problem in score.problems:
            print(f"    {problem}")

    result = evaluate_folder(args.folder[0], extractor, progress=show)
    summary = result.summary()
    if not args.quiet:
        print("overall: " + ", ".join(f"{k} {v}" for k, v in summary.items() if k not in ("folder",)))
    if args.json:
        print(json.dumps(summary))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from geo.extract import train_model
    from geo.store import atomic_output

    model = train_model(args.folder, progress=print)
    with atomic_output(args.output) as temporary:
        temporary.write_text(model.to_json(), encoding="utf-8")
    print(f"wrote {args.output}: {len(model.names)} features, threshold {model.threshold}, "
          f"out-of-fold mean event F1 {model.trained_on['out_of_fold_mean_f1']}")
    return 0


def add_commands(commands: Any) -> None:
    """Register `extract`, `evaluate` and `train` on the CLI's subparsers."""
    extract = commands.add_parser("extract", help="print the events of an article as GeoJSON (stores nothing)")
    extract.add_argument("article", help="a text or HTML file")
    extract.add_argument("--published", help="publication date, YYYY-MM-DD (or YYYY-MM, YYYY)")
    extract.add_argument("--compact", action="store_true", help="one-line JSON")
    extract.set_defaults(handler=_cmd_extract)

    evaluate = commands.add_parser("evaluate", help="score extraction against FOLDER/gold.json")
    evaluate.add_argument("folder", nargs="+", help="a folder of articles with a gold.json in the gold format")
    evaluate.add_argument("--json", action="store_true", help="end with one JSON line of the scores")
    evaluate.add_argument("--quiet", action="store_true", help="print only the JSON line (with --json)")
    evaluate.add_argument("--model", metavar="FILE", help="decide with this trained model (python -m geo train)")
    evaluate.add_argument("--cross", action="store_true",
                          help="leave one corpus out: score each folder with a model trained on the others")
    evaluate.set_defaults(handler=_cmd_evaluate)

    train = commands.add_parser("train", help="train the decision model on annotated folders (needs scikit-learn)")
    train.add_argument("folder", nargs="+", help="folders of articles with a gold.json (never the development set)")
    train.add_argument("-o", "--output", required=True, help="the model file to write (JSON)")
    train.set_defaults(handler=_cmd_train)
