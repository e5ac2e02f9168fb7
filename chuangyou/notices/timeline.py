"""A branch's way through one campaign, for its secretary's workbench:
已提交 → 审核中 → 已审核 → 公示中（拟定等级）→ 已审定, with the objections about it.

Reads only (four queries per sheet); the objections are counted, never shown: who objected and what
they wrote is for the offices that answer them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from chuangyou.assessments.models import GRADABLE_STATES, ScoreSheet, SheetState
from chuangyou.notices.models import (
    OPEN_OBJECTION_STATES,
    NoticeEntry,
    NoticeState,
    ObjectionState,
    OfficialGrade,
)
from chuangyou.reviews.models import Review, ReviewKind

# Where a state of the sheet stands on the timeline (index of the last step reached).
_SHEET_STEP = {
    SheetState.DRAFT: -1,
    SheetState.RETURNED: -1,
    SheetState.SUBMITTED: 0,
    SheetState.UNDER_REVIEW: 1,
    SheetState.REVIEWED: 2,
    SheetState.RECHECKED: 2,
}
_NOTICED = (NoticeState.PUBLISHED, NoticeState.ENDED, NoticeState.REPORTED, NoticeState.APPROVED)


@dataclass(frozen=True)
class Step:
    label: str
    reached: bool
    current: bool = False
    when: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class Timeline:
    sheet: ScoreSheet
    steps: list[Step]
    # 已受理/调查中 count as open; the others by their state's name (成立、不成立、需进一步核实).
    objections: dict[str, int] = field(default_factory=dict)
    held: bool = False
    withdrawn: bool = False

    @property
    def objection_total(self) -> int:
        return sum(self.objections.values())


def _date(moment) -> dt.date | None:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def sheet_timeline(sheet: ScoreSheet) -> Timeline:
    """The timeline of `sheet` (its organization in its round's campaign)."""
    review = Review.objects.filter(sheet=sheet, kind=ReviewKind.TOWNSHIP).first()
    entry = (
        NoticeEntry.objects.filter(
            batch__campaign=sheet.round.campaign_id,
            organization=sheet.organization_id,
            batch__state__in=_NOTICED,
        )
        .select_related("batch")
        .order_by("-batch__published_at", "-id")
        .first()
    )
    official = OfficialGrade.objects.filter(
        campaign=sheet.round.campaign_id, organization=sheet.organization_id
    ).first()
    reached = _SHEET_STEP[sheet.state]
    steps = [
        Step("已提交", reached >= 0, when=_date(sheet.submitted_at)),
        Step("审核中", reached >= 1, when=_date(review.started_at) if review else None),
        Step(
            "已审核",
            reached >= 2,
            when=_date(review.finished_at) if review and sheet.state in GRADABLE_STATES else None,
            detail=f"审核得分 {sheet.final_total.normalize():f}" if sheet.final_total is not None else "",
        ),
    ]
    objections: dict[str, int] = {}
    if entry is not None and not entry.withdrawn and sheet.state in GRADABLE_STATES:
        batch = entry.batch
        steps.append(
            Step(
                "公示中",
                True,
                when=_date(batch.published_at) or batch.starts,
                detail=f"拟定等级：{entry.grade}，公示至{batch.ends:%Y年%-m月%-d日}",
            )
        )
    else:
        steps.append(Step("公示中", False))
    if entry is not None:
        objections = _objection_counts(entry)
    if official is not None:
        steps.append(
            Step(
                "已审定",
                True,
                when=_date(official.approved_at),
                detail=f"审定等级：{official.grade}"
                + (f"（{official.document_number}）" if official.document_number else ""),
            )
        )
    else:
        steps.append(Step("已审定", False))
    last = max((n for n, s in enumerate(steps) if s.reached), default=-1)
    steps = [Step(s.label, s.reached, n == last, s.when, s.detail) for n, s in enumerate(steps)]
    return Timeline(
        sheet=sheet,
        steps=steps,
        objections=objections,
        held=bool(entry and entry.held and official is None),
        withdrawn=bool(entry and entry.withdrawn),
    )


def _objection_counts(entry: NoticeEntry) -> dict[str, int]:
    rows = entry.objections.aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES)),
        upheld=Count("pk", filter=Q(state=ObjectionState.UPHELD)),
        dismissed=Count("pk", filter=Q(state=ObjectionState.DISMISSED)),
        further=Count("pk", filter=Q(state=ObjectionState.FURTHER)),
    )
    labels = {"open": "办理中", "further": "需进一步核实", "upheld": "成立", "dismissed": "不成立"}
    return {labels[key]: n for key, n in rows.items() if n}
