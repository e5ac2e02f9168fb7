from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.audit.models import AuditEvent
from chuangyou.orgs import queries
from chuangyou.orgs.models import Kind, Organization

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
        "warnings": warnings[:10],
        "recent_events": AuditEvent.objects.visible_to(request.user).select_related("organization")[:8],
    }
    return render(request, "core/workbench.html", context)


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限"
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
