"""Public pages, no login: enter a code, answer the questionnaire, thanks. They show the branch
and the round, never a person. Look-ups of a code are limited per address (`lib/throttle.py`)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from chuangyou.evaluations import codes as codegen
from chuangyou.evaluations import services
from chuangyou.evaluations.forms import AnswerForm
from chuangyou.lib import throttle

STATUS = {"unknown": 404, "used": 410, "closed": 410, "throttled": 429}
PAGE = "evaluation"


def _find(request, text: str):
    """The code typed or scanned, as `services.find_code`; a look-up counts against the address
    unless this session found the code before (a voter going on with the questionnaire)."""
    if throttle.remembered(request, PAGE, codegen.normalize(text)):
        return services.find_code(text)
    try:
        lookup = throttle.start(request, PAGE)
    except throttle.Throttled as exc:
        raise services.EvaluationError(str(exc), kind="throttled") from exc
    try:
        code = services.find_code(text)
    except services.EvaluationError as exc:
        if exc.kind != "unknown":  # a real code, used or closed: not a guess that missed
            lookup.found(codegen.normalize(text))
        raise
    lookup.found(code.code)
    return code


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
    error, status = "", 200
    if typed:
        try:
            code = _find(request, typed)
        except services.EvaluationError as exc:
            error, status = str(exc), 429 if exc.kind == "throttled" else 200
        else:
            return redirect("evaluations:answer", code=code.code)
    return render(request, "evaluations/start.html", {"typed": typed[:20], "error": error}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request, code):
    try:
        found = _find(request, code)
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
