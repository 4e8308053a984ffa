"""The event store's commands: `ingest` (articles into the store), `export` (events matching filters to
a GeoJSON, CSV, KML or GeoPackage file) and `import` (such a file, checked, into the store)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.cli.common import DATABASE_HELP, EXIT_BAD_INPUT, add_event_filters
from geo.errors import InputError, StoreBusyError

__all__ = ["add_commands"]


def _store(args: argparse.Namespace):
    from geo.store import open_store

    return open_store(args.database)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.extract import display_name
    from geo.store import ingest_paths

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
    from geo.store import export_events, guess_format

    fmt = guess_format(args.output, args.format)
    with _store(args) as store:
        events = store.query(**_filters(args))
    export_events(events, args.output, fmt)
    print(f"wrote {len(events)} events to {args.output} ({fmt})")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.store import default_editor, import_file

    with _store(args) as store:
        summary = import_file(store, args.file, editor=args.editor or default_editor(), fmt=args.format,
                              max_bytes=int(args.max_size_mb * 1024 * 1024))
    print(f"imported {args.file}: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged")
    return 0


def add_commands(commands: Any) -> None:
    """Register `ingest`, `export` and `import` on the CLI's subparsers."""
    ingest = commands.add_parser("ingest", help="extract articles (files or folders) into the event store")
    ingest.add_argument("paths", nargs="+", help="article files, or folders searched for .txt/.html/.md files")
    ingest.add_argument("--database", help=DATABASE_HELP)
    ingest.add_argument("--force", action="store_true",
                        help="extract again even when an article is unchanged (edits are still never overwritten)")
    ingest.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    ingest.set_defaults(handler=_cmd_ingest)

    export = commands.add_parser("export", help="write the events matching the filters to a file")
    export.add_argument("--format", choices=["geojson", "csv", "kml", "gpkg"],
                        help="default: from the output file's extension")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.add_argument("--database", help=DATABASE_HELP)
    export.add_argument("--active-on", metavar="DATE", help="only events active on this day (YYYY-MM-DD)")
    add_event_filters(export)
    export.add_argument("--bbox", metavar="W,S,E,N",
                        help="lon/lat box (write --bbox=-10,35,30,60 when west is negative); west > east crosses 180°")
    export.set_defaults(handler=_cmd_export)

    imports = commands.add_parser("import", help="check a GeoJSON/CSV/KML/GeoPackage file, then add its events")
    imports.add_argument("file", help="a .geojson, .csv, .kml or .gpkg file")
    imports.add_argument("--format", choices=["geojson", "csv", "kml", "gpkg"],
                         help="default: from the file's extension")
    imports.add_argument("--database", help=DATABASE_HELP)
    imports.add_argument("--editor", help="who is importing (default: $FPM_EDITOR or the login name)")
    imports.add_argument("--max-size-mb", type=float, default=64.0, help="largest file accepted (default 64)")
    imports.set_defaults(handler=_cmd_import)
