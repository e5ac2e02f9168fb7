"""Public notices of the demo's grading runs and objections to them, through the notice services."""

from __future__ import annotations

import datetime as dt

from chuangyou.core.demo_schedule import NOTICE_DAYS
from chuangyou.notices import services as notices
from chuangyou.notices.models import NoticeBatch, NoticeEntry, Objection, ObjectionState


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
