"""What the command groups share: exit codes, the store option, and the event filters of the commands
that select events (export, snapshot, briefing)."""

from __future__ import annotations

import argparse

__all__ = ["DATABASE_HELP", "ENV_DEBUG", "EXIT_BAD_INPUT", "EXIT_BROKEN_PIPE", "EXIT_INTERNAL", "EXIT_NO_MATCH",
           "add_event_filters"]

EXIT_NO_MATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe
ENV_DEBUG = "FPM_DEBUG"

DATABASE_HELP = ("store URL: postgresql://... for PostGIS, or an SQLite file (default: $FPM_DATABASE_URL, "
                 "else data/store/events.sqlite)")


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
