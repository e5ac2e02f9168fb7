"""The quotas hold over everything a campaign publishes: a later run keeps the grades submitted for
notice (and their seats), the quota base is the campaign's existing participants, and a supplementary
notice that would break a quota is refused naming the grade, its limit and the organizations over it.

The shared run grades 15 branches (TA01 优秀, TA02 and TB01 良好, the rest 一般 or 软弱涣散).
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.notices import services as notices
from chuangyou.notices.models import NoticeEntry, ObjectionState
from tests.grading.conftest import add_branches, set_inputs
from tests.notices.conftest import IN_PERIOD, create_notice, entry_of, object_to
from tests.notices.test_notice_services import answer


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def reviewer(personas):
    return personas["township_reviewer"]


def noticed(campaign) -> Counter:
    """Grades on the campaign's notices, withdrawn entries left out."""
    entries = NoticeEntry.objects.filter(batch__campaign=campaign, withdrawn=False)
    return Counter(entries.values_list("grade", flat=True))


def fifteen_more(tree, december, reviewed=True):
    """Fifteen branches better than any of the first fifteen (96–99.5 points)."""
    add_branches(
        tree,
        december,
        15,
        lambda i: {"final_total": Decimal(99) - Decimal(i) / 4},
        town_of=lambda i: i % 2,
        prefix="Z",
    )
    if not reviewed:
        ScoreSheet.objects.filter(round=december, organization__code__startswith="Z").update(
            state="submitted"
        )


@pytest.mark.parametrize("base", ["graded", "participants"])
def test_a_supplementary_notice_keeps_the_quotas_of_the_whole_campaign(
    base, campaign, submitted_run, tree, december, admin
):
    Campaign.objects.filter(pk=campaign.pk).update(quota_base=base)
    create_notice(submitted_run, admin, tree["county"])
    assert noticed(campaign) == Counter({"优秀": 1, "良好": 2, "一般": 11, "软弱涣散": 1})
    fifteen_more(tree, december)
    later = grading.run_start(actor=admin, campaign=campaign)
    assert later.summary["base"] == 30
    assert later.summary["limits"]["quotas"] == {"优秀": 2, "良好": 3}  # 30×7% ↓ = 2, 30×10% = 3
    kept = later.results.get(code="TA01")
    assert (kept.committed_grade, kept.final_grade, kept.county_rank) == ("优秀", "优秀", 16)
    assert later.results.get(code="Z0000").final_grade == "优秀"  # the one 优秀 seat left
    assert later.results.get(code="Z0001").final_grade == "良好"  # the one 良好 seat left
    assert "优秀名额2个已满，良好名额3个已满" in later.results.get(code="Z0002").reason
    later = grading.run_submit(actor=admin, run=later)
    supplement = create_notice(later, admin, tree["county"])
    assert supplement.title.endswith("补充公示") and supplement.entries.count() == 15
    assert noticed(campaign) == Counter({"优秀": 2, "良好": 3, "一般": 24, "软弱涣散": 1})


def test_the_quota_base_is_the_existing_participants(campaign, tree, december, admin, reviewed):
    """Half the branches reviewed: the quotas are those of all thirty, not of the fifteen graded."""
    set_inputs(december, "TA01", "95", "98")
    fifteen_more(tree, december, reviewed=False)
    add_branches(tree, december, 12, lambda i: {"final_total": Decimal(60 + i)})
    run = grading.run_start(actor=admin, campaign=campaign)
    assert (run.summary["total"], run.summary["base"], run.not_reviewed) == (15, 30, 15)
    assert run.summary["limits"]["quotas"] == {"优秀": 2, "良好": 3}
    assert "30×7%向下取整=2" in run.summary["quotas"][0]["rule"]
    Campaign.objects.filter(pk=campaign.pk).update(quota_base="graded")
    again = grading.run_start(actor=admin, campaign=campaign)
    assert (again.summary["base"], again.summary["limits"]["quotas"]) == (15, {"优秀": 1, "良好": 2})


def test_township_seats_are_apportioned_by_existing_branches(campaign, tree, december, admin, reviewed):
    """甲镇 has 9 branches, one reviewed; 乙街道 21, all reviewed: seats by 9 and 21, not by 1 and 21."""
    Campaign.objects.filter(pk=campaign.pk).update(quota_scope="township")
    add_branches(
        tree, december, 27, lambda i: {"final_total": Decimal(99) - i}, town_of=lambda i: i >= 7, prefix="Q"
    )
    ScoreSheet.objects.filter(
        round=december, organization__code__in=["TA02", *[f"Q{i:04d}" for i in range(7)]]
    ).update(state="submitted")
    set_inputs(december, "TA01", "95")
    ScoreSheet.objects.filter(round=december, organization__code="TA01").update(applied_grade="优秀")
    run = grading.run_start(actor=admin, campaign=campaign)
    seats = run.summary["limits"]["seats"]
    # 优秀 2 (30×7%↓): 2·9/30 = 0.6 and 2·21/30 = 1.4 → 1 and 1 by the largest remainders.
    assert seats == {"甲镇党委": {"优秀": 1, "良好": 1}, "乙街道党工委": {"优秀": 1, "良好": 2}}
    assert run.results.get(code="TA01").final_grade == "优秀"


def test_an_upheld_objection_regrades_within_the_seats_left(
    published_notice, submitted_run, campaign, tree, december, admin, reviewer, on_day
):
    """TA02 (良好) is withdrawn and reviewed again above TA01: the one 优秀 seat is TA01's, so TA02 is
    良好 again, not a second 优秀."""
    on_day(IN_PERIOD)
    objection = object_to(entry_of(published_notice, "TA02"))
    answer(reviewer, objection, ObjectionState.UPHELD, "情况属实")
    set_inputs(december, "TA02", "97", "99")
    ScoreSheet.objects.filter(round=december, organization__code="TA02").update(applied_grade="优秀")
    later = grading.run_start(actor=admin, campaign=campaign)
    ta02 = later.results.get(code="TA02")
    assert (ta02.committed_grade, ta02.county_rank, ta02.final_grade) == ("", 1, "良好")
    assert "优秀名额1个已满" in ta02.reason
    later = grading.run_submit(actor=admin, run=later)
    supplement = create_notice(later, admin, tree["county"])
    assert list(supplement.entries.values_list("organization__code", "grade")) == [("TA02", "良好")]
    assert noticed(campaign) == Counter({"优秀": 1, "良好": 2, "一般": 11, "软弱涣散": 1})


def test_a_supplementary_notice_beyond_a_quota_is_refused_by_name(
    campaign, submitted_run, tree, december, admin
):
    create_notice(submitted_run, admin, tree["county"])
    fifteen_more(tree, december)
    later = grading.run_start(actor=admin, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(allow_quota_override=True)
    grading.result_override(
        actor=admin, result=later.results.get(code="Z0001"), grade="优秀", reason="复核认定"
    )
    later = grading.run_submit(actor=admin, run=later)
    Campaign.objects.filter(pk=campaign.pk).update(allow_quota_override=False)
    with pytest.raises(notices.NoticeError) as refused:
        create_notice(later, admin, tree["county"])
    assert refused.value.errors[0] == (
        "列入公示将突破本次活动的名额：优秀名额2个，已列入公示1个，再列入2个将超出：第1党支部"
    )
    assert noticed(campaign)["优秀"] == 1  # nothing was created
    Campaign.objects.filter(pk=campaign.pk).update(allow_quota_override=True)  # the county allows it
    assert create_notice(later, admin, tree["county"]).entries.filter(grade="优秀").count() == 2


def test_the_run_page_shows_the_base_and_the_kept_grades(
    client_for, campaign, submitted_run, tree, december, admin
):
    create_notice(submitted_run, admin, tree["county"])
    fifteen_more(tree, december)
    later = grading.run_start(actor=admin, campaign=campaign)
    body = client_for("county_admin").get(reverse("grading:run", args=[later.pk])).content.decode()
    assert "30 个党支部（现有参评党支部数）" in body
    assert "15 个党支部（已提交公示，本次不变，占用名额）" in body
    result = later.results.get(code="TA01")
    page = client_for("county_admin").get(reverse("grading:result", args=[result.pk])).content.decode()
    assert "已提交公示为优秀，本次定级保持不变" in page
    assert 'data-testid="override-form"' not in page and "该支部已按优秀提交公示" in page
