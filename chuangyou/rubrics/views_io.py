"""Excel import and export of rubrics in the seeds' layout (the work is in `excel_io`)."""

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.lib.excel import MAX_UPLOAD_BYTES
from chuangyou.rubrics import excel_io, queries, services
from chuangyou.rubrics.forms import ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def rubric_export(request, pk):
    rubric = queries.get_rubric_for_user(request.user, pk)
    spec = queries.stored_spec(rubric.pk)
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    excel_io.write_rubric(buffer, spec)
    buffer.seek(0)
    filename = f"{rubric.name}_第{rubric.version}版.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


@require_http_methods(["GET", "POST"])
def rubric_import(request):
    if not queries.can_edit_rubrics(request.user):
        raise PermissionDenied("只有县委组织部管理员可以导入评定标准")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            errors = [f"文件过大，上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"]
        else:
            try:
                spec = excel_io.read_rubric(upload.read(), code=form.cleaned_data["code"] or None)
                rubric = services.rubric_create(actor=request.user, spec=spec)
            except (excel_io.RubricSheetError, services.RubricError) as exc:
                errors = exc.errors
            else:
                messages.success(request, f"已导入为草稿：{rubric.name} 第{rubric.version}版，请核对后发布")
                return redirect("rubrics:detail", pk=rubric.pk)
    return render(request, "rubrics/import.html", {"form": form, "errors": errors})
