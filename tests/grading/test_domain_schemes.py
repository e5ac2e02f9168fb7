"""A scheme per domain in a campaign: the county sets 机关 to the 2012 four-level scheme; each scheme
group is graded alone (its quotas over its own branches), pages and exports show which scheme graded
each branch, and `chuangyou grade --domain-scheme` gives the same grades.

29 participants graded under seed 000: the tree's 3 at 70 and 25 村 at 99, 98, …, 75 (reviewed), one
more 村 not reviewed yet. Under the existing-branches base, 优秀 ≤ ⌊29×7%⌋ = 2 and 良好 ≤ round(2.9) = 3;
over the 28 graded it would be 1 and 3. 10 机关 at 95, 94, …, 86 are graded under the 2012 scheme: no
quotas, 好 from 90 unless the 满意率 is under 90 % (机关 O01: 85 %).
"""

import csv
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns import services as campaigns
from chuangyou.campaigns.models import Campaign
from chuangyou.commands import grade
from chuangyou.grading import services as grading
from chuangyou.orgs.models import Domain
from tests.grading.conftest import add_branches, set_inputs
from tests.grading.test_grading_export import workbook_rows

JIGUAN = "机关事业单位分类定级（好/较好/一般/较差，2012参考标准）"
SEED = "四档评定（优秀/良好/一般/软弱涣散）"


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def branches(tree, december):
    for code in ("TA01", "TA02", "TB01"):
        set_inputs(december, code, "70", "95")
    add_branches(tree, december, 25, lambda i: {"final_total": Decimal(99 - i), "final_satisfaction": 95})
    add_branches(
        tree,
        december,
        10,
        lambda i: {"final_total": Decimal(95 - i), "final_satisfaction": Decimal(85 if i == 1 else 95)},
        prefix="O",
        domain_of=lambda i: Domain.ORGAN,
    )
    add_branches(tree, december, 1, lambda i: {"final_total": Decimal(0)}, prefix="U")
    ScoreSheet.objects.filter(round=december, organization__code="U0000").update(state="submitted")
    return december


@pytest.fixture
def organ_campaign(campaign, branches, admin):
    return campaigns.campaign_set_domain_scheme(
        actor=admin, campaign=campaign, domain=Domain.ORGAN, scheme="jiguan2012"
    )


def by_code(run):
    return {r.code: r for r in run.results.all()}


def test_the_county_sets_a_domain_scheme_on_the_campaign_page(client_for, campaign, branches):
    client = client_for("county_admin")
    url = reverse("campaigns:domain_scheme_set", args=[campaign.pk])
    response = client.post(url, {"domain": "organ", "scheme": "jiguan2012"}, follow=True)
    assert "已设置该领域的评定方案，下次定级时生效" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {"organ": "jiguan2012"}
    event = AuditEvent.objects.get(verb="campaign.domain_scheme")
    assert (event.before, event.after) == (
        {"domain_schemes": {}},
        {"domain_schemes": {"organ": "jiguan2012"}},
    )

    body = response.content.decode()
    assert body.count('data-testid="quota-group"') == 2
    assert f"机关：{JIGUAN}" in body and f"其他领域：{SEED}" in body
    assert "名额基数：29 个党支部" in body and "名额基数：10 个党支部" in body
    assert "本方案不设名额" in body and "29×7%向下取整=2" in body
    assert "另按方案评定</span> " + JIGUAN in body

    client.post(url, {"domain": "organ", "scheme": ""})  # back to the campaign's own scheme
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {}
    response = client.post(url, {"domain": "organ", "scheme": "jiguan2099"}, follow=True)
    assert "请完整填写：评定方案" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {}


def test_only_the_county_sets_a_domain_scheme(campaign, branches, personas):
    with pytest.raises(campaigns.CampaignError, match="只有县委组织部可以修改定级设置"):
        campaigns.campaign_set_domain_scheme(
            actor=personas["township_reviewer"], campaign=campaign, domain="organ", scheme="jiguan2012"
        )
    with pytest.raises(campaigns.CampaignError, match="领域“moon”无效"):
        campaigns.campaign_set_domain_scheme(
            actor=personas["county_admin"], campaign=campaign, domain="moon", scheme="jiguan2012"
        )
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {}


def test_a_domain_scheme_is_refused_where_grades_of_the_old_one_were_applied_for(campaign, branches, admin):
    ScoreSheet.objects.filter(round=branches, organization__code__in=["O0000", "O0001"]).update(
        applied_grade="优秀"
    )
    with pytest.raises(
        campaigns.CampaignError, match="机关已有2个党支部的申报等级或一票否决最高等级不是该方案的等级"
    ):
        campaigns.campaign_set_domain_scheme(
            actor=admin, campaign=campaign, domain="organ", scheme="jiguan2012"
        )
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {}


def test_each_group_is_graded_under_its_scheme_with_its_own_quotas(organ_campaign, admin):
    run = grading.run_start(actor=admin, campaign=organ_campaign)
    assert run.state == "done", run.error
    results = by_code(run)
    assert [results[f"X{i:04d}"].final_grade for i in range(7)] == [
        "优秀",
        "优秀",
        "良好",
        "良好",
        "良好",
        "一般",
        "一般",
    ]
    assert [results[f"O{i:04d}"].final_grade for i in range(7)] == [
        "好",
        "一般",
        "好",
        "好",
        "好",
        "好",
        "较好",
    ]
    assert results["O0001"].reason.startswith("满意率85%低于90%，最高评为一般")  # the 2012 gate
    assert {r.scheme for r in results.values() if r.domain == "organ"} == {"jiguan2012"}
    assert {r.scheme for r in results.values() if r.domain != "organ"} == {""}
    assert (results["O0000"].county_rank, results["X0000"].county_rank) == (1, 1)  # ranks within a group
    assert run.summary["base"] == 29 and {q["grade"]: q["limit"] for q in run.summary["quotas"]} == {
        "优秀": 2,
        "良好": 3,
    }
    (organs,) = run.summary["groups"]
    assert (organs["key"], organs["title"], organs["domains"], organs["total"], organs["quotas"]) == (
        "jiguan2012",
        JIGUAN,
        "机关",
        10,
        [],
    )


def test_overrides_keep_to_the_scheme_and_the_quotas_of_their_group(organ_campaign, admin, client_for):
    run = grading.run_start(actor=admin, campaign=organ_campaign)
    results = by_code(run)
    with pytest.raises(grading.GradingError, match="等级“优秀”无效，应为好、较好、一般、较差之一"):
        grading.result_override(actor=admin, result=results["O0006"], grade="优秀", reason="工作突出")
    changed = grading.result_override(actor=admin, result=results["O0006"], grade="好", reason="工作突出")
    assert changed.final_grade == "好"  # the 2012 scheme sets no quota
    with pytest.raises(grading.GradingError, match="调整后将突破名额：优秀将有3个，超过名额2个"):
        grading.result_override(actor=admin, result=results["X0002"], grade="优秀", reason="工作突出")

    page = (
        client_for("county_admin").get(reverse("grading:result", args=[results["O0000"].pk])).content.decode()
    )
    assert f'data-testid="result-scheme">{JIGUAN}<' in page and "同方案排名" in page
    assert '<option value="较好">' in page and '<option value="良好">' not in page


def test_the_run_page_and_the_export_show_the_scheme_of_each_branch(organ_campaign, admin, client_for):
    run = grading.run_start(actor=admin, campaign=organ_campaign)
    client = client_for("county_admin")
    page = client.get(reverse("grading:run", args=[run.pk]), {"domain": "organ"}).content.decode()
    assert page.count('data-testid="quota-group"') == 2
    assert f"机关：{JIGUAN}，名额基数10个" in page and f"其他领域：{SEED}，名额基数29个" in page
    assert page.count(f'data-testid="result-scheme">{JIGUAN}<') == 10
    assert page.count(">县级复核</a>") == 5  # each scheme's top grade is re-checked: 好 here
    # One banner per scheme's top grade, best first, each with its count over the whole run.
    whole = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert re.findall(r'data-testid="recheck-candidates">\s*<div>(\S+)候选 (\d+) 个', whole) == [
        ("优秀", "2"),
        ("好", "5"),
    ]

    rows, _ = workbook_rows(client.get(reverse("grading:export", args=[run.pk])))
    header = rows[0]
    schemes = {r[0]: r[header.index("评定方案")] for r in rows[1:]}
    assert schemes["O0000"] == JIGUAN and schemes["X0000"] == SEED
    assert {r[0]: r[header.index("领域")] for r in rows[1:]}["O0000"] == "机关"


def test_the_application_offers_the_grades_of_the_branchs_scheme(organ_campaign, branches, client_for):
    sheet = ScoreSheet.objects.get(round=branches, organization__code="O0000")
    ScoreSheet.objects.filter(pk=sheet.pk).update(state="draft")
    page = client_for("county_admin").get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert '<option value="较好">' in page and '<option value="优秀">' not in page


def test_a_run_graded_before_a_domain_scheme_changed_is_not_submitted(campaign, branches, admin):
    run = grading.run_start(actor=admin, campaign=campaign)
    campaigns.campaign_set_domain_scheme(actor=admin, campaign=campaign, domain="organ", scheme="jiguan2012")
    with pytest.raises(
        grading.GradingError, match="本次定级之后分领域评定方案已修改，请重新定级后再提交公示"
    ):
        grading.run_submit(actor=admin, run=run)
    again = grading.run_start(actor=admin, campaign=campaign)
    assert grading.run_submit(actor=admin, run=again).submitted_at is not None


def test_a_domain_scheme_that_the_grading_settings_contradict_is_refused(campaign, branches, admin):
    """A 95-point tolerance has no target to float under the 2012 scheme, but would break seed 000's
    floor for 村."""
    Campaign.objects.filter(pk=campaign.pk).update(scheme="jiguan2012", tolerance=95, tolerance_unit="points")
    with pytest.raises(
        campaigns.CampaignError, match="按现有定级设置不能这样分领域评定：良好名额浮动幅度95个百分点过大"
    ):
        campaigns.campaign_set_domain_scheme(
            actor=admin, campaign=campaign, domain="village", scheme="seed2020"
        )


def test_no_domain_scheme_changes_once_a_grade_is_submitted(organ_campaign, admin):
    grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=organ_campaign))
    with pytest.raises(campaigns.CampaignError, match="已有定级结果提交公示，不能再修改分领域评定方案"):
        campaigns.campaign_set_domain_scheme(actor=admin, campaign=organ_campaign, domain="organ", scheme="")


def cli_grades(tmp_path, source, options) -> dict[str, tuple[str, str]]:
    out = tmp_path / "out.csv"
    assert grade.main([str(source), "-o", str(out), "--scheme", "seed2020", *options]) == 0
    with open(out, encoding="utf-8-sig", newline="") as stream:
        return {row["组织代码"]: (row["等级"], row["排名"]) for row in csv.DictReader(stream)}


@pytest.mark.parametrize("scope", ["county", "township"])
def test_the_command_gives_the_web_runs_grades(organ_campaign, admin, client_for, tmp_path, scope):
    Campaign.objects.filter(pk=organ_campaign.pk).update(quota_scope=scope)
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=organ_campaign.pk))
    web = {r.code: (r.final_grade, str(r.rank)) for r in run.results.all()}
    source = tmp_path / "export.xlsx"
    response = client_for("county_admin").get(reverse("grading:export", args=[run.pk]))
    source.write_bytes(b"".join(response.streaming_content))
    current = Campaign.objects.get(pk=organ_campaign.pk)
    towns = current.participants_by_township(current.scheme_groups()[0])  # the main group's
    existing = (
        [f"--existing=seed2020:{t}={n}" for t, n in towns.items()]
        if scope == "township"
        else ["--existing=seed2020:29"]
    )
    assert (
        cli_grades(tmp_path, source, ["--quota-scope", scope]) != web
    )  # both the scheme and the base matter
    assert cli_grades(tmp_path, source, ["--quota-scope", scope, "--domain-scheme=机关=jiguan2012"]) != web
    assert (
        cli_grades(tmp_path, source, ["--quota-scope", scope, "--domain-scheme=机关=jiguan2012", *existing])
        == web
    )


def test_the_command_refuses_a_bad_domain_or_scheme(tmp_path, capsys):
    source = tmp_path / "scores.csv"
    source.write_text(
        "组织代码,组织名称,所属党委,得分,领域\nA1,甲,镇,91,机关\nA2,乙,镇,80,月球\n", encoding="utf-8"
    )
    assert grade.main([str(source), "--domain-scheme=机关=jiguan2099", "--existing=moon:3"]) == 2
    errors = capsys.readouterr().err
    assert "--domain-scheme “机关=jiguan2099”：评定方案应为seed2020、jiguan2012、three-class之一" in errors
    assert grade.main([str(source), "--domain-scheme=机关=jiguan2012"]) == 2
    assert "第3行 E列（领域）：领域“月球”无效" in capsys.readouterr().err
    assert grade.main([str(source), "--domain-scheme=机关=jiguan2012", "--existing=moon:3"]) == 2
    assert "“moon”不是本次使用的评定方案（seed2020、jiguan2012）" in capsys.readouterr().err
    assert grade.main([str(source), "--existing=30", "--existing=镇=12"]) == 2
    assert "--existing “30”：按党委分配名额时请写成“党委=数量”" in capsys.readouterr().err
    source.write_text("组织代码,组织名称,所属党委,得分\nA1,甲,镇,91\n", encoding="utf-8")
    assert grade.main([str(source), "--domain-scheme=机关=jiguan2012"]) == 2
    assert "使用 --domain-scheme 时得分表须有“领域”列" in capsys.readouterr().err


def test_a_notice_lists_both_schemes_grades_best_first(organ_campaign, admin, tree):
    from chuangyou.notices.services import notice_create
    from tests.notices.conftest import STARTS

    run = grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=organ_campaign))
    batch = notice_create(
        actor=admin, run=run, organization=tree["county"], channel="website", starts=STARTS, days=5
    )
    grades = list(dict.fromkeys(batch.entries.order_by("order").values_list("grade", flat=True)))
    assert grades == ["优秀", "好", "良好", "较好", "一般"]


def test_township_proposals_are_for_the_campaigns_own_scheme(organ_campaign, admin, tree):
    from chuangyou.grading import proposals

    Campaign.objects.filter(pk=organ_campaign.pk).update(township_proposals=True)
    current = Campaign.objects.get(pk=organ_campaign.pk)
    seats = proposals.seats(current)
    assert sum(seats.values()) == 2  # ⌊29×7%⌋, the 机关 branches not counted
    found = [c.organization.code for c in proposals.candidates(current, tree["town_a"])]
    assert found and not any(code.startswith("O") for code in found)
    run = grading.run_start(actor=admin, campaign=current)
    assert by_code(run)["O0000"].final_grade == "好"  # not capped for want of a proposal


def test_the_preview_shows_each_schemes_quotas(organ_campaign, client_for):
    page = (
        client_for("county_admin").get(reverse("grading:preview", args=[organ_campaign.pk])).content.decode()
    )
    assert page.count('data-testid="preview-summary"') == 2
    assert f"机关：{JIGUAN}" in page and f"其他领域：{SEED}" in page
    page = client_for("county_admin").get(reverse("grading:campaign", args=[organ_campaign.pk]))
    assert page.status_code == 200


def test_the_run_and_result_pages_read_the_stored_groups_once(organ_campaign, admin, client_for, monkeypatch):
    """Each reading parses the run's scheme again: the pages read the groups once per request."""
    from chuangyou.grading import groups

    run = grading.run_start(actor=admin, campaign=organ_campaign)
    calls = []
    real = groups.group_summaries
    monkeypatch.setattr(groups, "group_summaries", lambda r: calls.append(r.pk) or real(r))
    client = client_for("county_admin")
    page = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert page.count('data-testid="quota-group"') == 2 and calls == [run.pk]
    calls.clear()
    result = run.results.get(code="O0000")
    page = client.get(reverse("grading:result", args=[result.pk])).content.decode()
    assert "同方案排名" in page and "1/10" in page and calls == [run.pk]
