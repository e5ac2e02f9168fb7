from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments import queries, services
from chuangyou.assessments.forms import ApplicationForm, EntryForm, ReopenForm, ReturnForm, posted_entry
from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.campaigns.models import AssessmentRound
from chuangyou.rubrics.models import Category, Item
from chuangyou.rules.grade_scheme import SchemeError


def _grades(sheet) -> list[str]:
    """The grades the branch may apply for: its scheme's (none when the scheme cannot be read)."""
    try:
        return list(sheet.round.campaign.scheme_for(sheet.organization.domain).labels)
    except SchemeError:
        return []


@require_GET
def sheet_detail(request, pk):
    sheet = queries.get_sheet_for_user(request.user, pk)
    return render(request, "sheets/detail.html", _context(request, sheet))


def _context(request, sheet, **extra) -> dict:
    return {
        "sheet": sheet,
        "layout": queries.sheet_layout(sheet),
        "can_fill": sheet.editable and services.may_fill(request.user, sheet),
        "can_review": services.may_review(request.user, sheet),
        "application_form": extra.pop("application_form", None)
        or ApplicationForm(
            initial={
                "applied_grade": sheet.applied_grade,
                "achievements": sheet.achievements,
                "self_evaluation": sheet.self_evaluation,
                "version": sheet.version,
            },
            grades=_grades(sheet),
        ),
        "can_reopen": scope_of(request.user).has_role(Role.COUNTY_ADMIN),
        "return_form": ReturnForm(),
        "reopen_form": ReopenForm(),
        **extra,
    }


def save_posted_entry(request, item, save):
    """Read one item's inputs from the POST and `save(data, version)` them; returns (the saved
    entry or None, the errors to show beside the item). Used by the sheet and the review pages."""
    form = EntryForm(item, request.POST)
    data = form.entry()
    if data is None:
        return None, form.errors
    try:
        version = int(request.POST.get("version") or 0)
    except ValueError:
        return None, ["页面数据不完整，请刷新后重试"]
    try:
        return save(data, version), []
    except services.SheetError as exc:
        return None, exc.errors


@require_POST
def entry_save(request, pk, item_pk):
    sheet = queries.get_sheet_to_save(request.user, pk)
    item = get_object_or_404(
        Item.objects.select_related("category"), pk=item_pk, category__rubric=sheet.rubric_id
    )
    entry, errors = save_posted_entry(
        request,
        item,
        lambda data, version: services.entry_save(
            actor=request.user, sheet=sheet, item=item, data=data, version=version
        ),
    )
    if entry is not None:
        sheet = entry.sheet  # the row the save locked and updated, with its new totals
    else:
        # Refused: the sheet as it is now. A new instance, not refresh_from_db(): django-fsm's
        # refresh unprotects `state` for the whole class meanwhile, which races between threads.
        sheet = ScoreSheet.objects.select_related("organization").get(pk=sheet.pk)
        entry = sheet.entries.filter(item=item).first()
    if entry is not None:
        prefetch_related_objects([entry], "evidence")  # the list and the upload form both read it
    context = {
        "sheet": sheet,
        "item": item,
        "entry": entry,
        "errors": errors,
        "shown": posted_entry(item, request.POST, entry) if errors else entry,
        "can_fill": sheet.editable and services.may_fill(request.user, sheet),
        "oob": True,
    }
    return render(request, "sheets/_item.html", context)


@require_POST
def category_nothing_applies(request, pk, category_pk):
    """One tap for a category: its items not filled yet are saved as 无扣分/满分."""
    sheet = queries.get_sheet_for_user(request.user, pk)
    category = get_object_or_404(Category, pk=category_pk, rubric=sheet.rubric_id)
    try:
        saved = services.category_nothing_applies(actor=request.user, sheet=sheet, category=category)
    except services.SheetError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        if saved:
            messages.success(request, f"“{category.name}”的{len(saved)}个未填项目已按满分（无扣分）保存")
        else:
            messages.info(request, f"“{category.name}”的项目都已填写，未作修改")
    return redirect(f"{reverse('sheets:detail', args=[sheet.pk])}#category-{category.pk}")


@require_POST
def application_save(request, pk):
    sheet = queries.get_sheet_for_user(request.user, pk)
    form = ApplicationForm(request.POST, grades=_grades(sheet))
    if form.is_valid():
        try:
            services.application_save(actor=request.user, sheet=sheet, **form.cleaned_data)
        except services.SheetError as exc:
            for error in exc.errors:
                messages.error(request, error)
        else:
            messages.success(request, "申报信息已保存")
            return redirect("sheets:detail", pk=sheet.pk)
    return render(request, "sheets/detail.html", _context(request, sheet, application_form=form))


def _transition(request, pk, call, success: str, form_class=None):
    sheet = queries.get_sheet_for_user(request.user, pk)
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写" + "、".join(str(form.fields[f].label) for f in form.errors))
            return redirect("sheets:detail", pk=sheet.pk)
        kwargs = form.cleaned_data
    try:
        call(actor=request.user, sheet=sheet, **kwargs)
    except services.SheetError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("sheets:detail", pk=sheet.pk)


@require_POST
def sheet_submit(request, pk):
    return _transition(request, pk, services.sheet_submit, "已提交，等待乡镇（街道）党（工）委审核")


@require_POST
def sheet_return(request, pk):
    return _transition(request, pk, services.sheet_return, "已退回，支部修改后可重新提交", ReturnForm)


@require_POST
def sheet_reopen(request, pk):
    return _transition(request, pk, services.sheet_reopen, "已为该支部延期", ReopenForm)


@require_GET
def sheet_list(request):
    """The to-do list of a round: every visible sheet with its state and progress."""
    rounds = AssessmentRound.objects.select_related("campaign").order_by("-opens")
    round_pk = request.GET.get("round")
    current = rounds.filter(pk=round_pk).first() if round_pk and round_pk.isdigit() else rounds.first()
    sheets = ScoreSheet.objects.none()
    if current is not None:
        sheets = ScoreSheet.objects.visible_to(request.user).filter(round=current)
    counts = queries.state_counts(sheets)
    state = request.GET.get("state", "")
    listed = sheets.filter(state=state) if state in SheetState.values else sheets
    if request.GET.get("not_started"):
        listed = listed.filter(items_done=0)
    page = Paginator(listed.select_related("organization").order_by("organization__path"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sheets/list.html",
        {
            "rounds": rounds,
            "current": current,
            "counts": counts,
            "states": SheetState.choices,
            "state": state,
            "page": page,
            "not_started": sheets.filter(items_done=0).count(),
        },
    )


MY_PAGES = {"sheet": "sheets:detail", "evaluation": "evaluations:manage", "application": "application:print"}


@require_GET
def my_sheet(request, page):
    """The branch secretary's own latest score sheet, opened on the page the menu names."""
    sheet = queries.own_latest_sheet(request.user)
    if sheet is None:
        messages.info(request, "本支部目前没有自查表，县委组织部开启自查后即可填写")
        return redirect("workbench")
    return redirect(MY_PAGES[page], sheet.pk)
