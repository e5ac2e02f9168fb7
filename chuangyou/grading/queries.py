"""Reads for the grading pages, each in a fixed number of queries whatever the size of the run.

Runs are fetched through `GradingRun.objects.visible_to`, results through `RunResult.objects.visible_to`
(the user's subtrees), so a township sees its own branches and the counts over them only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from chuangyou.accounts.scope import REVIEW_READERS, scope_of
from chuangyou.assessments.models import GRADABLE_STATES
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import groups
from chuangyou.grading.groups import run_scheme
from chuangyou.grading.models import ACTIVE_STATES, GradingRun, RunResult, RunState
from chuangyou.lib.lookup import get_or_404
from chuangyou.orgs.models import Domain
from chuangyou.rules.grade_scheme import SchemeError
from chuangyou.rules.scheme_groups import group_heading

PER_PAGE = 50
# Sort key (query parameter) -> label and database ordering; anything else falls back to the default.
# Ranks restart in each scheme group (per-domain schemes): rank order is group by group.
RANK_ORDER = ("scheme", "county_rank", "code")
SORTS = {
    "county_rank": ("排名", RANK_ORDER),
    "score": ("得分", ("-score", *RANK_ORDER)),
    "code": ("组织代码", ("code",)),
    "township": ("所属党委", ("township", *RANK_ORDER)),
}
DEFAULT_SORT = "county_rank"
DOMAIN_NAMES = dict(Domain.choices)


# --- Access helpers: 404 outside the user's scope, 403 for roles that do not read grades ----------


def _check_reads_grades(user) -> None:
    """Before the public notice, grades are for the county and township reviewers, the leading group
    and the auditors; a branch sees its grade once it is published."""
    if not scope_of(user).has_role(*REVIEW_READERS):
        raise PermissionDenied("定级结果在公示前仅供县、乡两级组织部门查看")


def get_campaign_for_user(user, pk) -> Campaign:
    campaigns = Campaign.objects.visible_to(user).select_related("root")
    campaign = get_or_404(campaigns, pk, "活动不存在或不在您的管辖范围内")
    _check_reads_grades(user)
    return campaign


def get_run_for_user(user, pk) -> GradingRun:
    runs = GradingRun.objects.visible_to(user).select_related("campaign__root", "started_by", "submitted_by")
    run = get_or_404(runs, pk, "定级不存在或不在您的管辖范围内")
    _check_reads_grades(user)
    return run


def get_result_for_user(user, pk) -> RunResult:
    results = (
        RunResult.objects.visible_to(user)
        .filter(run__in=GradingRun.objects.visible_to(user))
        .select_related("run__campaign__root", "run__started_by", "sheet", "override_by")
    )
    result = get_or_404(results, pk, "定级结果不存在或不在您的管辖范围内")
    _check_reads_grades(user)
    return result


def sees_whole(user, campaign: Campaign) -> bool:
    """The user's scope covers the campaign's whole tree (the county view, not one township's)."""
    return scope_of(user).contains(campaign.root)


# --- The grade labels of a run -------------------------------------------------------------------


def run_labels(run: GradingRun) -> tuple[str, ...]:
    """The grades of the schemes the run used, best first."""
    try:
        return groups.run_labels(run)
    except SchemeError:
        return tuple(run.summary.get("counts", {}))


def result_labels(result: RunResult) -> tuple[str, ...]:
    """The grades of the scheme that graded this result, best first."""
    try:
        return groups.result_scheme(result.run, result).labels
    except SchemeError:
        return run_labels(result.run)


def scheme_title(run: GradingRun) -> str:
    """The scheme's name as a county reads it (四档评定……), not its file key."""
    try:
        return run_scheme(run).title or run.scheme
    except SchemeError:
        return run.scheme


def scheme_names(stored: list[groups.GroupSummary]) -> dict[str, str]:
    """Group key → its scheme's title, when the run graded domains under several schemes (else empty:
    one scheme needs no column); `stored` is the run's `groups.group_summaries`."""
    return {g.key: g.title for g in stored} if len(stored) > 1 else {}


def top_grades(run: GradingRun) -> list[str]:
    """The top grade of each scheme the run used (the candidates the county re-checks), in the
    order of the run's grades."""
    labels = run_labels(run)
    try:
        top = {g.scheme.labels[0] for g in groups.run_groups(run)}
    except SchemeError:
        return list(labels[:1])
    return [label for label in labels if label in top]


def group_total(stored: list[groups.GroupSummary], key: str) -> int | None:
    """The branches the run graded under this scheme group (the range of its ranks)."""
    return next((g.summary.get("total") for g in stored if g.key == key), None)


def campaign_labels(campaign: Campaign) -> tuple[str, ...]:
    try:
        return groups.interleaved_labels(g.scheme for g in campaign.scheme_groups())
    except SchemeError:
        return ()


# --- The campaign's grading page -----------------------------------------------------------------


def branch_counts(user, campaign: Campaign) -> dict[str, int]:
    """Branches that take part and those with a finished review, inside the user's scope."""
    scope = scope_of(user)
    participants = campaign.participants().filter(scope.q_for("path", roles=REVIEW_READERS))
    reviewed = (
        campaign.graded_sheets()
        .filter(state__in=GRADABLE_STATES, organization__in=campaign.participants())
        .filter(scope.q_for("organization__path", roles=REVIEW_READERS))
    )
    counts = {"participants": participants.count(), "reviewed": reviewed.count()}
    counts["not_reviewed"] = max(counts["participants"] - counts["reviewed"], 0)
    return counts


def campaign_runs(campaign: Campaign):
    return GradingRun.objects.filter(campaign=campaign).select_related("started_by", "submitted_by")


def active_run(campaign: Campaign) -> GradingRun | None:
    return GradingRun.objects.filter(campaign=campaign, state__in=ACTIVE_STATES).first()


def counts_by_run(user, runs) -> dict[int, dict[str, int]]:
    """Final grades per run (one query for the runs of a page), inside the user's scope."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        RunResult.objects.visible_to(user)
        .filter(run__in=[r.pk for r in runs])
        .order_by()
        .values_list("run_id", "final_grade")
        .annotate(n=Count("pk"))
    )
    for run_id, grade, n in rows:
        counts[run_id][grade] = n
    return counts


# --- The run page --------------------------------------------------------------------------------


def results_for(user, run: GradingRun):
    return RunResult.objects.visible_to(user).filter(run=run)


@dataclass
class Distribution:
    """Grade counts per township or per domain: rows of (key, label, counts in grade order, total)."""

    labels: tuple[str, ...]
    rows: list[dict] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [r["key"] for r in self.rows]

    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(self.labels, 0)
        for row in self.rows:
            for grade, n in row["by_grade"].items():
                totals[grade] = totals.get(grade, 0) + n
        return totals


def distribution(results, field_name: str, labels: tuple[str, ...]) -> Distribution:
    """One aggregate query: final grades counted per value of `field_name` (township or domain)."""
    by_key: dict[str, dict[str, int]] = defaultdict(dict)
    for key, grade, n in results.order_by().values_list(field_name, "final_grade").annotate(n=Count("pk")):
        by_key[key][grade] = n
    extra = sorted({g for counts in by_key.values() for g in counts} - set(labels))
    all_labels = (*labels, *extra)
    dist = Distribution(labels=all_labels)
    for key in sorted(by_key):
        counts = by_key[key]
        label = DOMAIN_NAMES.get(key, key or "未填写") if field_name == "domain" else key or "（未填写）"
        dist.rows.append(
            {
                "key": key,
                "label": label,
                "by_grade": counts,
                "counts": [counts.get(g, 0) for g in all_labels],
                "total": sum(counts.values()),
            }
        )
    return dist


def counts_by_scheme(results) -> dict[str, dict[str, int]]:
    """Scheme group key → final grade → branches (one query)."""
    counts: dict[str, dict[str, int]] = {}
    grouped = results.order_by().values_list("scheme", "final_grade").annotate(n=Count("pk"))
    for key, grade, n in grouped:
        counts.setdefault(key, {})[grade] = n
    return counts


def quota_rows(
    stored: list[groups.GroupSummary], counts: dict[str, dict[str, int]], *, whole: bool, townships: list[str]
) -> list[dict]:
    """The quotas of each scheme group (`stored`: the run's `groups.group_summaries`) beside its final
    grades now (after any adjustment); `counts` as `counts_by_scheme`. With several groups, each
    group's rows follow a heading row.

    In the county view: "优秀 8/8" and "一般及以下 98 ≥ 12". In a township's view: its own counts,
    against its seats when the quotas were apportioned per township, else beside the county's limit.
    """
    rows = []
    for group in stored:
        if len(stored) > 1:
            summary = group.summary
            base = summary.get("base", summary.get("total", 0))
            rows.append(
                {
                    "heading": f"{group_heading(group.domains, group.title)}，名额基数{base}个",
                    "key": group.key,
                }
            )
        rows += _quota_rows(group.summary, counts.get(group.key, {}), whole=whole, townships=townships)
    return rows


def _quota_rows(summary: dict, counts: dict[str, int], *, whole: bool, townships: list[str]) -> list[dict]:
    seats = (summary.get("limits") or {}).get("seats") or {}
    rows = []
    for q in summary.get("quotas", []):
        grade, limit = q["grade"], q["limit"]
        used = counts.get(grade, 0)
        if whole:
            text, ok = f"{grade} {used}/{limit}", used <= limit
            rule = f"至多{limit}个：{q['rule']}"
        elif seats:
            mine = sum(seats.get(t, {}).get(grade, 0) for t in townships)
            text, ok = f"{grade} {used}/{mine}", used <= mine
            rule = f"本党委名额{mine}个（全县{limit}个：{q['rule']}，按支部数以最大余数法分配）"
        else:
            text, ok = f"{grade} {used}", True
            rule = f"本范围{used}个；全县统一名额至多{limit}个（{q['rule']}）"
        rows.append({"grade": grade, "text": text, "rule": rule, "ok": ok, "checked": whole or bool(seats)})
    floor = summary.get("floor")
    if floor:
        floor_grades = ((summary.get("limits") or {}).get("floor") or {}).get("grades") or []
        used = sum(counts.get(g, 0) for g in floor_grades)
        minimum = floor["minimum"]
        if whole:
            text, ok = f"{floor['label']} {used} ≥ {minimum}", used >= minimum
            rule = f"至少{minimum}个：{floor['rule']}"
        else:
            text, ok = f"{floor['label']} {used}", True
            rule = f"全县至少{minimum}个（{floor['rule']}）"
        rows.append({"grade": floor["label"], "text": text, "rule": rule, "ok": ok, "checked": whole})
    return rows


def sorted_results(results, sort: str):
    key = sort if sort in SORTS else DEFAULT_SORT
    return results.order_by(*SORTS[key][1])


def score_breakdown(sheet) -> list[dict]:
    """Per category: its points, the branch's own subtotal and the reviewed one (one query)."""
    from chuangyou.rubrics.models import Category

    own = dict(sheet.subtotals or {})
    final = dict(sheet.final_subtotals or {})
    rows = []
    for name, points in Category.objects.filter(rubric=sheet.rubric_id).values_list("name", "points"):
        rows.append(
            {"name": name, "points": points, "own": own.pop(name, None), "final": final.pop(name, None)}
        )
    for name in [*own, *(n for n in final if n not in own)]:
        rows.append({"name": name, "points": None, "own": own.get(name), "final": final.get(name)})
    return rows


# --- Changes against the previous run ------------------------------------------------------------


def previous_run(run: GradingRun) -> GradingRun | None:
    """The last finished run of the same campaign before this one."""
    return (
        GradingRun.objects.filter(campaign_id=run.campaign_id, state=RunState.DONE, number__lt=run.number)
        .order_by("-number")
        .first()
    )


def changed_results(user, run: GradingRun, previous: GradingRun):
    """This run's branches whose final grade differs from the previous run's, or that are new to it."""
    before = RunResult.objects.filter(run=previous, organization=OuterRef("organization"))
    return (
        results_for(user, run)
        .annotate(
            previous_grade=Subquery(before.values("final_grade")[:1]),
            previous_score=Subquery(before.values("score")[:1]),
            previous_id=Subquery(before.values("pk")[:1]),
        )
        .filter(Q(previous_id__isnull=True) | ~Q(previous_grade=F("final_grade")))
        .order_by(*RANK_ORDER)
    )


def missing_results(user, run: GradingRun, previous: GradingRun):
    """Branches graded in the previous run that this run does not have."""
    now = RunResult.objects.filter(run=run, organization=OuterRef("organization"))
    return results_for(user, previous).filter(~Exists(now)).order_by(*RANK_ORDER)


# --- Export --------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "code",
    "name",
    "township",
    "score",
    "satisfaction",
    "veto",
    "veto_cap",
    "weak",
    "declared",
    "committed_grade",
    "favourable_votes",
    "valid_votes",
    "members_score",
    "public_score",
    "domain",
    "final_grade",
    "rank",
    "reason",
    "scheme",
    "grade",
    "override_reason",
)


def export_rows(user, run: GradingRun):
    """The run's results inside the user's scope, in county rank order, as plain tuples (streamed)."""
    return results_for(user, run).order_by(*RANK_ORDER).values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
