"""The grading pages (定级): runs of a campaign, a run's results, changes, one branch's explanation,
adjustments, submission for notice, the export and a township's preview. Reads are in `queries`,
writes go through `services`; a refused write changes nothing and shows every reason."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.grading import export, groups, queries, services
from chuangyou.grading.forms import OverrideForm, ResultFilterForm
from chuangyou.grading.inputs import load_inputs
from chuangyou.grading.models import RunState
from chuangyou.notices import queries as notice_queries
from chuangyou.rules.domains import domain_names
from chuangyou.rules.grade_scheme import SCOPE_NAMES, SchemeError
from chuangyou.rules.grading import GradingInputError
from chuangyou.rules.scheme_groups import grade_in_groups, group_heading

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_NOTE = "预估，仅供参考：按本范围支部数计算名额；正式等级以县委组织部定级为准"


def _check_may_grade(request, campaign):
    if not services.may_grade(request.user, campaign):
        raise PermissionDenied("只有县委组织部可以定级")


def _show_errors(request, exc: services.GradingError) -> None:
    for error in exc.errors:
        messages.error(request, error)


def _page(request, items, param: str = "page"):
    return Paginator(items, queries.PER_PAGE).get_page(request.GET.get(param))


# --- The campaign's runs -------------------------------------------------------------------------


@require_GET
def campaign_runs(request, pk):
    campaign = queries.get_campaign_for_user(request.user, pk)
    active = queries.active_run(campaign)
    if active is not None:  # shown stopped, with its reason, once its process is found dead
        active = services.stop_if_dead(active)
    page = _page(request, queries.campaign_runs(campaign))
    counts = queries.counts_by_run(request.user, page.object_list)
    labels = queries.campaign_labels(campaign)
    runs = [(run, [counts.get(run.pk, {}).get(g, 0) for g in labels]) for run in page.object_list]
    return render(
        request,
        "grading/campaign.html",
        {
            "campaign": campaign,
            "page": page,
            "runs": runs,
            "labels": labels,
            "branches": queries.branch_counts(request.user, campaign),
            "active": active,
            "can_grade": services.may_grade(request.user, campaign),
            "can_preview": scope_of(request.user).has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER),
        },
    )


@require_POST
def run_start(request, pk):
    campaign = queries.get_campaign_for_user(request.user, pk)
    _check_may_grade(request, campaign)
    try:
        run = services.run_start(actor=request.user, campaign=campaign)
    except services.GradingError as exc:
        _show_errors(request, exc)
        return redirect("grading:campaign", pk=campaign.pk)
    if run.state == RunState.DONE:
        messages.success(request, f"第{run.number}次定级已完成，共{run.progress_total}个党支部")
        return redirect("grading:run", pk=run.pk)
    if run.state == RunState.FAILED:
        messages.error(request, f"第{run.number}次定级失败：{run.error}")
    else:
        messages.info(request, f"第{run.number}次定级已开始，正在后台计算，完成后可查看结果")
    return redirect("grading:campaign", pk=campaign.pk)


@require_GET
def run_progress(request, pk):
    """The progress card, polled every 2 seconds while the run is queued or running; a poll also
    notices a run whose process died and stops it (`services.stop_if_dead`)."""
    run = services.stop_if_dead(queries.get_run_for_user(request.user, pk))
    can_grade = run.interrupted and services.may_grade(request.user, run.campaign)
    return render(request, "grading/_progress.html", {"run": run, "can_grade": can_grade})


# --- One run -------------------------------------------------------------------------------------


@require_GET
def run_detail(request, pk):
    run = services.stop_if_dead(queries.get_run_for_user(request.user, pk))
    campaign = run.campaign
    labels = queries.run_labels(run)
    whole = queries.sees_whole(request.user, campaign)
    results = queries.results_for(request.user, run)
    by_township = queries.distribution(results, "township", labels)
    by_domain = queries.distribution(results, "domain", labels)
    counts = by_township.totals()
    form = ResultFilterForm(request.GET, labels=labels, domains=by_domain.keys, townships=by_township.keys)
    listed = queries.sorted_results(form.apply(results), form.sort_key)
    page = _page(request, listed)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    stored = groups.group_summaries(run)  # once: it reads the run's scheme
    return render(
        request,
        "grading/run.html",
        {
            "run": run,
            "campaign": campaign,
            "labels": labels,
            "scheme_title": queries.scheme_title(run),
            "top_grades": queries.top_grades(run),
            "whole": whole,
            "counts": counts,
            "total": sum(counts.values()),
            "committed": results.exclude(committed_grade="").count(),
            "quotas": queries.quota_rows(
                stored, queries.counts_by_scheme(results), whole=whole, townships=by_township.keys
            ),
            "scheme_names": queries.scheme_names(stored),
            "quota_base": (run.summary or {}).get("base", (run.summary or {}).get("total", 0)),
            "by_township": by_township,
            "by_domain": by_domain,
            "form": form,
            "sort": form.sort_key,
            "sorts": [(k, label) for k, (label, _) in queries.SORTS.items()],
            "params": params.urlencode(),
            "page": page,
            "township_scope": run.quota_scope == "township",
            "scope_name": SCOPE_NAMES.get(run.quota_scope, run.quota_scope),
            "domain_names": queries.DOMAIN_NAMES,
            "can_grade": services.may_grade(request.user, campaign),
            # The notice pages build on grading: the link shows for whoever may publish one.
            "can_publish_notice": run.submitted_at is not None
            and bool(notice_queries.publishable_orgs(request.user, run)),
        },
    )


@require_GET
def run_changes(request, pk):
    run = queries.get_run_for_user(request.user, pk)
    previous = queries.previous_run(run)
    context = {
        "run": run,
        "campaign": run.campaign,
        "previous": previous,
        "domain_names": queries.DOMAIN_NAMES,
    }
    if previous is not None:
        context["page"] = _page(request, queries.changed_results(request.user, run, previous))
        context["missing"] = _page(
            request, queries.missing_results(request.user, run, previous), "missing_page"
        )
    return render(request, "grading/changes.html", context)


@require_POST
def run_submit(request, pk):
    run = queries.get_run_for_user(request.user, pk)
    _check_may_grade(request, run.campaign)
    try:
        services.run_submit(actor=request.user, run=run)
    except services.GradingError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, f"第{run.number}次定级结果已提交公示")
    return redirect("grading:run", pk=run.pk)


@require_GET
def run_export(request, pk):
    run = queries.get_run_for_user(request.user, pk)
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    titles = {g.key: g.title for g in groups.group_summaries(run)}
    export.write_run(buffer, queries.export_rows(request.user, run), titles)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=export.export_filename(run), content_type=XLSX)


# --- One branch ----------------------------------------------------------------------------------


@require_GET
def result_detail(request, pk):
    result = queries.get_result_for_user(request.user, pk)
    return render(request, "grading/result.html", _result_context(request, result))


def _result_context(request, result) -> dict:
    run = result.run
    campaign = run.campaign
    can_grade = services.may_grade(request.user, campaign)
    labels = queries.result_labels(result)
    stored = groups.group_summaries(run)
    return {
        "result": result,
        "scheme_name": queries.scheme_names(stored).get(result.scheme, ""),
        "run": run,
        "campaign": campaign,
        "breakdown": queries.score_breakdown(result.sheet),
        "domain_name": queries.DOMAIN_NAMES.get(result.domain, result.domain),
        "township_scope": run.quota_scope == "township",
        "county_total": queries.group_total(stored, result.scheme) or result.rank_total,
        "top_grade": labels[0] if labels else "",  # of the result's own scheme
        "can_grade": can_grade,
        "can_override": can_grade
        and run.state == RunState.DONE
        and run.submitted_at is None
        and not result.committed,
        "override_form": OverrideForm(initial={"grade": result.final_grade}, labels=labels),
    }


@require_POST
def result_override(request, pk):
    result = queries.get_result_for_user(request.user, pk)
    _check_may_grade(request, result.run.campaign)
    form = OverrideForm(request.POST, labels=queries.result_labels(result))
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}：{error}")
        return redirect("grading:result", pk=result.pk)
    try:
        services.result_override(actor=request.user, result=result, **form.cleaned_data)
    except services.GradingError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, f"已将{result.name}的等级调整为{form.cleaned_data['grade']}")
    return redirect("grading:result", pk=result.pk)


# --- A township's preview ------------------------------------------------------------------------


@require_GET
def preview(request, pk):
    """The grades the branches in the user's scope would get among themselves; nothing is stored."""
    campaign = queries.get_campaign_for_user(request.user, pk)
    scope = scope_of(request.user)
    if not scope.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER):
        raise PermissionDenied("只有县委组织部和乡镇（街道）党（工）委可以查看定级预估")
    rows, error, summaries = [], "", []
    previewers = (Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER)
    sheets = campaign.graded_sheets().filter(scope.q_for("organization__path", roles=previewers))
    try:
        if sheets.count() > settings.GRADING_INLINE_MAX:
            raise GradingInputError(
                f"范围内党支部超过{settings.GRADING_INLINE_MAX}个，请发起正式定级查看结果"
            )
        schemes = campaign.scheme_groups()
        subtotals = any("subtotals" in g.scheme.tie_break for g in schemes)
        inputs = load_inputs(campaign, sheets, with_subtotals=subtotals)
        result = grade_in_groups([r.branch for r in inputs], [r.domain for r in inputs], schemes, "county")
    except (SchemeError, GradingInputError) as exc:
        error = str(exc)
    else:
        several = len(schemes) > 1
        summaries = [
            (group_heading(domain_names(g.domains), g.scheme.title) if several else "", s)
            for g, s in result.summaries
            if s.total or not several
        ]
        rows = sorted(
            (
                {"input": row, "branch": row.branch, "result": graded}
                for row, graded in zip(inputs, result.results, strict=True)
            ),
            key=lambda r: r["result"].county_rank,
        )
    return render(
        request,
        "grading/preview.html",
        {
            "campaign": campaign,
            "note": PREVIEW_NOTE,
            "error": error,
            "summaries": summaries,
            "page": _page(request, rows),
            "domain_names": queries.DOMAIN_NAMES,
        },
    )
