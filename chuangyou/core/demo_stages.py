"""This year's demo campaign with its branches at every stage of the workflow, so that each role finds
work when logging in: not started, drafting (with evidence), submitted (democratic evaluation under way),
returned by the township, under township review, reviewed, re-checked by the county, graded in a run
submitted for notice, and on a township's public notice with objections.

- 青山镇 (township02) has every branch re-checked and graded, and publishes its own notice (the campaign
  lets townships publish): it began on the last working day before today and still runs, with one
  objection received, one under investigation and one answered 不成立.
- 城关镇 (township01) keeps plenty of submitted sheets to review.
- The branches of the demo secretaries' accounts (branch01…branch12) stay untouched.

Deterministic: each branch's stage and scores come from a generator seeded by its code. Each step is
dated on its day of `demo_schedule.ThisYearSchedule` (see `spread_demo_stages`). The state
machine is driven by the services (return, reviews, re-checks, grading, notices, objections); entries
are scored through the scoring core and stored in bulk (`demo_progress`)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from chuangyou.assessments import services as sheets
from chuangyou.audit.services import record
from chuangyou.campaigns import services as campaigns
from chuangyou.core.demo import COUNTY_CODE
from chuangyou.core.demo_clock import StoppedClock, stopped_clock
from chuangyou.core.demo_evaluation import evaluate
from chuangyou.core.demo_evidence import attach_evidence
from chuangyou.core.demo_notices import dismiss, investigate, object_to, publish
from chuangyou.core.demo_progress import (
    draw_loss,
    fill_sheet,
    mark_submitted,
    rubric_items,
    secretary_branches,
    township_reviewers,
)
from chuangyou.core.demo_reviews import recheck_by_county, review_by_township, start_township_review
from chuangyou.core.demo_schedule import ThisYearSchedule
from chuangyou.evaluations import services as evaluations
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from chuangyou.notices import services as notices
from chuangyou.orgs.models import Organization
from chuangyou.rules.workdays import CalendarMissingError

NOTICE_TOWNSHIP = f"{COUNTY_CODE}02"  # 青山镇, reviewed by township02
BUSY_TOWNSHIP = f"{COUNTY_CODE}01"  # 城关镇, reviewed by township01
STAGE_LABELS = {
    "not_started": "未开始",
    "drafting": "填写中",
    "submitted": "已提交待审核",
    "returned": "已退回修改",
    "under_review": "乡镇审核中",
    "reviewed": "乡镇已审核",
    "rechecked": "县委已复核",
    "graded": "已定级待公示",
    "noticed": "公示中",
}
WEIGHTS = {
    "default": {
        "not_started": 8,
        "drafting": 10,
        "submitted": 20,
        "returned": 5,
        "under_review": 10,
        "reviewed": 12,
        "rechecked": 5,
        "graded": 25,
    },
    BUSY_TOWNSHIP: {
        "not_started": 5,
        "drafting": 5,
        "submitted": 45,
        "returned": 5,
        "under_review": 10,
        "reviewed": 10,
        "rechecked": 5,
        "graded": 15,
    },
}
BEFORE_GRADING = ("graded", "noticed")  # graded in the run
REVIEWED_SINCE = ("under_review", "reviewed", "rechecked")  # submitted and reviewed after the run
EVIDENCE_SHARE = 0.25
RECHECK_SHARE = 0.15  # of the graded branches outside the notice township, besides the weak ones
RETURN_REASONS = (
    "“三会一课”佐证材料不全，请补充会议记录扫描件后重新提交",
    "自评得分与台账不符，请核实“发展党员”一项的扣分",
    "申报等级为优秀但主要成绩未填写，请补充后重新提交",
)
OBJECTIONS = (
    ("该支部今年村里修路的事迟迟没有落实，群众意见较大，评定等级偏高。", "", "", "203.0.113.45"),
    ("该支部党员大会很少召开，会议记录是补写的。", "李建国", "13912345678", "203.0.113.77"),
    ("该支部主题党日活动多次未开展。", "", "", "198.51.100.8"),
)
DISMISSED = "经镇党委实地核查，该支部主题党日按月开展，有签到表和活动照片为证，异议不成立。"


@dataclass
class Plan:
    sheet: object
    stage: str
    rng: random.Random
    items: list = field(default_factory=list)
    weak: bool = False
    loss: float = 0.0
    evaluation: object = None


@dataclass
class StagesSummary:
    stages: Counter
    run: object = None
    notice: object = None
    objections: list = field(default_factory=list)
    evidence: int = 0


class StagesBuilder:
    """Chooses each branch's stage (`plans`) and takes its sheet there (`advance`); grades and
    publishes the notice township's grades in between (`grade`, `notice`)."""

    def __init__(self, campaign, admin):
        self.campaign, self.admin = campaign, admin
        self.reviewers = township_reviewers(campaign)
        _, self.cut = campaign.townships()
        self.items_of: dict = {}
        today = timezone.localdate()
        self.when = f"{today.year}年{today.month}月"
        self.summary = StagesSummary(stages=Counter())

    def reviewer(self, sheet):
        return self.reviewers.get(sheet.organization.path[: self.cut], self.admin)

    def plans(self) -> list[Plan]:
        skipped = secretary_branches()
        notice_path = Organization.objects.get(code=NOTICE_TOWNSHIP).path
        busy_path = Organization.objects.get(code=BUSY_TOWNSHIP).path
        plans = []
        query = self.campaign.graded_sheets().select_related("organization").order_by("organization__path")
        for sheet in query.exclude(organization_id__in=skipped):
            rng = random.Random(f"stages:{sheet.organization.code}")  # noqa: S311 - demo data, not secrets
            path = sheet.organization.path
            if path.startswith(notice_path):
                stage = "noticed"
            else:
                weights = WEIGHTS[BUSY_TOWNSHIP if path.startswith(busy_path) else "default"]
                stage = rng.choices(list(weights), list(weights.values()))[0]
            plan = Plan(sheet, stage, rng)
            plan.items = rubric_items(sheet.rubric_id, self.items_of)
            plan.weak, plan.loss = draw_loss(rng)
            plans.append(plan)
        return plans

    # -- one branch, step by step (each step on its day: see `spread_demo_stages`) ----------------
    def draft(self, p: Plan) -> None:
        self.fill(p, count=p.rng.randint(3, len(p.items) - 2))
        p.sheet.save()

    def submit(self, p: Plan) -> None:
        """Fill, submit and give out the evaluation codes. Evaluations still open take their answers
        one by one through the service; those closed before the review are written in bulk (the same
        rows), which keeps the demo fast."""
        self.fill(p)
        mark_submitted(p.sheet, timezone.now())
        p.sheet.save()
        still_open = p.stage in ("submitted", "returned")
        answered = p.rng.uniform(0.3, 0.9) if still_open else p.rng.uniform(0.75, 1.0)
        p.evaluation = evaluate(
            p.sheet, self.admin, p.rng, loss=p.loss, answered=answered, bulk=not still_open
        )
        if p.stage == "returned":
            reason = p.rng.choice(RETURN_REASONS)
            sheets.sheet_return(actor=self.reviewer(p.sheet), sheet=p.sheet, reason=reason)

    def review(self, p: Plan) -> None:
        """The evaluation ends and the township reviews: finished, or under way."""
        evaluations.evaluation_close(actor=self.admin, evaluation=p.evaluation)
        if p.stage == "under_review":
            start_township_review(p.sheet, p.items, p.loss + 0.02, p.rng, self.reviewer(p.sheet))
            return
        review_by_township(
            p.sheet, p.items, p.loss + 0.02, p.rng, self.reviewer(p.sheet), weak=p.weak, evaluated=True
        )

    def recheck(self, p: Plan) -> None:
        if p.stage in ("rechecked", "noticed") or (
            p.stage == "graded" and (p.weak or p.rng.random() < RECHECK_SHARE)
        ):
            recheck_by_county(p.sheet, self.admin, p.rng)

    def fill(self, p: Plan, count=None) -> None:
        entries = fill_sheet(p.sheet, p.items, p.loss, p.rng, self.admin, count)
        if p.rng.random() < EVIDENCE_SHARE:
            self.summary.evidence += attach_evidence(entries, p.rng, self.admin, self.when)

    # -- the county and the notice township ------------------------------------------------------
    def grade(self) -> None:
        """Townships may publish their own branches' grades; the county grades and submits the run."""
        self.campaign = campaigns.campaign_grading_settings(
            actor=self.admin,
            campaign=self.campaign,
            quota_scope=self.campaign.quota_scope,
            gap_threshold=self.campaign.gap_threshold,
            allow_quota_override=self.campaign.allow_quota_override,
            townships_publish=True,
        )
        run = grading.run_start(actor=self.admin, campaign=self.campaign)
        if run.state != RunState.DONE:
            raise RuntimeError(f"示范县定级失败：{run.error}")
        self.summary.run = grading.run_submit(actor=self.admin, run=run)

    def notice(self, schedule: ThisYearSchedule, clock: StoppedClock) -> None:
        """青山镇 publishes its branches' grades on the notice's first day; three objections come in
        that afternoon, one is taken up for investigation, one answered 不成立."""
        if schedule.notice is None:
            return  # no holiday data for this year: the run stays submitted, without a notice
        township = Organization.objects.get(code=NOTICE_TOWNSHIP)
        publisher = self.reviewers.get(township.path, self.admin)
        try:
            batch = publish(self.summary.run, publisher, township, schedule.notice[0], channel="board")
        except (notices.MissingCalendarError, CalendarMissingError):
            return
        self.summary.notice = batch
        entries = list(batch.entries.select_related("batch", "organization").order_by("order"))
        filed = []
        for n, (content, name, phone, address) in enumerate(OBJECTIONS):
            clock.set(schedule.published, hour=14 + n)
            filed.append(
                object_to(entries[n % len(entries)], content, name=name, phone=phone, address=address)
            )
        clock.set(schedule.published, hour=17)
        filed[1] = investigate(filed[1], publisher)
        filed[2] = dismiss(filed[2], publisher, DISMISSED)
        self.summary.objections = filed


@transaction.atomic
def spread_demo_stages(campaign, admin, schedule: ThisYearSchedule) -> StagesSummary:
    """Spread the open December round's sheets over the stages (see the module docstring), each
    step on its day of `schedule`: the graded branches submitted, reviewed, re-checked and graded
    before the notice township's notice starts; the branches under review or reviewed since then
    submitted on the notice's first day and reviewed today; the others submitted, returned or
    drafted today."""
    builder = StagesBuilder(campaign, admin)
    plans = builder.plans()

    def at(*stages: str) -> list[Plan]:
        return [p for p in plans if p.stage in stages]

    builder.summary.stages.update(p.stage for p in plans)
    with stopped_clock(schedule.submitted) as clock:
        for plan in at(*BEFORE_GRADING):
            builder.submit(plan)
        clock.set(schedule.reviewed)
        for plan in at(*BEFORE_GRADING):
            builder.review(plan)
        clock.set(schedule.rechecked)
        for plan in at(*BEFORE_GRADING):
            builder.recheck(plan)
        clock.set(schedule.graded)
        builder.grade()
        clock.set(schedule.published)
        builder.notice(schedule, clock)
        clock.set(schedule.published, hour=18)
        for plan in at(*REVIEWED_SINCE):
            builder.submit(plan)
    # Today, at the time the demo is built.
    for plan in at(*REVIEWED_SINCE):
        builder.review(plan)
        builder.recheck(plan)
    for plan in at("submitted", "returned"):
        builder.submit(plan)
    for plan in at("drafting"):
        builder.draft(plan)
    summary = builder.summary
    record(
        actor=None,
        verb="demo.progress",
        target=campaign,
        organization=campaign.root,
        after={"stages": dict(summary.stages), "evidence": summary.evidence},
        note="演示数据：各党支部分布在自查、审核、复核、定级、公示各阶段",
    )
    return summary
