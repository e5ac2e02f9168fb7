"""The scheme, policy and scheme groups (a scheme per domain) of a run, as stored with the run.

`run.summary` holds the main group's quotas at its top level (as a run with one scheme has them) and
each other group's under "groups", with its scheme key, title and domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.rules.grade_scheme import GradeScheme, SchemeError, load_scheme, scheme_from_text
from chuangyou.rules.grading import Policy
from chuangyou.rules.quota_check import QuotaLimits, limits_from_dict
from chuangyou.rules.scheme_groups import MAIN, SchemeGroup, scheme_groups


def run_scheme(run: GradingRun) -> GradeScheme:
    """The scheme a run was started under, as stored with the run: a later change of the campaign's
    scheme changes neither a queued run nor the grades its overrides may choose."""
    return (
        scheme_from_text(run.scheme_text, source=run.scheme) if run.scheme_text else load_scheme(run.scheme)
    )


def run_policy(run: GradingRun) -> Policy:
    """The campaign's grading rules as stored with the run when it started."""
    return Policy.from_dict(run.policy or {})


def run_groups(run: GradingRun) -> tuple[SchemeGroup, ...]:
    return scheme_groups(run_scheme(run), run.domain_schemes or {})


def result_scheme(run: GradingRun, result: RunResult) -> GradeScheme:
    """The scheme that graded this result."""
    return next((g.scheme for g in run_groups(run) if g.key == result.scheme), run_scheme(run))


def interleaved_labels(schemes) -> tuple[str, ...]:
    """The grades of several schemes, best first: each scheme's first grade, then each one's second…
    (优秀、好、良好、较好、一般、软弱涣散、较差), each label once."""
    seen: dict[str, None] = {}
    for row in zip_longest(*(s.labels for s in schemes)):
        for label in row:
            if label is not None:
                seen.setdefault(label, None)
    return tuple(seen)


def run_labels(run: GradingRun) -> tuple[str, ...]:
    return interleaved_labels(g.scheme for g in run_groups(run))


@dataclass(frozen=True)
class GroupSummary:
    key: str
    title: str
    domains: str  # the domains' names; empty for the main group
    summary: dict


def group_summaries(run: GradingRun) -> list[GroupSummary]:
    """The stored quotas of each group, the main group's first."""
    summary = run.summary or {}
    try:
        title = run_scheme(run).title or run.scheme
    except SchemeError:
        title = run.scheme
    main = GroupSummary(MAIN, title, "", summary)
    return [main, *(GroupSummary(g["key"], g["title"], g["domains"], g) for g in summary.get("groups", []))]


def run_limits(run: GradingRun) -> dict[str, QuotaLimits]:
    """Each group's quota limits (group key → limits)."""
    return {g.key: limits_from_dict(g.summary.get("limits", {})) for g in group_summaries(run)}
