"""The 定级设置 form on the campaign page: quota scope, gap threshold, overrides beyond the quotas."""

from decimal import Decimal

from django.urls import reverse

from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns.models import Campaign


def post(client, campaign, **data):
    payload = {
        "quota_scope": "county",
        "quota_base": "participants",
        "needs_evaluation": "on",
        "tolerance": "0",
        "tolerance_unit": "branches",
        "evaluation_weight": "0",
        "members_weight": "1",
        "public_weight": "1",
        "gap_threshold": "10",
        **data,
    }
    return client.post(reverse("campaigns:grading_settings", args=[campaign.pk]), payload, follow=True)


def test_the_campaign_page_has_the_form_and_the_grading_links(client_for, campaign):
    body = client_for("county_admin").get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="grading-settings"' in body and 'name="quota_scope"' in body
    assert 'name="gap_threshold"' in body and 'name="allow_quota_override"' in body
    assert reverse("grading:campaign", args=[campaign.pk]) in body
    assert reverse("grading:preview", args=[campaign.pk]) in body
    assert f"{reverse('reviews:list')}?campaign={campaign.pk}" in body
    body = (
        client_for("branch_secretary").get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    )
    assert 'name="quota_scope"' not in body and "全县统一" in body  # read only
    # Grades are not for branches before the public notice: no link to the grading pages.
    assert reverse("grading:campaign", args=[campaign.pk]) not in body
    assert (
        client_for("branch_secretary").get(reverse("grading:campaign", args=[campaign.pk])).status_code == 403
    )


def test_the_settings_save_and_are_audited(client_for, campaign):
    body = post(
        client_for("county_admin"),
        campaign,
        quota_scope="township",
        gap_threshold="12.5",
        allow_quota_override="on",
    ).content.decode()
    assert "已保存定级设置" in body
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.quota_scope, campaign.gap_threshold, campaign.allow_quota_override) == (
        "township",
        Decimal("12.5"),
        True,
    )
    event = AuditEvent.objects.get(verb="campaign.grading_settings")
    assert event.before["quota_scope"] == "county" and event.after["quota_scope"] == "township"
    body = post(client_for("county_admin"), campaign).content.decode()  # the box unticked: off again
    assert Campaign.objects.get(pk=campaign.pk).allow_quota_override is False


def test_only_the_county_admin_may_change_them(client_for, campaign):
    for persona in ("township_reviewer", "leading_group", "branch_secretary"):
        response = post(client_for(persona), campaign, quota_scope="township")
        assert response.status_code == 403, persona
    assert Campaign.objects.get(pk=campaign.pk).quota_scope == "county"
    assert not AuditEvent.objects.filter(verb="campaign.grading_settings").exists()
    assert post(client_for("outsider"), campaign).status_code == 404


def test_an_invalid_threshold_is_refused_in_chinese(client_for, campaign):
    client = client_for("county_admin")
    response = post(client, campaign, quota_scope="township", gap_threshold="-3")
    body = response.content.decode()
    assert (
        response.status_code == 400
        and '<div class="invalid-feedback d-block">分差提示线应在0到100分之间' in body
    )
    assert 'name="gap_threshold" value="-3"' in body and '<option value="township" selected>' in body  # kept
    body = post(client, campaign, gap_threshold="很多").content.decode()
    assert "分差提示线须为数字" in body
    body = post(client, campaign, quota_scope="province").content.decode()
    assert "名额范围无效" in body
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.quota_scope, campaign.gap_threshold) == ("county", Decimal(10))
    assert not AuditEvent.objects.filter(verb="campaign.grading_settings").exists()


def test_the_quota_base_is_a_setting_shown_with_its_number(client_for, campaign, december):
    """Three branches take part, none reviewed: N is 3 (existing participants) or 0 (graded only)."""
    client = client_for("county_admin")
    body = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "名额基数：3 个党支部（现有参评党支部，含尚未完成审核的）" in body
    assert 'name="quota_base"' in body
    body = post(client, campaign, quota_base="graded").content.decode()
    assert "名额基数：0 个党支部（目前已完成审核、将参加定级的党支部）" in body
    event = AuditEvent.objects.get(verb="campaign.grading_settings")
    assert (event.before["quota_base"], event.after["quota_base"]) == ("participants", "graded")
    body = post(client, campaign, quota_base="everyone").content.decode()
    assert "名额基数无效" in body
    assert Campaign.objects.get(pk=campaign.pk).quota_base == "graded"
    reader = client_for("branch_secretary").get(reverse("campaigns:detail", args=[campaign.pk]))
    assert "<td>名额基数</td><td>参加定级的党支部数</td>" in reader.content.decode()


def test_the_grading_rules_save_and_a_contradiction_keeps_what_was_typed(client_for, campaign):
    client = client_for("county_admin")
    post(client, campaign, tolerance="2", tolerance_unit="branches", pass_unused="on")
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.tolerance, campaign.pass_unused, campaign.cap_at_declared) == (Decimal(2), True, False)
    event = AuditEvent.objects.get(verb="campaign.grading_settings")
    assert event.after["tolerance"] == "2" and event.after["pass_unused"] is True
    response = post(client, campaign, tolerance="85", tolerance_unit="points", cap_at_declared="on")
    assert response.status_code == 400
    body = response.content.decode()
    assert "良好名额浮动幅度85个百分点过大：各名额合计可达102%，超过一般及以下不低于10%所允许的90%" in body
    assert 'name="tolerance" value="85"' in body  # what was typed is still there
    assert Campaign.objects.get(pk=campaign.pk).tolerance == Decimal(2)
    response = post(client, campaign, tolerance="-1")
    assert response.status_code == 400 and "浮动幅度不能为负数" in response.content.decode()


def test_a_scheme_without_a_target_refuses_a_tolerance(client_for, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(scheme="jiguan2012")
    response = post(client_for("county_admin"), campaign, tolerance="1", tolerance_unit="branches")
    assert response.status_code == 400 and "没有可浮动的名额" in response.content.decode()
