"""Writes of the review workflow: the township's review, the county's re-check, and the hand-backs.

The sheet's state machine goes on from the self-assessment: submitted → under review (the township
starts) → reviewed (the township finishes) → re-checked (the county finishes a re-check). The county
may send a reviewed sheet back to the township, the township may send a sheet back to the branch.
Each step is one service here, in one transaction, with its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import GRADABLE_STATES, ScoreSheet, SheetState
from chuangyou.assessments.scoring import EntryData, entries_totals, nothing_applies, stored_data
from chuangyou.assessments.services import SheetError, clear_grading_inputs, store_category, store_entry
from chuangyou.audit.services import record
from chuangyou.reviews.models import (
    KIND_WORDS,
    Method,
    Review,
    ReviewEntry,
    ReviewerAssignment,
    ReviewKind,
    ReviewState,
)
from chuangyou.rules.grade_scheme import format_number


@dataclass(frozen=True)
class MethodUse:
    method: str
    date: dt.date
    note: str = ""


@dataclass(frozen=True)
class ReviewDetails:
    methods: Sequence[MethodUse]
    situations: Sequence = ()  # rubrics.Situation rows
    weak_note: str = ""
    vetoes: Sequence = ()  # rubrics.Veto rows of the sheet's rubric
    opinion: str = ""


def campaign_assignments(campaign_id: int) -> list[tuple[int, str]]:
    """(reviewer id, organization path) of every reviewer assignment of a campaign."""
    return list(
        ReviewerAssignment.objects.filter(campaign=campaign_id).values_list(
            "reviewer_id", "organization__path"
        )
    )


def reviewer_may(scope, user, path: str, kind: str, assigned: list[tuple[int, str]]) -> bool:
    """The rule of who reviews the branch at `path` (see `may_review`), for callers that check many
    branches of one campaign with its assignments read once."""
    if scope.is_superuser:
        return True
    if any(g.path == path for g in scope.grants):  # a role on the branch itself: never reviews it
        return False
    if any(g.role == Role.COUNTY_ADMIN and path.startswith(g.path) for g in scope.grants):
        return True
    if kind != ReviewKind.TOWNSHIP:
        return False
    if not any(g.role == Role.TOWNSHIP_REVIEWER and path.startswith(g.path) for g in scope.grants):
        return False
    reviewers = [reviewer for reviewer, org_path in assigned if path.startswith(org_path)]
    return not reviewers or user.pk in reviewers


def may_review(user, sheet: ScoreSheet, kind: str = ReviewKind.TOWNSHIP) -> bool:
    """County re-checks: the county admin. Township reviews: a reviewer over the branch who does not
    belong to it and, when the campaign assigns reviewers for the branch, is one of them."""
    assigned = campaign_assignments(sheet.round.campaign_id)
    return reviewer_may(scope_of(user), user, sheet.organization.path, kind, assigned)


def _check_may_review(actor, sheet: ScoreSheet, kind: str) -> None:
    if not may_review(actor, sheet, kind):
        if kind == ReviewKind.COUNTY:
            raise SheetError("只有县委组织部可以复核")
        raise SheetError("您不是该支部的审核人（本人所在支部或未分配给您的支部不能审核）")


def _locked_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("organization", "round")
        .get(pk=sheet.pk)
    )


def _locked_review(review: Review, actor) -> Review:
    current = (
        Review.objects.select_for_update(of=("self",))
        .select_related("sheet__organization", "sheet__round")
        .get(pk=review.pk)
    )
    _check_may_review(actor, current.sheet, current.kind)
    if not current.editable:
        raise SheetError(f"{current.get_kind_display()}已完成，不能修改")
    # A township review waits while the sheet is back with the branch (or with the county);
    # a re-check needs a finished township review.
    sheet = current.sheet
    allowed = (SheetState.UNDER_REVIEW,) if current.kind == ReviewKind.TOWNSHIP else GRADABLE_STATES
    if sheet.state not in allowed:
        raise SheetError(f"自查表{sheet.get_state_display()}，不能修改{current.get_kind_display()}")
    return current


@transaction.atomic
def review_start(*, actor, sheet: ScoreSheet, kind: str = ReviewKind.TOWNSHIP) -> Review:
    """Open the review sheet (or the county's re-check, pre-filled with the township's scores)."""
    current = _locked_sheet(sheet)
    _check_may_review(actor, current, kind)
    existing = Review.objects.filter(sheet=current, kind=kind).first()
    if kind == ReviewKind.TOWNSHIP:
        if current.state == SheetState.UNDER_REVIEW and existing is not None:
            return existing
        if current.state != SheetState.SUBMITTED:
            raise SheetError(f"自查表{current.get_state_display()}，只能审核已提交的自查表")
        current.start_review()
        current.save(update_fields=["state", "updated_at"])
    elif current.state not in GRADABLE_STATES:
        raise SheetError(f"自查表{current.get_state_display()}，乡镇（街道）审核完成后才能复核")
    elif existing is not None and existing.editable:
        return existing
    if existing is None:
        review = Review.objects.create(sheet=current, kind=kind, reviewer=actor)
        if kind == ReviewKind.COUNTY:
            _copy_township_review(current, review)
    recopied = False
    if existing is not None:  # opened again: after a hand-back, or a second re-check
        review = existing
        review.state, review.finished_at, review.reviewer = ReviewState.IN_PROGRESS, None, actor
        review.return_reason = ""
        review.version += 1
        review.save()
        if kind == ReviewKind.COUNTY and current.state == SheetState.REVIEWED:
            # The county sent its re-checked sheet back and the township has reviewed it again:
            # the new re-check starts from the township's new scores, not from the old re-check.
            review.entries.all().delete()
            _copy_township_review(current, review)
            recopied = True
    prefilled = _prefill_from_self_assessment(current, review) if kind == ReviewKind.TOWNSHIP else 0
    record(
        actor=actor,
        verb="review.start",
        target=review,
        organization=current.organization,
        after={"kind": kind, "sheet_state": current.state}
        | ({"restarted_from_township_scores": True} if recopied else {})
        | ({"prefilled_items": prefilled} if prefilled else {}),
    )
    return review


def _copy_township_review(sheet: ScoreSheet, recheck: Review) -> None:
    township = Review.objects.filter(sheet=sheet, kind=ReviewKind.TOWNSHIP).first()
    if township is None:
        return
    fields = ("item_id", "counts", "zero_out", "score", "deduction", "reason", "note", "result", "done")
    # One version ahead of the township's, so a page opened on an earlier re-check cannot overwrite.
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=recheck, version=e.version + 1, **{f: getattr(e, f) for f in fields})
        for e in township.entries.all()
    )
    recheck.total, recheck.subtotals, recheck.items_done = (
        township.total,
        township.subtotals,
        township.items_done,
    )
    # The flags carry over; the methods do not: the county records how it checked.
    recheck.weak_note, recheck.veto, recheck.veto_cap = township.weak_note, township.veto, township.veto_cap
    recheck.save()
    recheck.situations.set(township.situations.all())
    recheck.vetoes.set(township.vetoes.all())


# The reason a prefilled deduction carries: the reviewer's agreement with the branch's own.
AGREED_REASON = "认可支部自评扣分"


def _prefill_from_self_assessment(sheet: ScoreSheet, review: Review) -> int:
    """The township review starts from the branch's own entries, each marked prefilled: the review's
    score starts at the self-assessment's (a gap of 0, not −100) and each item waits to be checked.
    Started again after the branch resubmitted, the unchecked copies are taken again from its new
    entries; the items the reviewer has scored stay. Returns the number of items copied."""
    review.entries.filter(prefilled=True).delete()
    own = set(review.entries.values_list("item_id", flat=True))
    fields = ("item_id", "counts", "zero_out", "score", "deduction", "note", "result", "done")
    entries = [e for e in sheet.entries.select_related("item") if e.done and e.item_id not in own]
    ReviewEntry.objects.bulk_create(
        ReviewEntry(
            review=review,
            prefilled=True,
            reason=e.reason or (AGREED_REASON if _is_deduction(e.item, e.result) else ""),
            **{f: getattr(e, f) for f in fields},
        )
        for e in entries
    )
    review.total, review.subtotals, review.items_done = entries_totals(review.entries.all())
    review.save(update_fields=["total", "subtotals", "items_done", "updated_at"])
    return len(entries)


def _is_deduction(item, score) -> bool:
    return item.kind != "bonus" and score < item.max_points


def _confirmed(entry: ReviewEntry, result) -> None:
    """A review entry saved by the reviewer is theirs (no longer prefilled); a deduction needs its reason."""
    item = entry.item
    if _is_deduction(item, result.score) and not entry.reason:
        raise SheetError(
            f"“{item.name}”审核扣分（得{format_number(result.score)}分，"
            f"满分{format_number(item.max_points)}分），请填写扣分理由"
        )
    entry.prefilled = False


@transaction.atomic
def review_entry_save(*, actor, review: Review, item, data: EntryData, version: int) -> ReviewEntry:
    """Score one item of a review; a deduction needs its reason."""
    current = _locked_review(review, actor)
    if item.category.rubric_id != current.sheet.rubric_id:
        raise SheetError("该项目不属于本自查表的评定标准")
    entry, before, after = store_entry(
        ReviewEntry,
        {"review": current},
        item,
        data,
        version,
        actor,
        conflict=f"该项目已由其他{KIND_WORDS[current.kind]}人修改，请刷新后再填写（您填写的内容未保存）",
        check=_confirmed,
    )
    if after is None:  # saved again as it was: nothing to write or to audit
        return entry
    if "score" in after:  # a changed note or reason leaves the totals as they are
        current.total, current.subtotals, current.items_done = entries_totals(current.entries.all())
        current.save(update_fields=["total", "subtotals", "items_done", "updated_at"])
    record(
        actor=actor,
        verb="review.entry_save",
        target=current,
        organization=current.sheet.organization,
        before=before,
        after=after,
    )
    return entry


@transaction.atomic
def review_category_confirm(*, actor, review: Review, category) -> dict[str, str]:
    """One tap for a category of a review: each item still prefilled from the self-assessment is
    confirmed as it is, each item not scored yet is saved as 无扣分 (满分/无加分); the reviewer's own
    scores stay."""
    current = _locked_review(review, actor)
    if category.rubric_id != current.sheet.rubric_id:
        raise SheetError("该类别不属于本自查表的评定标准")

    def pick(item, entry):
        if entry is not None and entry.prefilled:
            return stored_data(entry)
        return None if entry is not None and entry.done else nothing_applies(item)

    saved = store_category(
        ReviewEntry,
        {"review": current},
        category,
        actor,
        pick=pick,
        conflict=f"本类项目已由其他{KIND_WORDS[current.kind]}人修改，请刷新后再试（未保存任何项目）",
        check=_confirmed,
    )
    if saved:
        current.total, current.subtotals, current.items_done = entries_totals(current.entries.all())
        current.save(update_fields=["total", "subtotals", "items_done", "updated_at"])
        record(
            actor=actor,
            verb="review.category_confirm",
            target=current,
            organization=current.sheet.organization,
            after={"category": category.name, "items": saved},
        )
    return saved


@transaction.atomic
def review_details_save(*, actor, review: Review, details: ReviewDetails, version: int) -> Review:
    """Methods used, 软弱涣散 situations, a veto and the opinion."""
    current = _locked_review(review, actor)
    if current.version != version:
        raise SheetError("审核信息已由其他审核人修改，请刷新后再填写（您填写的内容未保存）")
    labels = dict(Method.choices)
    errors = [f"审核方式“{m.method}”无效" for m in details.methods if m.method not in labels]
    errors += [
        f"请选择“{labels[m.method]}”的日期" for m in details.methods if m.method in labels and m.date is None
    ]
    if details.situations and not (details.weak_note or "").strip():
        errors.append("标记软弱涣散情形时请填写具体情况")
    veto_cap = ""
    if details.vetoes:
        veto_cap, veto_errors = _veto_cap(current.sheet, details.vetoes)
        errors += veto_errors
    if errors:
        raise SheetError(errors)
    before = _details_of(current)
    current.methods = [
        {"method": m.method, "date": m.date.isoformat(), "note": m.note.strip()[:500]}
        for m in details.methods
    ]
    current.weak_note = (details.weak_note or "").strip()[:500]
    current.veto = "；".join(v.text for v in details.vetoes)[:500]
    current.veto_cap = veto_cap
    current.opinion = (details.opinion or "").strip()
    current.version += 1
    current.save()
    current.situations.set(details.situations)
    current.vetoes.set(details.vetoes)
    record(
        actor=actor,
        verb="review.details_save",
        target=current,
        organization=current.sheet.organization,
        before=before,
        after=_details_of(current),
    )
    return current


def _veto_cap(sheet: ScoreSheet, vetoes) -> tuple[str, list[str]]:
    """The lowest grade the chosen vetoes allow, in the campaign's scheme; and what is wrong."""
    from chuangyou.rules.grade_scheme import SchemeError

    errors = [f"一票否决情形“{v.text}”不属于本表的评定标准" for v in vetoes if v.rubric_id != sheet.rubric_id]
    try:
        scheme = sheet.round.campaign.scheme_for(sheet.organization.domain)
    except SchemeError as exc:
        return "", [str(exc)]
    caps = []
    for v in vetoes:
        grade = v.max_grade or scheme.veto_max_grade
        if grade not in scheme.labels:
            errors.append(
                f"一票否决情形“{v.text}”的最高等级“{grade}”不是该支部所用评定方案的等级"
                f"（{'、'.join(scheme.labels)}），请县委组织部调整评定标准或评定方案"
            )
        else:
            caps.append(scheme.index(grade))
    return (scheme.labels[max(caps)] if caps else ""), errors


def _details_of(review: Review) -> dict:
    return {
        "methods": [Method(m["method"]).label for m in review.methods],
        "situations": [s.text for s in review.situations.all()],
        "weak_note": review.weak_note,
        "veto": review.veto,
        "veto_cap": review.veto_cap,
    }


def weak_text(review: Review) -> str:
    """The 软弱涣散 flag as grading reads it: the situations and the reviewer's note, or empty."""
    texts = [s.text for s in review.situations.all()]
    if not texts:
        return ""
    return "；".join(texts) + (f"（{review.weak_note}）" if review.weak_note else "")


# rate, 满意+基本满意 votes, valid votes, members' and public's weighted scores
Satisfaction = tuple[Decimal | None, int | None, int | None, Decimal | None, Decimal | None]
SATISFACTION_FIELDS = ("satisfaction", "favourable_votes", "valid_votes", "members_score", "public_score")


def _satisfaction(sheet: ScoreSheet) -> Satisfaction:
    """The democratic evaluation's satisfaction rate with its votes, when the evaluation is valid."""
    from chuangyou.evaluations.results import summary_for_sheet

    summary = summary_for_sheet(sheet)
    if summary is None or not summary["valid"] or summary["satisfaction_rate"] is None:
        return None, None, None, None, None
    return (
        Decimal(summary["satisfaction_rate"]),
        summary["favourable_votes"],
        summary["valid_votes"],
        summary["members_score"],
        summary["public_score"],
    )


def _frozen_satisfaction(sheet: ScoreSheet, review: Review) -> Satisfaction:
    """The township review freezes the rate when it finishes; a county re-check keeps that rate, so
    answers that arrive after the township's finish never change the grading input."""
    if review.kind == ReviewKind.COUNTY:
        township = (
            Review.objects.filter(sheet=sheet, kind=ReviewKind.TOWNSHIP, state=ReviewState.FINISHED)
            .values_list(*SATISFACTION_FIELDS)
            .first()
        )
        if township is not None:
            return township
    return _satisfaction(sheet)


@transaction.atomic
def review_finish(*, actor, review: Review) -> Review:
    """Finish a review: every item scored, at least one method recorded. The sheet's grading inputs
    (final score, satisfaction frozen now, flags) are written from this review."""
    sheet = _locked_sheet(review.sheet)  # the sheet first, as every other service locks them
    current = _locked_review(review, actor)
    errors = []
    entries = dict(current.entries.filter(done=True).values_list("item_id", "prefilled"))
    items = _rubric_items(sheet)
    if missing := [name for pk, name in items if pk not in entries]:
        errors.append(f"还有{len(missing)}个项目未{KIND_WORDS[current.kind]}打分：{'、'.join(missing)}")
    if unchecked := [name for pk, name in items if entries.get(pk)]:
        errors.append(
            f"还有{len(unchecked)}个项目沿用支部自评尚未核对，请逐项确认或点“本类确认”：{'、'.join(unchecked)}"
        )
    if not current.methods:
        errors.append("请至少记录一种审核方式（听取汇报、民主测评、查阅资料、实地查看、调查核实）")
    if current.kind == ReviewKind.TOWNSHIP and sheet.state != SheetState.UNDER_REVIEW:
        errors.append(f"自查表{sheet.get_state_display()}，不能完成审核")
    if current.kind == ReviewKind.COUNTY and sheet.state not in GRADABLE_STATES:
        errors.append(f"自查表{sheet.get_state_display()}，不能完成复核")
    if errors:
        raise SheetError(errors)
    before = {"state": sheet.state, "final_total": sheet.final_total}
    if current.kind == ReviewKind.TOWNSHIP:
        sheet.finish_review()
    else:
        sheet.finish_recheck()
    for name, value in zip(SATISFACTION_FIELDS, _frozen_satisfaction(sheet, current), strict=True):
        setattr(current, name, value)
    current.state, current.finished_at, current.return_reason = ReviewState.FINISHED, timezone.now(), ""
    current.save()
    sheet.final_total, sheet.final_subtotals = current.total, current.subtotals
    for name in SATISFACTION_FIELDS:
        setattr(sheet, f"final_{name}", getattr(current, name))
    sheet.final_veto, sheet.final_veto_cap = current.veto, current.veto_cap
    sheet.final_weak = weak_text(current)
    sheet.save()
    record(
        actor=actor,
        verb="review.finish",
        target=sheet,
        organization=sheet.organization,
        before=before,
        after={
            "state": sheet.state,
            "final_total": sheet.final_total,
            "self_total": sheet.total,
            "satisfaction": sheet.final_satisfaction,
            "veto": sheet.final_veto,
            "weak": sheet.final_weak,
        },
        note=current.get_kind_display(),
    )
    return current


def _rubric_items(sheet: ScoreSheet) -> list[tuple[int, str]]:
    from chuangyou.rubrics.models import Item

    return list(
        Item.objects.filter(category__rubric=sheet.rubric_id)
        .order_by("category__order", "order")
        .values_list("pk", "name")
    )


@transaction.atomic
def review_send_back(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """The county hands a reviewed sheet back to the township to review again."""
    current = _locked_sheet(sheet)
    if not scope_of(actor).has_role(Role.COUNTY_ADMIN) or not may_review(actor, current, ReviewKind.COUNTY):
        raise SheetError("只有县委组织部可以退回乡镇重审")
    if not reason.strip():
        raise SheetError("请填写退回重审的原因")
    if current.state not in GRADABLE_STATES:
        raise SheetError(f"自查表{current.get_state_display()}，不能退回重审")
    before = current.state
    current.reopen_review()
    clear_grading_inputs(current)
    current.save()
    # A re-check under way started from the township's old scores: it is dropped with the hand-back.
    dropped = Review.objects.filter(sheet=current, kind=ReviewKind.COUNTY, state=ReviewState.IN_PROGRESS)
    dropped_recheck = dropped.exists()
    dropped.delete()
    # The township's review opens again (a new version, so forms opened before are stale).
    Review.objects.filter(sheet=current, kind=ReviewKind.TOWNSHIP).update(
        state=ReviewState.IN_PROGRESS,
        finished_at=None,
        return_reason=reason.strip()[:500],
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    record(
        actor=actor,
        verb="review.send_back",
        target=current,
        organization=current.organization,
        before={"state": before},
        after={"state": current.state, "grading_inputs_cleared": True, "recheck_dropped": dropped_recheck},
        note=reason.strip(),
    )
    return current


@transaction.atomic
def assignment_create(*, actor, campaign, reviewer, organization) -> ReviewerAssignment:
    """The county assigns a township reviewer to the branches under one organization."""
    scope = scope_of(actor)
    if not scope.contains(organization, roles={Role.COUNTY_ADMIN}):
        raise SheetError("只有县委组织部可以设置审核分工")
    if not organization.path.startswith(campaign.root.path):
        raise SheetError(f"“{organization.name}”不在本次活动范围内")
    reviewer_scope = scope_of(reviewer)
    if not any(
        g.role == Role.TOWNSHIP_REVIEWER and organization.path.startswith(g.path)
        for g in reviewer_scope.grants
    ):
        raise SheetError(f"{reviewer}不是“{organization.name}”所在乡镇（街道）的审核员")
    if any(g.path == organization.path for g in reviewer_scope.grants if g.role == Role.BRANCH_SECRETARY):
        raise SheetError(f"{reviewer}是“{organization.name}”的成员，不能审核本支部")
    assignment, created = ReviewerAssignment.objects.get_or_create(
        campaign=campaign, reviewer=reviewer, organization=organization
    )
    if not created:
        raise SheetError(f"{reviewer}已负责审核“{organization.name}”")
    record(
        actor=actor,
        verb="assignment.create",
        target=assignment,
        organization=organization,
        after={"reviewer": str(reviewer), "organization": organization.name},
    )
    return assignment


@transaction.atomic
def assignment_delete(*, actor, assignment: ReviewerAssignment) -> None:
    scope = scope_of(actor)
    if not scope.contains(assignment.organization, roles={Role.COUNTY_ADMIN}):
        raise SheetError("只有县委组织部可以取消审核分工")
    record(
        actor=actor,
        verb="assignment.delete",
        target=assignment,
        organization=assignment.organization,
        before={"reviewer": str(assignment.reviewer), "organization": assignment.organization.name},
    )
    assignment.delete()
