"""Command line: `python -m geo COMMAND ...`.

Every failure ends in one sentence on stderr and a non-zero exit code, never a traceback: 1 when
nothing matched, 2 for bad input (for `ingest`: some articles could not be read; the others went
in), 3 for an internal error (a bug: FPM_DEBUG=1 shows its traceback), 141 when the reader of the
output went away (`... | head`), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from geo.cli import articles, export, places, store
from geo.cli.common import ENV_DEBUG, EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_NO_MATCH
from geo.errors import ForcePostureError, NoMatchError

__all__ = ["main"]

# One module per command group, each registering its commands, in the order `--help` lists them.
COMMAND_GROUPS = (places, articles, store, export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Force Posture Map: map military force posture from open-source articles.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
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
