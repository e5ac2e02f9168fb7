"""Writes to score sheets: entries, the application, and the sheet's workflow."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import Entry, ScoreSheet, SheetState
from chuangyou.assessments.scoring import (
    EntryData,
    audited_fields,
    entries_totals,
    mark_saved,
    nothing_applies,
    score_entry,
)
from chuangyou.audit.services import changes, record
from chuangyou.lib.errors import ServiceError
from chuangyou.rules import rubric as core
from chuangyou.rules.grade_scheme import format_number


class SheetError(ServiceError):
    """A refused change to a score sheet or its review."""


def may_fill(user, sheet: ScoreSheet) -> bool:
    """The branch's own secretary, or the county admin."""
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    return any(
        sheet.organization.path.startswith(g.path)
        and (
            g.role == Role.COUNTY_ADMIN
            or (g.role == Role.BRANCH_SECRETARY and g.path == sheet.organization.path)
        )
        for g in scope.grants
    )


def may_review(user, sheet: ScoreSheet) -> bool:
    """The township review's rule (`chuangyou.reviews.services.may_review`): who may send a sheet back."""
    from chuangyou.reviews.services import may_review as reviewer_may_review

    return reviewer_may_review(user, sheet)


def clear_grading_inputs(sheet: ScoreSheet) -> None:
    """A sheet that leaves the reviewed states no longer has a final score (set again by the next
    finished review)."""
    sheet.final_total, sheet.final_subtotals, sheet.final_satisfaction = None, {}, None
    sheet.final_favourable_votes = sheet.final_valid_votes = None
    sheet.final_members_score = sheet.final_public_score = None
    sheet.final_veto, sheet.final_veto_cap, sheet.final_weak = "", "", ""


def _deadline(sheet: ScoreSheet) -> dt.date:
    closes = sheet.round.closes
    return max(closes, sheet.reopened_until) if sheet.reopened_until else closes


def _check_open(sheet: ScoreSheet, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if today < sheet.round.opens:
        raise SheetError(f"本轮自查{sheet.round.opens:%Y年%m月%d日}开始，尚未开放")
    if today > _deadline(sheet):
        raise SheetError(f"本轮自查已于{_deadline(sheet):%Y年%m月%d日}截止，如需补交请联系县委组织部")


def _locked(sheet: ScoreSheet, actor) -> ScoreSheet:
    current = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("round__campaign", "organization")  # the campaign names the sheet in the audit
        .get(pk=sheet.pk)
    )
    if not may_fill(actor, current):
        raise SheetError("只有本支部书记（党务干部）或县委组织部管理员可以填写")
    if not current.editable:
        raise SheetError(f"自查表{current.get_state_display()}，不能修改")
    _check_open(current)
    return current


def _refresh_totals(sheet: ScoreSheet) -> None:
    sheet.total, sheet.subtotals, sheet.items_done = entries_totals(sheet.entries.all())


def store_entry(model, owner: dict, item, data: EntryData, version: int, actor, *, conflict: str, check=None):
    """Saving one item, on a sheet or on a review: lock the entry, refuse a stale version, score it
    with the rules core, let `check(entry, result)` refuse more, save.

    Returns (entry, before, after) for the audit event: the item's name and each changed field, with
    the core's notes on how a changed score was reached. `after` is None when the inputs are those
    already stored: then nothing is written and the entry keeps its version.

    The caller holds the owner's row lock, so no one else inserts this item's entry meanwhile: a new
    entry is one INSERT (no savepoint, no second write), and `entry.<owner>` is the locked row."""
    entry = model.objects.select_for_update().filter(item=item, **owner).first() or model(item=item)
    for name, value in owner.items():
        setattr(entry, name, value)
    if entry.version != version:
        raise SheetError(conflict)
    entry.item = item  # the caller's row, with its category: no query for it in `check`
    stored = audited_fields(entry)  # an entry never scored has no score, so it always changes
    try:
        result = score_entry(entry, item, data)
    except core.ScoringError as exc:
        raise SheetError(exc.errors) from exc
    if check is not None:
        check(entry, result)
    before, after = changes(stored, audited_fields(entry))
    if not after:
        return entry, before, None
    mark_saved(entry, actor)
    entry.save()
    if "score" in after:
        after["notes"] = list(result.notes)
    return entry, {"item": item.name, **before}, {"item": item.name, **after}


def store_category(model, owner: dict, category, actor, *, pick, conflict: str, check=None) -> dict[str, str]:
    """Save at once the items of `category` for which `pick(item, entry or None)` gives data (one tap
    for a whole category); returns the score of each item saved, by name."""
    entries = {e.item_id: e for e in model.objects.filter(item__category=category, **owner)}
    saved = {}
    for item in category.items.select_related("category").order_by("order", "id"):
        entry = entries.get(item.pk)
        data = pick(item, entry)
        if data is not None:
            version = entry.version if entry else 0
            stored, _, _ = store_entry(
                model, owner, item, data, version, actor, conflict=conflict, check=check
            )
            saved[item.name] = format_number(stored.result)
    return saved


@transaction.atomic
def entry_save(*, actor, sheet: ScoreSheet, item, data: EntryData, version: int) -> Entry:
    """Save one item; the sheet's total and subtotals change in the same transaction."""
    current = _locked(sheet, actor)
    if item.category.rubric_id != current.rubric_id:
        raise SheetError("该项目不属于本自查表的评定标准")
    conflict = "该项目已在其他页面或由他人修改，请刷新后再填写（您填写的内容未保存）"
    entry, before, after = store_entry(
        Entry, {"sheet": current}, item, data, version, actor, conflict=conflict
    )
    if after is None:  # saved again as it was: nothing to write or to audit
        return entry
    if "score" in after:  # a changed note or reason leaves the totals as they are
        _refresh_totals(current)
        current.save(update_fields=["total", "subtotals", "items_done", "updated_at"])
    record(
        actor=actor,
        verb="sheet.entry_save",
        target=current,
        organization=current.organization,
        before=before,
        after=after,
    )
    return entry


@transaction.atomic
def category_nothing_applies(*, actor, sheet: ScoreSheet, category) -> dict[str, str]:
    """One tap for a category: each of its items not filled yet is saved as 无扣分 (满分 where the score
    is given by hand, 无加分 for a bonus); items already filled stay as they are."""
    current = _locked(sheet, actor)
    if category.rubric_id != current.rubric_id:
        raise SheetError("该类别不属于本自查表的评定标准")
    saved = store_category(
        Entry,
        {"sheet": current},
        category,
        actor,
        pick=lambda item, entry: (
            None if entry and entry.done else nothing_applies(item, entry.note if entry else "")
        ),
        conflict="本类项目已在其他页面或由他人修改，请刷新后再试（未保存任何项目）",
    )
    if saved:
        _refresh_totals(current)
        current.save(update_fields=["total", "subtotals", "items_done", "updated_at"])
        record(
            actor=actor,
            verb="sheet.category_nothing_applies",
            target=current,
            organization=current.organization,
            after={"category": category.name, "items": saved},
        )
    return saved


@transaction.atomic
def application_save(
    *, actor, sheet: ScoreSheet, applied_grade: str, achievements: str, self_evaluation: str, version: int
) -> ScoreSheet:
    current = _locked(sheet, actor)
    if current.version != version:
        raise SheetError("申报信息已在其他页面或由他人修改，请刷新后再填写（您填写的内容未保存）")
    fields = {
        "applied_grade": applied_grade,
        "achievements": achievements.strip(),
        "self_evaluation": self_evaluation.strip(),
    }
    before = {k: getattr(current, k) for k in fields}
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    record(
        actor=actor,
        verb="sheet.application_save",
        target=current,
        organization=current.organization,
        before=before,
        after=fields,
    )
    return current


def missing_items(sheet: ScoreSheet) -> list[str]:
    from chuangyou.rubrics.models import Item

    done = sheet.entries.filter(done=True).values("item_id")
    return list(
        Item.objects.filter(category__rubric=sheet.rubric_id)
        .exclude(pk__in=done)
        .order_by("category__order", "order")
        .values_list("name", flat=True)
    )


@transaction.atomic
def sheet_submit(*, actor, sheet: ScoreSheet) -> ScoreSheet:
    current = _locked(sheet, actor)
    errors = []
    if missing := missing_items(current):
        errors.append(f"还有{len(missing)}个项目未填写：{'、'.join(missing)}")
    if not current.applied_grade:
        errors.append("请填写申报等级")
    if errors:
        raise SheetError(errors)
    before = current.state
    current.submit()
    current.submitted_at = timezone.now()
    current.return_reason = ""
    current.organization_snapshot = current.organization.snapshot()
    current.save()
    record(
        actor=actor,
        verb="sheet.submit",
        target=current,
        organization=current.organization,
        before={"state": before},
        after={"state": current.state, "total": str(current.total)},
    )
    return current


@transaction.atomic
def sheet_return(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    current = (
        ScoreSheet.objects.select_for_update(of=("self",)).select_related("organization").get(pk=sheet.pk)
    )
    if not may_review(actor, current):
        raise SheetError("只有乡镇（街道）党（工）委或县委组织部可以退回")
    if not reason.strip():
        raise SheetError("请填写退回原因，便于支部修改")
    if current.state not in (SheetState.SUBMITTED, SheetState.UNDER_REVIEW):
        raise SheetError(f"自查表{current.get_state_display()}，不能退回")
    before = current.state
    current.send_back()
    clear_grading_inputs(current)
    current.return_reason = reason.strip()[:500]
    current.save()
    record(
        actor=actor,
        verb="sheet.return",
        target=current,
        organization=current.organization,
        before={"state": before},
        after={"state": current.state},
        note=current.return_reason,
    )
    return current


@transaction.atomic
def sheet_reopen(*, actor, sheet: ScoreSheet, until: dt.date, reason: str) -> ScoreSheet:
    """The county extends the deadline for one branch."""
    current = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("organization", "round")
        .get(pk=sheet.pk)
    )
    if not scope_of(actor).has_role(Role.COUNTY_ADMIN):
        raise SheetError("只有县委组织部可以延期")
    if not reason.strip():
        raise SheetError("请填写延期原因")
    if until <= current.round.closes:
        raise SheetError(f"延期日期应晚于本轮截止日期{current.round.closes:%Y年%m月%d日}")
    before = {"reopened_until": current.reopened_until}
    current.reopened_until = until
    current.save(update_fields=["reopened_until", "updated_at"])
    record(
        actor=actor,
        verb="sheet.reopen",
        target=current,
        organization=current.organization,
        before=before,
        after={"reopened_until": until},
        note=reason.strip(),
    )
    return current
