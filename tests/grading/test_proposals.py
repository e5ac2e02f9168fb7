"""Township authority (seed 000 其次): the township proposes 优秀 candidates within its seats, the county
re-checks (复核) each with a method and a note; only proposed branches are 优秀, a run is not submitted
while a proposed 优秀 is not re-checked.

30 branches: 甲镇 15 (TA01 95, TA02 93, 13 at 70), 乙街道 15 (TB01 92, 14 at 70). 优秀 ≤ ⌊30×7%⌋ = 2,
apportioned 1 and 1.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import proposals
from chuangyou.grading import services as grading
from chuangyou.grading.models import Proposal
from chuangyou.orgs.models import Organization
from tests.conftest import make_user
from tests.grading.conftest import add_branches, set_inputs


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def town(personas):
    return personas["township_reviewer"]  # 甲镇's


@pytest.fixture
def campaign_with_proposals(campaign, december, reviewed, tree):
    Campaign.objects.filter(pk=campaign.pk).update(township_proposals=True)
    set_inputs(december, "TA01", "95")
    set_inputs(december, "TA02", "93")
    set_inputs(december, "TB01", "92")
    add_branches(tree, december, 27, lambda i: {"final_total": Decimal(70)})  # 14 甲镇, 13 乙街道
    add_branches(tree, december, 1, lambda i: {"final_total": Decimal(70)}, town_of=lambda i: 1, prefix="Y")
    ScoreSheet.objects.filter(round=december).update(applied_grade="优秀")
    return Campaign.objects.get(pk=campaign.pk)


def org(code):
    return Organization.objects.get(code=code)


def propose(actor, campaign, township, *codes):
    return proposals.proposals_set(
        actor=actor, campaign=campaign, township=township, organization_ids=[org(c).pk for c in codes]
    )


def decide(admin, code, state="accepted", method="site_visit", note="实地查看，材料属实"):
    proposal = Proposal.objects.get(organization__code=code)
    return proposals.proposal_decide(actor=admin, proposal=proposal, state=state, method=method, note=note)


def test_seats_are_the_county_quota_apportioned_by_existing_branches(campaign_with_proposals, tree):
    assert proposals.seats(campaign_with_proposals) == {"甲镇党委": 1, "乙街道党工委": 1}
    found = proposals.candidates(campaign_with_proposals, tree["town_a"])
    assert [c.organization.code for c in found] == ["TA01", "TA02"]  # reviewed and ≥ 90


def test_the_township_proposes_within_its_seats(campaign_with_proposals, tree, town):
    with pytest.raises(proposals.ProposalError) as refused:
        propose(town, campaign_with_proposals, tree["town_a"], "TA01", "TA02")
    assert refused.value.errors == [
        "甲镇党委可推荐优秀1个（县委名额按各乡镇现有党支部数以最大余数法分配），现选了2个"
    ]
    with pytest.raises(
        proposals.ProposalError, match="未完成审核或未达到优秀标准（90分），不能推荐：第0党支部"
    ):
        propose(town, campaign_with_proposals, tree["town_a"], "X0000")
    with pytest.raises(proposals.ProposalError, match="只有本乡镇（街道）审核人或县委组织部可以推荐优秀"):
        propose(town, campaign_with_proposals, tree["town_b"], "TB01")
    assert propose(town, campaign_with_proposals, tree["town_a"], "TA02") == ["甲二村党支部"]
    assert propose(town, campaign_with_proposals, tree["town_a"], "TA01") == ["甲一村党支部"]  # changed
    assert list(Proposal.objects.values_list("organization__code", "state")) == [("TA01", "pending")]
    event = AuditEvent.objects.filter(verb="proposal.set").latest("pk")
    assert (event.before, event.after) == ({"proposed": ["甲二村党支部"]}, {"proposed": ["甲一村党支部"]})


def test_only_proposed_branches_are_excellent_and_the_run_waits_for_the_recheck(
    campaign_with_proposals, tree, town, admin, personas
):
    propose(town, campaign_with_proposals, tree["town_a"], "TA01")
    run = grading.run_start(actor=admin, campaign=campaign_with_proposals)
    grades = {r.code: r for r in run.results.all()}
    assert (grades["TA01"].final_grade, grades["TA01"].proposal) == ("优秀", "pending")
    assert grades["TA02"].final_grade == "良好"
    assert grades["TA02"].reason.startswith("未经乡镇（街道）党（工）委推荐为优秀，最高评为良好")
    assert grades["TB01"].final_grade == "良好"  # 乙街道 proposed nobody: its seat stays empty
    with pytest.raises(
        grading.GradingError, match="该支部未经乡镇（街道）党（工）委推荐为优秀，最高只能评为良好"
    ):
        grading.result_override(actor=admin, result=grades["TA02"], grade="优秀", reason="县委认为优秀")
    with pytest.raises(
        grading.GradingError, match="尚未经县委组织部复核，复核后请重新定级再提交：甲一村党支部"
    ):
        grading.run_submit(actor=admin, run=run)

    with pytest.raises(proposals.ProposalError) as refused:
        decide(admin, "TA01", method="", note=" ")
    assert refused.value.errors == [
        "请选择复核方式（听取汇报、民主测评、查阅资料、实地查看、调查核实）",
        "请填写复核意见",
    ]
    with pytest.raises(proposals.ProposalError, match="只有县委组织部可以复核"):
        decide(town, "TA01")
    decided = decide(admin, "TA01")
    assert (decided.state, decided.method, decided.decided_by) == ("accepted", "site_visit", admin)
    assert AuditEvent.objects.get(verb="proposal.decide").after["state"] == "accepted"
    # The page shows a re-checked proposal disabled, so the form no longer sends it: saving keeps it.
    assert propose(town, campaign_with_proposals, tree["town_a"]) == ["甲一村党支部"]
    assert Proposal.objects.get(organization__code="TA01").state == "accepted"
    with pytest.raises(proposals.ProposalError, match="现选了2个（含复核同意的1个）"):
        propose(town, campaign_with_proposals, tree["town_a"], "TA02")
    again = grading.run_start(actor=admin, campaign=campaign_with_proposals)
    assert again.results.get(code="TA01").final_grade == "优秀"
    assert grading.run_submit(actor=admin, run=again).submitted_at is not None


def test_a_declined_proposal_is_moved_down_with_its_reason(campaign_with_proposals, tree, town, admin):
    propose(town, campaign_with_proposals, tree["town_a"], "TA01")
    decide(admin, "TA01", state="declined", note="群众反映较多，不同意评为优秀")
    run = grading.run_start(actor=admin, campaign=campaign_with_proposals)
    ta01 = run.results.get(code="TA01")
    assert ta01.final_grade == "良好"
    assert ta01.reason.startswith("县委组织部复核不同意评为优秀，最高评为良好")


def test_a_declined_proposal_frees_its_seat_for_another_candidate(campaign_with_proposals, tree, town, admin):
    propose(town, campaign_with_proposals, tree["town_a"], "TA01")
    decide(admin, "TA01", state="declined", note="群众反映较多，不同意评为优秀")
    assert propose(town, campaign_with_proposals, tree["town_a"], "TA02") == ["甲二村党支部"]
    states = dict(Proposal.objects.values_list("organization__code", "state"))
    assert states == {"TA01": "declined", "TA02": "pending"}  # the decline stays on record
    decide(admin, "TA02")
    run = grading.run_start(actor=admin, campaign=campaign_with_proposals)
    grades = {r.code: r.final_grade for r in run.results.all()}
    assert (grades["TA01"], grades["TA02"]) == ("良好", "优秀")


def test_a_branch_whose_grade_is_submitted_is_no_longer_a_candidate(
    campaign_with_proposals, tree, town, admin
):
    propose(town, campaign_with_proposals, tree["town_a"], "TA01")
    decide(admin, "TA01")
    run = grading.run_start(actor=admin, campaign=campaign_with_proposals)
    grading.run_submit(actor=admin, run=run)
    found = [c.organization.code for c in proposals.candidates(campaign_with_proposals, tree["town_a"])]
    assert found == ["TA01"]  # TA02's 良好 is submitted and kept; TA01 stays listed with its proposal


def test_without_the_setting_the_county_grades_directly(campaign_with_proposals, tree, town, admin):
    Campaign.objects.filter(pk=campaign_with_proposals.pk).update(township_proposals=False)
    campaign = Campaign.objects.get(pk=campaign_with_proposals.pk)
    with pytest.raises(proposals.ProposalError, match="未采用乡镇（街道）推荐优秀的做法"):
        propose(town, campaign, tree["town_a"], "TA01")
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.results.get(code="TA01").final_grade == "优秀"


# --- The page --------------------------------------------------------------------------------------


def test_the_township_proposes_on_its_page_and_the_county_rechecks(
    client_for, campaign_with_proposals, tree, personas
):
    url = reverse("grading:proposals", args=[campaign_with_proposals.pk])
    client = client_for("township_reviewer")
    body = client.get(url).content.decode()
    assert "甲镇党委" in body and "乙街道党工委" not in body  # its own township only
    assert "可推荐 1 个" in body and 'data-testid="decide-form"' not in body
    post = reverse("grading:proposal_set", args=[campaign_with_proposals.pk, tree["town_a"].pk])
    body = client.post(post, {"organization": [org("TA01").pk, org("TA02").pk]}, follow=True).content.decode()
    assert "现选了2个" in body and not Proposal.objects.exists()
    body = client.post(post, {"organization": [org("TA01").pk]}, follow=True).content.decode()
    assert "已推荐1个：甲一村党支部，等待县委组织部复核" in body and "待复核" in body
    other = reverse("grading:proposal_set", args=[campaign_with_proposals.pk, tree["town_b"].pk])
    assert client.post(other, {"organization": [org("TB01").pk]}).status_code == 404
    decide_url = reverse("grading:proposal_decide", args=[Proposal.objects.get().pk])
    assert client.post(decide_url, {"state": "accepted", "method": "report", "note": "x"}).status_code == 403
    assert client_for("branch_secretary").get(url).status_code == 403

    county = client_for("county_admin")
    body = county.get(url).content.decode()
    assert "乙街道党工委" in body and 'data-testid="decide-form"' in body
    body = county.post(
        decide_url, {"state": "accepted", "method": "", "note": ""}, follow=True
    ).content.decode()
    assert "甲一村党支部：请选择复核方式" in body
    body = county.post(
        decide_url, {"state": "accepted", "method": "report", "note": "听取汇报，同意"}, follow=True
    ).content.decode()
    assert "已复核甲一村党支部：复核同意，重新定级后生效" in body and "听取汇报，同意" in body


def test_another_townships_reviewer_sees_no_proposal_of_this_one(
    client_for, campaign_with_proposals, tree, town
):
    propose(town, campaign_with_proposals, tree["town_a"], "TA01")
    from chuangyou.accounts.models import Role

    other = make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])
    client = client_for("outsider")
    client.force_login(other)
    decide_url = reverse("grading:proposal_decide", args=[Proposal.objects.get().pk])
    assert client.post(decide_url, {"state": "accepted"}).status_code == 404
    body = client.get(reverse("grading:proposals", args=[campaign_with_proposals.pk])).content.decode()
    assert "甲一村党支部" not in body and "乙街道党工委" in body
