"""A run compares the satisfaction gate exactly (the votes frozen with the review) and, by default,
caps a branch without a valid 民主测评 where the scheme has a gate; the command does the same."""

import csv

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import Campaign
from chuangyou.commands import grade
from chuangyou.grading import services as grading
from tests.grading.conftest import set_inputs


@pytest.fixture
def gated(campaign, december, reviewed):
    """jiguan2012 (below 90 % satisfaction: at most 一般), the ranks decided by score alone."""
    Campaign.objects.filter(pk=campaign.pk).update(scheme="jiguan2012", allow_quota_override=True)
    ScoreSheet.objects.filter(round=december).update(applied_grade="好")  # a grade of this scheme
    set_inputs(december, "TA01", "95", "90")  # 3599/3999 shows as 90.00
    ScoreSheet.objects.filter(round=december, organization__code="TA01").update(
        final_favourable_votes=3599, final_valid_votes=3999
    )
    set_inputs(december, "TA02", "94")  # no valid evaluation
    set_inputs(december, "TB01", "93", "95")
    return campaign


def test_the_gate_is_exact_and_a_missing_evaluation_is_capped(gated, personas):
    run = grading.run_start(actor=personas["county_admin"], campaign=gated)
    grades = {r.code: r for r in run.results.all()}
    assert grades["TA01"].final_grade == "一般"
    assert grades["TA01"].reason.startswith("满意率89.9974%（满意和基本满意3599票/有效3999票）低于90%")
    assert grades["TA02"].final_grade == "一般"
    assert grades["TA02"].reason.startswith("无有效的民主测评满意率，最高评为一般")
    with pytest.raises(grading.GradingError, match="该支部无有效的民主测评满意率，最高只能评为一般"):
        grading.result_override(actor=personas["county_admin"], result=grades["TA02"], grade="好", reason="x")


def test_the_campaign_may_let_branches_without_an_evaluation_pass(gated, personas):
    Campaign.objects.filter(pk=gated.pk).update(needs_evaluation=False)
    run = grading.run_start(actor=personas["county_admin"], campaign=gated)
    assert run.results.get(code="TA02").reason.startswith("得分94")
    assert run.results.get(code="TA01").final_grade == "一般"  # the exact gate still applies


@pytest.mark.parametrize("needs_evaluation", [True, False])
def test_the_command_gives_the_same_grades(gated, personas, client_for, tmp_path, needs_evaluation):
    Campaign.objects.filter(pk=gated.pk).update(needs_evaluation=needs_evaluation)
    run = grading.run_start(actor=personas["county_admin"], campaign=gated)
    web = {r.code: (r.final_grade, r.reason) for r in run.results.all()}
    response = client_for("county_admin").get(reverse("grading:export", args=[run.pk]))
    (source := tmp_path / "export.xlsx").write_bytes(b"".join(response.streaming_content))
    out = tmp_path / "out.csv"
    options = ["--cap-without-evaluation"] if needs_evaluation else []
    assert grade.main([str(source), "-o", str(out), "--scheme", "jiguan2012", *options]) == 0
    with open(out, encoding="utf-8-sig", newline="") as stream:
        assert {row["组织代码"]: (row["等级"], row["说明"]) for row in csv.DictReader(stream)} == web
