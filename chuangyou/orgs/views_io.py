"""Pages for the Excel import and export of the tree and for following an import job; the work
itself is in `orgs.import_jobs`, `orgs.tree_import` and `orgs.tree_export`."""

from __future__ import annotations

import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.accounts.scope import scope_of
from chuangyou.orgs import queries
from chuangyou.orgs.forms import OrgFilterForm
from chuangyou.orgs.import_jobs import import_start
from chuangyou.orgs.models import Organization
from chuangyou.orgs.tree_export import export_filename, write_export, write_template
from chuangyou.orgs.tree_import import ImportResult
from chuangyou.orgs.tree_sheet import WEB_LIMITS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHOWN_ERRORS = 200


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        error_messages={
            "required": "请选择要导入的 Excel（.xlsx）文件",
            "empty": "文件为空，请选择填写好的文件",
        },
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": f".xlsx,{XLSX}"}),
    )
    dry_run = forms.BooleanField(
        label="仅检查，不写入",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = WEB_LIMITS.max_bytes
        # Checked on the size Django already knows: an oversized file is never read into memory.
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {limit // 1024 // 1024} MB。"
                "请删去不需要的工作表或分批导入。"
            )
        return upload


@require_http_methods(["GET", "POST"])
def import_tree(request):
    if not scope_of(request.user).can_manage_tree:
        return _refused(request)
    if request.method == "GET" and request.GET.get("template"):
        return _xlsx_response(write_template, "组织架构导入模板.xlsx")
    result, upload_error = None, ""
    form = ImportForm()
    if request.method == "POST":
        try:
            form = ImportForm(request.POST, request.FILES)
            valid = form.is_valid()
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            form, valid = ImportForm(), False
            upload_error = "上传的内容过大或格式不正确，请只选择一个 .xlsx 文件后重新上传。"
        if valid:
            upload = form.cleaned_data["file"]
            started = import_start(
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
            if started.queued:
                messages.info(request, f"文件检查通过（共{started.job.rows_total}行），正在后台导入。")
                return redirect("orgs:import_job", pk=started.job.pk)
            result = started.result
            if result.ok and not result.dry_run:
                form = ImportForm()
    context = _import_context(form, result, upload_error)
    context["jobs"] = queries.recent_import_jobs(request.user)
    context["inline_max"] = settings.ORG_IMPORT_INLINE_MAX
    return render(request, "orgs/import.html", context)


def _refused(request):
    return render(request, "403.html", {"message": "您的角色不能导入组织架构"}, status=403)


def _import_context(form: ImportForm, result: ImportResult | None, upload_error: str) -> dict:
    errors = result.errors if result else []
    return {
        "form": form,
        "upload_error": upload_error,
        "result": result,
        "errors": errors[:MAX_SHOWN_ERRORS],
        "hidden_errors": max(len(errors) - MAX_SHOWN_ERRORS, 0),
        "error_count": len(errors),
    }


@require_GET
def import_job(request, pk):
    """One import job: its progress bar (polling while it runs), then its outcome."""
    job = queries.import_job_for_user(request.user, pk)  # 404 first, as for every id
    if not scope_of(request.user).can_manage_tree:
        return _refused(request)
    return render(request, "orgs/import_job.html", _job_context(job))


@require_GET
def import_job_progress(request, pk):
    job = queries.import_job_for_user(request.user, pk)  # 404 first, as for every id
    if not scope_of(request.user).can_manage_tree:
        return _refused(request)
    return render(request, "orgs/_import_job.html", _job_context(job))


def _job_context(job) -> dict:
    return {"job": job, "stale_minutes": settings.ORG_IMPORT_STALE_MINUTES}


@require_GET
def export_tree(request):
    """The organizations of the list page (same filters), inside the user's scope, phones masked."""
    orgs = OrgFilterForm(request.GET or None).apply(Organization.objects.visible_to(request.user))
    return _xlsx_response(lambda target: write_export(target, orgs, mask_phones=True), export_filename())


def _xlsx_response(write, filename: str) -> HttpResponse:
    """Write to a temporary file (XlsxWriter streams rows in constant memory) and send it."""
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    write(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)
