"""Reading the calendar: the database over the built-in data, unknown years, notice end dates."""

import datetime as dt

import pytest

from chuangyou.rules.workdays import CalendarMissingError
from chuangyou.workcalendar import queries, services
from chuangyou.workcalendar.models import CalendarDay

D = dt.date.fromisoformat


def test_the_builtin_data_alone(db):
    calendar = queries.work_calendar()
    assert calendar.is_workday(D("2026-10-10")) is True  # make-up Saturday
    assert calendar.is_workday(D("2026-10-01")) is False
    assert queries.end_date(D("2026-09-30"), 5) == D("2026-10-12")
    assert queries.workdays_between(D("2026-10-01"), D("2026-10-11")) == 3


def test_a_database_day_beats_the_builtin_data(db):
    CalendarDay.objects.create(date=D("2026-10-10"), is_workday=False, note="县里不调休")
    CalendarDay.objects.create(date=D("2026-10-03"), is_workday=True)
    calendar = queries.work_calendar()
    assert calendar.is_workday(D("2026-10-10")) is False
    assert calendar.is_workday(D("2026-10-03")) is True


def test_the_notice_end_date_follows_the_overrides(db):
    assert queries.end_date(D("2026-09-28"), 5) == D("2026-10-09")
    CalendarDay.objects.create(date=D("2026-10-09"), is_workday=False, note="县里放假")
    assert queries.end_date(D("2026-09-28"), 5) == D("2026-10-10")


def test_a_year_without_data_raises_until_a_day_is_entered(personas):
    with pytest.raises(CalendarMissingError) as caught:
        queries.end_date(D("2027-03-01"), 5)
    assert caught.value.year == 2027
    assert str(caught.value) == "2027年节假日安排尚未录入，请先维护工作日历"
    with pytest.raises(CalendarMissingError):
        queries.end_date(D("2026-12-28"), 5)  # runs into 2027
    assert queries.CalendarMissingError is CalendarMissingError

    services.day_set(actor=personas["county_admin"], date=D("2027-01-01"), is_workday=False, note="元旦")
    assert queries.end_date(D("2027-03-01"), 5) == D("2027-03-05")  # Monday to Friday
    assert queries.work_calendar().is_workday(D("2027-03-06")) is False  # an ordinary Saturday
    assert queries.end_date(D("2026-12-28"), 5) == D("2027-01-04")  # 12-28..31, 1-1 off, then Monday


def test_end_date_refuses_a_non_positive_number_of_days(db):
    with pytest.raises(ValueError, match="正整数"):
        queries.end_date(D("2026-09-28"), 0)


def test_years_with_data(db):
    years = queries.years_with_data()
    assert years[0] == 2004 and years[-1] == 2026 and 2027 not in years
    CalendarDay.objects.create(date=D("2028-01-01"), is_workday=False)
    assert queries.years_with_data()[-1] == 2028
    assert queries.has_year(2028) and not queries.has_year(2027) and queries.has_year(2010)


def test_missing_next_year_only_in_december(db):
    assert queries.missing_next_year(D("2026-12-10")) == 2027
    assert queries.missing_next_year(D("2026-11-30")) is None
    assert queries.missing_next_year(D("2025-12-01")) is None  # 2026 is built in
    CalendarDay.objects.create(date=D("2027-01-01"), is_workday=False)
    assert queries.missing_next_year(D("2026-12-10")) is None


def test_missing_next_year_defaults_to_today(db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D("2026-12-10"))
    assert queries.missing_next_year() == 2027


def test_month_workdays(db):
    counts = dict(queries.month_workdays(2026))
    assert counts[10] == 18  # 22 weekdays less 5 in the holiday, plus Saturday 10-10
    assert sum(counts.values()) == queries.workdays_between(D("2026-01-01"), D("2026-12-31"))
    assert queries.month_workdays(2027) is None


def test_builtin_days_in_chinese(db):
    days = queries.builtin_days(2026)
    assert days[D("2026-10-01")] == (False, "国庆节")
    assert days[D("2026-09-20")] == (True, "国庆节调休")
    assert queries.builtin_days(2027) == {}
