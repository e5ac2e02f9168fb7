"""Public notices of the demo's grading runs and objections to them, through the notice services."""

from __future__ import annotations

import datetime as dt

from chuangyou.notices import services as notices
from chuangyou.notices.models import NoticeBatch, NoticeEntry, Objection, ObjectionState
from chuangyou.workcalendar.queries import work_calendar

NOTICE_DAYS = 5  # working days, the minimum


def workday_on_or_after(day: dt.date) -> dt.date:
    calendar = work_calendar()
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def workday_on_or_before(day: dt.date) -> dt.date:
    calendar = work_calendar()
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def start_covering(today: dt.date) -> dt.date:
    """The start of a notice that runs today: today when it is a working day, else the last working
    day; earlier when the period would run into a year without holiday data (late December)."""
    starts = workday_on_or_before(today)
    for _ in range(NOTICE_DAYS - 1):
        try:
            notices.end_of(starts, NOTICE_DAYS)
            return starts
        except notices.MissingCalendarError:
            starts = workday_on_or_before(starts - dt.timedelta(days=1))
    notices.end_of(starts, NOTICE_DAYS)  # raises when even this start runs into an unknown year
    return starts


def publish(run, actor, organization, starts: dt.date, channel: str = "website") -> NoticeBatch:
    batch = notices.notice_create(
        actor=actor, run=run, organization=organization, channel=channel, starts=starts, days=NOTICE_DAYS
    )
    return notices.notice_publish(actor=actor, batch=batch)


def object_to(
    entry: NoticeEntry, content: str, *, name: str = "", phone: str = "", address: str
) -> Objection:
    """An objection filed on the public page (`address` stands for the sender's network address)."""
    return notices.objection_submit(entry=entry, content=content, name=name, phone=phone, address=address)


def dismiss(objection: Objection, actor, answer: str) -> Objection:
    return notices.objection_answer(
        actor=actor,
        objection=objection,
        state=ObjectionState.DISMISSED,
        answer=answer,
        version=objection.version,
    )


def investigate(objection: Objection, actor) -> Objection:
    return notices.objection_answer(
        actor=actor,
        objection=objection,
        state=ObjectionState.INVESTIGATING,
        answer="",
        version=objection.version,
    )
