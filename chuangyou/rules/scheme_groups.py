"""A scheme per domain: a campaign may grade some domains under another scheme than its own (机关、学校、
医院 under the 2012 four-level scheme with its 90 % gate; 村、社区、两新 under seed 000's). Each group is
graded alone: its quotas are shares of its own branches, its ranks run within it.

The campaign's own scheme is the main group (key ""): every domain no other group takes. Township
proposals (seed 000 其次) belong to it; a tolerance applies only where a scheme has a target quota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from chuangyou.rules.grade_scheme import PRESETS, GradeScheme, SchemeError, load_scheme
from chuangyou.rules.grading import (
    BranchScore,
    GradeResult,
    GradingInputError,
    GradingResult,
    GradingSummary,
    Policy,
    QuotaScope,
    grade_branches,
    policy_errors,
)

MAIN = ""


@dataclass(frozen=True)
class SchemeGroup:
    key: str  # the preset's key; MAIN for the campaign's own scheme
    scheme: GradeScheme
    domains: frozenset[str]  # the domains graded under it; empty for the main group (all the others)

    @property
    def main(self) -> bool:
        return self.key == MAIN


OTHER_DOMAINS = "其他领域"  # the main group's name: every domain without a scheme of its own


def group_heading(domains: str, title: str) -> str:
    """A group's heading, e.g. '机关：机关三档评定': its domains by name and its scheme's title."""
    return f"{domains or OTHER_DOMAINS}：{title}"


def domain_scheme_errors(
    domain_schemes: Mapping[str, str], domain_names: Mapping[str, str], main: str
) -> list[str]:
    """Settings that cannot be graded, each naming its domain: an unknown domain or scheme."""
    errors = []
    for domain, key in domain_schemes.items():
        where = domain_names.get(domain)
        if where is None:
            errors.append(f"领域“{domain}”无效")
        elif key and key != main and key not in PRESETS:
            errors.append(f"{where}：评定方案“{key}”无效")
    return errors


def scheme_groups(main: GradeScheme, domain_schemes: Mapping[str, str]) -> tuple[SchemeGroup, ...]:
    """The main group first, then one group per other scheme in the order of their keys. A domain set
    to the main scheme's own key (or to nothing) stays in the main group."""
    by_key: dict[str, set[str]] = {}
    for domain, key in domain_schemes.items():
        if key and key != main.name:
            by_key.setdefault(key, set()).add(domain)
    if unknown := sorted(set(by_key) - set(PRESETS)):
        raise SchemeError(f"分领域评定方案“{'、'.join(unknown)}”无效（应为{'、'.join(PRESETS)}之一）")
    others = tuple(SchemeGroup(key, load_scheme(key), frozenset(d)) for key, d in sorted(by_key.items()))
    return (SchemeGroup(MAIN, main, frozenset()), *others)


def group_key(groups: Sequence[SchemeGroup], domain: str) -> str:
    """The key of the group that grades a branch of this domain."""
    return next((g.key for g in groups if domain in g.domains), MAIN)


def group_policy(policy: Policy, group: SchemeGroup, groups: Sequence[SchemeGroup]) -> Policy:
    """The campaign's policy as it applies to one of several groups: proposals are the main
    scheme's, and a tolerance (or unused seats passed down) applies where the group's scheme has a
    target quota. With one group the policy is the campaign's as it is."""
    if len(groups) == 1:
        return policy
    targets = any(q.target for q in group.scheme.quotas)
    return replace(
        policy,
        proposals=policy.proposals and group.main,
        tolerance=policy.tolerance if targets else Decimal(0),
        pass_unused=policy.pass_unused and targets,
    )


def groups_policy_errors(groups: Sequence[SchemeGroup], policy: Policy) -> list[str]:
    """`policy_errors` over every group, each once; a tolerance needs a target quota in some group."""
    errors: dict[str, None] = {}
    for group in groups:
        errors.update(dict.fromkeys(policy_errors(group.scheme, group_policy(policy, group, groups))))
    targets = any(q.target for g in groups for q in g.scheme.quotas)
    if len(groups) > 1 and (policy.tolerance or policy.pass_unused) and not targets:
        errors.update(dict.fromkeys(policy_errors(groups[0].scheme, policy)))
    return list(errors)


@dataclass(frozen=True)
class GroupedResult:
    results: tuple[GradeResult, ...]  # in input order
    keys: tuple[str, ...]  # each result's group key, in input order
    summaries: tuple[tuple[SchemeGroup, GradingSummary], ...]  # in group order

    def by_code(self) -> dict[str, GradeResult]:
        return {r.code: r for r in self.results}

    @property
    def holds(self) -> bool:
        return all(s.holds for _, s in self.summaries)


def grade_in_groups(
    branches: Sequence[BranchScore],
    domains: Sequence[str],
    groups: Sequence[SchemeGroup],
    quota_scope: QuotaScope = "county",
    *,
    bases: Mapping[str, Mapping[str, int]] | None = None,
    policy: Policy = Policy(),  # noqa: B008 (frozen, shared safely)
) -> GroupedResult:
    """Grade each group alone under its scheme; `domains` gives each branch's domain, `bases` each
    group's quota base (township → existing branches; a group not in it, or None: the branches
    graded). A campaign with one group grades exactly as `grade_branches` does."""
    keys = tuple(group_key(groups, d) for d in domains)
    if len(keys) != len(branches):
        raise ValueError("每个党支部都须有领域")
    results: list[GradeResult | None] = [None] * len(branches)
    summaries = []
    for group in groups:
        positions = [i for i, k in enumerate(keys) if k == group.key]
        try:
            graded: GradingResult = grade_branches(
                [branches[i] for i in positions],
                group.scheme,
                quota_scope,
                base=None if bases is None else bases.get(group.key),
                policy=group_policy(policy, group, groups),
            )
        except GradingInputError as exc:
            if len(groups) == 1:
                raise
            raise GradingInputError(f"按“{group.scheme.title}”评定的党支部：{exc}") from None
        for i, r in zip(positions, graded.results, strict=True):
            results[i] = r
        summaries.append((group, graded.summary))
    return GroupedResult(tuple(results), keys, tuple(summaries))  # type: ignore[arg-type]
