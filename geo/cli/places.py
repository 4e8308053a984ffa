"""The gazetteer's commands: `build` (the offline gazetteer), `compile` (the extraction modules with mypyc),
`geocode` (a place name to its shape) and `evaluate-geoparsing` (the geoparser scored on a public corpus)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from geo.errors import NoMatchError

__all__ = ["add_commands"]


def _cmd_build(args: argparse.Namespace) -> int:
    from geo.gazetteer import build

    build.main_build(Path(args.data_dir), Path(args.output) if args.output else None)
    return 0


def _cmd_compile(args: argparse.Namespace) -> int:
    from geo.native import compile_modules

    return compile_modules(only_if_stale=args.if_stale)


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.geocode import OfflineGazetteer, with_online_fallback

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
        feature["properties"]["guessed"] = location.raw["guessed"]
    else:  # an online answer: a point only
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [location.longitude, location.latitude]},
            "properties": {"name": location.address, "kind": "unknown", "source": location.raw.get("source")},
        }
    print(json.dumps(feature, ensure_ascii=False, indent=None if args.compact else 1))
    return 0


def _cmd_evaluate_geoparsing(args: argparse.Namespace) -> int:
    from geo.geocode import evaluate_geoparsing, read_geoparsing_corpus

    corpus = read_geoparsing_corpus(args.file)
    report = evaluate_geoparsing(corpus)
    if not args.quiet:
        print("\n".join(report.lines()))
    if args.errors:
        from geo.store import atomic_output  # writes the whole table or nothing

        rows = report.error_rows()
        with atomic_output(args.errors) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(report.ERROR_COLUMNS)
            writer.writerows(rows)
        if not args.quiet:
            print(f"wrote {args.errors}: {len(rows):,} toponyms wrong or unanswered")
    if args.json:  # last, on one line, for scripts
        print(json.dumps(report.summary()))
    return 0


def add_commands(commands: Any) -> None:
    """Register `build`, `compile`, `geocode` and `evaluate-geoparsing` on the CLI's subparsers."""
    build = commands.add_parser("build", help="build the gazetteer from its sources (data/build/)")
    build.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "data"))
    build.add_argument("--output", help="where to write the GeoParquet table")
    build.set_defaults(handler=_cmd_build)
    compile_ = commands.add_parser("compile", help="compile the extraction modules with mypyc (build/native/)")
    compile_.add_argument("--if-stale", action="store_true", help="only when the sources changed since the last build")
    compile_.set_defaults(handler=_cmd_compile)

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

    geoparsing = commands.add_parser(
        "evaluate-geoparsing",
        help="score the geoparser on a GeoWebNews, LGL / TR-News or GeoVirus XML file",
        description="Resolution (acc@161 km, polygon-aware and by point, AUC, no-answer share) on the file's gold "
                    "spans, and recognition (P/R/F1, exact and overlapping spans) against them.")
    geoparsing.add_argument("file", help="the corpus XML file (format told by its elements)")
    geoparsing.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    geoparsing.add_argument("--quiet", action="store_true", help="print only the JSON line (with --json)")
    geoparsing.add_argument("--errors", metavar="FILE.tsv",
                            help="write one row per wrong or unanswered toponym (tab-separated)")
    geoparsing.set_defaults(handler=_cmd_evaluate_geoparsing)
