"""The days on which the demo's steps happen, chosen so that its dates agree with each other: a
campaign is set up before its phases, each step falls inside its phase and after the step it
follows, a notice lasts its working days and starts after its grading run, and nothing is dated
after the demo's today but what is planned.

Last year's campaign (`HistorySchedule`) runs through December as the default calendar has it and is
named before the year ends. This year's (`ThisYearSchedule`) is placed around today: a township's
notice began on the last working day before today and still runs; the grading run, the county's
re-checks, the townships' reviews and the submissions lie on the working days before it, in that
order; the round stays open past today for the branches still filling in, and the rest of the
reviews, the county's notice and the naming are planned after today.

Working days come from the work calendar. In a year without holiday data there is no notice (its
end cannot be computed) and the other steps take Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chuangyou.notices import services as notices
from chuangyou.rules.workdays import CalendarMissingError
from chuangyou.workcalendar.queries import work_calendar

NOTICE_DAYS = 5  # working days, the minimum
DAY = dt.timedelta(days=1)
Span = tuple[dt.date, dt.date]


def demo_epoch(today: dt.date) -> dt.date:
    """When the demo county's organizations, accounts and rubrics were set up: before last year's
    campaign."""
    return dt.date(today.year - 1, 1, 5)


def _is_workday(day: dt.date, calendar) -> bool:
    try:
        return calendar.is_workday(day)
    except CalendarMissingError:
        return day.weekday() < 5


def workday_on_or_after(day: dt.date) -> dt.date:
    calendar = work_calendar()
    while not _is_workday(day, calendar):
        day += DAY
    return day


def workday_on_or_before(day: dt.date) -> dt.date:
    calendar = work_calendar()
    while not _is_workday(day, calendar):
        day -= DAY
    return day


def workday_before(day: dt.date) -> dt.date:
    return workday_on_or_before(day - DAY)


def workday_after(day: dt.date) -> dt.date:
    return workday_on_or_after(day + DAY)


def notice_span(starts: dt.date) -> Span | None:
    """A notice of the minimum working days from `starts`; None when a year on the way has no data."""
    try:
        return starts, notices.end_of(starts, NOTICE_DAYS)
    except notices.MissingCalendarError:
        return None


@dataclass(frozen=True)
class HistorySchedule:
    """Last year's campaign: set up in February, the December round, reviews, re-checks, grading,
    a county-wide notice from about 22 December, its end, report and approval before 31 December."""

    year: int
    notice: Span | None  # None: no holiday data, the campaign stays graded

    @classmethod
    def of(cls, year: int) -> HistorySchedule:
        starts = workday_on_or_after(dt.date(year, 12, 22))
        # Earlier when the approval would fall in the new year (22 December on a Friday, say), or the
        # objection's answer would be due in a year without holiday data.
        while (span := notice_span(starts)) is not None and starts > cls(year, None).graded:
            schedule = cls(year, span)
            if schedule.approved.year == year and notice_span(schedule.objected + DAY) is not None:
                return schedule
            starts = workday_before(starts)
        return cls(year, None)

    @property
    def created(self) -> dt.date:
        return dt.date(self.year, 2, 20)

    @property
    def round(self) -> Span:
        return dt.date(self.year, 12, 1), dt.date(self.year, 12, 12)

    @property
    def submitted(self) -> dt.date:
        return dt.date(self.year, 12, 4)

    @property
    def reviewed(self) -> dt.date:
        return dt.date(self.year, 12, 15)

    @property
    def rechecked(self) -> dt.date:
        return dt.date(self.year, 12, 17)

    @property
    def graded(self) -> dt.date:
        return dt.date(self.year, 12, 19)

    @property
    def objected(self) -> dt.date:
        return workday_after(self.notice[0])

    @property
    def answered(self) -> dt.date:
        return workday_after(self.objected)

    @property
    def ended(self) -> dt.date:
        """The first working day after the notice: it ends and is reported."""
        return workday_after(self.notice[1])

    @property
    def approved(self) -> dt.date:
        return workday_after(self.ended)

    def phases(self) -> dict[str, Span]:
        d, year = dt.date, self.year
        notice = self.notice or (d(year, 12, 22), d(year, 12, 28))
        naming_starts = self.ended if self.notice else notice[1] + DAY
        return {
            "mobilize": (d(year, 3, 1), d(year, 3, 31)),
            "june": (d(year, 6, 1), d(year, 6, 20)),
            "december": self.round,
            "review": (d(year, 12, 13), self.graded),
            "notice": notice,
            "naming": (naming_starts, d(year, 12, 31)),
        }


@dataclass(frozen=True)
class ThisYearSchedule:
    """This year's campaign around `today` (see the module docstring)."""

    today: dt.date
    notice: Span | None  # the township's notice; None without holiday data

    @classmethod
    def around(cls, today: dt.date) -> ThisYearSchedule:
        starts = workday_before(today)
        # Earlier when the notice, or the answer due to an objection of its first day (5 working days
        # later), would run into a year without holiday data (late December).
        for _ in range(NOTICE_DAYS):
            span = notice_span(starts)
            if span is not None and notice_span(starts + DAY) is not None:
                return cls(today, span if span[1] >= today else None)
            starts = workday_before(starts)
        return cls(today, None)

    @property
    def published(self) -> dt.date:
        """The notice's first day; without a notice, the day it would have started."""
        return self.notice[0] if self.notice else workday_before(self.today)

    @property
    def graded(self) -> dt.date:
        return workday_before(self.published)

    @property
    def rechecked(self) -> dt.date:
        return workday_before(self.graded)

    @property
    def reviewed(self) -> dt.date:
        return workday_before(self.rechecked)

    @property
    def submitted(self) -> dt.date:
        """The sheets graded in the run: submitted, then a few days of democratic evaluation."""
        return workday_on_or_before(self.reviewed - 2 * DAY)

    @property
    def round(self) -> Span:
        """Opens on 1 December or before the first submission; closes on 20 December or 20 days
        from today, whichever is later, so the branches still filling in can submit."""
        year = self.today.year
        opens = min(dt.date(year, 12, 1), self.submitted - 7 * DAY)
        return opens, max(dt.date(year, 12, 20), self.today + 20 * DAY)

    @property
    def created(self) -> dt.date:
        return self.phases()["mobilize"][0] - 9 * DAY

    def phases(self) -> dict[str, Span]:
        d, year = dt.date, self.today.year
        opens, closes = self.round
        mobilize = (d(year, 3, 1), d(year, 3, 31))
        if mobilize[1] >= opens:
            mobilize = (opens - 21 * DAY, opens - DAY)
        review = (self.reviewed, closes + 11 * DAY)
        notice_starts = self.notice[0] if self.notice else review[1] + 4 * DAY
        notice = (notice_starts, review[1] + 10 * DAY)
        phases = {"mobilize": mobilize}
        if mobilize[1] < d(year, 6, 1) and d(year, 6, 20) < opens:
            phases["june"] = (d(year, 6, 1), d(year, 6, 20))
        return phases | {
            "december": (opens, closes),
            "review": review,
            "notice": notice,
            "naming": (notice[1] + DAY, notice[1] + 21 * DAY),
        }
