"""Moves the demo campaign's sheets along the workflow, so `make run` shows work to review and grade.

Deterministic (seeded by the organization code). Scores are drawn so that most branches land between
70 and 95 and a few are weak; entries go through the scoring core (`apply_entry`), so every stored
result is one a user could have entered. The branches that have a demo secretary account stay
untouched: their secretaries fill them in themselves.

The helpers here (`draw_loss`, `rubric_items`, `fill_sheet`, `mark_submitted`, `score_entries`,
`township_reviewers`, `secretary_branches`) are shared with the finished campaign of last year
(`demo_history`) and the spread of this year's branches over the workflow (`demo_stages`).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.assessments.models import Entry, ScoreSheet, SheetState
from chuangyou.assessments.scoring import EntryData, apply_entry, sheet_totals
from chuangyou.audit.services import record
from chuangyou.core.demo_clock import stopped_clock
from chuangyou.reviews.models import Method, Review, ReviewEntry, ReviewKind, ReviewState
from chuangyou.reviews.services import weak_text
from chuangyou.rubrics.models import Item, Situation

HALF = Decimal("0.5")
REASON = "台账记录不完整，部分工作未按要求开展"
WEAK_SHARE = 0.03


def _half(value: Decimal) -> Decimal:
    return (value / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF


def _entry_data(item: Item, loss: float) -> EntryData:
    """Inputs that cost the item about `loss` of its points, in the way the item is scored."""
    lost = _half(item.max_points * Decimal(str(loss)))
    if item.kind == "bonus":
        return EntryData()
    if item.kind == "discretionary":
        return EntryData(score=item.max_points - lost, reason=REASON if lost else "")
    for rule in item.rules:
        points = Decimal(rule["points"])
        if rule["per_occurrence"] and points > 0:
            count = int(lost // points)
            return EntryData(counts={rule["text"]: count} if count else {}, reason=REASON if count else "")
    if item.discretionary_deduction and lost:
        return EntryData(deduction=lost, reason=REASON)
    return EntryData()


def score_entries(items: list[Item], loss: float, rng: random.Random, owner, model, actor):
    """Unsaved entries of `model` for every item, and the totals as a sheet stores them."""
    entries, rows = [], []
    for item in items:
        entry = model(item=item, **owner)
        apply_entry(entry, item, _entry_data(item, min(1.0, max(0.0, rng.gauss(loss, 0.08)))), actor)
        entries.append(entry)
        rows.append((item.category.name, item.category.points, item.category.bonus, entry.result, True))
    return entries, sheet_totals(rows)


def draw_loss(rng: random.Random) -> tuple[bool, float]:
    """(weak, share of the points lost): a few weak branches, the others between good and middling."""
    weak = rng.random() < WEAK_SHARE
    return weak, 0.7 if weak else rng.uniform(0.08, 0.45)


def rubric_items(rubric_id: int, cache: dict[int, list[Item]]) -> list[Item]:
    """The items of a rubric in their order (read once per rubric)."""
    if rubric_id not in cache:
        cache[rubric_id] = list(
            Item.objects.filter(category__rubric=rubric_id)
            .select_related("category")
            .order_by("category__order", "order")
        )
    return cache[rubric_id]


def fill_sheet(sheet: ScoreSheet, items: list[Item], loss: float, rng, actor, count=None) -> list[Entry]:
    """Score the first `count` items (all by default) and put the totals on the sheet (not saved)."""
    chosen = items if count is None else items[:count]
    entries, (total, subtotals, done) = score_entries(chosen, loss, rng, {"sheet": sheet}, Entry, actor)
    Entry.objects.bulk_create(entries)
    sheet.total, sheet.subtotals, sheet.items_done, sheet.items_total = total, subtotals, done, len(items)
    return entries


def mark_submitted(sheet: ScoreSheet, now) -> None:
    """Apply for the grade the total suggests and submit (not saved)."""
    total = sheet.total
    sheet.applied_grade = "优秀" if total >= 90 else "良好" if total >= 80 else "一般"
    sheet.submit()
    sheet.submitted_at = now
    sheet.organization_snapshot = sheet.organization.snapshot()


def township_reviewers(campaign) -> dict[str, object]:
    """Township path → its demo reviewer."""
    _, cut = campaign.townships()
    return {
        a.organization.path[:cut]: a.user
        for a in RoleAssignment.objects.filter(role=Role.TOWNSHIP_REVIEWER).select_related(
            "organization", "user"
        )
    }


def secretary_branches() -> set[int]:
    """The branches of the demo secretaries' accounts: left for their users to fill in."""
    return set(
        RoleAssignment.objects.filter(role=Role.BRANCH_SECRETARY).values_list("organization_id", flat=True)
    )


@transaction.atomic
def advance_demo_campaign(campaign, admin, schedule) -> dict[str, int]:
    """Submit most sheets of the open round and have the townships review about a third of them a
    few days later, on the days of `schedule` (a `demo_schedule.ThisYearSchedule`)."""
    secretaries = secretary_branches()
    items_of: dict[int, list[Item]] = {}
    reviewers = township_reviewers(campaign)
    _, cut = campaign.townships()
    counts = {"submitted": 0, "reviewed": 0}
    sheets = (
        campaign.graded_sheets()
        .filter(state=SheetState.DRAFT)
        .exclude(organization_id__in=secretaries)
        .select_related("organization")
        .order_by("organization__path")
    )
    to_review = []
    with stopped_clock(schedule.submitted) as clock:
        for sheet in sheets:
            rng = random.Random(sheet.organization.code)  # noqa: S311 - demo data, not secrets
            stage = rng.random()
            if stage < 0.15:
                continue  # not started
            items = rubric_items(sheet.rubric_id, items_of)
            weak, loss = draw_loss(rng)
            fill_sheet(sheet, items, loss, rng, admin)
            mark_submitted(sheet, timezone.now())
            sheet.save()
            counts["submitted"] += 1
            if stage >= 0.6:
                to_review.append((sheet, items, loss, rng, weak))
        clock.set(schedule.reviewed)
        for sheet, items, loss, rng, weak in to_review:
            reviewer = reviewers.get(sheet.organization.path[:cut], admin)
            _review(sheet, items, loss + 0.02, rng, reviewer, weak)
            sheet.save()
            counts["reviewed"] += 1
    record(
        actor=None,
        verb="demo.progress",
        target=campaign,
        organization=campaign.root,
        after=counts,
        note="演示数据：多数自查表已提交，约三分之一已由乡镇审核",
    )
    return counts


def _review(
    sheet: ScoreSheet, items: list[Item], loss: float, rng: random.Random, reviewer, weak: bool
) -> None:
    """A finished township review written directly, with an invented satisfaction rate (the sheets of
    `advance_demo_campaign` have no democratic evaluation); `demo_reviews` goes through the services."""
    today = timezone.localdate().isoformat()
    review = Review.objects.create(
        sheet=sheet,
        kind=ReviewKind.TOWNSHIP,
        reviewer=reviewer,
        state=ReviewState.FINISHED,
        finished_at=timezone.now(),
        methods=[
            {"method": Method.REPORT, "date": today, "note": "听取支部书记汇报"},
            {"method": Method.DOCUMENTS, "date": today, "note": "查阅会议记录和台账"},
        ],
        weak_note="组织生活长期不正常，支部书记履职不力" if weak else "",
        opinion="工作扎实，台账较规范" if not weak else "存在明显短板，需整顿提升",
    )
    entries, (total, subtotals, done) = score_entries(
        items, loss, rng, {"review": review}, ReviewEntry, reviewer
    )
    ReviewEntry.objects.bulk_create(entries)
    review.total, review.subtotals, review.items_done = total, subtotals, done
    review.save()
    sheet.start_review()
    sheet.finish_review()
    sheet.final_total, sheet.final_subtotals = total, subtotals
    review.satisfaction = Decimal(rng.randint(850, 1000)) / 10
    review.save()
    sheet.final_satisfaction = review.satisfaction
    situation = Situation.objects.order_by("-situation_list__version", "order").first()
    if weak and situation is not None:
        review.situations.add(situation)
    sheet.final_weak = weak_text(review)
