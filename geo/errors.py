"""The project's error tree, in geopy's style: each error also inherits a builtin.

The CLI and the app turn any of these into one clear sentence for the user.
"""

from __future__ import annotations

__all__ = [
    "DataBuildError",
    "ForcePostureError",
    "GazetteerMissingError",
    "InputError",
    "NoMatchError",
]


class ForcePostureError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(ForcePostureError, ValueError):
    """The user gave something we cannot read: empty, binary, too large, malformed."""


class NoMatchError(ForcePostureError, LookupError):
    """A place, asset or event asked for does not exist."""


class DataBuildError(ForcePostureError, ValueError):
    """A curated data row failed a check while building; the message names the row."""


class GazetteerMissingError(ForcePostureError, FileNotFoundError):
    """The built gazetteer is absent: run `make data` (or `python -m geo build`)."""
