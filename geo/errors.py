"""The project's error tree, in geopy's style: each error also inherits a builtin.

The CLI and the app turn any of these into one clear sentence for the user.
"""

from __future__ import annotations

__all__ = [
    "DataBuildError",
    "ExtractionTimeout",
    "ForcePostureError",
    "GazetteerMissingError",
    "InputError",
    "NoMatchError",
    "StaleEditError",
    "StoreBusyError",
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


class ExtractionTimeout(ForcePostureError, TimeoutError):
    """An extraction given a time budget (`Extractor.extract(..., time_budget=)`) ran over it and stopped."""


class StoreBusyError(ForcePostureError, RuntimeError):
    """Another process held the event store's write lock for longer than this one would wait."""


class StaleEditError(ForcePostureError, RuntimeError):
    """An edit was based on an older version of an event than the one now stored (someone else
    changed it in between); the caller reloads the event and applies the correction again."""

    def __init__(self, event_id: str, expected: int, current: int) -> None:
        self.event_id = event_id
        self.expected = expected
        self.current = current
        super().__init__(f"event {event_id} was changed by someone else since you opened it (version {expected}, "
                         f"now {current}); reload it and apply your correction again")
