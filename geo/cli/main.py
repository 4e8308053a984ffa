"""Command line: `python -m geo COMMAND ...`.

Every failure ends in one sentence on stderr and a non-zero exit code, never a traceback: 1 when
nothing matched, 2 for bad input (for `ingest`: some articles could not be read; the others went
in), 3 for an internal error (a bug: FPM_DEBUG=1 shows its traceback), 141 when the reader of the
output went away (`... | head`), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import ForcePostureError, InputError, NoMatchError, StoreBusyError

__all__ = ["main"]

EXIT_NO_MATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe
ENV_DEBUG = "FPM_DEBUG"


def _cmd_build(args: argparse.Namespace) -> int:
    from geo.gazetteer.build import main_build

    main_build(Path(args.data_dir), Path(args.output) if args.output else None)
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.geocode.geocoder import OfflineGazetteer, with_online_fallback

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
    from geo.extract.article import read_article
    from geo.extract.extractor import default_extractor

    article = read_article(args.article, published=args.published)
    result = default_extractor().extract(article)
    print(json.dumps(result.to_feature_collection(), ensure_ascii=False, indent=None if args.compact else 1))
    if not result.events:
        print(f"note: no events found in {article.document}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.extract.evaluation import evaluate_folder

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


# -- the event store: ingest, export, import -------------------------------------------------------------
def _store(args: argparse.Namespace):
    from geo.store.base import open_store

    return open_store(args.database)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.extract.article import display_name
    from geo.store.base import ingest_paths

    def show(path: Path, summary, problem: str | None) -> None:
        shown = display_name(str(path))
        if problem is not None:
            print(f"skipped {shown}: {problem}", file=sys.stderr)
        elif not args.quiet:
            detail = (f"{summary.events_found} events" if summary.status == "unchanged" else
                      f"{summary.events_found} events found, {summary.added} added, {summary.updated} updated, "
                      f"{summary.removed} removed, {summary.kept} kept as a person left them")
            # A name taken by an article from elsewhere gets a tag: say which file this one is.
            source = "" if summary.document.endswith(display_name(path.name)) else f" (from {shown})"
            print(f"{summary.document}{source}: {summary.status}, {detail}")

    with _store(args) as store:
        report = ingest_paths(store, args.paths, force=args.force, progress=show)
        totals = report.totals()
        print(f"articles read {totals['articles read']} (new {totals['new']}, updated {totals['updated']}, "
              f"unchanged {totals['unchanged']}); events found {totals['events found']} (added "
              f"{totals['events added']}, updated {totals['events updated']}, removed {totals['events removed']}, "
              f"kept as a person left them {totals['kept as a person left them']}); places unresolved "
              f"{totals['places unresolved']}; files skipped {totals['files skipped']}; store {store.url}")
    if report.stopped is not None:
        raise StoreBusyError(f"{report.stopped}. The run stopped with {len(report.summaries):,} of {report.files:,} "
                             "articles read; what was stored stays, and running the same command again continues")
    if report.failures and not report.summaries:
        raise InputError("no article could be read")
    return EXIT_BAD_INPUT if report.failures else 0


def _filters(args: argparse.Namespace) -> dict:
    between = None
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise InputError("give both --from and --to (ISO 8601 dates)")
        between = (args.date_from, args.date_to)
    bbox = None
    if args.bbox:
        try:
            bbox = tuple(float(v) for v in args.bbox.split(","))
        except ValueError as err:
            raise InputError(f"--bbox was {args.bbox!r} but is expected to be WEST,SOUTH,EAST,NORTH") from err
    return dict(active_on=args.active_on, between=between, kinds=args.kind, actors=args.actor,
                categories=args.category, statuses=args.status, bbox=bbox, text=args.text)


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.store.exchange import export_events, guess_format

    fmt = guess_format(args.output, args.format)
    with _store(args) as store:
        events = store.query(**_filters(args))
    export_events(events, args.output, fmt)
    print(f"wrote {len(events)} events to {args.output} ({fmt})")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.store.base import default_editor
    from geo.store.exchange import import_file

    with _store(args) as store:
        summary = import_file(store, args.file, editor=args.editor or default_editor(), fmt=args.format,
                              max_bytes=int(args.max_size_mb * 1024 * 1024))
    print(f"imported {args.file}: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged")
    return 0


def add_event_filters(parser: argparse.ArgumentParser, *, dates: bool = True) -> None:
    """The filters every command that selects events shares (export, snapshot, briefing)."""
    if dates:
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="only events active from this day ...")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="... to this day")
    parser.add_argument("--kind", action="append", help="deployment, basing, patrol or exercise (repeatable)")
    parser.add_argument("--actor", action="append", help="ISO country code of an actor or partner (repeatable)")
    parser.add_argument("--category", action="append", help="asset category, e.g. bomber (repeatable)")
    parser.add_argument("--status", action="append", help="announced or observed (repeatable)")
    parser.add_argument("--text", help="words that must all appear (sentence, places, assets, notes)")


def _cmd_compile(args: argparse.Namespace) -> int:
    from geo.native import compile_modules

    return compile_modules(only_if_stale=args.if_stale)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Force Posture Map: map military force posture from open-source articles.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    database_help = "store URL: postgresql://... for PostGIS, or an SQLite file (default: $FPM_DATABASE_URL, " \
                    "else data/store/events.sqlite)"
    ingest = commands.add_parser("ingest", help="extract articles (files or folders) into the event store")
    ingest.add_argument("paths", nargs="+", help="article files, or folders searched for .txt/.html/.md files")
    ingest.add_argument("--database", help=database_help)
    ingest.add_argument("--force", action="store_true",
                        help="extract again even when an article is unchanged (edits are still never overwritten)")
    ingest.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    ingest.set_defaults(handler=_cmd_ingest)

    export = commands.add_parser("export", help="write the events matching the filters to a file")
    export.add_argument("--format", choices=["geojson", "csv", "kml", "gpkg"],
                        help="default: from the output file's extension")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.add_argument("--database", help=database_help)
    export.add_argument("--active-on", metavar="DATE", help="only events active on this day (YYYY-MM-DD)")
    add_event_filters(export)
    export.add_argument("--bbox", metavar="W,S,E,N",
                        help="lon/lat box (write --bbox=-10,35,30,60 when west is negative); west > east crosses 180°")
    export.set_defaults(handler=_cmd_export)

    imports = commands.add_parser("import", help="check a GeoJSON/CSV/KML/GeoPackage file, then add its events")
    imports.add_argument("file", help="a .geojson, .csv, .kml or .gpkg file")
    imports.add_argument("--format", choices=["geojson", "csv", "kml", "gpkg"],
                         help="default: from the file's extension")
    imports.add_argument("--database", help=database_help)
    imports.add_argument("--editor", help="who is importing (default: $FPM_EDITOR or the login name)")
    imports.add_argument("--max-size-mb", type=float, default=64.0, help="largest file accepted (default 64)")
    imports.set_defaults(handler=_cmd_import)

    from geo.cli.export import add_export_commands  # snapshot (PNG, standalone HTML) and briefing (PPTX)

    add_export_commands(commands)
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
    except BrokenPipeError:
        # The reader went away (`... | head`): what was written is written, and the store committed
        # before printing. Point stdout at /dev/null so that Python's exit flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as err:
        if os.environ.get(ENV_DEBUG) == "1":
            raise
        print(f"error: internal error ({type(err).__name__}: {err}). Please report it; {ENV_DEBUG}=1 shows "
              "the traceback", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
