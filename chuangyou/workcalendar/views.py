"""工作日历: every signed-in user reads; the county admin enters holidays and make-up working days."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chuangyou.rules.workdays import BUILTIN_YEARS
from chuangyou.workcalendar import queries, services
from chuangyou.workcalendar.forms import DayForm, ImportForm, YearForm
from chuangyou.workcalendar.models import CalendarDay


def _admin_only(request):
    if not services.may_edit(request.user):
        raise PermissionDenied("只有县委组织部管理员可以维护工作日历")


def _list_url(year: int) -> str:
    return f"{reverse('workcalendar:list')}?year={year}"


def _year(request, raw) -> int:
    """The year asked for; this year, with a message, when it is missing or not a valid year."""
    if raw in (None, ""):
        return timezone.localdate().year
    form = YearForm({"year": raw})
    if form.is_valid():
        return form.cleaned_data["year"]
    messages.error(request, f"年份“{raw}”无效：{form.errors['year'][0]}，已显示今年")
    return timezone.localdate().year


def _page(request, year: int, *, day_form=None, import_form=None):
    calendar = queries.work_calendar()
    days = list(queries.days_of_year(year))
    entered = {d.date for d in days}
    can_edit = services.may_edit(request.user)
    return render(
        request,
        "workcalendar/list.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "days": days,
            "known": calendar.has_year(year),
            "builtin": year in BUILTIN_YEARS,
            "builtin_first": BUILTIN_YEARS.start,
            "builtin_last": BUILTIN_YEARS.stop - 1,
            "to_seed": len(set(queries.builtin_days(year)) - entered) if can_edit else 0,
            "month_counts": queries.month_workdays(year, calendar),
            "missing_next": queries.missing_next_year(),
            "can_edit": can_edit,
            "day_form": day_form or DayForm(),
            "import_form": import_form or ImportForm(),
        },
    )


@require_GET
def calendar_list(request):
    return _page(request, _year(request, request.GET.get("year")))


@require_POST
def day_set(request):
    _admin_only(request)
    form = DayForm(request.POST)
    if form.is_valid():
        try:
            day = services.day_set(actor=request.user, **form.cleaned_data)
        except services.CalendarError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, f"已保存：{day}")
            return redirect(_list_url(day.date.year))
    return _page(request, _year(request, request.POST.get("year")), day_form=form)


@require_POST
def days_import(request):
    _admin_only(request)
    form = ImportForm(request.POST)
    if form.is_valid():
        try:
            result = services.days_import(actor=request.user, text=form.cleaned_data["text"])
        except services.CalendarError as exc:
            form.add_error(None, "有错误，未导入任何日期，请修改后重新提交：")
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, f"已导入：{result.summary()}")
            return redirect(_list_url(result.years[0]))
    return _page(request, _year(request, request.POST.get("year")), import_form=form)


@require_POST
def seed_year(request):
    _admin_only(request)
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["year"][0])
        return redirect("workcalendar:list")
    year = form.cleaned_data["year"]
    try:
        added = services.seed_year(actor=request.user, year=year)
    except services.CalendarError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        messages.success(
            request,
            f"已从内置日历导入{year}年节假日安排{added}天" if added else f"{year}年内置节假日安排均已在表中",
        )
    return redirect(_list_url(year))


@require_POST
def day_delete(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)  # an unknown id answers 404 to everyone
    _admin_only(request)
    try:
        services.day_delete(actor=request.user, day=day)
    except services.CalendarError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        messages.success(request, f"已删除：{day}")
    return redirect(_list_url(day.date.year))
