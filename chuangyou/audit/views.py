from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chuangyou.accounts.scope import scope_of
from chuangyou.audit.forms import AuditFilterForm
from chuangyou.audit.models import AuditEvent
from chuangyou.audit.services import VERB_LABELS


@require_GET
def event_list(request):
    if not scope_of(request.user).can_read_audit:
        raise PermissionDenied("只有县委组织部管理员和纪检审计员可以查看审计日志")
    form = AuditFilterForm(request.GET or None)
    events = form.apply(AuditEvent.objects.visible_to(request.user)).select_related("organization")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page, "verbs": VERB_LABELS})
