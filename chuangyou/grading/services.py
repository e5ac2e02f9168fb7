"""Grading runs: start (one at a time per campaign), execute, override one grade, submit for notice.

A run reads the campaign's reviewed sheets as plain rows (`inputs.load_inputs`), grades them with
`chuangyou.rules.grading` and stores every input with its result, so the run can be reproduced with
`chuangyou grade` and compared with the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import GRADABLE_STATES
from chuangyou.audit.services import record
from chuangyou.campaigns.models import Campaign
from chuangyou.grading.groups import (
    result_scheme,
    run_groups,
    run_labels,
    run_limits,
    run_policy,
    run_scheme,
)
from chuangyou.grading.inputs import load_inputs, quota_bases
from chuangyou.grading.models import ACTIVE_STATES, GradingRun, ProposalState, RunResult, RunState
from chuangyou.lib.bulk_sql import chunks, copy_rows
from chuangyou.lib.errors import ServiceError
from chuangyou.lib.ticker import Ticker
from chuangyou.rules.domains import domain_names
from chuangyou.rules.grade_scheme import SchemeError
from chuangyou.rules.grading import GradingInputError, GradingSummary, proposal_cap
from chuangyou.rules.quota_check import limits_of, limits_to_dict, worsened
from chuangyou.rules.scheme_groups import MAIN, GroupedResult, grade_in_groups

logger = logging.getLogger(__name__)

WRITE_BATCH = 20_000
RESULT_FIELDS = (
    "run_id",
    "organization_id",
    "sheet_id",
    "code",
    "name",
    "township",
    "domain",
    "scheme",
    "score",
    "satisfaction",
    "favourable_votes",
    "valid_votes",
    "members_score",
    "public_score",
    "veto",
    "veto_cap",
    "weak",
    "declared",
    "proposal",
    "committed_grade",
    "grade",
    "rank",
    "rank_total",
    "county_rank",
    "reason",
    "final_grade",
    "override_reason",
)


class GradingError(ServiceError):
    """A refused grading action."""


def may_grade(user, campaign: Campaign) -> bool:
    """The county admin over the campaign's root."""
    scope = scope_of(user)
    return scope.is_superuser or any(
        g.role == Role.COUNTY_ADMIN and campaign.root.path.startswith(g.path) for g in scope.grants
    )


def _check_may_grade(actor, campaign: Campaign) -> None:
    if not may_grade(actor, campaign):
        raise GradingError("只有县委组织部可以定级")


def _running_message(run: GradingRun) -> str:
    return f"第{run.number}次定级正在进行（{run.progress_text()}），请等待完成后再发起"


def run_start(*, actor, campaign: Campaign) -> GradingRun:
    """Start a run; small campaigns are graded at once, large ones by the background worker."""
    run = _create_run(actor, campaign)
    if run.progress_total <= settings.GRADING_INLINE_MAX:
        run_execute(run.pk)
        run.refresh_from_db()
    else:
        from chuangyou.grading.tasks import execute_run

        execute_run.enqueue(run.pk)
    return run


@transaction.atomic
def _create_run(actor, campaign: Campaign) -> GradingRun:
    _check_may_grade(actor, campaign)
    # Locked: one start at a time per campaign; and the settings as they are now.
    campaign = Campaign.objects.select_for_update().select_related("root").get(pk=campaign.pk)
    running = GradingRun.objects.filter(campaign=campaign, state__in=ACTIVE_STATES).first()
    now = timezone.now()
    if running is not None and is_stale(running, now):
        _end(running, actor, now, dead=running.state == RunState.RUNNING)
    elif running is not None:
        raise GradingError(_running_message(running))
    reviewed = (
        campaign.graded_sheets()
        .filter(state__in=GRADABLE_STATES, organization__in=campaign.participants())
        .count()
    )
    if reviewed == 0:
        raise GradingError("还没有完成审核的自查表，无法定级")
    number = (GradingRun.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            run = GradingRun.objects.create(
                campaign=campaign,
                number=number,
                scheme=campaign.scheme,
                scheme_text=campaign.scheme_text,
                domain_schemes=campaign.domain_schemes or {},
                quota_scope=campaign.quota_scope,
                quota_base=campaign.quota_base,
                policy=campaign.grading_policy().to_dict(),
                started_by=actor,
                progress_total=reviewed,
                step="等待开始",
            )
    except IntegrityError:
        running = GradingRun.objects.filter(campaign=campaign, state__in=ACTIVE_STATES).first()
        raise GradingError(_running_message(running) if running else "定级正在进行，请稍后再试") from None
    record(
        actor=actor,
        verb="grading.start",
        target=run,
        organization=campaign.root,
        after={
            "number": number,
            "scheme": run.scheme,
            "quota_scope": run.quota_scope,
            "quota_base": run.quota_base,
            "branches": reviewed,
        },
    )
    return run


# --- Runs whose process died ---------------------------------------------------------------------

INTERRUPTED = "后台任务进程中断，定级已停止，可重新定级"
STOPPED_STEP = "后台进程中断"


def _dead_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.GRADING_DEAD_SECONDS)


def is_dead(run: GradingRun, now: dt.datetime) -> bool:
    """Running, but silent for longer than a heartbeat can be late: its process is gone."""
    return run.state == RunState.RUNNING and run.last_beat < _dead_before(now)


def is_stale(run: GradingRun, now: dt.datetime) -> bool:
    """Dead, or still queued long after it started (no worker ran)."""
    queued_before = now - dt.timedelta(minutes=settings.GRADING_STALE_MINUTES)
    return is_dead(run, now) or (run.state == RunState.QUEUED and run.started_at < queued_before)


def _end(run: GradingRun, actor, now: dt.datetime, *, dead: bool) -> bool:
    """End a dead (or stale queued) run with its reason, once: the UPDATE is conditional, so of two
    pages (or a page and the worker) noticing it at once only one ends it and writes the audit trail."""
    if dead:
        message = INTERRUPTED
        ended = GradingRun.objects.filter(pk=run.pk, state=RunState.RUNNING).filter(
            Q(heartbeat__lt=_dead_before(now)) | Q(heartbeat__isnull=True, started_at__lt=_dead_before(now))
        )
    else:
        message = f"定级超过{settings.GRADING_STALE_MINUTES}分钟没有开始（后台任务进程可能未运行），已终止"
        ended = GradingRun.objects.filter(pk=run.pk, state=RunState.QUEUED)
    step = STOPPED_STEP if dead else "超时未开始"
    with transaction.atomic():
        if not ended.update(
            state=RunState.FAILED, step=step, error=message, interrupted=dead, finished_at=now
        ):
            return False
        RunResult.objects.filter(run=run).delete()
        record(actor=actor, verb="grading.fail", target=run, organization=run.campaign.root, note=message)
    logger.warning("grading run %s stopped: %s", run.pk, message)
    return True


def stop_if_dead(run: GradingRun, *, actor=None, now: dt.datetime | None = None) -> GradingRun:
    """The run as it is, after ending it if its process died (the run pages call this on each poll).
    A live or finished run costs no query."""
    now = now or timezone.now()
    if is_dead(run, now) and _end(run, actor, now, dead=True):
        run.refresh_from_db()
    return run


def stop_dead_runs(*, now: dt.datetime | None = None) -> int:
    """End every run whose process died; the worker calls this every heartbeat. Returns how many."""
    now = now or timezone.now()
    running = GradingRun.objects.filter(state=RunState.RUNNING).select_related("campaign__root")
    return sum(_end(run, None, now, dead=True) for run in running if is_dead(run, now))


class _Abandoned(Exception):
    """The run was ended by someone else (taken as dead) while it worked."""


def _progress(run_id: int, **fields) -> None:
    """Record progress of a running run; stop when it is no longer running."""
    if not GradingRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(
        heartbeat=timezone.now(), **fields
    ):
        raise _Abandoned


def _beat(run_id: int) -> bool:
    """A heartbeat between progress steps (a step may take minutes); False once the run has ended."""
    return bool(GradingRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(heartbeat=timezone.now()))


def run_execute(run_id: int) -> None:
    """Grade and store the results. Not one transaction: the progress must be visible meanwhile.

    The run is claimed by moving it from queued to running in one UPDATE, so a job delivered twice
    (or a second worker) does nothing. While it works, a thread beats every
    GRADING_HEARTBEAT_SECONDS; a run that stops beating is ended as dead (`stop_dead_runs`), never
    run again: its old process, should it still be alive, finds it no longer running and gives up."""
    claimed = GradingRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, step="读取审核结果", heartbeat=timezone.now()
    )
    if not claimed:
        return
    run = GradingRun.objects.select_related("campaign__root", "started_by").get(pk=run_id)
    try:
        with Ticker(lambda: _beat(run_id), settings.GRADING_HEARTBEAT_SECONDS, name=f"grading-run-{run_id}"):
            result = _grade_and_store(run)
    except _Abandoned:
        RunResult.objects.filter(run_id=run_id).delete()
        return
    except (KeyboardInterrupt, SystemExit):  # the worker was told to stop at once: say so now
        _fail(run, INTERRUPTED, interrupted=True)
        raise
    except Exception as exc:  # the run must end, whatever went wrong; the error is shown on its page
        known = isinstance(exc, GradingInputError | SchemeError)
        if not known:
            logger.exception("grading run %s failed", run_id)
        _fail(run, str(exc) if known else "定级时发生系统错误，请联系管理员")
        return
    record(
        actor=run.started_by,
        verb="grading.finish",
        target=run,
        organization=run.campaign.root,
        after={"number": run.number, "counts": _counts(result)},
    )


def _grade_and_store(run: GradingRun) -> GroupedResult:
    from chuangyou.notices.services import committed_grades  # notices build on grading

    campaign = run.campaign
    groups = run_groups(run)
    subtotals = any("subtotals" in g.scheme.tie_break for g in groups)
    rows = load_inputs(campaign, with_subtotals=subtotals, committed=committed_grades(campaign))
    not_reviewed = campaign.participants().count() - len(rows)
    _progress(run.pk, step="计算等级", progress_total=len(rows), not_reviewed=not_reviewed)
    result = grade_in_groups(
        [r.branch for r in rows],
        [r.domain for r in rows],
        groups,
        run.quota_scope,
        bases=quota_bases(campaign, run.quota_base, groups),
        policy=run_policy(run),
    )
    _progress(run.pk, step="保存结果")
    _write_results(run, rows, result)
    _progress(
        run.pk, state=RunState.DONE, step="完成", summary=run_summary(result), finished_at=timezone.now()
    )
    return result


def _fail(run: GradingRun, message: str, *, interrupted: bool = False) -> None:
    """End a running run with its reason (unless someone ended it meanwhile)."""
    RunResult.objects.filter(run=run).delete()
    if GradingRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.FAILED,
        step=STOPPED_STEP if interrupted else "失败",
        error=message,
        interrupted=interrupted,
        finished_at=timezone.now(),
    ):
        root = run.campaign.root
        record(actor=run.started_by, verb="grading.fail", target=run, organization=root, note=message)


def _counts(result: GroupedResult) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, summary in result.summaries:
        counts.update(summary.counts)
    return dict(counts)


def _write_results(run: GradingRun, rows, result: GroupedResult) -> None:
    def values():
        for row, r, key in zip(rows, result.results, result.keys, strict=True):
            b = row.branch
            yield (
                run.pk,
                row.organization_id,
                row.sheet_id,
                b.code,
                b.name,
                b.township,
                row.domain,
                key,
                b.score,
                b.satisfaction,
                *(b.votes or (None, None)),
                *b.evaluation,
                b.veto,
                b.veto_cap,
                b.weak,
                b.declared,
                b.proposal,
                b.committed,
                r.grade,
                r.rank,
                r.rank_total,
                r.county_rank,
                r.reason[:1000],
                r.grade,
                "",
            )

    written = 0
    for batch in chunks(values(), WRITE_BATCH):
        with transaction.atomic():
            written += copy_rows(RunResult, RESULT_FIELDS, batch)
        _progress(run.pk, progress_done=written)


def run_summary(result: GroupedResult) -> dict:
    """The main group's quotas, and each other group's under "groups" (see `groups`)."""
    (_, main), *others = result.summaries
    summary = summary_dict(main)
    if others:
        summary["groups"] = [
            {
                "key": g.key,
                "title": g.scheme.title or g.key,
                "domains": domain_names(g.domains),
                **summary_dict(s),
            }
            for g, s in others
        ]
    return summary


def summary_dict(s: GradingSummary) -> dict:
    """What the results page shows of the quotas, and the limits an override must keep."""
    return {
        "total": s.total,
        "base": s.base,
        "counts": dict(s.counts),
        "quotas": [
            {"grade": q.grade, "limit": q.limit, "used": q.used, "rule": q.description} for q in s.quotas
        ],
        "floor": None
        if s.floor is None
        else {
            "label": s.floor.label,
            "minimum": s.floor.minimum,
            "after": s.floor.after,
            "rule": s.floor.description,
        },
        "limits": limits_to_dict(limits_of(s)),
    }


@transaction.atomic
def result_override(*, actor, result: RunResult, grade: str, reason: str) -> RunResult:
    """The county changes one branch's grade, with a reason; quotas must still hold unless allowed."""
    current = (
        RunResult.objects.select_for_update(of=("self",))
        .select_related("run__campaign__root")
        .get(pk=result.pk)
    )
    run = GradingRun.objects.select_for_update().get(pk=current.run_id)
    campaign = current.run.campaign
    _check_may_grade(actor, campaign)
    if not reason.strip():
        raise GradingError("调整等级必须填写理由")
    if run.state != RunState.DONE:
        raise GradingError("定级尚未完成，不能调整")
    if run.submitted_at is not None:
        raise GradingError("该次定级结果已提交公示，不能再调整")
    scheme, policy = result_scheme(run, current), run_policy(run)
    labels = scheme.labels
    if grade not in labels:
        raise GradingError(f"等级“{grade}”无效，应为{'、'.join(labels)}之一")
    if grade == current.final_grade:
        raise GradingError(f"该支部已是{grade}")
    if current.committed:
        raise GradingError(
            f"该支部已按{current.committed_grade}提交公示，本次定级保持不变；如需改变，请通过异议处理退回重审"
        )
    caps = [
        scheme.cap(
            veto=current.veto,
            veto_cap=current.veto_cap,
            weak=current.weak,
            satisfaction=current.satisfaction,
            votes=current.votes,
            needs_evaluation=policy.needs_evaluation,
            declared=current.declared if policy.cap_at_declared else "",
        )
    ]
    if policy.proposals and not current.scheme and (not_proposed := proposal_cap(scheme, current.proposal)):
        caps.append((labels[not_proposed[0]], not_proposed[1]))
    for highest, why in filter(None, caps):
        if labels.index(grade) < labels.index(highest):
            raise GradingError(f"该支部{why}，最高只能评为{highest}")
    group = RunResult.objects.filter(run=run, scheme=current.scheme)  # quotas hold within its scheme group
    grouped = group.values_list("township", "final_grade").annotate(n=Count("pk"))
    before_counts = Counter({(t, g): n for t, g, n in grouped.order_by()})
    after_counts = before_counts.copy()
    after_counts[(current.township, current.final_grade)] -= 1
    after_counts[(current.township, grade)] += 1
    problems = worsened(run_limits(run)[current.scheme], before_counts, after_counts)
    if problems and not campaign.allow_quota_override:
        raise GradingError([f"调整后将突破名额：{problems[0]}", *problems[1:]])
    before = {"final_grade": current.final_grade, "override_reason": current.override_reason}
    current.final_grade = grade
    current.override_reason = reason.strip()[:500] if grade != current.grade else ""
    current.override_by, current.override_at = actor, timezone.now()
    current.save()
    record(
        actor=actor,
        verb="grading.override",
        target=current,
        organization=current.organization,
        before=before,
        after={"final_grade": grade, "computed_grade": current.grade, "quota_breaches": problems},
        note=reason.strip(),
    )
    return current


def _pending_at_the_top(run: GradingRun) -> list[str]:
    """The run's top-grade branches whose proposal the county has not re-checked (as of the run, or
    since: a proposal re-checked after the run needs a new run, which grades it as decided)."""
    top = run_scheme(run).labels[0]
    return list(
        RunResult.objects.filter(run=run, scheme=MAIN, final_grade=top, proposal=ProposalState.PENDING)
        .order_by("county_rank")
        .values_list("name", flat=True)
    )


def _grades_new_organizations(run: GradingRun, submitted: GradingRun) -> bool:
    """A later run may be submitted when it grades organizations the submitted one did not (reviewed
    since), or that an upheld objection took off their notice; the notices leave out the
    organizations published already."""
    from chuangyou.notices.queries import new_to_notice  # notices build on grading

    return new_to_notice(run, submitted).exists()


@transaction.atomic
def run_submit(*, actor, run: GradingRun) -> GradingRun:
    """Mark a finished run as the result that goes to public notice (提交公示)."""
    Campaign.objects.select_for_update().get(pk=run.campaign_id)  # one submission per campaign
    current = (
        GradingRun.objects.select_for_update(of=("self",)).select_related("campaign__root").get(pk=run.pk)
    )
    _check_may_grade(actor, current.campaign)
    if current.state != RunState.DONE:
        raise GradingError("只有已完成的定级可以提交公示")
    if current.submitted_at is not None:
        raise GradingError("该次定级结果已提交公示")
    newer = (
        GradingRun.objects.filter(campaign=current.campaign, number__gt=current.number)
        .exclude(state=RunState.FAILED)
        .order_by("-number")
        .first()
    )
    if newer is not None:
        raise GradingError(
            f"已有更新的第{newer.number}次定级（{newer.get_state_display()}），请提交最新一次的结果"
        )
    submitted = (
        GradingRun.objects.filter(campaign=current.campaign, submitted_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if submitted is not None and not (
        submitted.number < current.number and _grades_new_organizations(current, submitted)
    ):
        raise GradingError(
            f"第{submitted.number}次定级结果已提交公示，本次定级没有新的待公示组织，不能再提交"
        )
    if (current.domain_schemes or {}) != (current.campaign.domain_schemes or {}):
        raise GradingError("本次定级之后分领域评定方案已修改，请重新定级后再提交公示")
    if run_policy(current).proposals and (pending := _pending_at_the_top(current)):
        raise GradingError(
            f"以下党组织由乡镇（街道）推荐为{run_scheme(current).labels[0]}，尚未经县委组织部复核，"
            f"复核后请重新定级再提交：{'、'.join(pending)}"
        )
    current.submitted_at, current.submitted_by = timezone.now(), actor
    current.save(update_fields=["submitted_at", "submitted_by"])
    counts = dict(
        RunResult.objects.filter(run=current).values_list("final_grade").annotate(n=Count("pk")).order_by()
    )
    record(
        actor=actor,
        verb="grading.submit",
        target=current,
        organization=current.campaign.root,
        after={"number": current.number, "counts": {g: counts.get(g, 0) for g in run_labels(current)}},
    )
    return current
