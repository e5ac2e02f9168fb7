"""Working days over holidays and make-up working days (SPEC §9, research/domain-rules.md §5)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangyou.rules.workdays import (
    BUILTIN_YEARS,
    CalendarMissingError,
    WorkCalendar,
    add_workdays,
    count_workdays,
    is_workday,
)

D = dt.date.fromisoformat
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-09-20", True),  # Sunday, make-up working day before National Day
        ("2026-09-25", False),  # 中秋
        ("2026-09-30", True),
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday, make-up working day
        ("2026-10-11", False),  # ordinary Sunday
        ("2026-02-14", True),  # Saturday before 春节
        ("2026-02-16", False),
        ("2025-09-28", True),  # 2025 make-up Sunday
        ("2025-10-11", True),  # 2025 make-up Saturday
        ("2025-10-08", False),
    ],
)
def test_the_builtin_calendar_knows_holidays_and_make_up_days(day, working):
    assert CAL.is_workday(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2026-09-30", 1, "2026-09-30"),  # a working start date is day 1
        ("2026-09-30", 2, "2026-10-08"),  # the whole holiday is skipped
        ("2026-09-30", 4, "2026-10-10"),  # the make-up Saturday counts
        ("2026-09-30", 5, "2026-10-12"),  # Sunday 10-11 does not
        ("2026-09-28", 5, "2026-10-09"),
        ("2026-10-01", 1, "2026-10-08"),  # a holiday start date is not counted
        ("2026-10-01", 5, "2026-10-13"),  # 10-08, 10-09, 10-10, 10-12, 10-13
        ("2026-09-19", 1, "2026-09-20"),  # Saturday start; the make-up Sunday is day 1
    ],
)
def test_add_workdays_across_the_2026_national_day_holiday(start, n, end):
    assert CAL.add_workdays(D(start), n) == D(end)
    assert add_workdays(D(start), n) == D(end)


def test_count_workdays_is_inclusive():
    assert CAL.count_workdays(D("2026-10-01"), D("2026-10-11")) == 3  # 10-08, 10-09, 10-10
    assert CAL.count_workdays(D("2026-09-28"), D("2026-10-12")) == 7
    assert count_workdays(D("2026-10-10"), D("2026-10-10")) == 1
    assert CAL.count_workdays(D("2026-10-11"), D("2026-10-11")) == 0


def test_bad_arguments_raise_value_errors_in_chinese():
    with pytest.raises(ValueError, match="早于开始日期"):
        CAL.count_workdays(D("2026-10-12"), D("2026-10-01"))
    with pytest.raises(ValueError, match="正整数"):
        CAL.add_workdays(D("2026-10-12"), 0)


def test_a_year_without_data_raises_a_clear_error():
    assert 2026 in BUILTIN_YEARS and 2027 not in BUILTIN_YEARS
    with pytest.raises(CalendarMissingError) as info:
        is_workday(D("2027-01-04"))
    assert str(info.value) == "2027年节假日安排尚未录入，请先维护工作日历"
    assert info.value.year == 2027
    with pytest.raises(CalendarMissingError, match="2027年"):
        CAL.add_workdays(D("2026-12-28"), 5)  # runs into 2027
    with pytest.raises(CalendarMissingError, match="2003年"):
        CAL.is_workday(D("2003-12-31"))


def test_overrides_win_and_make_a_year_known():
    overrides = {D("2027-01-01"): False, D("2026-10-10"): False, D("2026-10-11"): True}
    cal = WorkCalendar(overrides)
    assert cal.is_workday(D("2026-10-10")) is False
    assert cal.is_workday(D("2026-10-11")) is True
    assert cal.is_workday(D("2027-01-01")) is False  # entered holiday
    assert cal.is_workday(D("2027-01-02")) is False  # Saturday
    assert cal.is_workday(D("2027-01-04")) is True  # Monday, weekday rule in a known year
    assert cal.add_workdays(D("2026-12-31"), 2) == D("2027-01-04")
    with pytest.raises(CalendarMissingError, match="2028年"):
        cal.is_workday(D("2028-01-03"))


def test_a_calendar_without_builtin_data_uses_only_overrides():
    cal = WorkCalendar({D("2026-10-01"): False}, builtin=False)
    assert cal.is_workday(D("2026-10-02")) is True  # the library's holiday is ignored
    assert cal.is_workday(D("2026-10-10")) is False  # and so is its make-up Saturday


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 11, 30)), st.integers(1, 20))
def test_the_nth_working_day_closes_a_range_of_n_working_days(start, n):
    end = CAL.add_workdays(start, n)
    assert CAL.is_workday(end)
    assert CAL.count_workdays(start, end) == n
