"""Reviewed sheets with chosen grading inputs, written directly (the review path is tested elsewhere)."""

from decimal import Decimal

import pytest

from chuangyou.assessments.models import ScoreSheet
from chuangyou.orgs.models import Domain, Kind, Organization


def set_inputs(december, code, score, satisfaction=None, veto="", weak=""):
    """Mark a branch's December sheet reviewed with these grading inputs."""
    ScoreSheet.objects.filter(round=december, organization__code=code).update(
        state="reviewed",
        final_total=Decimal(score),
        final_satisfaction=None if satisfaction is None else Decimal(satisfaction),
        final_veto=veto,
        final_weak=weak,
    )


def add_branches(tree, december, count, values, *, town_of=lambda i: i % 2, prefix="X", domain_of=None):
    """`count` branches bulk-created under 甲镇 (town_of(i) == 0) or 乙街道 (1), each with a reviewed
    December sheet whose grading inputs are `values(i)` (final_total, final_satisfaction, …)."""
    rubric = december.campaign.rubrics.get(domain=Domain.VILLAGE).rubric
    towns = [Organization.objects.get(pk=tree[k].pk) for k in ("town_a", "town_b")]
    taken = {t.pk: t.numchild for t in towns}
    orgs = []
    for i in range(count):
        town = towns[int(town_of(i))]
        taken[town.pk] += 1
        orgs.append(
            Organization(
                path=Organization._get_path(town.path, town.depth + 1, taken[town.pk]),
                depth=town.depth + 1,
                numchild=0,
                code=f"{prefix}{i:04d}",
                name=f"第{i}党支部",
                kind=Kind.BRANCH,
                domain=domain_of(i) if domain_of else Domain.VILLAGE,
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=1000)
    for town in towns:
        Organization.objects.filter(pk=town.pk).update(numchild=taken[town.pk])
    created = Organization.objects.filter(code__in=[o.code for o in orgs]).order_by("code")
    ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(
                round=december, organization=o, rubric=rubric, items_total=4, state="reviewed", **values(i)
            )
            for i, o in enumerate(created)
        ],
        batch_size=1000,
    )


@pytest.fixture
def three(december):
    """The tree's three branches reviewed: TA01 96, TA02 91, TB01 85."""
    for code, score in (("TA01", "96"), ("TA02", "91"), ("TB01", "85")):
        set_inputs(december, code, score, "95")
    return december
