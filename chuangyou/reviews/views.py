"""The review pages: the queue, the township's review (审核), the county's re-check (复核) and the
reviewer assignments (审核分工). Reads go through querysets, writes through `reviews.services`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import REVIEW_READERS, scope_of
from chuangyou.assessments.forms import ReturnForm, posted_entry
from chuangyou.assessments.models import GRADABLE_STATES, ScoreSheet, SheetState
from chuangyou.assessments.queries import get_sheet_for_user, state_counts
from chuangyou.assessments.services import SheetError
from chuangyou.assessments.views import save_posted_entry
from chuangyou.orgs.models import Organization
from chuangyou.reviews import queries, services
from chuangyou.reviews.forms import AssignmentForm, DetailsForm, SendBackForm
from chuangyou.reviews.models import KIND_WORDS, Review, ReviewerAssignment, ReviewKind
from chuangyou.rubrics.models import Category, Item

PAGE_NAMES = {ReviewKind.TOWNSHIP: "reviews:detail", ReviewKind.COUNTY: "reviews:recheck"}


def _sheet(user, pk) -> ScoreSheet:
    """The sheet of a review page: 404 outside the grants that read reviews (a branch's secretary
    does not read its review before the public notice)."""
    return get_sheet_for_user(user, pk, roles=REVIEW_READERS)


def _flash(request, exc: SheetError) -> None:
    for error in exc.errors:
        messages.error(request, error)


def _page(sheet: ScoreSheet, kind: str):
    return redirect(PAGE_NAMES[kind], pk=sheet.pk)


def _require_reviewer(user, sheet: ScoreSheet, kind: str) -> None:
    """In scope (the sheet was found) but not a reviewer of this branch: 403."""
    if not services.may_review(user, sheet, kind):
        if kind == ReviewKind.COUNTY:
            raise PermissionDenied("只有县委组织部可以复核")
        raise PermissionDenied("您不是该支部的审核人（本人所在支部或未分配给您的支部不能审核）")


def _may_send_back(user, sheet: ScoreSheet) -> bool:
    return scope_of(user).has_role(Role.COUNTY_ADMIN) and services.may_review(user, sheet, ReviewKind.COUNTY)


def _open(sheet: ScoreSheet, kind: str) -> bool:
    """The sheet is in a state in which a review of this kind may change (the services check again)."""
    return sheet.state in ((SheetState.UNDER_REVIEW,) if kind == ReviewKind.TOWNSHIP else GRADABLE_STATES)


def _totals(sheet: ScoreSheet, review: Review | None) -> dict:
    """The totals card's figures: the review's score (the final one without a review), its gap to the
    self-assessment, and how many items the reviewer has checked (prefilled ones wait)."""
    score = review.total if review is not None else sheet.final_total
    gap = score - sheet.total if score is not None else None
    prefilled = queries.prefilled_count(review) if review is not None and review.editable else 0
    return {
        "score": score,
        "gap": gap,
        "large_gap": gap is not None and abs(gap) >= sheet.round.campaign.gap_threshold,
        "prefilled": prefilled,
        "checked": review.items_done - prefilled if review is not None else 0,
    }


# --- The queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    sheet: ScoreSheet
    township: str
    large_gap: bool
    action: str
    url: str


@require_GET
def review_list(request):
    """The review queue of a campaign's graded round: self score beside review score, with the gap."""
    if not scope_of(request.user).has_role(*REVIEW_READERS):
        raise PermissionDenied("审核情况在公示前仅供县、乡两级组织部门查看")
    campaigns, current = queries.campaign_for(request.user, request.GET.get("campaign"))
    context = {"campaigns": campaigns, "current": current, "states": [], "rows": []}
    if current is None:
        return render(request, "reviews/list.html", context)
    sheets = queries.review_queue(request.user, current)
    state = request.GET.get("state", "")
    listed = queries.with_review_score(
        sheets.filter(state=state) if state in queries.QUEUE_STATES else sheets
    )
    gap_only = bool(request.GET.get("gap"))
    if gap_only:
        listed = queries.with_large_gap(listed, current.gap_threshold)
    page = Paginator(listed.select_related("organization").order_by("organization__path"), 50).get_page(
        request.GET.get("page")
    )
    names, cut = current.townships()
    check = queries.ReviewerCheck(request.user, current)
    rows = []
    for sheet in page:
        path = sheet.organization.path
        if sheet.state in (SheetState.SUBMITTED, SheetState.UNDER_REVIEW) and check.may_review(
            path, ReviewKind.TOWNSHIP
        ):
            action, url = "审核", reverse("reviews:detail", args=[sheet.pk])
        elif sheet.state in GRADABLE_STATES and check.may_review(path, ReviewKind.COUNTY):
            action, url = "复核", reverse("reviews:recheck", args=[sheet.pk])
        else:
            action, url = "查看", reverse("reviews:detail", args=[sheet.pk])
        large = sheet.gap is not None and abs(sheet.gap) >= current.gap_threshold
        rows.append(QueueRow(sheet, names.get(path[:cut], ""), large, action, url))
    counts = state_counts(sheets)
    context.update(
        counts=counts,
        states=[(s.value, s.label, counts.get(s.value, 0)) for s in queries.QUEUE_STATES],
        state=state,
        gap_only=gap_only,
        page=page,
        rows=rows,
    )
    return render(request, "reviews/list.html", context)


# --- The review page ------------------------------------------------------------------------------


@require_GET
def review_detail(request, pk):
    sheet = _sheet(request.user, pk)
    return render(request, "reviews/detail.html", _context(request, sheet, ReviewKind.TOWNSHIP))


@require_GET
def recheck_detail(request, pk):
    sheet = _sheet(request.user, pk)
    return render(request, "reviews/detail.html", _context(request, sheet, ReviewKind.COUNTY))


def _context(request, sheet: ScoreSheet, kind: str, details_form: DetailsForm | None = None) -> dict:
    user = request.user
    reviews = queries.reviews_of(user, sheet)
    review, township = reviews.get(kind), reviews.get(ReviewKind.TOWNSHIP)
    can_review = services.may_review(user, sheet, kind)
    can_edit = bool(review and review.editable and can_review and _open(sheet, kind))
    if kind == ReviewKind.TOWNSHIP:
        can_start = can_review and sheet.state == SheetState.SUBMITTED
    else:
        can_start = can_review and sheet.state in GRADABLE_STATES and not (review and review.editable)
    if review is not None and details_form is None:
        details_form = DetailsForm.for_review(
            review, queries.situation_choices(review), queries.veto_choices(sheet)
        )
    return {
        **_totals(sheet, review),
        "sheet": sheet,
        "kind": kind,
        "is_recheck": kind == ReviewKind.COUNTY,
        "word": KIND_WORDS[kind],
        "review": review,
        "township": township,
        "recheck": reviews.get(ReviewKind.COUNTY),
        "send_back_reason": township.return_reason
        if township is not None and township.editable and sheet.state == SheetState.UNDER_REVIEW
        else "",
        "layout": queries.review_layout(sheet, review, township if kind == ReviewKind.COUNTY else None),
        "can_review": can_review,
        "can_edit": can_edit,
        "can_start": can_start,
        "can_send_back": sheet.state in GRADABLE_STATES and _may_send_back(user, sheet),
        "can_return": kind == ReviewKind.TOWNSHIP
        and can_review
        and sheet.state in (SheetState.SUBMITTED, SheetState.UNDER_REVIEW),
        "details_form": details_form,
        "send_back_form": SendBackForm(),
        "return_form": ReturnForm(),
    }


def _start(request, pk, kind: str):
    sheet = _sheet(request.user, pk)
    _require_reviewer(request.user, sheet, kind)
    try:
        services.review_start(actor=request.user, sheet=sheet, kind=kind)
    except SheetError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已开始{KIND_WORDS[kind]}，请逐项打分")
    return _page(sheet, kind)


@require_POST
def review_start(request, pk):
    return _start(request, pk, ReviewKind.TOWNSHIP)


@require_POST
def recheck_start(request, pk):
    return _start(request, pk, ReviewKind.COUNTY)


def _review_and_sheet(request, pk) -> tuple[Review, ScoreSheet]:
    """The review (404 outside the scope), its sheet, and 403 for a user who may not review it."""
    review = queries.get_review_for_user(request.user, pk)
    sheet = _sheet(request.user, review.sheet_id)
    _require_reviewer(request.user, sheet, review.kind)
    return review, sheet


@require_POST
def entry_save(request, pk, item_pk):
    """htmx autosave of one item of a review: the item's form again (errors inline, the posted
    values kept) and the totals out of band."""
    review, sheet = _review_and_sheet(request, pk)
    item = get_object_or_404(
        Item.objects.select_related("category"), pk=item_pk, category__rubric=sheet.rubric_id
    )
    entry, errors = save_posted_entry(
        request,
        item,
        lambda data, version: services.review_entry_save(
            actor=request.user, review=review, item=item, data=data, version=version
        ),
    )
    review.refresh_from_db()
    if entry is None:
        entry = review.entries.filter(item=item).first()
    context = {
        **_totals(sheet, review),
        "sheet": sheet,
        "review": review,
        "word": KIND_WORDS[review.kind],
        "item": item,
        "review_entry": entry,
        "shown": posted_entry(item, request.POST, entry) if errors else entry,
        "errors": errors,
        "can_edit": review.editable and _open(sheet, review.kind),
        "oob": True,
    }
    return render(request, "reviews/_review_entry.html", context)


@require_POST
def category_confirm(request, pk, category_pk):
    """One tap for a category of a review: prefilled items confirmed, unscored ones 无扣分."""
    review, sheet = _review_and_sheet(request, pk)
    category = get_object_or_404(Category, pk=category_pk, rubric=sheet.rubric_id)
    try:
        saved = services.review_category_confirm(actor=request.user, review=review, category=category)
    except SheetError as exc:
        _flash(request, exc)
    else:
        word = KIND_WORDS[review.kind]
        if saved:
            messages.success(request, f"“{category.name}”的{len(saved)}个项目已确认{word}")
        else:
            messages.info(request, f"“{category.name}”的项目都已{word}，未作修改")
    return redirect(f"{reverse(PAGE_NAMES[review.kind], args=[sheet.pk])}#category-{category.pk}")


@require_POST
def details_save(request, pk):
    review, sheet = _review_and_sheet(request, pk)
    form = DetailsForm(
        request.POST, situations=queries.situation_choices(review), vetoes=queries.veto_choices(sheet)
    )
    if form.is_valid():
        try:
            services.review_details_save(
                actor=request.user,
                review=review,
                details=form.details(),
                version=form.cleaned_data["version"],
            )
        except SheetError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"{KIND_WORDS[review.kind]}信息已保存")
            return _page(sheet, review.kind)
    else:
        for error in form.error_texts():
            messages.error(request, error)
    return render(request, "reviews/detail.html", _context(request, sheet, review.kind, details_form=form))


@require_POST
def review_finish(request, pk):
    review, sheet = _review_and_sheet(request, pk)
    try:
        services.review_finish(actor=request.user, review=review)
    except SheetError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"{KIND_WORDS[review.kind]}已完成，审核得分已计入定级")
    return _page(sheet, review.kind)


@require_POST
def send_back(request, pk):
    """The county hands a reviewed sheet back to the township to review again."""
    sheet = _sheet(request.user, pk)
    if not _may_send_back(request.user, sheet):
        raise PermissionDenied("只有县委组织部可以退回乡镇重审")
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回重审的原因")
        return _page(sheet, ReviewKind.COUNTY)
    try:
        services.review_send_back(actor=request.user, sheet=sheet, reason=form.cleaned_data["reason"])
    except SheetError as exc:
        _flash(request, exc)
        return _page(sheet, ReviewKind.COUNTY)
    messages.success(request, "已退回乡镇（街道）重新审核")
    return _page(sheet, ReviewKind.TOWNSHIP)


# --- Assignments (审核分工) -------------------------------------------------------------------------


def _assignment_form(user, data=None) -> AssignmentForm:
    return AssignmentForm(
        data,
        reviewers=queries.reviewers_for(user),
        organizations=Organization.objects.visible_to(user),
    )


def _assignments_page(campaign) -> str:
    return f"{reverse('reviews:assignments')}?campaign={campaign.pk}"


def _require_county_admin(user, message: str) -> None:
    if not scope_of(user).has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied(message)


@require_GET
def assignments(request):
    campaigns, current = queries.campaign_for(request.user, request.GET.get("campaign"))
    can_manage = scope_of(request.user).has_role(Role.COUNTY_ADMIN)
    page = None
    if current is not None:
        page = Paginator(queries.assignments_of(request.user, current), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/assignments.html",
        {
            "campaigns": campaigns,
            "current": current,
            "page": page,
            "can_manage": can_manage,
            "form": _assignment_form(request.user) if can_manage and current else None,
        },
    )


@require_POST
def assignment_create(request):
    _require_county_admin(request.user, "只有县委组织部可以设置审核分工")
    _, campaign = queries.campaign_for(request.user, request.POST.get("campaign") or "-")
    form = _assignment_form(request.user, request.POST)
    if not form.is_valid():
        for error in form.error_texts():
            messages.error(request, error)
        return redirect(_assignments_page(campaign))
    reviewer, organization = form.cleaned_data["reviewer"], form.cleaned_data["code"]
    try:
        services.assignment_create(
            actor=request.user, campaign=campaign, reviewer=reviewer, organization=organization
        )
    except SheetError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已安排{reviewer}审核“{organization.name}”")
    return redirect(_assignments_page(campaign))


@require_POST
def assignment_delete(request, pk):
    campaigns = queries.campaign_for(request.user, None)[0]
    assignment = get_object_or_404(
        ReviewerAssignment.objects.filter(
            scope_of(request.user).q_for("organization__path"), campaign__in=campaigns
        ).select_related("reviewer", "organization", "campaign"),
        pk=pk,
    )
    _require_county_admin(request.user, "只有县委组织部可以取消审核分工")
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
    except SheetError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已取消{assignment.reviewer}对“{assignment.organization.name}”的审核分工")
    return redirect(_assignments_page(assignment.campaign))
