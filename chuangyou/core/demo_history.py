"""Last year's campaign of the demo county, finished: every branch submitted its December sheet and
answered its democratic evaluation, the townships reviewed them, the county re-checked the 优秀
candidates and the weak branches, graded, published a county-wide notice in December (one objection,
not upheld), reported and approved it with a naming document, so every branch has an official grade
for last year (the organization pages' 历年评定等级, year-on-year comparisons).

Written through the services with the clock stopped on the day each step would have happened
(`demo_clock.stopped_clock`): the evaluation service refuses codes that close in the past, and the
rows and audit events carry last year's dates."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from chuangyou.audit.services import record
from chuangyou.campaigns.models import Campaign
from chuangyou.core.demo import COUNTY_CODE
from chuangyou.core.demo_campaign import open_december, start_campaign
from chuangyou.core.demo_clock import StoppedClock, stopped_clock
from chuangyou.core.demo_evaluation import evaluate
from chuangyou.core.demo_notices import dismiss, object_to, publish
from chuangyou.core.demo_progress import (
    draw_loss,
    fill_sheet,
    mark_submitted,
    rubric_items,
    township_reviewers,
)
from chuangyou.core.demo_reviews import recheck_by_county, review_by_township
from chuangyou.core.demo_schedule import HistorySchedule
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from chuangyou.notices import services as notices
from chuangyou.notices.models import OfficialGrade
from chuangyou.orgs.models import Organization
from chuangyou.rules.workdays import CalendarMissingError

DOCUMENT_NUMBER = "示组通〔{year}〕15号"
CANDIDATES = 7  # percent: the county re-checks as many of the best as 优秀 may have, and the weak
OBJECTION = "该支部今年组织生活开展不经常，评为优秀不妥。"
ANSWER = "经乡镇党委调查核实，该支部全年按时召开支部党员大会和支委会，“三会一课”记录完整，异议不成立。"


@dataclass
class Branch:
    sheet: object
    items: list
    weak: bool
    loss: float
    rng: random.Random


@transaction.atomic
def create_demo_history(today: dt.date | None = None) -> Campaign | None:
    """Last year's finished campaign; None when the county is missing or has that year's campaign."""
    county = Organization.objects.filter(code=COUNTY_CODE).first()
    year = (today or timezone.localdate()).year - 1
    if county is None or Campaign.objects.filter(root=county, year=year).exists():
        return None
    admin = get_user_model().objects.get(username="admin")
    schedule = HistorySchedule.of(year)
    with stopped_clock(schedule.created) as clock:
        campaign = start_campaign(admin=admin, county=county, year=year, phases=schedule.phases())
        opens, closes = schedule.round
        clock.set(opens)
        open_december(admin=admin, campaign=campaign, opens=opens, closes=closes)
        branches = _self_assess(campaign, admin, clock, schedule)
        _review(campaign, admin, clock, branches, schedule)
        clock.set(schedule.graded)
        run = grading.run_start(actor=admin, campaign=campaign)
        if run.state != RunState.DONE:
            raise RuntimeError(f"示范县{year}年度定级失败：{run.error}")
        run = grading.run_submit(actor=admin, run=run)
        # In a year without holiday data the campaign stays graded, not named.
        # (A savepoint: a notice stopped halfway by a missing year leaves nothing behind.)
        if schedule.notice is not None:
            with (
                contextlib.suppress(notices.MissingCalendarError, CalendarMissingError),
                transaction.atomic(),
            ):
                _notice_and_naming(campaign, run, admin, clock, schedule)
        grades = dict(
            OfficialGrade.objects.filter(campaign=campaign)
            .values_list("grade")
            .annotate(n=Count("pk"))
            .order_by()
        )
        record(
            actor=None,
            verb="demo.progress",
            target=campaign,
            organization=county,
            after={"sheets": len(branches), "official_grades": grades},
            note=f"演示数据：{year}年度活动已完成审核、定级、公示和审定命名",
        )
    return campaign


def _self_assess(campaign, admin, clock: StoppedClock, schedule: HistorySchedule) -> list[Branch]:
    """Every branch fills its sheet, gives out its evaluation codes and submits."""
    clock.set(schedule.submitted)
    items_of: dict = {}
    branches = []
    sheets = campaign.graded_sheets().select_related("organization").order_by("organization__path")
    for sheet in sheets:
        rng = random.Random(f"history:{sheet.organization.code}")  # noqa: S311 - demo data, not secrets
        items = rubric_items(sheet.rubric_id, items_of)
        weak, loss = draw_loss(rng)
        fill_sheet(sheet, items, loss, rng, admin)
        mark_submitted(sheet, timezone.now())
        sheet.save()
        evaluate(sheet, admin, rng, loss=loss, answered=rng.uniform(0.8, 1.0), bulk=True)
        branches.append(Branch(sheet, items, weak, loss, rng))
    return branches


def _review(campaign, admin, clock: StoppedClock, branches: list[Branch], schedule: HistorySchedule) -> None:
    """The townships review every sheet; the county re-checks the 优秀 candidates and the weak
    branches."""
    reviewers = township_reviewers(campaign)
    _, cut = campaign.townships()
    clock.set(schedule.reviewed)
    for b in branches:
        reviewer = reviewers.get(b.sheet.organization.path[:cut], admin)
        review_by_township(b.sheet, b.items, b.loss + 0.02, b.rng, reviewer, weak=b.weak, evaluated=True)
    clock.set(schedule.rechecked)
    best = sorted(branches, key=lambda b: (-b.sheet.total, b.sheet.organization.code))
    candidates = {b.sheet.pk for b in best[: len(best) * CANDIDATES // 100]}
    for b in branches:
        if b.weak or b.sheet.pk in candidates:
            recheck_by_county(b.sheet, admin, b.rng)


def _notice_and_naming(campaign, run, admin, clock: StoppedClock, schedule: HistorySchedule) -> None:
    """A county-wide notice published on its first day (about 22 December), one objection the next
    working day, dismissed the day after; the notice ends, is reported and then approved with the
    naming document's number."""
    starts, _ = schedule.notice
    clock.set(starts)
    batch = publish(run, admin, campaign.root, starts)
    clock.set(schedule.objected, hour=15)
    entry = batch.entries.select_related("batch", "organization").order_by("order").first()
    objection = object_to(entry, OBJECTION, address="198.51.100.23")
    clock.set(schedule.answered, hour=11)
    reviewers = township_reviewers(campaign)
    _, cut = campaign.townships()
    dismiss(objection, reviewers.get(entry.organization.path[:cut], admin), ANSWER)
    clock.set(schedule.ended)
    notices.notices_end()
    batch.refresh_from_db()
    batch = notices.notice_report(actor=admin, batch=batch)
    clock.set(schedule.approved, hour=10)
    notices.notice_approve(
        actor=admin, batch=batch, document_number=DOCUMENT_NUMBER.format(year=campaign.year)
    )
