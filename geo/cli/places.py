"""The gazetteer's commands: `build` (the offline gazetteer), `compile` (the extraction modules with mypyc)
and `geocode` (a place name to its shape)."""

from __future__ import annotations

import argparse
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
    else:  # an online answer: a point only
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [location.longitude, location.latitude]},
            "properties": {"name": location.address, "kind": "unknown", "source": location.raw.get("source")},
        }
    print(json.dumps(feature, ensure_ascii=False, indent=None if args.compact else 1))
    return 0


def add_commands(commands: Any) -> None:
    """Register `build`, `compile` and `geocode` on the CLI's subparsers."""
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
