"""Branch pages: issue codes, follow the results, print the cards, close the evaluation."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangyou.assessments.queries import get_sheet_for_user
from chuangyou.evaluations import services
from chuangyou.evaluations.access import can_issue, evaluation_of
from chuangyou.evaluations.codes import qr_svg
from chuangyou.evaluations.forms import IssueForm
from chuangyou.evaluations.models import Audience

CARDS_PER_PAGE = 96  # 8 A4 sheets of 12 cards; drawing a QR code takes a few milliseconds


def _forbidden(request, message):
    return render(request, "403.html", {"message": message}, status=403)


@require_http_methods(["GET", "POST"])
def manage(request, sheet_pk):
    sheet = get_sheet_for_user(request.user, sheet_pk)
    evaluation = evaluation_of(sheet)
    may_issue = can_issue(request.user, sheet)
    form = IssueForm(request.POST or None, initial=IssueForm.initial_for(sheet.organization, evaluation))
    if evaluation is not None:
        form.set_adding()
    if request.method == "POST":
        if not may_issue:
            return _forbidden(request, "只有本支部书记或县委组织部可以生成测评码")
        if form.is_valid():
            data = form.cleaned_data
            try:
                evaluation = services.evaluation_issue(
                    actor=request.user,
                    sheet=sheet,
                    members=data["members"],
                    public=data["public"],
                    closes_at=data["closes_at"],
                )
            except services.EvaluationError as exc:
                if exc.kind == "closed":  # the page shows no form once closed: say it at the top
                    messages.error(request, str(exc))
                    return redirect("evaluations:manage", sheet_pk=sheet.pk)
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已生成测评码：党员{data['members']}份、群众{data['public']}份")
                return redirect("evaluations:manage", sheet_pk=sheet.pk)
    context = {
        "sheet": sheet,
        "evaluation": evaluation,
        "results": services.results(evaluation) if evaluation else None,
        "form": form,
        "may_issue": may_issue,
        "is_open": evaluation.is_open() if evaluation else False,
        "answer_url": request.build_absolute_uri(reverse("evaluations:answer")),
    }
    return render(request, "evaluations/manage.html", context)


@require_POST
def close(request, sheet_pk):
    sheet = get_sheet_for_user(request.user, sheet_pk)
    evaluation = evaluation_of(sheet)
    if not can_issue(request.user, sheet):
        return _forbidden(request, "只有本支部书记或县委组织部可以结束测评")
    if evaluation is None:
        messages.error(request, "尚未生成测评码")
    else:
        try:
            services.evaluation_close(actor=request.user, evaluation=evaluation)
        except services.EvaluationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "民主测评已结束，测评码不能再使用")
    return redirect("evaluations:manage", sheet_pk=sheet.pk)


@require_GET
def print_codes(request, sheet_pk):
    sheet = get_sheet_for_user(request.user, sheet_pk)
    evaluation = evaluation_of(sheet)
    if not can_issue(request.user, sheet):
        return _forbidden(request, "测评码只由本支部书记或县委组织部打印发放")
    if evaluation is None:
        messages.error(request, "尚未生成测评码")
        return redirect("evaluations:manage", sheet_pk=sheet.pk)
    audience = request.GET.get("audience", "")
    codes = evaluation.codes.order_by("audience", "id")
    if audience in Audience.values:
        codes = codes.filter(audience=audience)
    else:
        audience = ""
    page = Paginator(codes, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    cards = [
        (code, mark_safe(qr_svg(request.build_absolute_uri(reverse("evaluations:answer", args=[code.code])))))  # noqa: S308 - SVG drawn by segno from our own URL
        for code in page.object_list
    ]
    context = {
        "sheet": sheet,
        "evaluation": evaluation,
        "page": page,
        "cards": cards,
        "audience": audience,
        "audiences": Audience.choices,
        "answer_url": request.build_absolute_uri(reverse("evaluations:answer")),
    }
    return render(request, "evaluations/print.html", context)
