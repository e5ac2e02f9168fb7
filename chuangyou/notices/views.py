"""The staff pages of the public notice (公示): notices of a submitted grading run, publishing,
reporting and approval (审定), objections (异议) and their answers, the naming document and the
plaque list. Reads are in `queries` (404 outside the scope), writes go through `services`; a
refused write changes nothing and shows every reason in Chinese."""

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangyou.assessments.application import chinese_date
from chuangyou.notices import documents, queries, services
from chuangyou.notices.forms import AnswerForm, ApproveForm, NoticeForm, ObjectionFilterForm
from chuangyou.notices.models import MIN_NOTICE_DAYS, NoticeState, ObjectionState

PREVIEW_FIELDS = (
    "organization",
    "channel",
    "starts",
    "days",
    "title",
    "issuer",
    "contact_phone",
    "contact_address",
)


def _show_errors(request, exc: services.NoticeError) -> None:
    for error in exc.errors:
        messages.error(request, error)


def _page(request, items, param: str = "page"):
    return Paginator(items, queries.PER_PAGE).get_page(request.GET.get(param))


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


# --- Notices -------------------------------------------------------------------------------------


@require_GET
def notice_list(request):
    queries.check_reads_notices(request.user)
    state = request.GET.get("state", "")
    page = _page(request, queries.notices_for(request.user, state))
    return render(
        request,
        "notices/list.html",
        {"page": page, "state": state, "states": NoticeState.choices},
    )


def _run_for_create(request):
    run = queries.get_run_for_notice(request.user, request.GET.get("run"))
    organizations = queries.publishable_orgs(request.user, run)
    if not organizations:
        raise PermissionDenied("本次活动由县委组织部统一发布公示")
    return run, organizations


@require_http_methods(["GET", "POST"])
def notice_create(request):
    """GET shows the form, and with its values the end date the notice would have (the preview);
    POST creates the draft, which the detail page publishes."""
    run, organizations = _run_for_create(request)
    preview = calendar_year = None
    if request.method == "POST":
        form = NoticeForm(request.POST, organizations=organizations)
    elif any(name in request.GET for name in PREVIEW_FIELDS):
        form = NoticeForm(request.GET, organizations=organizations)
    else:
        defaults = queries.notice_defaults(run.campaign, organizations[0])
        form = NoticeForm(organizations=organizations, initial={"starts": timezone.localdate(), **defaults})
    if not run.submitted_at:
        messages.error(request, "只有已提交公示的定级结果可以公示，请先在定级结果页提交公示")
        return redirect("grading:run", pk=run.pk)
    if form.is_bound and form.is_valid():
        try:
            if request.method == "POST":
                batch = services.notice_create(actor=request.user, run=run, **form.service_args)
                messages.success(
                    request,
                    f"已创建公示草稿（截止{chinese_date(batch.ends)}），请核对公示名单后发布",
                )
                return redirect("notices:detail", pk=batch.pk)
            data = form.cleaned_data
            preview = {"ends": services.end_of(data["starts"], data["days"]), **data}
        except services.MissingCalendarError as exc:
            calendar_year = exc.year
            form.add_error(None, exc.errors[0])
        except services.NoticeError as exc:
            for error in exc.errors:
                form.add_error(None, error)
    return render(
        request,
        "notices/create.html",
        {
            "run": run,
            "campaign": run.campaign,
            "form": form,
            "preview": preview,
            "calendar_year": calendar_year,
            "existing": queries.notices_of_run(request.user, run),
            "min_days": MIN_NOTICE_DAYS,
        },
    )


@require_GET
def notice_detail(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    user = request.user
    state = batch.state
    entries = queries.scoped_entries(user, batch)
    # A refused approval comes back here with the number the user typed.
    typed_number = request.GET.get("document_number", "")[:60]
    return render(
        request,
        "notices/detail.html",
        {
            "batch": batch,
            "campaign": batch.campaign,
            "page": _page(request, queries.entries_of(entries)),
            "whole": queries.reads_whole(user, batch),
            "grades": queries.grade_counts(batch, entries),
            "issuer": queries.issuer_of(batch),
            "objections": queries.objection_counts(entries),
            "can_publish": state == NoticeState.DRAFT
            and services.may_publish(user, batch.campaign, batch.organization),
            # Past its last day a notice may be reported before the daily job has ended it.
            "can_report": (
                state == NoticeState.ENDED
                or (state == NoticeState.PUBLISHED and batch.ends < timezone.localdate())
            )
            and queries.may_report(user, batch),
            "can_approve": state == NoticeState.REPORTED and queries.may_approve(user, batch),
            "approved": state == NoticeState.APPROVED,
            "numbers": queries.document_numbers(batch) if state == NoticeState.APPROVED else [],
            # Held back for verification and cleared since the approval: the county names them now.
            "released": (
                list(services.released_entries(batch).values_list("name", flat=True))
                if state == NoticeState.APPROVED and queries.may_approve(user, batch)
                else []
            ),
            "approve_form": ApproveForm(initial={"document_number": typed_number}),
            "today": timezone.localdate(),
        },
    )


def _batch_action(request, pk, action, done: str, keep: dict | None = None):
    """Run `action` on the batch and come back to it; a refusal keeps what was typed (`keep`)."""
    batch = queries.get_batch_for_user(request.user, pk)
    try:
        action(batch)
    except services.NoticeError as exc:
        _show_errors(request, exc)
        if keep:
            return redirect(f"{reverse('notices:detail', args=[batch.pk])}?{urlencode(keep)}")
    else:
        messages.success(request, done)
    return redirect("notices:detail", pk=batch.pk)


@require_POST
def notice_publish(request, pk):
    return _batch_action(
        request,
        pk,
        lambda batch: services.notice_publish(actor=request.user, batch=batch),
        "公示已发布，公开链接已可访问",
    )


@require_POST
def notice_delete(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    try:
        services.notice_delete(actor=request.user, batch=batch)
    except services.NoticeError as exc:
        _show_errors(request, exc)
        return redirect("notices:detail", pk=batch.pk)
    messages.success(request, f"已删除公示草稿“{batch.title}”")
    return redirect(f"{reverse('notices:create')}?run={batch.run_id}")


@require_POST
def notice_report(request, pk):
    return _batch_action(
        request,
        pk,
        lambda batch: services.notice_report(actor=request.user, batch=batch),
        "已上报县委组织部审定",
    )


@require_POST
def notice_approve(request, pk):
    form = ApproveForm(request.POST)
    if not form.is_valid():
        batch = queries.get_batch_for_user(request.user, pk)
        _form_errors(request, form)
        return redirect("notices:detail", pk=batch.pk)
    number = form.cleaned_data["document_number"]
    return _batch_action(
        request,
        pk,
        lambda batch: services.notice_approve(actor=request.user, batch=batch, document_number=number),
        "已审定，可下载命名文件和挂牌名单",
        keep={"document_number": number},
    )


@require_POST
def notice_approve_released(request, pk):
    form = ApproveForm(request.POST)
    number = form.cleaned_data["document_number"] if form.is_valid() else ""
    return _batch_action(
        request,
        pk,
        lambda batch: services.notice_approve_released(
            actor=request.user, batch=batch, document_number=number
        ),
        f"已补充审定（{number}），可下载该文号的命名文件",
        keep={"document_number": number},
    )


def _approved_batch(request, pk):
    """An approved batch whose documents the user may take: they name every organization of the
    batch, so a township reads those of a county-wide notice on the page only (its own branches)."""
    batch = queries.get_batch_for_user(request.user, pk)
    if batch.state != NoticeState.APPROVED:
        raise Http404("审定后才能下载命名文件和挂牌名单")
    if not queries.reads_whole(request.user, batch):
        raise PermissionDenied("命名文件和挂牌名单由县委组织部和公示所在的乡镇（街道）下载")
    return batch


@require_GET
def naming_docx(request, pk):
    batch = _approved_batch(request, pk)
    numbers = queries.document_numbers(batch)
    number = request.GET.get("number") or (numbers[0] if numbers else "")
    if number not in numbers:
        raise Http404("没有这个文号的命名文件")
    data = documents.render_naming(batch, documents.naming_context(batch, number=number))
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    buffer.write(data)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=documents.naming_filename(batch, number),
        content_type=documents.DOCX_CONTENT_TYPE,
    )


@require_GET
def plaques_xlsx(request, pk):
    batch = _approved_batch(request, pk)
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    documents.write_plaques(buffer, batch)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=documents.plaques_filename(batch),
        content_type=documents.XLSX_CONTENT_TYPE,
    )


# --- Objections ----------------------------------------------------------------------------------


@require_GET
def objection_list(request):
    queries.check_reads_notices(request.user)
    form = ObjectionFilterForm(request.GET)
    page = _page(request, queries.objections_for(request.user, form.state_value))
    return render(
        request,
        "notices/objections.html",
        {
            "form": form,
            "page": page,
            "summary": queries.objection_summary(request.user),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def objection_detail(request, pk):
    objection = queries.get_objection_for_user(request.user, pk)
    can_answer = services.may_answer(request.user, objection)
    verifying = objection.state == ObjectionState.FURTHER
    form = None
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied("只有该组织所属乡镇（街道）的审核人或县委组织部可以处理异议")
        form = AnswerForm(request.POST, verifying=verifying)
        if form.is_valid():
            try:
                answered = services.objection_answer(
                    actor=request.user, objection=objection, **form.cleaned_data
                )
            except services.NoticeError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                messages.success(request, f"异议已更新为“{answered.get_state_display()}”")
                return redirect("notices:objection", pk=objection.pk)
    elif can_answer and objection.is_answerable:
        initial_state = objection.state if objection.is_open and objection.state != "received" else ""
        form = AnswerForm(
            initial={"state": initial_state, "answer": objection.answer, "version": objection.version},
            verifying=verifying,
        )
    entry = objection.entry
    return render(
        request,
        "notices/objection.html",
        {
            "objection": objection,
            "entry": entry,
            "batch": entry.batch,
            "form": form,
            "overdue": queries.is_overdue(objection),
        },
    )
