"""Public pages, no login: enter a code, answer the questionnaire, thanks. They show the branch
and the round, never a person."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.evaluations import services
from chuangyou.evaluations.forms import AnswerForm

STATUS = {"unknown": 404, "used": 410, "closed": 410}


def _unavailable(request, error: services.EvaluationError):
    return render(
        request,
        "evaluations/unavailable.html",
        {"message": str(error), "kind": error.kind},
        status=STATUS.get(error.kind, 200),
    )


@login_not_required
@require_GET
def start(request):
    """Enter a code by hand; a valid one leads to its questionnaire."""
    typed = request.GET.get("code", "").strip()
    error = ""
    if typed:
        try:
            code = services.find_code(typed)
        except services.EvaluationError as exc:
            error = str(exc)
        else:
            return redirect("evaluations:answer", code=code.code)
    return render(request, "evaluations/start.html", {"typed": typed[:20], "error": error})


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request, code):
    try:
        found = services.find_code(code)
    except services.EvaluationError as exc:
        return _unavailable(request, exc)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_submit(
                code_text=found.code, overall=form.cleaned_data["overall"], dimensions=form.dimensions()
            )
        except services.EvaluationError as exc:
            return _unavailable(request, exc)
        return redirect("evaluations:thanks")
    sheet = found.evaluation.sheet
    context = {
        "code": found,
        "organization_name": sheet.organization.name,
        "round": sheet.round,
        "campaign_name": sheet.round.campaign.name,
        "closes_at": found.evaluation.closes_at,
        "form": form,
        "rows": [form[name] for name in form.fields],
    }
    return render(request, "evaluations/answer.html", context)


@login_not_required
@require_GET
def thanks(request):
    return render(request, "evaluations/thanks.html")
