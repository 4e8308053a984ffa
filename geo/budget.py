"""A time box for one extraction, so that a request (the app's Add-article page) can bound its wait.

The work checks the box between its units: a stage of reading the article, a sentence, a name to
resolve, an event to merge. A unit in progress is finished first, so the budget is kept to within
the longest unit, and every unit is bounded (a sentence by `mentions.MAX_SENTENCE` characters, a
stage by one linear pass over the text).
"""

from __future__ import annotations

import math
import time

from geo.errors import ExtractionTimeout, InputError

__all__ = ["UNLIMITED", "TimeBudget"]


class TimeBudget:
    """`check(step)` raises ExtractionTimeout once `seconds` have passed since the budget was made
    (None: never)."""

    __slots__ = ("_deadline", "_started", "seconds", "what")

    def __init__(self, seconds: object, what: str = "the extraction") -> None:
        """`seconds`: a positive number, or None for no limit (anything else is an InputError)."""
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                                    or not math.isfinite(seconds) or seconds <= 0):
            raise InputError(f"a time budget was {seconds!r} but should be a positive number of seconds (or None)")
        self.seconds: float | None = None if seconds is None else float(seconds)
        self.what = what
        self._started = time.monotonic()
        self._deadline = None if seconds is None else self._started + seconds

    def check(self, step: str) -> None:
        """Raise ExtractionTimeout if the time is up; `step` says what was being done."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise ExtractionTimeout(
                f"{self.what} was stopped after {time.monotonic() - self._started:.1f} s while {step}: "
                f"it may take at most {self.seconds:g} s (a shorter text, or a larger time budget, reads fully)")


UNLIMITED = TimeBudget(None)
