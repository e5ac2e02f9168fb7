from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.accounts.scope import get_org_for_manager, get_org_for_user, scope_of
from chuangyou.audit.models import AuditEvent
from chuangyou.orgs import queries, services
from chuangyou.orgs.forms import DissolveForm, MoveForm, OrganizationForm, OrgFilterForm
from chuangyou.orgs.models import Organization

PAGE_SIZE = 50


@require_GET
def tree(request):
    roots = queries.scope_roots(request.user)
    q = request.GET.get("q", "").strip()
    matches = None
    if q:
        matches = list(Organization.objects.visible_to(request.user).search(q)[:PAGE_SIZE])
    return render(
        request,
        "orgs/tree.html",
        {
            "nodes": roots,
            "counts": queries.subtree_counts(roots),
            "q": q,
            "matches": matches,
            "scope": scope_of(request.user),
        },
    )


@require_GET
def children(request, pk):
    parent = get_org_for_user(request.user, pk)
    nodes = queries.children_of(parent, request.user)
    return render(
        request,
        "orgs/_children.html",
        {"nodes": nodes, "counts": queries.subtree_counts(nodes), "parent": parent},
    )


@require_GET
def org_list(request):
    form = OrgFilterForm(request.GET or None)
    orgs = form.apply(Organization.objects.visible_to(request.user))
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/list.html", {"form": form, "page": page})


@require_GET
def detail(request, pk):
    org = get_org_for_user(request.user, pk)
    scope = scope_of(request.user)
    ancestors = [a for a in Organization.objects.get_ancestors(org) if scope.contains(a)]
    nodes = queries.children_of(org, request.user)
    events = AuditEvent.objects.filter(target_type="orgs.organization", target_id=str(org.pk))[:10]
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "nodes": nodes,
            "counts": queries.subtree_counts([org, *nodes]),
            "events": events if scope.can_read_audit else [],
            # Approved grades are public once named: every role that sees the organization sees them.
            "official_grades": org.official_grades.select_related("batch").order_by("-year"),
            "can_manage": scope.can_manage(org),
            "can_add_child": scope.can_add_child(org) and org.status == "active",
        },
    )


@require_http_methods(["GET", "POST"])
def create(request, parent_pk):
    parent = get_org_for_user(request.user, parent_pk)
    if not scope_of(request.user).can_add_child(parent):
        return _read_only(request, parent)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, data=form.cleaned_data)
        except services.OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建“{org.name}”")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "title": "新建下级组织"})


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    org = get_org_for_manager(request.user, pk)
    form = OrganizationForm(request.POST or None, instance=org, initial={"version": org.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(
                actor=request.user, org=org, data=form.cleaned_data, version=form.cleaned_data["version"] or 0
            )
        except services.OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": f"编辑 {org.name}"})


@require_http_methods(["GET", "POST"])
def move(request, pk):
    org = get_org_for_manager(request.user, pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["parent_code"].strip()
        target = Organization.objects.visible_to(request.user).filter(code=code).first()
        if target is None or not scope_of(request.user).can_add_child(target):
            form.add_error("parent_code", f"在您的管辖范围内找不到代码为“{code}”的组织")
        else:
            try:
                services.org_move(actor=request.user, org=org, new_parent=target)
            except services.OrgError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已将“{org.name}”调整到“{target.name}”之下")
                return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org})


@require_http_methods(["GET", "POST"])
def dissolve(request, pk):
    org = get_org_for_manager(request.user, pk)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.org_dissolve(
                actor=request.user,
                org=org,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except services.OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{done.name}”{done.get_status_display()}")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/dissolve.html", {"form": form, "org": org})


def _read_only(request, org) -> HttpResponse:
    return render(request, "403.html", {"message": f"您对“{org.name}”只有查看权限"}, status=403)
