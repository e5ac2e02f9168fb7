"""Working days over China's official holidays and make-up working days (调休).

The built-in data comes from chinese-calendar (2004–2026 in 1.11.0). The caller adds overrides
{date: is_workday} — the web app keeps them in an editable table — which win over the built-in
data. A year is known when the built-in data covers it or at least one override falls in it (an
administrator who enters a year's holidays and 调休 days makes the rest of that year follow the
Monday–Friday week). Asking about an unknown year raises `CalendarMissingError`, never guesses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar

MAX_NOTICE_DAYS = 3660  # a safety bound: no notice runs ten years


class CalendarMissingError(LookupError):
    """No holiday data for a year; the message names the year and is for the user (Chinese)."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年节假日安排尚未录入，请先维护工作日历")

    def __str__(self) -> str:
        return str(self.args[0])


def _builtin_years() -> range:
    # chinese-calendar checks the range on every call by scanning its tables; do it once.
    known = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return range(min(known).year, max(known).year + 1)


BUILTIN_YEARS = _builtin_years()


class WorkCalendar:
    """Working-day arithmetic. Overrides map a date to True (working day) or False (day off)."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None, *, builtin: bool = True) -> None:
        self.overrides: dict[dt.date, bool] = dict(overrides or {})
        self.builtin = builtin
        self._override_years = {d.year for d in self.overrides}

    def has_year(self, year: int) -> bool:
        return year in self._override_years or (self.builtin and year in BUILTIN_YEARS)

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        if day in self.overrides:
            return self.overrides[day]
        if self.builtin and day.year in BUILTIN_YEARS:
            if day in chinese_calendar.workdays:
                return True
            if day in chinese_calendar.holidays:
                return False
            return day.weekday() < 5
        if day.year in self._override_years:
            return day.weekday() < 5
        raise CalendarMissingError(day.year)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date of the n-th working day counting from `start` (day 1 if it is a working day)."""
        if n < 1:
            raise ValueError(f"工作日天数应为正整数，现为{n}")
        day = start
        count = 0
        for _ in range(n * 7 + MAX_NOTICE_DAYS):
            if self.is_workday(day):
                count += 1
                if count == n:
                    return day
            day += dt.timedelta(days=1)
        raise ValueError("在合理范围内找不到足够的工作日，请检查工作日历")

    def count_workdays(self, first: dt.date, last: dt.date) -> int:
        """Working days from `first` to `last`, both included."""
        if last < first:
            raise ValueError(f"结束日期{last.isoformat()}早于开始日期{first.isoformat()}")
        return sum(
            1
            for offset in range((last - first).days + 1)
            if self.is_workday(first + dt.timedelta(days=offset))
        )


DEFAULT_CALENDAR = WorkCalendar()


def is_workday(day: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    return WorkCalendar(overrides).is_workday(day)


def add_workdays(start: dt.date, n: int, overrides: Mapping[dt.date, bool] | None = None) -> dt.date:
    return WorkCalendar(overrides).add_workdays(start, n)


def count_workdays(first: dt.date, last: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> int:
    return WorkCalendar(overrides).count_workdays(first, last)
