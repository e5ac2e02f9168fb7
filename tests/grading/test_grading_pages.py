"""The grading pages: runs of a campaign, a run's results with quotas and distributions, the branch
explanation with adjustments, submission for notice, changes against the previous run, the
township's preview; scope, permissions and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns import services as campaign_services
from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.orgs.models import Domain, Organization
from tests.grading import conftest
from tests.grading.conftest import set_inputs


def add_branches(tree, december, count, values):
    """Branches alternately under 甲镇 and 乙街道; every third one a 社区, the others 村."""
    conftest.add_branches(
        tree, december, count, values, domain_of=lambda i: Domain.COMMUNITY if i % 3 == 0 else Domain.VILLAGE
    )


@pytest.fixture
def twenty(tree, december):
    """20 reviewed branches scoring 96, 95, … 77: 优秀 1 seat, 良好 2 seats, 一般及以下 at least 2.
    TA01 (96) is 优秀, TA02 (95) and TB01 (94) are 良好, everyone else 一般."""
    set_inputs(december, "TA01", "96", "98")
    set_inputs(december, "TA02", "95", "97")
    set_inputs(december, "TB01", "94", "96")
    add_branches(
        tree, december, 17, lambda i: {"final_total": Decimal(93 - i), "final_satisfaction": Decimal(90)}
    )
    return december


def start(client, campaign, **kwargs):
    return client.post(reverse("grading:start", args=[campaign.pk]), **kwargs)


def latest_run(campaign):
    return GradingRun.objects.filter(campaign=campaign).order_by("-number").first()


def result_of(run, code):
    return RunResult.objects.get(run=run, code=code)


def test_the_admin_starts_a_run_and_sees_quotas_and_results(client_for, campaign, twenty):
    client = client_for("county_admin")
    response = start(client, campaign)
    run = latest_run(campaign)
    assert run.state == "done", run.error
    assert response.status_code == 302 and response["Location"] == reverse("grading:run", args=[run.pk])
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="quota-table"' in body
    assert "优秀 1/1" in body and "良好 2/2" in body and "一般及以下 17 ≥ 2" in body
    assert "20×7%向下取整=1" in body
    assert body.count('data-testid="result-row"') == 20
    assert "得分96，排名1/20" in body  # the reason
    assert 'data-testid="township-distribution"' in body and "甲镇党委" in body and "乙街道党工委" in body
    assert 'data-testid="domain-distribution"' in body and "社区" in body
    assert "提交公示" in body and "导出 Excel" in body and "与上次比较" in body
    campaign_page = client.get(reverse("grading:campaign", args=[campaign.pk])).content.decode()
    assert "已完成审核 20 个 / 参评党支部 20 个" in campaign_page and "第1次" in campaign_page


def test_the_campaign_page_counts_reviewed_branches_and_offers_the_start(client_for, campaign, december):
    set_inputs(december, "TA01", "91")
    body = client_for("county_admin").get(reverse("grading:campaign", args=[campaign.pk])).content.decode()
    assert "已完成审核 1 个 / 参评党支部 3 个" in body and "还有 2 个参评党支部尚未完成审核" in body
    assert 'data-testid="start-run"' in body and "data-confirm=" in body
    body = (
        client_for("township_reviewer").get(reverse("grading:campaign", args=[campaign.pk])).content.decode()
    )
    assert "已完成审核 1 个 / 参评党支部 2 个" in body and 'data-testid="start-run"' not in body


def test_a_township_sees_only_its_branches_and_may_not_write(client_for, personas, campaign, twenty):
    start(client_for("county_admin"), campaign)
    run = latest_run(campaign)
    client = client_for("township_reviewer")
    body = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "甲一村党支部" in body and "甲二村党支部" in body
    assert "乙社区党支部" not in body and "乙街道党工委" not in body
    assert body.count('data-testid="result-row"') == 2 + 9  # TA01, TA02 and X0000, X0002, … X0015
    assert "本党委" not in body and "全县统一名额至多1个" in body  # county quotas, this township's counts
    assert "提交公示" not in body
    other = result_of(run, "TB01")
    assert client.get(reverse("grading:result", args=[other.pk])).status_code == 404
    own = result_of(run, "TA02")
    assert client.get(reverse("grading:result", args=[own.pk])).status_code == 200
    assert start(client, campaign).status_code == 403
    override = reverse("grading:override", args=[own.pk])
    assert client.post(override, {"grade": "一般", "reason": "x"}).status_code == 403
    assert client.post(reverse("grading:submit", args=[run.pk])).status_code == 403
    assert GradingRun.objects.count() == 1 and result_of(run, "TA02").final_grade == "良好"
    assert not RunResult.objects.filter(run=run).exclude(override_by=None).exists()


def test_an_outsider_gets_404_for_runs_and_results(client_for, campaign, twenty):
    start(client_for("county_admin"), campaign)
    run = latest_run(campaign)
    client = client_for("outsider")
    for url in (
        reverse("grading:run", args=[run.pk]),
        reverse("grading:progress", args=[run.pk]),
        reverse("grading:changes", args=[run.pk]),
        reverse("grading:export", args=[run.pk]),
        reverse("grading:result", args=[result_of(run, "TA01").pk]),
        reverse("grading:campaign", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_filters_sort_and_pagination(client_for, campaign, tree, december):
    set_inputs(december, "TA01", "99")
    add_branches(tree, december, 57, lambda i: {"final_total": Decimal(95) - Decimal(i) / 2})
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    url = reverse("grading:run", args=[run.pk])
    body = client.get(url).content.decode()
    assert body.count('data-testid="result-row"') == 50 and "第 1 / 2 页" in body
    assert "甲一村党支部" in body  # rank 1
    body = client.get(url + "?page=2").content.decode()
    assert body.count('data-testid="result-row"') == 8
    body = client.get(url + "?grade=优秀").content.decode()
    assert body.count('data-testid="result-row"') == 4  # ⌊58×7%⌋
    body = client.get(url + "?township=乙街道党工委").content.decode()
    assert body.count('data-testid="result-row"') == 28 and "甲一村党支部" not in body
    body = client.get(url + "?domain=community").content.decode()
    assert body.count('data-testid="result-row"') == 19  # X0000, X0003, … X0054
    body = client.get(url + "?sort=code").content.decode()
    codes = [c.split('"')[0] for c in body.split('data-code="')[1:]]
    assert codes == sorted(codes) and codes[0] == "TA01"
    body = client.get(url + "?sort=score&township=甲镇党委").content.decode()
    assert body.split('data-code="')[1].startswith("TA01")
    body = client.get(url + "?sort=nonsense&grade=nonsense").content.decode()  # ignored, not an error
    assert body.count('data-testid="result-row"') == 50


def test_a_township_scope_run_shows_the_rank_within_the_township(client_for, campaign, twenty):
    campaign.__class__.objects.filter(pk=campaign.pk).update(quota_scope="township")
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    assert run.quota_scope == "township"
    body = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "党委内 1/11" in body and "党委内 1/9" in body and "按乡镇（街道）党委分配" in body
    body = client_for("township_reviewer").get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "本党委名额" in body


def test_an_override_needs_a_reason_and_keeps_the_quotas(client_for, campaign, twenty):
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    ta02, x = result_of(run, "TA02"), result_of(run, "X0005")
    url = reverse("grading:override", args=[ta02.pk])

    body = client.post(url, {"grade": "一般", "reason": "  "}, follow=True).content.decode()
    assert "调整等级必须填写理由" in body
    assert result_of(run, "TA02").final_grade == "良好"

    body = client.post(
        reverse("grading:override", args=[x.pk]), {"grade": "良好", "reason": "表现突出"}, follow=True
    ).content.decode()
    assert "调整后将突破名额：良好将有3个，超过名额2个" in body
    assert result_of(run, "X0005").final_grade == "一般"

    body = client.post(url, {"grade": "一般", "reason": "群众反映问题较多"}, follow=True).content.decode()
    assert "已将甲二村党支部的等级调整为一般" in body
    assert 'data-testid="override"' in body and "群众反映问题较多" in body and "良好 → 一般" in body
    changed = result_of(run, "TA02")
    assert (changed.grade, changed.final_grade, changed.override_by) == ("良好", "一般", run.started_by)
    assert AuditEvent.objects.filter(verb="grading.override").count() == 1
    body = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "良好 → 一般" in body and "已调整" in body and "良好 1/2" in body


def test_a_quota_may_be_broken_when_the_campaign_allows_it(client_for, personas, campaign, twenty):
    campaign_services.campaign_grading_settings(
        actor=personas["county_admin"],
        campaign=campaign,
        quota_scope="county",
        gap_threshold=Decimal(10),
        allow_quota_override=True,
    )
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    x = result_of(run, "X0005")
    body = client.post(
        reverse("grading:override", args=[x.pk]), {"grade": "良好", "reason": "表现突出"}, follow=True
    ).content.decode()
    assert result_of(run, "X0005").final_grade == "良好"
    assert "一般 → 良好" in body
    body = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "良好 3/2" in body and "不符合" in body


def test_a_submitted_run_cannot_be_adjusted(client_for, campaign, twenty):
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    body = client.post(reverse("grading:submit", args=[run.pk]), follow=True).content.decode()
    assert "第1次定级结果已提交公示" in body and "已提交公示" in body
    assert 'data-testid="submit-run"' not in body  # the button is disabled
    run.refresh_from_db()
    assert run.submitted_at is not None
    ta02 = result_of(run, "TA02")
    body = client.get(reverse("grading:result", args=[ta02.pk])).content.decode()
    assert 'data-testid="override-form"' not in body and "已提交公示，不能再调整" in body
    body = client.post(
        reverse("grading:override", args=[ta02.pk]), {"grade": "一般", "reason": "群众反映"}, follow=True
    ).content.decode()
    assert "该次定级结果已提交公示，不能再调整" in body
    assert result_of(run, "TA02").final_grade == "良好"
    body = client.post(reverse("grading:submit", args=[run.pk]), follow=True).content.decode()
    assert "该次定级结果已提交公示" in body


def test_the_result_page_explains_one_branch(client_for, campaign, december, tree):
    set_inputs(december, "TA01", "95", "99")
    set_inputs(december, "TA02", "88", "90", veto="发生违纪案件")
    set_inputs(december, "TB01", "70", None, weak="班子不团结")
    ScoreSheet.objects.filter(organization__code="TA02").update(
        subtotals={"组织建设": "5", "组织生活": "4"}, final_subtotals={"组织建设": "4", "组织生活": "3.5"}
    )
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    body = client.get(reverse("grading:result", args=[result_of(run, "TA02").pk])).content.decode()
    assert "一票否决（发生违纪案件），最高评为一般" in body and 'data-testid="score-breakdown"' in body
    assert "组织生活" in body and "3.5" in body
    assert 'data-testid="override-form"' in body and "<option" in body
    body = client.get(reverse("grading:result", args=[result_of(run, "TB01").pk])).content.decode()
    assert "软弱涣散" in body and "班子不团结" in body
    body = client_for("township_reviewer").get(reverse("grading:result", args=[result_of(run, "TA01").pk]))
    assert 'data-testid="override-form"' not in body.content.decode()


def test_top_grade_rows_link_to_the_county_recheck(client_for, campaign, twenty):
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    body = client.get(reverse("grading:run", args=[run.pk]) + "?grade=优秀").content.decode()
    assert body.count('data-testid="result-row"') == 1 and "复核优秀候选" in body
    recheck = reverse("reviews:recheck", args=[result_of(run, "TA01").sheet_id])
    assert f'href="{recheck}"' in body


def test_the_changes_page_lists_branches_whose_grade_changed(client_for, personas, campaign, twenty, tree):
    client = client_for("county_admin")
    start(client, campaign)
    first = latest_run(campaign)
    url = reverse("grading:changes", args=[first.pk])
    assert "没有可以比较的上一次结果" in client.get(url).content.decode()
    set_inputs(twenty, "TA02", "70")  # 良好 → 一般; X0000 (93) takes the 良好 seat
    campaign_services.campaign_exclude(
        actor=personas["county_admin"],
        campaign=campaign,
        organization=Organization.objects.get(code="X0015"),
        reason="已撤并",
    )
    start(client, campaign)
    second = latest_run(campaign)
    assert second.number == 2
    body = client.get(reverse("grading:changes", args=[second.pk])).content.decode()
    rows = [c.split('"')[0] for c in body.split('data-testid="change-row" data-code="')[1:]]
    assert set(rows) == {"TA02", "X0000"}
    assert "良好 → 一般" in body and "一般 → 良好" in body
    assert 'data-testid="missing-row" data-code="X0015"' in body
    body = client_for("township_reviewer").get(reverse("grading:changes", args=[second.pk])).content.decode()
    assert 'data-code="TA02"' in body and 'data-code="X0000"' in body  # X0000 is under 甲镇
    assert "X0015" not in body  # under 乙街道 (odd numbers)


def test_starting_while_a_run_is_going_on_shows_its_progress(client_for, personas, campaign, twenty):
    GradingRun.objects.create(
        campaign=campaign,
        number=1,
        state="running",
        scheme="seed2020",
        quota_scope="county",
        started_by=personas["county_admin"],
        step="计算等级",
        progress_done=5,
        progress_total=20,
    )
    body = start(client_for("county_admin"), campaign, follow=True).content.decode()
    assert "第1次定级正在进行（进行中：计算等级（5/20）），请等待完成后再发起" in body
    assert 'data-testid="run-progress"' in body and 'hx-trigger="every 2s"' in body
    assert '<progress class="progress w-100" value="5" max="20"' in body
    assert GradingRun.objects.count() == 1


def test_the_progress_partial_polls_until_the_run_ends(client_for, personas, campaign):
    run = GradingRun.objects.create(
        campaign=campaign,
        number=1,
        state="queued",
        scheme="seed2020",
        quota_scope="county",
        started_by=personas["county_admin"],
        progress_total=8,
    )
    client = client_for("township_reviewer")
    url = reverse("grading:progress", args=[run.pk])
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "排队中：等待开始（0/8）" in body and f'hx-get="{url}"' in body and "<html" not in body
    GradingRun.objects.filter(pk=run.pk).update(state="done", step="完成", progress_done=8)
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in body and reverse("grading:run", args=[run.pk]) in body
    GradingRun.objects.filter(pk=run.pk).update(state="failed", error="组织代码“X”重复")
    body = client.get(url).content.decode()
    assert "定级失败：组织代码“X”重复" in body and "hx-trigger" not in body


def test_the_township_preview_grades_its_own_branches_and_stores_nothing(client_for, campaign, twenty):
    client = client_for("township_reviewer")
    body = client.get(reverse("grading:preview", args=[campaign.pk])).content.decode()
    assert "预估，仅供参考：按本范围支部数计算名额；正式等级以县委组织部定级为准" in body
    assert body.count('data-testid="preview-row"') == 11 and "乙社区党支部" not in body
    assert "本范围已完成审核的党支部 11 个" in body
    assert not GradingRun.objects.exists() and not RunResult.objects.exists()
    assert (
        client_for("branch_secretary").get(reverse("grading:preview", args=[campaign.pk])).status_code == 403
    )
    body = client_for("county_admin").get(reverse("grading:preview", args=[campaign.pk])).content.decode()
    assert body.count('data-testid="preview-row"') == 20


def test_no_inline_styles_or_scripts(client_for, campaign, twenty):
    client = client_for("county_admin")
    start(client, campaign)
    run = latest_run(campaign)
    for url in (
        reverse("grading:campaign", args=[campaign.pk]),
        reverse("grading:run", args=[run.pk]),
        reverse("grading:changes", args=[run.pk]),
        reverse("grading:result", args=[result_of(run, "TA01").pk]),
        reverse("grading:preview", args=[campaign.pk]),
        reverse("grading:progress", args=[run.pk]),
    ):
        body = client.get(url).content.decode()
        assert "style=" not in body and "<script>" not in body and " onclick=" not in body, url


# --- A fixed number of queries ---------------------------------------------------------------------

MAX_QUERIES = 13


@pytest.fixture(params=[0, 497], ids=["3-results", "500-results"])
def sized_runs(request, personas, campaign, tree, december):
    """Two finished runs over 3 or 500 branches (the second with one grade changed)."""
    from chuangyou.grading import services

    for code, score in (("TA01", "96"), ("TA02", "91"), ("TB01", "85")):
        set_inputs(december, code, score, "95")
    if request.param:
        add_branches(tree, december, request.param, lambda i: {"final_total": Decimal(95) - Decimal(i) / 20})
    services.run_start(actor=personas["county_admin"], campaign=campaign)
    set_inputs(december, "TA02", "60")
    run = services.run_start(actor=personas["county_admin"], campaign=campaign)
    assert run.state == "done" and run.results.count() == 3 + request.param
    return run


@pytest.mark.parametrize("persona", ["county_admin", "township_reviewer"])
@pytest.mark.parametrize(
    "url_for",
    [
        lambda run: reverse("grading:campaign", args=[run.campaign_id]),
        lambda run: reverse("grading:run", args=[run.pk]),
        lambda run: reverse("grading:run", args=[run.pk]) + "?grade=一般&sort=score&page=2",
        lambda run: reverse("grading:changes", args=[run.pk]),
        lambda run: reverse("grading:progress", args=[run.pk]),
        lambda run: reverse("grading:result", args=[run.results.get(code="TA01").pk]),
        lambda run: reverse("grading:export", args=[run.pk]),
        lambda run: reverse("grading:preview", args=[run.campaign_id]),
    ],
    ids=["campaign", "run", "run-filtered", "changes", "progress", "result", "export", "preview"],
)
def test_pages_use_a_fixed_number_of_queries(
    client_for, sized_runs, persona, url_for, django_assert_max_num_queries
):
    client = client_for(persona)
    url = url_for(sized_runs)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_a_reviewer_who_is_also_a_secretary_elsewhere_reads_grades_of_the_township_only(
    client_for, personas, campaign, twenty
):
    from chuangyou.accounts.models import Role, RoleAssignment

    start(client_for("county_admin"), campaign)
    run = latest_run(campaign)
    reviewer = personas["township_reviewer"]  # 甲镇
    RoleAssignment.objects.create(
        user=reviewer, role=Role.BRANCH_SECRETARY, organization=result_of(run, "TB01").organization
    )
    client = client_for("township_reviewer")
    assert client.get(reverse("grading:result", args=[result_of(run, "TB01").pk])).status_code == 404
    assert client.get(reverse("grading:result", args=[result_of(run, "TA01").pk])).status_code == 200
    body = client.get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "TB01" not in body and "TA01" in body
    tb01_sheet = result_of(run, "TB01").sheet_id
    assert client.get(reverse("reviews:detail", args=[tb01_sheet])).status_code == 404


def test_a_branch_reads_neither_reviews_nor_grades_before_the_notice(client_for, campaign, twenty):
    start(client_for("county_admin"), campaign)
    run = latest_run(campaign)
    client = client_for("branch_secretary")  # TA01's secretary
    assert client.get(reverse("reviews:list")).status_code == 403
    assert client.get(reverse("reviews:detail", args=[result_of(run, "TA01").sheet_id])).status_code == 404
    assert client.get(reverse("grading:result", args=[result_of(run, "TA01").pk])).status_code == 404
