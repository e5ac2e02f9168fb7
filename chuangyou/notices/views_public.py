"""Public pages of a notice (公示), no login: the list with its QR code, the objection form, the
thanks page with the tracking code, and the status page. They show organizations and grades, never
a person: no secretary, no objector's name or phone, no objection text. Look-ups of a tracking code
are limited per address (`lib/throttle.py`)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.core.request_context import current_ip
from chuangyou.evaluations.codes import qr_svg
from chuangyou.lib import throttle
from chuangyou.notices import queries, services
from chuangyou.notices.forms_public import ObjectionForm, StatusForm, normalize_code
from chuangyou.notices.issuer import dial, phone_numbers
from chuangyou.notices.models import NoticeBatch, NoticeEntry, NoticeState, Objection, ObjectionState

PAGE = "objection"
# The phase of a published notice on a given day.
UPCOMING, OPEN, ENDED = "upcoming", "open", "ended"
STATE_BADGES = {
    ObjectionState.RECEIVED: "bg-blue-lt",
    ObjectionState.INVESTIGATING: "bg-yellow-lt",
    ObjectionState.UPHELD: "bg-red-lt",
    ObjectionState.DISMISSED: "bg-green-lt",
    ObjectionState.FURTHER: "bg-orange-lt",
}


SHARE_IMAGE = "img/notice-share.png"  # the thumbnail of a shared link (WeChat and others)


def _batch(token: str) -> NoticeBatch:
    """A notice anyone may see: published once (drafts stay unknown)."""
    return get_object_or_404(
        NoticeBatch.objects.exclude(state=NoticeState.DRAFT).select_related(
            "organization", "campaign__root", "run"
        ),
        token=token,
    )


def _phase(batch: NoticeBatch) -> str:
    today = timezone.localdate()
    if batch.state != NoticeState.PUBLISHED or today > batch.ends:
        return ENDED
    return UPCOMING if today < batch.starts else OPEN


def _address(request) -> str:
    """The sender's address as the request context saw it; only its keyed hash is stored."""
    return current_ip() or request.META.get("REMOTE_ADDR") or ""


def _notice(batch: NoticeBatch) -> dict:
    """What the pages say about a notice: its issuing body and where objections go, nothing about
    the person who made it."""
    published = batch.published_at or batch.created_at
    return {
        "title": batch.title,
        "token": batch.token,
        "scope": batch.organization.name,
        "channel": batch.get_channel_display(),
        "starts": batch.starts,
        "ends": batch.ends,
        "days": batch.days,
        "phase": _phase(batch),
        "issuer": queries.issuer_of(batch),
        "published": timezone.localtime(published).date(),
        "phones": [(n, dial(n)) for n in phone_numbers(batch.contact_phone)],
        "address": batch.contact_address,
    }


def _description(notice: dict, total: int) -> str:
    """The line under the title of a shared link."""
    ends = notice["ends"]
    return f"公示期至{ends.month}月{ends.day}日，共公示{total}个党组织"


@login_not_required
@require_GET
def detail(request, token):
    batch = _batch(token)
    share_url = request.build_absolute_uri(reverse("public_notices:detail", args=[batch.token]))
    listed = batch.entries.filter(withdrawn=False)
    townships = list(listed.order_by("township").values_list("township", flat=True).distinct())
    # A county notice lists hundreds of organizations: find one by name or by township.
    query = request.GET.get("q", "").strip()[:50]
    township = request.GET.get("township", "")
    township = township if township in townships else ""
    shown = listed.filter(name__contains=query) if query else listed
    if township:
        shown = shown.filter(township=township)
    groups = queries.grade_groups(batch, shown)
    counts = queries.grade_counts(batch, listed)
    total = sum(n for _, n in counts)
    notice = _notice(batch)
    context = {
        "notice": notice,
        "groups": groups,
        "found": sum(g["count"] for g in groups),
        "counts": counts,
        "total": total,
        "description": _description(notice, total),
        "share_image": request.build_absolute_uri(static(SHARE_IMAGE)),
        "query": query,
        "township": township,
        "townships": townships if len(townships) > 1 else [],
        "share_url": share_url,
        "qr": mark_safe(qr_svg(share_url)),  # noqa: S308 - SVG drawn by segno from our own URL
    }
    return render(request, "notices/public/detail.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def objection(request, token, entry):
    batch = _batch(token)
    found = get_object_or_404(NoticeEntry, pk=entry, batch=batch, withdrawn=False)
    found.batch = batch
    notice = _notice(batch)
    form = ObjectionForm(request.POST) if request.method == "POST" else ObjectionForm()
    if request.method == "POST" and notice["phase"] == OPEN and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.objection_submit(
                entry=found,
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                address=_address(request),
            )
        except services.NoticeError as exc:
            for message in exc.errors:
                form.add_error(None, message)
        else:
            # The thanks page shows the code just made: not a look-up to count.
            throttle.remember(request, PAGE, created.tracking_code)
            return redirect("public_notices:thanks", token=batch.token, code=created.tracking_code)
    context = {
        "notice": notice,
        "entry": {"name": found.name, "township": found.township, "grade": found.grade},
        "form": form,
        "max_chars": services.OBJECTION_MAX_CHARS,
    }
    return render(request, "notices/public/object.html", context)


@login_not_required
@require_GET
@never_cache
def thanks(request, token, code):
    code = normalize_code(code)
    try:
        found = _look_up(request, code, Objection.objects.filter(entry__batch__token=token))
    except throttle.Throttled as exc:
        return _throttled(request, exc)
    if found is None:
        raise Http404("没有找到这个查询码对应的异议")
    context = {
        "token": token,
        "code": found.tracking_code,
        "organization": found.entry.name,
        "due": found.due,
    }
    return render(request, "notices/public/thanks.html", context)


def _look_up(request, code: str, objections) -> Objection | None:
    """The objection of a tracking code; a look-up counts against the address unless this session
    made or found the code before. Raises `throttle.Throttled` past the address's limits."""
    objections = objections.select_related("entry__batch")
    if throttle.remembered(request, PAGE, code):
        return objections.filter(tracking_code=code).first()
    lookup = throttle.start(request, PAGE)
    found = objections.filter(tracking_code=code).first()
    if found:
        lookup.found(code)
    return found


def _throttled(request, error: throttle.Throttled):
    """Refused before looking: the page says nothing about the code."""
    context = {"form": StatusForm(), "result": None, "message": str(error)}
    return render(request, "notices/public/status.html", context, status=429)


def _result(found: Objection) -> dict:
    """The state of one objection for whoever holds its code: never its author, nor its text."""
    closed = not found.is_open
    return {
        "organization": found.entry.name,
        "township": found.entry.township,
        "notice": found.entry.batch.title,
        "token": found.entry.batch.token,
        "state": found.get_state_display(),
        "badge": STATE_BADGES.get(found.state, "bg-secondary-lt"),
        "submitted": timezone.localtime(found.created_at).date(),
        "due": found.due,
        "closed": closed,
        "answer": found.answer if closed else "",
        "answered_at": timezone.localtime(found.answered_at).date() if closed and found.answered_at else None,
    }


@login_not_required
@require_GET
@never_cache
def status(request):
    form = StatusForm(request.GET if "code" in request.GET else None)
    result, message = None, ""
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if not code:
            message = "请输入提交异议后得到的查询码。"
        else:
            try:
                found = _look_up(request, code, Objection.objects.all())
            except throttle.Throttled as exc:
                return _throttled(request, exc)
            if found:
                result = _result(found)
            else:
                message = "没有找到这个查询码对应的异议，请核对后重新输入（查询码为10位字母和数字）。"
    return render(request, "notices/public/status.html", {"form": form, "result": result, "message": message})
