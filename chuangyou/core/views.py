from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.audit.models import AuditEvent
from chuangyou.notices import queries as notice_queries
from chuangyou.notices.timeline import sheet_timeline
from chuangyou.orgs import queries
from chuangyou.orgs.models import Kind, Organization
from chuangyou.workcalendar.queries import missing_next_year

# The workbench shows a section per role the user holds, most powerful first.
ROLE_ORDER = [
    Role.COUNTY_ADMIN,
    Role.LEADING_GROUP,
    Role.AUDITOR,
    Role.TOWNSHIP_REVIEWER,
    Role.BRANCH_SECRETARY,
]


@require_GET
def workbench(request):
    scope = scope_of(request.user)
    roots = queries.scope_roots(request.user)
    counts = queries.subtree_counts(roots)
    warnings = (
        Organization.objects.visible_to(request.user)
        .active()
        .filter(kind=Kind.BRANCH, full_members__lt=3)
        .order_by("path")
    )
    context = {
        "scope": scope,
        "roles": [r for r in ROLE_ORDER if scope.has_role(r)]
        if not scope.is_superuser
        else [Role.COUNTY_ADMIN],
        "role_labels": dict(Role.choices),
        "grants": scope.grants,
        "roots": [(root, counts[root.pk]) for root in roots],
        "warning_count": warnings.count(),
        "calendar_missing": missing_next_year() if scope.has_role(Role.COUNTY_ADMIN) else None,
        "warnings": warnings[:10],
        "notice_todo": notice_queries.workbench_reminders(request.user),
        "recent_events": AuditEvent.objects.visible_to(request.user).select_related("organization")[:8],
        **assessment_progress(request.user, scope),
    }
    return render(request, "core/workbench.html", context)


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def admin_login(request):
    """The back office has no login page of its own: everyone signs in on the product's page, and
    only a system administrator (staff) goes on into it."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}) or not target.startswith("/admin/"):
        target = "/admin/"
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if not request.user.is_staff:
        raise PermissionDenied("后台管理只供系统管理员使用，请从工作台办理业务")
    return redirect(target)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限"
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def assessment_progress(user, scope) -> dict:
    """The self-assessment part of the workbench: own sheets, or counts for the latest round."""
    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    from chuangyou.assessments.models import ScoreSheet, SheetState
    from chuangyou.campaigns.models import AssessmentRound

    latest = AssessmentRound.objects.select_related("campaign").order_by("-opens").first()
    if latest is None:
        return {}
    sheets = ScoreSheet.objects.visible_to(user).filter(round=latest)
    context = {"latest_round": latest}
    if scope.has_role(Role.BRANCH_SECRETARY) and not scope.has_role(
        Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER
    ):
        context["my_sheets"] = list(sheets.select_related("organization", "round__campaign"))
        context["my_timelines"] = [sheet_timeline(s) for s in context["my_sheets"] if s.submitted_at]
        return context
    submitted = ~Q(state__in=[SheetState.DRAFT, SheetState.RETURNED])
    context["sheet_counts"] = sheets.aggregate(
        total=Count("id"),
        submitted=Count("id", filter=submitted),
        returned=Count("id", filter=Q(state=SheetState.RETURNED)),
        not_started=Count("id", filter=Q(items_done=0)),
        to_review=Count("id", filter=Q(state=SheetState.SUBMITTED)),
        in_review=Count("id", filter=Q(state=SheetState.UNDER_REVIEW)),
        reviewed=Count("id", filter=Q(state__in=[SheetState.REVIEWED, SheetState.RECHECKED])),
    )
    if scope.has_role(Role.COUNTY_ADMIN, Role.LEADING_GROUP):
        # Progress per township: group the sheets by the first two levels of their path.
        prefix = Substr("organization__path", 1, 2 * Organization.steplen)
        rows = (
            sheets.annotate(township=prefix)
            .values("township")
            .annotate(total=Count("id"), submitted=Count("id", filter=submitted))
        )
        names = dict(
            Organization.objects.filter(path__in=[r["township"] for r in rows]).values_list("path", "name")
        )
        context["township_progress"] = [
            {**r, "name": names.get(r["township"], "")} for r in rows.order_by("township")
        ]
    return context
