import datetime as dt

import pytest

from geo.errors import InputError
from geo.extract.dates import find_dates, parse_published, scan_dates


def resolved(text: str, published: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.date.isoformat(), m.precision) for m in find_dates(text, parse_published(published))]


def test_weekdays_resolve_to_the_latest_such_day():
    # 2022-06-29 was a Wednesday: "on Tuesday" is the day before, "on Wednesday" the same day.
    assert resolved("said on Tuesday; announced on Wednesday", "2022-06-29") == [
        ("on Tuesday", "2022-06-28", "day"), ("on Wednesday", "2022-06-29", "day")]


def test_relative_phrases():
    found = dict((t, (d, p)) for t, d, p in resolved("this week, just days prior, last month", "2025-12-11"))
    assert found["this week"] == ("2025-12-08", "week")
    assert found["days prior"] == ("2025-12-08", "week")
    assert found["last month"] == ("2025-11-01", "month")


def test_calendar_forms_and_year_inference():
    found = resolved("summit (29 June); in late February; June 3, 2023; in 2024; 2024-04-11", "2022-06-29")
    assert ("29 June", "2022-06-29", "day") in found
    assert ("late February", "2022-02-20", "month") in found
    assert ("June 3, 2023", "2023-06-03", "day") in found
    assert ("in 2024", "2024-01-01", "year") in found
    assert ("2024-04-11", "2024-04-11", "day") in found
    # "of" before the year, and a month a plan is "scheduled for"
    found = resolved("back in September of 1991; scheduled for September; late March of 2019", "2025-08-06")
    assert ("in September of 1991", "1991-09-01", "month") in found
    assert ("for September", "2025-09-01", "month") in found
    assert ("late March of 2019", "2019-03-20", "month") in found


def test_december_article_mentioning_january_means_the_same_winter():
    assert resolved("on 3 January", "2025-01-10") == [("3 January", "2025-01-03", "day")]
    assert resolved("on 28 December", "2025-01-10") == [("28 December", "2024-12-28", "day")]


def test_month_precise_publication_cannot_place_a_weekday():
    assert resolved("on Tuesday", "2025-03") == []
    assert parse_published("2025-03").precision == "month"


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "25/03/2025"])
def test_bad_publication_dates_are_clear(value):
    with pytest.raises(InputError, match="publication date"):
        parse_published(value)


def test_published_accepts_dates():
    assert parse_published(dt.date(2024, 1, 2)).date == dt.date(2024, 1, 2)


EXTREME_PUBLICATIONS = ["0001-01-01", "0001-01", "0001", "9999-12-31", "9999-12", "9999"]
RELATIVE_AND_CALENDAR = ("last week, next week, on Monday, last Monday, next Friday, last month, next month, "
                         "last year, next year, yesterday, tomorrow, on 31 December, on 2 January, in late December, "
                         "in early January, this week, earlier this month")


@pytest.mark.parametrize("published", EXTREME_PUBLICATIONS)
def test_dates_beyond_the_calendar_are_not_resolved(published):
    """ "last week" in an article of 1 January of year 1 has no date (it raised OverflowError and
    stopped the ingest run); the phrases whose date exists still resolve."""
    found = find_dates(RELATIVE_AND_CALENDAR, parse_published(published))
    assert all(dt.date.min <= m.date <= dt.date.max for m in found)
    if published == "0001-01-01":
        texts = {m.text for m in found}
        assert "last week" not in texts and "yesterday" not in texts
        assert ("tomorrow", "0001-01-02", "day") in resolved(RELATIVE_AND_CALENDAR, published)
    if published == "9999-12-31":
        assert "next week" not in {m.text for m in found}
        assert ("yesterday", "9999-12-30", "day") in resolved(RELATIVE_AND_CALENDAR, published)


def test_where_dates_are_written_resolved_or_not():
    """Without a publication date "4 March" cannot be given a year, but it is still a date."""
    text = "on 4 March with Finnish fighters, in 2025 with 12 jets, March 4, 2025 and 2024-04-11; 45 March"
    written = [text[start:end] for start, end in scan_dates(text, None).written]
    assert written == ["4 March", "in 2025", "March 4, 2025", "2024-04-11"]
    assert [m.text for m in scan_dates(text, None).mentions] == ["in 2025", "March 4, 2025", "2024-04-11"]


def test_the_month_may_is_not_a_plan():
    """ "had strengthened its presence in Kosovo in May": the month, not the modal verb, so the May
    meant is the last one, not next year's (and the move is reported, not announced)."""
    from geo.extract.extractor import extract_text

    event = extract_text("KFOR had already strengthened its presence in Kosovo in May by deploying about 500 "
                         "Turkish soldiers.", published="2023-09-30").events[0]
    assert event.start == "2023-05-01" and event.status == "observed"
    planned = extract_text("Turkey may deploy 500 soldiers to Kosovo in March.", published="2023-09-30").events
    assert all(e.status == "announced" for e in planned)
