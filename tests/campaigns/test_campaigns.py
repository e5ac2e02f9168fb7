"""Setting up a campaign: rubrics fixed per domain, quotas, exclusions and opening a round."""

import datetime as dt

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns import services
from chuangyou.campaigns.models import Campaign
from tests.conftest import phases


def test_a_campaign_fixes_the_bound_rubric_per_domain(campaign, bound_rubric):
    assert {r.domain: r.rubric for r in campaign.rubrics.all()} == {
        "village": bound_rubric,
        "community": bound_rubric,
    }
    assert campaign.phases.count() == 6
    assert AuditEvent.objects.filter(verb="campaign.create").count() == 1


def test_one_campaign_per_root_and_year(campaign, tree, personas):
    with pytest.raises(services.CampaignError, match="已经存在"):
        services.campaign_create(
            actor=personas["county_admin"],
            year=2026,
            name="x",
            root=tree["county"],
            scheme="seed2020",
            graded_round="december",
            phases=phases(),
        )


def test_participants_are_active_branches_less_the_exclusions(campaign, tree, personas):
    assert set(campaign.participants()) == {tree["a1"], tree["a2"], tree["b1"]}
    services.campaign_exclude(
        actor=personas["county_admin"], campaign=campaign, organization=tree["a2"], reason="成立不满一年"
    )
    assert set(campaign.participants()) == {tree["a1"], tree["b1"]}


def test_opening_a_round_creates_one_sheet_per_branch(december, tree):
    sheets = ScoreSheet.objects.filter(round=december)
    assert {s.organization for s in sheets} == {tree["a1"], tree["a2"], tree["b1"]}
    assert all(s.items_total == 4 for s in sheets)


def test_a_round_opens_once(december, campaign, personas):
    with pytest.raises(services.CampaignError, match="已经开启"):
        services.round_open(
            actor=personas["county_admin"],
            campaign=campaign,
            kind="december",
            opens=dt.date(2026, 12, 1),
            closes=dt.date(2026, 12, 20),
        )


def test_a_domain_without_rubric_blocks_opening(campaign, tree, personas):
    from tests.conftest import make_org

    make_org(tree["town_a"], "TA09", "甲镇机关党支部", "branch", "organ")
    with pytest.raises(services.CampaignError, match="机关"):
        services.round_open(
            actor=personas["county_admin"],
            campaign=campaign,
            kind="december",
            opens=dt.date(2026, 12, 1),
            closes=dt.date(2026, 12, 20),
        )


def test_the_campaign_page_shows_quotas(client_for, campaign):
    body = client_for("county_admin").get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "参评党支部 3 个" in body and "3×7%向下取整=0" in body
    # Each domain by its Chinese name, the scheme by its title (not codes).
    assert "<td>村</td>" in body and "v、i、l" not in body
    assert campaign.scheme_title in body and ">seed2020<" not in body  # (a form value is not shown)


def test_the_county_admin_creates_a_campaign_from_the_page(client_for, tree, bound_rubric):
    from chuangyou.campaigns.forms import CampaignForm

    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in CampaignForm.defaults(2027).items()
    }
    data.update(scheme="seed2020", graded_round="december")
    response = client_for("county_admin").post(reverse("campaigns:create"), data)
    campaign = Campaign.objects.get(year=2027)
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.root == tree["county"]


def test_only_the_county_admin_manages_campaigns(client_for, campaign):
    for persona in ("township_reviewer", "branch_secretary", "leading_group"):
        assert (
            client_for(persona).post(reverse("campaigns:round_open", args=[campaign.pk])).status_code == 403
        )


def test_a_domain_without_rubric_can_be_given_one_on_the_campaign_page(
    client_for, campaign, tree, bound_rubric
):
    from tests.conftest import make_org

    make_org(tree["town_a"], "TA09", "甲镇机关党支部", "branch", "organ")
    client = client_for("county_admin")
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "尚未选定，开启自查前须选定" in page
    client.post(
        reverse("campaigns:rubric_set", args=[campaign.pk]), {"domain": "organ", "rubric": bound_rubric.pk}
    )
    assert campaign.rubrics.get(domain="organ").rubric == bound_rubric
    response = client.post(
        reverse("campaigns:round_open", args=[campaign.pk]),
        {"kind": "december", "opens": "2026-12-01", "closes": "2026-12-20"},
    )
    assert response.status_code == 302 and campaign.rounds.count() == 1


def test_the_create_form_fills_the_dates_the_browser_can_show(client_for, tree, bound_rubric):
    body = client_for("county_admin").get(reverse("campaigns:create")).content.decode()
    assert 'type="date"' in body and "-12-01" in body and "/12/01" not in body


CUSTOM_SCHEME = """
name = "县自定义"
grades = [
  { label = "先进", min_score = 85 },
  { label = "合格", min_score = 60 },
  { label = "后进", min_score = 0 },
]
quotas = [{ grade = "先进", max_percent = 20, rounding = "floor" }]
veto_max_grade = "合格"
weak_grade = "后进"
"""


def test_a_county_may_upload_its_own_scheme(client_for, tree, bound_rubric):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chuangyou.campaigns.forms import CampaignForm

    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in CampaignForm.defaults(2027).items()
    }
    client = client_for("county_admin")
    bad = client.post(
        reverse("campaigns:create"),
        {
            **data,
            "scheme": "custom",
            "graded_round": "december",
            "scheme_file": SimpleUploadedFile("x.toml", b"grades = 1"),
        },
    )
    assert "方案" in bad.content.decode() and not Campaign.objects.exists()
    upload = SimpleUploadedFile("县方案.toml", CUSTOM_SCHEME.encode())
    client.post(
        reverse("campaigns:create"),
        {**data, "scheme": "custom", "graded_round": "december", "scheme_file": upload},
    )
    campaign = Campaign.objects.get()
    assert campaign.scheme == "县自定义" and campaign.grade_scheme().labels == ("先进", "合格", "后进")
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "先进（至多）" in page
