"""The export subcommands of `python -m geo`: `snapshot` (PNG or standalone HTML) and `briefing` (PPTX).

The commands that share the view options live together here; geo/cli/program.py registers them with
`add_commands`. Events come from the event store (the same
one the app reads) or, with `--articles`, straight from article files (no store needed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from geo.cli.common import add_event_filters
from geo.errors import ForcePostureError, InputError

__all__ = ["add_commands"]


def _view(args: argparse.Namespace, *, dated: bool = True) -> Any:
    from geo.export import View

    if getattr(args, "view", None) and not isinstance(args.view, list):
        return View.from_query(args.view)
    bounds = None
    if args.bounds:
        try:
            bounds = [float(v) for v in args.bounds.split(",")]
        except ValueError as err:
            raise InputError(f"--bounds was {args.bounds!r} but is expected to be WEST,SOUTH,EAST,NORTH") from err
    return View.make(
        theatre=args.theatre, bounds=bounds, perspective=args.perspective,
        as_of=args.date if dated else None, start=args.date_from if dated else None,
        end=args.date_to if dated else None, kinds=args.kind, actors=args.actor, categories=args.category,
        statuses=args.status, text=args.text, title=args.title, caveat=args.caveat, basemap=not args.no_basemap,
    )


def _source(args: argparse.Namespace) -> tuple[Any, Any]:
    """(events or store, something to close): article files when given, else the event store."""
    if args.articles:
        from geo.extract import default_extractor, display_name, read_article
        from geo.store import article_paths

        files, problems = article_paths(args.articles)
        extractor = default_extractor()
        events = []
        for path, root in files:
            try:
                events.extend(extractor.extract(read_article(path, root=root)).events)
            except ForcePostureError as err:
                problems.append((str(path), str(err)))
        for path, problem in problems:
            print(f"skipped {display_name(path)}: {problem}", file=sys.stderr)
        if not events:
            raise InputError("no events found in the articles given")
        return events, None
    from geo.store import open_store

    store = open_store(args.database)
    if store.time_range() is None:
        undated = store.count()
        store.close()
        if undated:
            raise InputError(f"the event store {store.url} has {undated:,} events but none with a date, so none "
                             "can be placed in time: give them dates (the app's correction form, or export, edit "
                             "and import)")
        raise InputError(f"the event store {store.url} is empty: run `make seed` (or `python -m geo ingest seeds/`), "
                         "or give --articles FILES")
    return store, store


def _cmd_snapshot(args: argparse.Namespace) -> int:
    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise InputError(f"-o {output.name}: give a .png (snapshot) or .html (standalone map) file")
    from geo.store import check_output

    check_output(output)  # a folder, special file or unwritable place is refused before seconds of rendering
    view = _view(args)
    source, closer = _source(args)
    started = time.perf_counter()
    try:
        if suffix == ".png":
            from geo.export import snapshot

            shot = snapshot(source, view, size=args.size, frame=args.frame)
            shot.save(output)
            width, height = shot.record["pixels"]
            print(f"wrote {output} ({width}x{height}, {shot.record['events']} events, "
                  f"{time.perf_counter() - started:.1f} s)")
        else:
            from geo.export import write_standalone

            if closer is not None:
                everything = view.between(None, None)
                events = source.query(**everything.store_filters(with_time=False))
                record = write_standalone(output, events, view, preselected=True)
            else:
                record = write_standalone(output, source, view)
            size = output.stat().st_size / 1e6
            print(f"wrote {output} (standalone, {record['events']} events, {size:.1f} MB, "
                  f"{time.perf_counter() - started:.1f} s)")
    finally:
        if closer is not None:
            closer.close()
    return 0


def _cmd_briefing(args: argparse.Namespace) -> int:
    from geo.export import View, build_briefing, sorted_days

    if bool(args.dates) == bool(args.view):
        raise InputError("give --dates D1,D2,... or one --view per slide (app link queries)"
                         + (", not both" if args.dates else ""))
    if args.view:
        views = [View.from_query(q) for q in args.view]
    else:
        base = _view(args, dated=False)
        views = [base.at(day) for day in sorted_days(args.dates)]
    output = Path(args.output)
    if output.suffix.lower() != ".pptx":
        raise InputError(f"-o {output.name}: a briefing is a .pptx file")
    from geo.store import check_output

    check_output(output)
    source, closer = _source(args)
    started = time.perf_counter()
    try:
        build_briefing(source, views, output, title=args.deck_title)
    finally:
        if closer is not None:
            closer.close()
    print(f"wrote {output} ({len(views)} slides, {time.perf_counter() - started:.1f} s)")
    return 0


def _view_options(parser: argparse.ArgumentParser, *, dated: bool) -> None:
    from geo.render import THEATRES

    parser.add_argument("--theatre", default="World",
                        help=f"a preset: {', '.join(THEATRES)} (any case; 'baltic' works)")
    parser.add_argument("--bounds", metavar="W,S,E,N",
                        help="a lon/lat box instead of a theatre (--bounds=-10,35,30,60)")
    parser.add_argument("--perspective", default="neutral", choices=["neutral", "NATO", "Russia"])
    if dated:
        parser.add_argument("--date", metavar="DATE", help="show what is active on this day (YYYY-MM-DD)")
    add_event_filters(parser, dates=dated)  # a briefing takes its days from --dates
    parser.add_argument("--title", help="title printed on the map (default: Force posture — THEATRE)")
    parser.add_argument("--caveat", help="caveat line (default: an open-source, unverified caveat)")
    parser.add_argument("--no-basemap", action="store_true", help="leave out the vector basemap")
    parser.add_argument("--database", help="store URL or SQLite file (default: $FPM_DATABASE_URL, else "
                                           "data/store/events.sqlite)")
    parser.add_argument("--articles", nargs="+", metavar="PATH",
                        help="extract these article files or folders instead of reading the store")


def add_commands(commands: Any) -> None:
    """Register `snapshot` and `briefing` on the CLI's subparsers."""
    snap = commands.add_parser("snapshot", help="map of a view as a PNG (print frame) or a standalone offline HTML")
    _view_options(snap, dated=True)
    snap.add_argument("--view", help="an app share link or its query (theatre=Baltic&asof=2025-03-01) "
                                     "instead of the options above")
    snap.add_argument("--size", choices=["slide", "a4"], default="slide",
                      help="slide: 1920x1080; a4: A4 landscape at 300 dpi (3508x2480)")
    snap.add_argument("--frame", choices=["full", "compact"], default="full",
                      help="full: title bar, legend, footer; compact: no title bar")
    snap.add_argument("-o", "--output", required=True, help="map.png, or map.html for the standalone map")
    snap.set_defaults(handler=_cmd_snapshot)

    brief = commands.add_parser("briefing", help="PowerPoint deck: one slide per date or saved view")
    _view_options(brief, dated=False)
    brief.add_argument("--dates", help="comma-separated days, one slide each: 2025-02-01,2025-03-01")
    brief.add_argument("--view", action="append", help="a saved view (app link query), one slide each (repeatable)")
    brief.add_argument("--deck-title", help="the deck's title (document properties)")
    brief.add_argument("-o", "--output", required=True, help="brief.pptx")
    brief.set_defaults(handler=_cmd_briefing)
