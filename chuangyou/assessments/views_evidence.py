"""Evidence pages: the panel of one entry (list and upload form), upload, delete, and the files.

Every object is fetched through the user's scope: outside it the answer is 404. Inside it, roles
that may only look (township reviewer, leading group, auditor) get 403 on upload and delete; the
pages never offer them the buttons. Refusals of the file itself (type, size, locked sheet) come
back as a Chinese message in the panel, never as a 400 or 500 page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chuangyou.accounts.scope import scope_of
from chuangyou.assessments import evidence as services
from chuangyou.assessments.models import Entry, Evidence
from chuangyou.lib import uploads
from chuangyou.lib.lookup import get_or_404

logger = logging.getLogger(__name__)

FILE_FIELD = "file"


# --- fetching inside the scope -------------------------------------------------------------------


def _entry_for(user, pk) -> Entry:
    entries = Entry.objects.select_related("sheet__organization", "item").filter(
        scope_of(user).q_for("sheet__organization__path")
    )
    return get_or_404(entries, pk, "自查项目不存在或不在您的管辖范围内")


def _evidence_for(user, pk) -> Evidence:
    files = Evidence.objects.select_related("entry__sheet__organization", "entry__item").filter(
        scope_of(user).q_for("entry__sheet__organization__path")
    )
    return get_or_404(files, pk, "佐证材料不存在或不在您的管辖范围内")


# --- the panel -----------------------------------------------------------------------------------


def _back_url(request, entry: Entry) -> str:
    """Where a plain (non-htmx) form goes back to: the page the panel is shown on, from the form's
    `next`, htmx's current URL or the referring page (same site only), else the panel's own page."""
    host = {request.get_host()}
    for candidate in (
        request.POST.get("next") if request.method == "POST" else request.GET.get("next"),
        request.htmx.current_url if request.htmx else None,
        request.headers.get("referer") if request.method == "POST" else None,
    ):
        if candidate and url_has_allowed_host_and_scheme(candidate, host, require_https=request.is_secure()):
            parts = urlsplit(candidate)
            if parts.path.startswith("/"):  # a page of this site, not a view name `redirect` would look up
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("evidence:upload", args=[entry.pk])


def panel_context(request, entry: Entry, *, errors=(), notices=()) -> dict:
    """What `evidence/_panel.html` (list and upload form) needs."""
    return {
        "entry": entry,
        "editable": services.may_change(request.user, entry.sheet),
        "back": _back_url(request, entry),
        "errors": list(errors),
        "notices": list(notices),
    }


def _respond(request, entry: Entry, *, errors=(), notices=()):
    """htmx gets the new list and a fresh upload form; a plain form post goes back with messages."""
    if request.htmx:
        return render(
            request, "evidence/_refresh.html", panel_context(request, entry, errors=errors, notices=notices)
        )
    for text in errors:
        messages.error(request, text)
    for text in notices:
        messages.success(request, text)
    return redirect(_back_url(request, entry))


class _SizeGuard(FileUploadHandler):
    """Runs before Django's own upload handlers. A file that passes the size limit, or comes after
    the most files one entry may hold, is not passed on: it reaches the view empty (so a huge upload
    is never written out in full to a temporary file), and `refusal(i)` says why for the i-th file.

    Files are withheld rather than skipped with `SkipFile`, which would close the buffer of the
    previous in-memory file too (Django's MultiPartParser._close_files)."""

    def __init__(self, request):
        super().__init__(request)
        self.index = -1
        self.counting = False
        self.sizes: dict[int, int] = {}
        request.evidence_guard = self

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.counting = field_name == FILE_FIELD
        if self.counting:
            self.index += 1
            self.sizes[self.index] = 0

    def receive_data_chunk(self, raw_data, start):
        if not self.counting:
            return None  # files under other field names are not used: drop them
        self.sizes[self.index] = size = start + len(raw_data)
        if size > services.MAX_FILE_BYTES or self.index >= services.MAX_FILES_PER_ENTRY:
            return None
        return raw_data

    def file_complete(self, file_size):
        return None

    def refusal(self, index: int) -> str | None:
        if index >= services.MAX_FILES_PER_ENTRY:
            return f"一次最多上传 {services.MAX_FILES_PER_ENTRY} 个文件。"
        if self.sizes.get(index, 0) > services.MAX_FILE_BYTES:
            return uploads.too_large_message(self.sizes[index])
        return None


@csrf_exempt  # checked by `_panel` below, once the size guard is in place (Django's documented way)
@require_http_methods(["GET", "HEAD", "POST"])
def entry_evidence(request, entry_pk):
    """GET: the panel of one entry (a full page, or the partial for htmx). POST: upload files."""
    if request.method == "POST":
        # Had a middleware read the body already, this would do nothing: the service checks sizes too.
        request.upload_handlers.insert(0, _SizeGuard(request))
    return _panel(request, entry_pk)


@csrf_protect
def _panel(request, entry_pk):
    entry = _entry_for(request.user, entry_pk)
    if request.method != "POST":
        template = "evidence/_panel.html" if request.htmx else "evidence/entry.html"
        return render(request, template, panel_context(request, entry))
    if not services.may_edit(request.user, entry.sheet):
        raise PermissionDenied("您的角色对该自查表只有查看权限，不能上传佐证材料。")
    files = request.FILES.getlist(FILE_FIELD)  # parses the body: the size guard runs here
    guard = getattr(request, "evidence_guard", None)
    errors, notices = [], []
    if not files:
        errors.append("请选择要上传的文件。")
    for index, upload in enumerate(files):
        name = uploads.clean_name(upload.name)
        refusal = guard.refusal(index) if guard else None
        if refusal:
            errors.append(f"{name}：{refusal}")
            continue
        try:
            services.evidence_upload(actor=request.user, entry=entry, upload=upload)
        except services.EvidenceError as exc:
            errors.append(f"{name}：{exc}")
        else:
            notices.append(f"已上传“{name}”。")
    return _respond(request, entry, errors=errors, notices=notices)


@require_POST
def evidence_delete(request, evidence_pk):
    evidence = _evidence_for(request.user, evidence_pk)
    entry = evidence.entry
    if not services.may_edit(request.user, entry.sheet):
        raise PermissionDenied("您的角色对该自查表只有查看权限，不能删除佐证材料。")
    name = evidence.original_name
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except services.EvidenceError as exc:
        return _respond(request, entry, errors=[str(exc)])
    return _respond(request, entry, notices=[f"已删除“{name}”。"])


# --- the files -----------------------------------------------------------------------------------

# Chrome shows a PDF through a built-in <embed> that `object-src 'none'` (the site policy) blocks
# (crbug.com/271452). The PDF itself is served with nosniff and its real type, so it cannot run as
# a page of this site; the policy only keeps other sites from framing it.
PDF_POLICY = {"frame-ancestors": ["'self'"]}


def _file_response(field_file, *, content_type: str, filename: str, inline: bool):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.warning("evidence file missing from storage: %s", field_file.name)
        raise Http404("文件已不存在") from None
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if content_type == "application/pdf":
        response._csp_config = PDF_POLICY  # what django-csp's @csp decorator sets
    return response


@require_safe
def evidence_file(request, evidence_pk):
    evidence = _evidence_for(request.user, evidence_pk)
    kind = uploads.KINDS_BY_CONTENT_TYPE.get(evidence.content_type)
    return _file_response(
        evidence.file,
        # Only the types this app stores are sent as such; anything else downloads as bytes.
        content_type=kind.content_type if kind else "application/octet-stream",
        filename=evidence.original_name,
        inline=bool(kind and kind.inline),
    )


@require_safe
def evidence_thumbnail(request, evidence_pk):
    evidence = _evidence_for(request.user, evidence_pk)
    if not evidence.thumbnail:
        raise Http404("没有缩略图")
    return _file_response(
        evidence.thumbnail, content_type="image/jpeg", filename="thumbnail.jpg", inline=True
    )
