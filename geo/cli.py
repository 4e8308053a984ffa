"""Command line: `python -m geo COMMAND ...`.

Every failure the user can cause ends in one sentence on stderr and a non-zero exit code,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import ForcePostureError, NoMatchError

__all__ = ["main"]

EXIT_NO_MATCH = 1
EXIT_BAD_INPUT = 2


def _cmd_build(args: argparse.Namespace) -> int:
    from geo.gazetteer_build import main_build

    main_build(Path(args.data_dir), Path(args.output) if args.output else None)
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.geocoding import OfflineGazetteer, with_online_fallback

    geocoder = OfflineGazetteer()
    kinds = args.kind or None
    if args.online:
        location = with_online_fallback(geocoder).geocode(
            args.query, context=args.context, country_bias=args.country, kinds=kinds
        )
    else:
        location = geocoder.geocode(args.query, context=args.context, country_bias=args.country, kinds=kinds)
    if location is None:
        raise NoMatchError(f"no place called {args.query!r} in the gazetteer")
    place = location.raw.get("place")
    if place is not None:
        feature = place.to_feature()
        feature["properties"]["score"] = location.raw["score"]
    else:  # an online answer: a point only
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [location.longitude, location.latitude]},
            "properties": {"name": location.address, "kind": "unknown", "source": location.raw.get("source")},
        }
    print(json.dumps(feature, ensure_ascii=False, indent=None if args.compact else 1))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from geo.extraction import default_extractor
    from geo.ingest import read_article

    article = read_article(args.article, published=args.published)
    result = default_extractor().extract(article)
    print(json.dumps(result.to_feature_collection(), ensure_ascii=False, indent=None if args.compact else 1))
    if not result.events:
        print(f"note: no events found in {article.document}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.evaluation import evaluate_folder

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Force Posture Map: map military force posture from open-source articles.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the gazetteer from its sources (data/build/)")
    build.add_argument("--data-dir", default=str(Path(__file__).resolve().parent.parent / "data"))
    build.add_argument("--output", help="where to write the GeoParquet table")
    build.set_defaults(handler=_cmd_build)

    geocode = commands.add_parser("geocode", help="resolve a place name to its shape (GeoJSON Feature)")
    geocode.add_argument("query", help="a place name, e.g. 'Sea of Japan'")
    geocode.add_argument("--context", help="text the name appeared in (ranks ambiguous names)")
    geocode.add_argument("--country", help="prefer places in this ISO 3166-1 alpha-2 country")
    geocode.add_argument("--kind", action="append", choices=["country", "sea", "region", "city", "installation"],
                         help="only places of this kind (repeatable)")
    geocode.add_argument("--online", action="store_true",
                         help="opt in: ask Nominatim (rate limited, cached) for names the gazetteer lacks")
    geocode.add_argument("--compact", action="store_true", help="one-line JSON")
    geocode.set_defaults(handler=_cmd_geocode)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except NoMatchError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_NO_MATCH
    except ForcePostureError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
