"""Reading the working-day calendar: the built-in data of chinese-calendar with the county's own
days laid over it (the database wins). Other features compute deadlines through `end_date`, which
raises `CalendarMissingError` (its message is for the user) for a year nobody has entered yet."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils import timezone

from chuangyou.rules.workdays import BUILTIN_YEARS, CalendarMissingError, WorkCalendar
from chuangyou.workcalendar.models import CalendarDay

__all__ = [
    "CalendarMissingError",
    "builtin_days",
    "days_of_year",
    "end_date",
    "has_year",
    "missing_next_year",
    "month_workdays",
    "work_calendar",
    "workdays_between",
    "years_with_data",
]

MIN_YEAR = 2000
MAX_YEAR = 2100


def work_calendar() -> WorkCalendar:
    """The built-in data plus every day entered in the database, which wins."""
    return WorkCalendar(dict(CalendarDay.objects.values_list("date", "is_workday")))


def end_date(start: dt.date, days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The `days`-th working day counting from `start` (day 1 if `start` is a working day), e.g. the
    last day of a notice. Raises `CalendarMissingError` when a year on the way has no data and
    `ValueError` (Chinese message) when `days` is not positive."""
    return (calendar or work_calendar()).add_workdays(start, days)


def workdays_between(first: dt.date, last: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days from `first` to `last`, both included; raises as `end_date` does."""
    return (calendar or work_calendar()).count_workdays(first, last)


def years_with_data() -> list[int]:
    """Years the calendar knows: the built-in ones and those with at least one day entered."""
    entered = {d.year for d in CalendarDay.objects.dates("date", "year")}
    return sorted(entered | set(BUILTIN_YEARS))


def has_year(year: int) -> bool:
    return year in BUILTIN_YEARS or CalendarDay.objects.filter(date__year=year).exists()


def missing_next_year(today: dt.date | None = None) -> int | None:
    """Next year, when today is in December and neither the built-in data nor the database has it."""
    today = today or timezone.localdate()
    if today.month != 12:
        return None
    year = today.year + 1
    return None if has_year(year) else year


def days_of_year(year: int):
    """The days entered for `year`, in date order."""
    return CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date")


def month_workdays(year: int, calendar: WorkCalendar | None = None) -> list[tuple[int, int]] | None:
    """(month, working days) for each month of a known year; None when the year has no data."""
    calendar = calendar or work_calendar()
    if not calendar.has_year(year):
        return None
    counts = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(
            days=1
        )
        counts.append((month, calendar.count_workdays(first, last)))
    return counts


def builtin_days(year: int) -> dict[dt.date, tuple[bool, str]]:
    """chinese-calendar's holidays and make-up working days of `year`: {date: (is_workday, note)};
    empty for a year it does not cover."""
    if year not in BUILTIN_YEARS:
        return {}
    days: dict[dt.date, tuple[bool, str]] = {}
    for table, working, suffix in (
        (chinese_calendar.holidays, False, ""),
        (chinese_calendar.workdays, True, "调休"),
    ):
        for day, name in table.items():
            if day.year == year:
                days[day] = (working, _chinese_name(name) + suffix)
    return dict(sorted(days.items()))


def _chinese_name(name: str) -> str:
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:
        return name
