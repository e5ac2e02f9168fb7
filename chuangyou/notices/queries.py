"""Reads for the staff pages of the public notice, each in a fixed number of queries.

Notices are fetched through `NoticeBatch.objects.visible_to` (the batch's organization inside the
user's review grants, or above them: a township sees the county-wide notice) and their entries
through `scoped_entries` (the user's own branches); objections through `Objection.objects.visible_to`
(the organization the objection is about), so anything outside the scope answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import REVIEW_READERS, scope_of
from chuangyou.grading.groups import run_labels
from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.lib.lookup import get_or_404
from chuangyou.notices.issuer import default_issuer
from chuangyou.notices.models import (
    OPEN_OBJECTION_STATES,
    NoticeBatch,
    NoticeEntry,
    NoticeState,
    Objection,
    ObjectionState,
    OfficialGrade,
)
from chuangyou.notices.services import may_publish
from chuangyou.orgs.models import Organization
from chuangyou.rules.grade_scheme import SchemeError

PER_PAGE = 50
CLOSED_OBJECTION_STATES = tuple(s for s in ObjectionState.values if s not in OPEN_OBJECTION_STATES)


# --- Access helpers: 404 outside the scope, 403 for roles that do not read grades -----------------


def check_reads_notices(user) -> None:
    if not scope_of(user).has_role(*REVIEW_READERS):
        raise PermissionDenied("公示、异议和审定由县、乡两级组织部门办理")


def get_batch_for_user(user, pk) -> NoticeBatch:
    batches = NoticeBatch.objects.visible_to(user).select_related(
        "campaign__root", "organization", "run", "created_by", "reported_by", "approved_by"
    )
    batch = get_or_404(batches, pk, "公示不存在或不在您的管辖范围内")
    check_reads_notices(user)
    return batch


def get_objection_for_user(user, pk) -> Objection:
    objections = Objection.objects.visible_to(user).select_related(
        "entry__batch__campaign", "entry__organization", "answered_by"
    )
    objection = get_or_404(objections, pk, "异议不存在或不在您的管辖范围内")
    check_reads_notices(user)
    return objection


def get_run_for_notice(user, pk) -> GradingRun:
    runs = GradingRun.objects.visible_to(user).select_related("campaign__root")
    run = get_or_404(runs, pk, "定级不存在或不在您的管辖范围内")
    check_reads_notices(user)
    return run


# --- Who may do what (the services check again) --------------------------------------------------


def may_approve(user, batch: NoticeBatch) -> bool:
    return scope_of(user).contains(batch.organization, roles={Role.COUNTY_ADMIN})


def reads_whole(user, batch: NoticeBatch) -> bool:
    """The county, or the township the notice is under: the whole list and its documents."""
    return may_approve(user, batch) or may_report(user, batch)


def may_report(user, batch: NoticeBatch) -> bool:
    return scope_of(user).contains(batch.organization, roles={Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER})


# --- Notices -------------------------------------------------------------------------------------


def notices_for(user, state: str = ""):
    """The notices in scope with their entries and objections counted, the user's branches only (one
    query per page)."""
    batches = NoticeBatch.objects.visible_to(user)
    if state in NoticeState.values:
        batches = batches.filter(state=state)
    mine = scope_of(user).q_for("entries__organization__path", roles=REVIEW_READERS)
    return (
        batches.select_related("campaign", "organization")
        .annotate(
            entry_count=Count("entries", filter=mine, distinct=True),
            open_count=Count(
                "entries__objections",
                filter=mine & Q(entries__objections__state__in=OPEN_OBJECTION_STATES),
                distinct=True,
            ),
            closed_count=Count(
                "entries__objections",
                filter=mine & Q(entries__objections__state__in=CLOSED_OBJECTION_STATES),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def scoped_entries(user, batch: NoticeBatch):
    """The batch's entries about the user's branches (all of them for the county)."""
    return batch.entries.filter(scope_of(user).q_for("organization__path", roles=REVIEW_READERS))


def entries_of(entries):
    return entries.annotate(
        open_count=Count("objections", filter=Q(objections__state__in=OPEN_OBJECTION_STATES)),
        closed_count=Count("objections", filter=Q(objections__state__in=CLOSED_OBJECTION_STATES)),
    ).order_by("order", "id")


def grade_counts(batch: NoticeBatch, entries) -> list[tuple[str, int]]:
    """Entries per grade, best first (the order of the notice)."""
    counts = dict(entries.order_by().values_list("grade").annotate(n=Count("pk")))
    return [(g, counts.pop(g)) for g in grade_labels(batch) if g in counts] + sorted(counts.items())


def objection_counts(entries) -> dict[str, int]:
    rows = Objection.objects.filter(entry__in=entries).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES)), total=Count("pk")
    )
    return {"open": rows["open"], "closed": rows["total"] - rows["open"], "total": rows["total"]}


def new_to_notice(run: GradingRun, submitted: GradingRun):
    """Results of `run` for organizations not on a notice yet that `submitted` did not grade, or that
    an upheld objection withdrew from their notice."""
    entries = NoticeEntry.objects.filter(batch__campaign=run.campaign_id)
    active = entries.filter(withdrawn=False).values("organization")
    withdrawn = entries.filter(withdrawn=True).values("organization")
    earlier = RunResult.objects.filter(run=submitted).values("organization")
    return (
        RunResult.objects.filter(run=run)
        .exclude(organization__in=active)
        .filter(~Q(organization__in=earlier) | Q(organization__in=withdrawn))
    )


def grade_labels(batch: NoticeBatch) -> tuple[str, ...]:
    """The run's grades, best first."""
    try:
        return run_labels(batch.run)
    except SchemeError:
        return tuple((batch.run.summary or {}).get("counts", {}))


def grade_order(batch: NoticeBatch):
    """A sort key on a grade: the scheme's order (best first), grades it does not know last."""
    labels = {g: i for i, g in enumerate(grade_labels(batch))}
    return lambda grade: (labels.get(grade, len(labels)), "" if grade in labels else grade)


def grade_groups(batch: NoticeBatch, entries) -> list[dict]:
    """The entries under one heading per grade, in the scheme's order (with a scheme per domain, the
    interleaved labels of `run_labels`), each in the notice's order: [{grade, count, entries}]."""
    key = grade_order(batch)
    rows = entries.order_by("order", "id").values("pk", "name", "township", "grade")
    groups: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: key(r["grade"])):  # stable: the notice's order stays
        groups.setdefault(row["grade"], []).append(row)
    return [{"grade": g, "count": len(listed), "entries": listed} for g, listed in groups.items()]


def notice_defaults(campaign, organization) -> dict[str, str]:
    """What the notice form starts with for 发布单位 and the objection contacts: those of the latest
    notice under the same organization (typed once, kept from year to year), else the issuer that
    `default_issuer` gives and no contacts."""
    last = (
        NoticeBatch.objects.filter(organization=organization)
        .exclude(issuer="")
        .order_by("-created_at", "-id")
        .values("issuer", "contact_phone", "contact_address")
        .first()
    )
    return last or {
        "issuer": default_issuer(campaign, organization),
        "contact_phone": "",
        "contact_address": "",
    }


def issuer_of(batch: NoticeBatch) -> str:
    """The batch's 发布单位 (a notice made before it was asked for has the default)."""
    return batch.issuer or default_issuer(batch.campaign, batch.organization)


def notices_of_run(user, run: GradingRun):
    return NoticeBatch.objects.visible_to(user).filter(run=run).select_related("organization")


# --- Objections ----------------------------------------------------------------------------------


def objections_for(user, state: str = ""):
    """Objections in scope: open ones first, soonest due first."""
    objections = Objection.objects.visible_to(user)
    if state == "open":
        objections = objections.filter(state__in=OPEN_OBJECTION_STATES)
    elif state == "closed":
        objections = objections.exclude(state__in=OPEN_OBJECTION_STATES)
    elif state:
        objections = objections.filter(state=state)
    return (
        objections.select_related("entry__batch")
        .annotate(
            closed=Case(
                When(state__in=OPEN_OBJECTION_STATES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due", "-created_at", "-id")
    )


def objection_summary(user) -> dict[str, int]:
    today = timezone.localdate()
    return Objection.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES, due__lt=today)),
    )


def workbench_reminders(user) -> dict[str, int]:
    """What waits on the notices for the workbench: open objections (and overdue ones) and those under
    further verification for those who answer them, ended notices to report, reported ones to approve
    and grades cleared after the approval (at most three queries)."""
    scope = scope_of(user)
    if not scope.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER):
        return {}
    today = timezone.localdate()
    answerable = Objection.objects.filter(
        scope.q_for("entry__organization__path", roles={Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER})
    )
    objections = answerable.aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_OBJECTION_STATES, due__lt=today)),
        verifying=Count("pk", filter=Q(state=ObjectionState.FURTHER)),
    )
    own = NoticeBatch.objects.filter(
        scope.q_for("organization__path", roles={Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER})
    )
    county = scope.q_for("organization__path", roles={Role.COUNTY_ADMIN})
    batches = own.aggregate(
        to_report=Count(
            "pk",
            filter=Q(state=NoticeState.ENDED) | Q(state=NoticeState.PUBLISHED, ends__lt=today),
        ),
        to_approve=Count("pk", filter=Q(state=NoticeState.REPORTED) & county),
    )
    released = 0
    if scope.has_role(Role.COUNTY_ADMIN):
        approved = OfficialGrade.objects.filter(
            campaign=OuterRef("batch__campaign"), organization=OuterRef("organization")
        )
        released = (
            NoticeEntry.objects.filter(batch__state=NoticeState.APPROVED, held=False, withdrawn=False)
            .filter(scope.q_for("batch__organization__path", roles={Role.COUNTY_ADMIN}))
            .exclude(Exists(approved))
            .count()
        )
    return {**objections, **batches, "released": released}


def is_overdue(objection: Objection, today: dt.date | None = None) -> bool:
    return objection.is_open and objection.due < (today or timezone.localdate())


# --- The naming document and the plaque list -----------------------------------------------------


@dataclass(frozen=True)
class Named:
    """One approved organization as the notice published it."""

    name: str
    township: str
    grade: str
    document_number: str


def document_numbers(batch: NoticeBatch) -> list[str]:
    """The numbers the batch's grades were approved under: the batch's own first, then any later
    approval of grades held back for verification."""
    numbers = (
        OfficialGrade.objects.filter(batch=batch)
        .order_by("approved_at", "id")
        .values_list("document_number", flat=True)
    )
    return list(dict.fromkeys(numbers))


def approved_on(batch: NoticeBatch, number: str) -> dt.datetime | None:
    """When the batch's grades under `number` were approved."""
    if number == batch.document_number:
        return batch.approved_at
    grade = OfficialGrade.objects.filter(batch=batch, document_number=number).order_by("approved_at").first()
    return grade.approved_at if grade else batch.approved_at


def named_rows(batch: NoticeBatch, number: str | None = None) -> list[Named]:
    """The organizations approved by this batch (under `number` only, when given): by grade (best
    first), then in tree order, so the branches of one township stay together."""
    approved = OfficialGrade.objects.filter(batch=batch, organization=OuterRef("organization"))
    if number is not None:
        approved = approved.filter(document_number=number)
    rows = (
        NoticeEntry.objects.filter(batch=batch)
        .filter(Exists(approved))
        .annotate(number=Subquery(approved.values("document_number")[:1]))
        .order_by("organization__path", "order", "id")
        .values_list("name", "township", "grade", "number")
    )
    by_grade = grade_order(batch)
    named = [Named(*row) for row in rows]
    # A stable sort: the tree order stays within each grade.
    return sorted(named, key=lambda n: by_grade(n.grade))


def rechecked_count(batch: NoticeBatch, number: str) -> int:
    """How many organizations named under `number` the county re-checked (复核): a finished county
    review of the graded sheet, or a decided 优秀 proposal. The naming document says 复核 only then."""
    from chuangyou.grading.models import Proposal, ProposalState
    from chuangyou.reviews.models import Review, ReviewKind, ReviewState

    approved = OfficialGrade.objects.filter(
        batch=batch, document_number=number, organization=OuterRef("organization")
    )
    county_review = Review.objects.filter(
        sheet=OuterRef("result__sheet"), kind=ReviewKind.COUNTY, state=ReviewState.FINISHED
    )
    decided = Proposal.objects.filter(
        campaign=batch.campaign_id, organization=OuterRef("organization")
    ).exclude(state=ProposalState.PENDING)
    return (
        NoticeEntry.objects.filter(batch=batch)
        .filter(Exists(approved))
        .filter(Exists(county_review) | Exists(decided))
        .count()
    )


def publishable_orgs(user, run: GradingRun) -> list[Organization]:
    """Where this user may publish a notice of the run: the campaign's root (the county), one township
    when quotas are set per township, or the user's own township when the campaign lets townships
    publish."""
    campaign = run.campaign
    root = campaign.root
    candidates = [root]
    if run.quota_scope == "township" or campaign.townships_publish:
        candidates += list(
            Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")
        )
    return [org for org in candidates if may_publish(user, campaign, org)]
