"""Properties of a whole grading run over random campaigns (hypothesis, against the database).

Each example builds its townships, branches and reviewed sheets inside a transaction, runs the grading
service, checks the stored run and rolls everything back, so the examples do not see each other.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.rules.grade_scheme import PRESETS
from chuangyou.rules.grading import BranchScore, grade_branches
from chuangyou.rules.quota_check import breaches, limits_from_dict


class _Rollback(Exception):
    """Raised at the end of every example to undo it."""


hundredths = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)
branch = st.tuples(
    st.integers(min_value=0, max_value=3),  # township, folded into the number of townships
    hundredths,  # score 0–100, up to 2 decimals
    st.one_of(st.none(), hundredths),  # satisfaction
    st.sampled_from(["", "", "", "", "", "", "", "", "", "违反中央八项规定精神"]),  # veto
    st.sampled_from(["", "", "", "", "", "", "", "", "", "", "", "书记长期缺职"]),  # weak
)
campaigns = st.fixed_dictionaries(
    {
        "townships": st.integers(min_value=1, max_value=4),
        "branches": st.lists(branch, min_size=1, max_size=60),
        "scope": st.sampled_from(["county", "township"]),
        "scheme": st.sampled_from(PRESETS),
        "base": st.sampled_from(["participants", "graded"]),
    }
)


def build(december, townships: int, branches) -> dict[str, tuple]:
    """Townships under the county, branches under them (bulk, with valid treebeard paths) and their
    reviewed sheets; returns code -> (township name, score, satisfaction, veto, weak)."""
    county = Organization.objects.get(pk=december.campaign.root_id)
    towns = []
    for t in range(townships):
        fields = {"code": f"P{t}", "name": f"属地{t}党委", "kind": Kind.TOWNSHIP}
        towns.append(Organization.objects.add_child(Organization.objects.get(pk=county.pk), fields))
    steps = Counter()
    orgs, expected = [], {}
    for n, (t, score, satisfaction, veto, weak) in enumerate(branches):
        town = towns[t % townships]
        steps[town.pk] += 1
        code = f"P{t % townships}B{n:02d}"
        orgs.append(
            Organization(
                path=Organization._get_path(town.path, town.depth + 1, steps[town.pk]),
                depth=town.depth + 1,
                numchild=0,
                code=code,
                name=f"第{n}党支部",
                kind=Kind.BRANCH,
                domain=Domain.VILLAGE,
            )
        )
        expected[code] = (town.name, score, satisfaction, veto, weak)
    Organization.objects.bulk_create(orgs)
    for town in towns:
        Organization.objects.filter(pk=town.pk).update(numchild=steps[town.pk])
    rubric = ScoreSheet.objects.filter(round=december).first().rubric
    by_code = dict(Organization.objects.filter(code__in=expected).values_list("code", "pk"))
    ScoreSheet.objects.bulk_create(
        ScoreSheet(
            round=december,
            organization_id=by_code[code],
            rubric=rubric,
            state=SheetState.REVIEWED,
            final_total=score,
            final_satisfaction=satisfaction,
            final_veto=veto,
            final_weak=weak,
        )
        for code, (_, score, satisfaction, veto, weak) in expected.items()
    )
    return expected


def finals_of(run) -> list[tuple[str, str]]:
    return list(run.results.values_list("township", "final_grade"))


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(campaigns, st.data())
def test_a_run_keeps_its_quotas_and_equals_the_core(december, campaign, admin, example, data):
    try:
        with transaction.atomic():
            check_one_campaign(december, campaign, admin, example, data)
            raise _Rollback
    except _Rollback:
        pass
    assert not Organization.objects.filter(code__startswith="P").exists()


def check_one_campaign(december, campaign, admin, example, data):
    expected = build(december, example["townships"], example["branches"])
    Campaign.objects.filter(pk=campaign.pk).update(
        quota_scope=example["scope"],
        scheme=example["scheme"],
        quota_base=example["base"],
        allow_quota_override=False,
    )
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    assert run.state == RunState.DONE, run.error
    assert (run.progress_total, run.not_reviewed) == (len(expected), 3)  # 甲一村, 甲二村, 乙社区: drafts

    # The inputs as stored are the sheets' grading inputs, with the township's name.
    rows = list(run.results.order_by("code"))
    assert {r.code: (r.township, r.score, r.satisfaction, r.veto, r.weak) for r in rows} == expected

    # The quotas of the summary hold, counted from the stored grades.
    summary = run.summary
    counts = Counter(r.final_grade for r in rows)
    assert summary["counts"] == {g: counts[g] for g in summary["counts"]} and sum(counts.values()) == len(
        rows
    )
    for quota in summary["quotas"]:
        assert counts[quota["grade"]] == quota["used"] <= quota["limit"]
    if summary["floor"]:
        floor = summary["limits"]["floor"]
        assert sum(counts[g] for g in floor["grades"]) >= floor["minimum"] == summary["floor"]["minimum"]
    base = Campaign.objects.get(pk=campaign.pk).participants_by_township()
    if example["base"] == "graded":
        base = None
        assert summary["base"] == len(rows)
    else:  # the three drafts count in the quota base
        assert summary["base"] == len(rows) + 3 == sum(base.values())
    if example["scope"] == "township":
        assert set(summary["limits"]["seats"]) == set(base or {t for t, *_ in expected.values()})
    else:
        assert summary["limits"]["seats"] == {}
    limits = limits_from_dict(summary["limits"])
    assert breaches(limits, finals_of(run)) == []

    # The results are the core's on the inputs read back.
    inputs = [
        BranchScore(
            code=r.code,
            name=r.name,
            township=r.township,
            score=r.score,
            satisfaction=r.satisfaction,
            veto=r.veto,
            weak=r.weak,
            committed=r.committed_grade,
            votes=r.votes,
            declared=r.declared,
            proposal=r.proposal,
        )
        for r in rows
    ]
    result = grade_branches(
        inputs, grading.run_scheme(run), run.quota_scope, base=base, policy=grading.run_policy(run)
    )
    assert [(r.grade, r.final_grade, r.rank, r.rank_total, r.county_rank, r.reason) for r in rows] == [
        (g.grade, g.grade, g.rank, g.rank_total, g.county_rank, g.reason) for g in result.results
    ]
    assert summary == grading.summary_dict(result.summary)

    # Overrides the service accepts never break the quotas or lift a cap; those it refuses say why.
    labels = grading.run_scheme(run).labels
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="overrides")):
        target = data.draw(st.sampled_from(rows), label="branch")
        target.refresh_from_db()
        grade = data.draw(st.sampled_from([g for g in labels if g != target.final_grade]), label="grade")
        try:
            grading.result_override(actor=admin, result=target, grade=grade, reason="随机调整")
        except grading.GradingError as refused:
            assert refused.errors[0].startswith(("调整后将突破名额：", "该支部"))
            target.refresh_from_db()
            assert target.final_grade != grade
        assert breaches(limits, finals_of(run)) == []
