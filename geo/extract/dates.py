"""Dates in news text, resolved against the article's publication date.

"on Tuesday", "this week", "days prior", "in late February", "29 June", "June 29, 2022",
"2024-04-11", "in 2023": each becomes a date with a precision (day, week, month, year).
Relative phrases live in `data/relative_dates.csv`; calendar forms are patterns below.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass

from geo.errors import InputError
from geo.gazetteer import DATA_DIR, WordStartMatcher

__all__ = ["DateMention", "DateScan", "PublicationDate", "find_dates", "parse_published", "scan_dates"]

RELATIVE_PATH = DATA_DIR / "relative_dates.csv"
MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
PART_OF_MONTH = {"early": 1, "beginning of": 1, "start of": 1, "mid": 10, "mid-": 10, "middle of": 10,
                 "late": 20, "end of": 20}

_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Each pattern is the body after a leading \b; `WordStartMatcher` tries it only at words it can start.
_PATTERNS: list[tuple[str, WordStartMatcher]] = [
    ("iso", WordStartMatcher([r"(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"])),
    ("day_month", WordStartMatcher([rf"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"],
                                   re.IGNORECASE)),
    ("month_day", WordStartMatcher([rf"{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?"],
                                   re.IGNORECASE)),
    ("part_month", WordStartMatcher(
        [rf"(?P<part>early|late|mid-?|middle of|beginning of|start of|end of)\s*{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?\b"],
        re.IGNORECASE)),
    # "in September of 1991", "scheduled for September"
    ("month_year", WordStartMatcher(
        [rf"(?:in|since|during|by|until|from|last|for)\s+{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?\b"], re.IGNORECASE)),
    ("month_year_bare", WordStartMatcher([rf"{_MONTH}\s+(?:of\s+)?{_YEAR}\b"], re.IGNORECASE)),
    ("weekday", WordStartMatcher([r"(?:on\s+|last\s+|this\s+|next\s+)?(?P<weekday>monday|tuesday|wednesday|"
                                  r"thursday|friday|saturday|sunday)\b"], re.IGNORECASE)),
    ("year", WordStartMatcher([rf"(?:in|since|during|by|until|from|early|late|mid-?)\s+{_YEAR}\b"], re.IGNORECASE)),
]


@dataclass(frozen=True, slots=True)
class PublicationDate:
    date: dt.date
    precision: str  # day, month or year: how much of the date the source gives


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    text: str
    date: dt.date
    precision: str


@dataclass(frozen=True, slots=True)
class DateScan:
    """What `scan_dates` reads in a text."""

    mentions: list[DateMention]  # the dates resolved, in text order, none overlapping another
    # Where every date is written, resolved or not: "4 March" with no publication date to give its
    # year is still a date, and its numbers are no count of anything.
    written: list[tuple[int, int]]


def parse_published(value: str | dt.date | None) -> PublicationDate | None:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY` (the gold format's convention) to a date and precision."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return PublicationDate(value, "day")
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return PublicationDate(dt.date.fromisoformat(text), "day")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return PublicationDate(dt.date(int(text[:4]), int(text[5:7]), 1), "month")
        if re.fullmatch(r"\d{4}", text):
            return PublicationDate(dt.date(int(text), 1, 1), "year")
    except ValueError as err:
        raise InputError(f"publication date {text!r} is not a real date: {err}") from err
    raise InputError(f"publication date {text!r} should be YYYY-MM-DD, YYYY-MM or YYYY")


@functools.cache
def _relative_rules() -> tuple[WordStartMatcher, dict[str, dict[str, str]]]:
    """One alternation of every phrase, longest first ("earlier this week" before "this week")."""
    with RELATIVE_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: -len(r["phrase"]))
    matcher = WordStartMatcher([re.escape(r["phrase"]) for r in rows], re.IGNORECASE, suffix=r"\b")
    return matcher, {r["phrase"].lower(): r for r in rows}


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _infer_year(month: int, day: int, published: PublicationDate) -> int:
    """A date written without a year is the latest such date not far after publication."""
    year = published.date.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        return year
    # A difference, not `published.date + 45 days`: that is past the last date in December 9999.
    if published.precision != "year" and (candidate - published.date).days > 45:
        return year - 1
    return year


# Stands in for a missing publication date when telling whether words are a date at all.
_ANY_PUBLICATION = PublicationDate(dt.date(2000, 6, 15), "day")


def find_dates(text: str, published: PublicationDate | None) -> list[DateMention]:
    """Every date expression in `text`, resolved; ones needing a publication date are skipped without it."""
    return scan_dates(text, published).mentions


def scan_dates(text: str, published: PublicationDate | None) -> DateScan:
    """Every date expression in `text`: the ones resolved (those needing a publication date only
    with one), and where every date is written.

    A phrase whose date would fall outside the calendar ("last week" in an article dated 1 January
    of year 1) is not resolved: there is no such date.
    """
    found: list[DateMention] = []
    written: list[tuple[int, int]] = []
    # 1 where a date already stands: an overlapping later match loses. (A list of the spans taken,
    # searched for every match, made a long article's dates quadratic.)
    covered = bytearray(len(text))

    def add(start: int, end: int, date: dt.date, precision: str) -> None:
        if covered.find(1, start, end) >= 0:
            return
        covered[start:end] = b"\x01" * (end - start)
        found.append(DateMention(start, end, text[start:end], date, precision))

    if published is not None:
        pattern, rules = _relative_rules()
        for match in pattern.finditer(text):
            rule = rules[" ".join(match.group(0).lower().split())]
            relative = _resolve_relative(rule, published)
            if relative is not None:
                add(match.start(), match.end(), *relative)
                written.append(match.span())
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            resolved = _resolve_calendar(name, match, published)
            if resolved is not None:
                add(match.start(), match.end(), *resolved)
                written.append(match.span())
            elif published is None and _resolve_calendar(name, match, _ANY_PUBLICATION) is not None:
                written.append(match.span())  # "4 March": a date, though its year is unknown
    found.sort(key=lambda m: m.start)
    written.sort()
    return DateScan(found, written)


def _resolve_relative(rule: dict[str, str], published: PublicationDate) -> tuple[dt.date, str] | None:
    base = published.date
    precision = rule["precision"]
    # A month-precise publication date cannot place "yesterday" on a day.
    if published.precision == "month" and precision in ("day", "week"):
        return base, "month"
    if published.precision == "year" and precision != "year":
        return base, "year"
    try:
        day = base + dt.timedelta(days=int(rule["days"] or 0), weeks=int(rule["weeks"] or 0))
        if int(rule["months"] or 0):
            day = _shift_months(day, int(rule["months"]))
        if int(rule["years"] or 0):
            day = dt.date(day.year + int(rule["years"]), day.month, 1 if rule["align"] else min(day.day, 28))
    except (OverflowError, ValueError):  # before 1 January of year 1 or after 31 December 9999
        return None
    align = rule["align"]
    if align == "week":
        day = day - dt.timedelta(days=day.weekday())  # never before 1 January of year 1, a Monday
    elif align == "month":
        day = day.replace(day=1)
    elif align == "year":
        day = day.replace(month=1, day=1)
    return day, precision


def _resolve_calendar(name: str, match: re.Match[str], published: PublicationDate | None) -> tuple[dt.date, str] | None:
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    month = MONTHS.get((groups.get("month") or "").lower().rstrip(".")) if groups.get("month") else None
    try:
        if name == "iso":
            return dt.date(int(groups["year"]), int(groups["mnum"]), int(groups["day"])), "day"
        if name in ("day_month", "month_day"):
            if month is None or (month == 5 and year is None and not match.group("month").startswith("M")):
                return None  # "on April 22 may return": the verb, not 22 May
            day = int(groups["day"])
            if not 1 <= day <= 31:
                return None
            if year is None:
                if published is None:
                    return None
                year = _infer_year(month, day, published)
            return dt.date(year, month, day), "day"
        if name == "part_month":
            if month is None:
                return None
            if year is None:
                if published is None:
                    return None
                year = _infer_year(month, 1, published)
            part = groups["part"].lower().rstrip()
            return dt.date(year, month, PART_OF_MONTH.get(part, PART_OF_MONTH.get(part + "-", 1))), "month"
        if name in ("month_year", "month_year_bare"):
            if month is None or (name == "month_year" and month == 5 and year is None
                                  and not match.group("month").startswith("M")):
                return None  # "in may" is too often the verb; "in May" is the month
            if year is None:
                if published is None:
                    return None
                year = _infer_year(month, 1, published)
                if match.group(0)[:4].lower() == "last" and month >= published.date.month:
                    year = published.date.year - 1  # "last April" in an April article: a year ago
            return dt.date(year, month, 1), "month"
        if name == "weekday":
            if published is None or published.precision != "day":
                return None
            weekday = WEEKDAYS[groups["weekday"].lower()]
            lead = match.group(0).lower()
            back = (published.date.weekday() - weekday) % 7
            if lead.startswith("last"):
                back = back or 7
            if lead.startswith("next"):
                return published.date + dt.timedelta(days=(weekday - published.date.weekday()) % 7 or 7), "day"
            return published.date - dt.timedelta(days=back), "day"
        if name == "year":
            return dt.date(int(groups["year"]), 1, 1), "year"
    except (OverflowError, ValueError):  # not a real date, or one outside the calendar's years 1 to 9999
        return None
    return None
