"""The demo's days agree with each other whatever day it is built on (`demo_schedule`); the demo
itself is checked against them in test_demo_stages.py."""

import datetime as dt

import pytest

from chuangyou.core.demo_schedule import HistorySchedule, ThisYearSchedule
from chuangyou.rules.workdays import BUILTIN_YEARS
from chuangyou.workcalendar.queries import workdays_between

ORDER = ("mobilize", "june", "december", "review", "notice", "naming")


def in_order(phases: dict) -> bool:
    """Each phase a span, each one starting after the one before it starts."""
    kinds = [kind for kind in ORDER if kind in phases]
    spans = [phases[kind] for kind in kinds]
    return all(s <= e for s, e in spans) and all(a[0] < b[0] for a, b in zip(spans, spans[1:], strict=False))


def every_day(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_this_years_campaign_is_dated_around_any_today(db, year):
    for today in every_day(year):
        s = ThisYearSchedule.around(today)
        phases = s.phases()
        assert in_order(phases) and set(phases) >= {"mobilize", "december", "review", "notice", "naming"}
        opens, closes = s.round
        assert s.created < phases["mobilize"][0] and phases["december"] == s.round, today
        assert opens < s.submitted < s.reviewed < s.rechecked < s.graded < s.published < today < closes
        assert phases["review"][0] == s.reviewed and phases["review"][1] > today
        if s.notice is None:  # only when this year or, late in December, the next has no holiday data
            assert today.year not in BUILTIN_YEARS or (today.month, today.day) >= (12, 25), today
            continue
        starts, ends = s.notice
        assert starts == s.published and starts < today <= ends, today
        assert workdays_between(starts, ends) == 5
        assert phases["notice"][0] == starts and ends < phases["notice"][1], today


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_last_years_campaign_is_named_before_the_year_ends(db, year):
    s = HistorySchedule.of(year)
    phases = s.phases()
    assert in_order(phases) and s.created < phases["mobilize"][0]
    opens, closes = s.round
    assert opens < s.submitted <= closes < s.reviewed < s.rechecked < s.graded
    assert phases["review"][0] <= s.reviewed and s.graded <= phases["review"][1]
    starts, ends = s.notice
    assert s.graded < starts and workdays_between(starts, ends) == 5
    assert starts < s.objected < s.answered <= ends < s.ended < s.approved <= dt.date(year, 12, 31)
    assert phases["notice"] == s.notice and phases["naming"][0] <= s.approved <= phases["naming"][1]
