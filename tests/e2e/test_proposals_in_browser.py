"""Township proposals of 优秀 (推荐优秀) and the county's re-check (复核) in a real browser, through two
grading runs and a supplementary notice.

Thirty branches take part, on the shared tree: 甲镇 16 (TA01 95, TA02 93, X0000 91, the rest 70) and
乙街道 14 (TB01 92, X0001 94, X0003 85, the rest 70); every sheet applied for 优秀. 优秀 ≤ ⌊30×7%⌋ = 2,
one seat per township (by largest remainder over 16 and 14); 良好 ≤ 30×10% = 3. At first only fifteen
are reviewed (X0000…X0014 are still submitted), so the later run has new branches.

The county admin turns the setting on in 定级设置. 甲镇's reviewer tries two candidates for its one
seat (refused), then proposes TA01. The county admin's run is refused for notice while TA01 is not
re-checked; the admin re-checks it (同意, 实地查看, a note), grades again (TA01 优秀; TA02, not
proposed, 良好), submits and publishes the notice. The other fifteen are reviewed; 乙街道's reviewer
proposes X0001, the county accepts it, grades a third time (the fifteen noticed grades kept), submits
and creates the supplementary notice (补充公示). Both notices together keep the quotas."""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chuangyou.accounts.models import Role
from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import Campaign
from chuangyou.grading.models import GradingRun, Proposal
from chuangyou.notices.models import NoticeBatch
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.e2e.test_notice_in_browser import preview_notice
from tests.e2e.test_self_assessment_in_browser import alert, log_out
from tests.grading.conftest import add_branches, set_inputs
from tests.notices.conftest import STARTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTRA = 27  # added branches: even i under 甲镇 (14), odd i under 乙街道 (13)
LATER = [f"X{i:04d}" for i in range(15)]  # reviewed only after the first notice
HIGH = {0: 91, 1: 94, 3: 85}  # X0000 甲镇, X0001 and X0003 乙街道
ACCEPT_NOTE = "实地查看党群服务中心和“三会一课”记录，材料属实，同意推荐为优秀"
SECOND_NOTE = "查阅台账和会议记录，同意推荐为优秀"
BADGE = re.compile(r"^(优秀|良好|一般|软弱涣散) (\d+)$")


@pytest.fixture
def branches(campaign, december, reviewed, tree):
    """The thirty branches' December sheets; X0000…X0014 still submitted (not yet reviewed)."""
    set_inputs(december, "TA01", "95")
    set_inputs(december, "TA02", "93")
    set_inputs(december, "TB01", "92")
    add_branches(tree, december, EXTRA, lambda i: {"final_total": Decimal(HIGH.get(i, 70))})
    ScoreSheet.objects.filter(round=december).update(applied_grade="优秀")
    ScoreSheet.objects.filter(round=december, organization__code__in=LATER).update(state="submitted")
    assert ScoreSheet.objects.filter(round=december).count() == 30
    return december


@pytest.fixture
def town_b_reviewer(tree):
    """乙街道's reviewer (the shared personas' township reviewer, p_town, is 甲镇's)."""
    return make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])


def log_in_as(page, base: str, username: str) -> None:
    login(page, base, username, PASSWORD)
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def open_proposals(page, base: str, campaign) -> None:
    """From the grading page, the 推荐优秀与复核 button."""
    page.goto(base + reverse("grading:campaign", args=[campaign.pk]))
    page.get_by_test_id("proposals-link").click()
    expect(page).to_have_url(base + reverse("grading:proposals", args=[campaign.pk]))


def township_card(page, name: str):
    return page.get_by_test_id("proposal-township").filter(has=page.get_by_role("heading", name=name))


def candidate_row(card, name: str):
    return card.locator("tbody tr").filter(has=card.page.get_by_label(f"推荐{name}", exact=True))


def recheck(page, township: str, name: str, method: str, note: str) -> None:
    """The county admin's 复核 of a pending proposal: 同意, with a method and a note."""
    row = candidate_row(township_card(page, township), name)
    form = row.get_by_test_id("decide-form")
    form.get_by_label("复核结果").select_option("accepted")
    form.get_by_label("复核方式").select_option(method)
    form.get_by_label("复核意见").fill(note)
    with page.expect_navigation():
        form.get_by_role("button", name="复核").click()
    expect(alert(page, f"已复核{name}：复核同意，重新定级后生效")).to_have_count(1)
    row = candidate_row(township_card(page, township), name)
    expect(row.get_by_test_id("proposal-state")).to_have_text("复核同意")
    expect(row).to_contain_text(note)
    expect(row.get_by_test_id("decide-form")).to_have_count(0)


def start_run(page, base: str, campaign, number: int) -> GradingRun:
    page.goto(base + reverse("grading:campaign", args=[campaign.pk]))
    with page.expect_navigation():
        page.get_by_test_id("start-run").click()  # its data-confirm dialog is accepted
    run = GradingRun.objects.get(campaign=campaign, number=number)
    assert run.state == "done", run.error
    expect(page).to_have_url(base + reverse("grading:run", args=[run.pk]))
    expect(alert(page, f"第{number}次定级已完成")).to_have_count(1)
    return run


def grade_of(page, code: str):
    """The 等级 cell of the branch's row on the run page."""
    return page.locator(f'[data-testid=result-row][data-code="{code}"]').locator("td").nth(6)


def reason_of(page, code: str):
    return page.locator(f'[data-testid=result-row][data-code="{code}"]').locator("td").nth(7)


def quota_limits(page) -> dict[str, tuple[int, int]]:
    """{"优秀": (used, limit), ...} from the run page's 名额使用 table."""
    text = page.get_by_test_id("quota-table").inner_text()
    return {g: (int(u), int(n)) for g, u, n in re.findall(r"(\S+) (\d+)/(\d+)", text)}


def submit_run(page) -> None:
    with page.expect_navigation():
        page.get_by_test_id("submit-run").click()  # its data-confirm dialog is accepted


def create_and_publish_notice(page, base: str, run) -> NoticeBatch:
    """From the submitted run's page: 发布公示, the form (网站, five working days from 14 December),
    创建公示草稿, then 发布 on the notice's page."""
    page.goto(base + reverse("grading:run", args=[run.pk]))
    expect(page.get_by_role("button", name="已提交公示")).to_be_disabled()
    page.get_by_test_id("notice-create-link").click()
    expect(page.get_by_role("heading", name="发布公示")).to_be_visible()
    preview_notice(page, STARTS)
    with page.expect_navigation(url=re.compile(r"/notices/\d+/$")):
        page.get_by_test_id("create-notice").click()
    batch = NoticeBatch.objects.get(run=run)
    expect(alert(page, "已创建公示草稿")).to_have_count(1)
    page.get_by_test_id("publish").click()
    expect(alert(page, "公示已发布，公开链接已可访问")).to_have_count(1)
    expect(page.get_by_text("公示中", exact=True)).to_be_visible()
    return batch


def notice_grades(page) -> Counter:
    """The notice page's 各等级 badges, checked against its list of entries."""
    facts = page.get_by_test_id("notice-facts")
    expect(facts).to_be_visible()
    counts = Counter()
    for badge in facts.locator(".badge").all():
        m = BADGE.match(badge.inner_text().strip())
        assert m, badge.inner_text()
        counts[m[1]] += int(m[2])
    rows = page.get_by_test_id("entry-row")
    listed = Counter(rows.nth(i).locator("td").nth(3).inner_text().strip() for i in range(rows.count()))
    assert listed == counts
    return counts


def test_township_proposals_recheck_and_supplementary_notice(
    page, live_server, campaign, branches, personas, town_b_reviewer, shot
):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())

    # --- 1. The county admin turns on 乡镇（街道）推荐优秀 in 定级设置 -------------------------------
    log_in_as(page, base, "p_admin")
    page.goto(base + reverse("campaigns:detail", args=[campaign.pk]))
    settings = page.get_by_test_id("grading-settings")
    settings.get_by_label("乡镇（街道）推荐优秀、县委组织部复核").check()
    with page.expect_navigation():
        settings.get_by_role("button", name="保存定级设置").click()
    expect(alert(page, "已保存定级设置")).to_have_count(1)
    assert Campaign.objects.get(pk=campaign.pk).township_proposals
    page.goto(base + reverse("grading:campaign", args=[campaign.pk]))
    expect(page.get_by_test_id("branch-counts")).to_have_text("已完成审核 15 个 / 参评党支部 30 个")
    expect(page.get_by_test_id("proposals-link")).to_be_visible()
    log_out(page)

    # --- 2. 甲镇's reviewer proposes within its one seat ----------------------------------------------
    log_in_as(page, base, "p_town")
    open_proposals(page, base, campaign)
    expect(page.get_by_test_id("proposal-township")).to_have_count(1)  # its own township only
    card = township_card(page, "甲镇党委")
    expect(card.get_by_test_id("proposal-seats")).to_contain_text("可推荐 1 个")
    expect(card.get_by_test_id("proposal-seats")).to_contain_text("已推荐 0 个")
    # Reviewed and ≥ 90: TA01 and TA02 (X0000, 91, is not reviewed yet).
    expect(card.locator("input[name=organization]")).to_have_count(2)
    expect(card.get_by_label("推荐第0党支部", exact=True)).to_have_count(0)
    expect(card.get_by_test_id("decide-form")).to_have_count(0)  # the county re-checks, not the township
    card.get_by_label("推荐甲一村党支部").check()
    card.get_by_label("推荐甲二村党支部").check()
    with page.expect_navigation():
        card.get_by_test_id("propose").click()
    refusal = "甲镇党委可推荐优秀1个（县委名额按各乡镇现有党支部数以最大余数法分配），现选了2个"
    expect(alert(page, refusal)).to_have_count(1)
    assert not Proposal.objects.exists()
    card = township_card(page, "甲镇党委")
    card.get_by_label("推荐甲一村党支部").check()
    with page.expect_navigation():
        card.get_by_test_id("propose").click()
    expect(alert(page, "已推荐1个：甲一村党支部，等待县委组织部复核")).to_have_count(1)
    card = township_card(page, "甲镇党委")
    expect(candidate_row(card, "甲一村党支部").get_by_test_id("proposal-state")).to_have_text("待复核")
    expect(candidate_row(card, "甲二村党支部")).to_contain_text("未推荐")
    expect(card.get_by_test_id("proposal-seats")).to_contain_text("已推荐 1 个")
    shot(page, "township-proposed")
    log_out(page)

    # --- 3. The county admin: refused for notice until re-checked; re-checks; grades; notice ---------
    log_in_as(page, base, "p_admin")
    first = start_run(page, base, campaign, 1)
    expect(page.get_by_test_id("not-reviewed")).to_contain_text("有 15 个参评党支部尚未完成审核")
    expect(grade_of(page, "TA01")).to_have_text("优秀")  # proposed, pending
    expect(grade_of(page, "TA02")).to_have_text("良好")  # ≥ 90 but not proposed
    submit_run(page)
    expect(alert(page, "尚未经县委组织部复核")).to_have_count(1)
    expect(alert(page, "甲一村党支部")).to_have_count(1)
    first.refresh_from_db()
    assert first.submitted_at is None

    open_proposals(page, base, campaign)
    expect(page.get_by_test_id("proposal-township")).to_have_count(2)  # the county sees every township
    expect(township_card(page, "乙街道党工委").get_by_test_id("proposal-seats")).to_contain_text(
        "可推荐 1 个"
    )
    expect(page.get_by_test_id("decide-form")).to_have_count(1)
    recheck(page, "甲镇党委", "甲一村党支部", "site_visit", ACCEPT_NOTE)
    proposal = Proposal.objects.get(organization__code="TA01")
    assert (proposal.state, proposal.method, proposal.note) == ("accepted", "site_visit", ACCEPT_NOTE)
    shot(page, "county-rechecked")

    second = start_run(page, base, campaign, 2)
    expect(page.get_by_test_id("run-facts")).to_contain_text("30 个党支部")
    expect(grade_of(page, "TA01")).to_have_text("优秀")
    expect(grade_of(page, "TA02")).to_have_text("良好")
    expect(reason_of(page, "TA02")).to_contain_text("未经乡镇（街道）党（工）委推荐为优秀")
    expect(grade_of(page, "TB01")).to_have_text("良好")  # 乙街道 proposed nobody yet
    assert quota_limits(page) == {"优秀": (1, 2), "良好": (2, 3)}
    submit_run(page)
    expect(alert(page, "第2次定级结果已提交公示")).to_have_count(1)
    shot(page, "second-run-submitted")
    first_notice = create_and_publish_notice(page, base, second)
    expect(page.get_by_role("heading", name=first_notice.title)).to_be_visible()
    assert not first_notice.title.endswith("补充公示")
    first_grades = notice_grades(page)
    assert first_grades == Counter({"优秀": 1, "良好": 2, "一般": 12})
    log_out(page)

    # --- 4. The other fifteen are reviewed; 乙街道 proposes, the county re-checks and grades again -----
    ScoreSheet.objects.filter(round=branches, organization__code__in=LATER).update(state="reviewed")
    log_in_as(page, base, town_b_reviewer.username)
    open_proposals(page, base, campaign)
    expect(page.get_by_test_id("proposal-township")).to_have_count(1)
    card = township_card(page, "乙街道党工委")
    expect(card.get_by_test_id("proposal-seats")).to_contain_text("可推荐 1 个")
    card.get_by_label("推荐第1党支部", exact=True).check()
    with page.expect_navigation():
        card.get_by_test_id("propose").click()
    expect(alert(page, "已推荐1个：第1党支部，等待县委组织部复核")).to_have_count(1)
    card = township_card(page, "乙街道党工委")
    expect(candidate_row(card, "第1党支部").get_by_test_id("proposal-state")).to_have_text("待复核")
    log_out(page)

    log_in_as(page, base, "p_admin")
    open_proposals(page, base, campaign)
    expect(page.get_by_test_id("decide-form")).to_have_count(1)  # TA01 is re-checked already
    expect(
        candidate_row(township_card(page, "甲镇党委"), "甲一村党支部").get_by_test_id("proposal-state")
    ).to_have_text("复核同意")
    recheck(page, "乙街道党工委", "第1党支部", "documents", SECOND_NOTE)

    third = start_run(page, base, campaign, 3)
    facts = page.get_by_test_id("run-facts")
    expect(facts).to_contain_text("30 个党支部（现有参评党支部数）")
    expect(page.get_by_test_id("committed")).to_have_text("15 个党支部（已提交公示，本次不变，占用名额）")
    expect(page.get_by_test_id("not-reviewed")).to_have_count(0)
    expect(grade_of(page, "TA01")).to_have_text("优秀")  # kept
    expect(grade_of(page, "X0001")).to_have_text("优秀")  # the seat left
    expect(grade_of(page, "X0000")).to_have_text("良好")  # 甲镇's seat is TA01's
    expect(grade_of(page, "X0003")).to_have_text("一般")  # 良好 full
    expect(reason_of(page, "X0003")).to_contain_text("良好名额3个已满")
    limits = quota_limits(page)
    assert limits == {"优秀": (2, 2), "良好": (3, 3)}
    shot(page, "third-run")
    submit_run(page)
    expect(alert(page, "第3次定级结果已提交公示")).to_have_count(1)

    page.get_by_test_id("notice-create-link").click()
    expect(page.get_by_test_id("existing-notices")).to_have_count(0)  # none from this run yet
    preview_notice(page, STARTS)
    with page.expect_navigation(url=re.compile(r"/notices/\d+/$")):
        page.get_by_test_id("create-notice").click()
    expect(alert(page, "已创建公示草稿")).to_have_count(1)
    supplement = NoticeBatch.objects.get(run=third)
    title = page.get_by_role("heading", level=1).inner_text().strip()
    assert title == supplement.title and title.endswith("补充公示"), title
    second_grades = notice_grades(page)
    assert sum(second_grades.values()) == 15  # only the branches not noticed before
    assert second_grades == Counter({"优秀": 1, "良好": 1, "一般": 13})
    shot(page, "supplementary-notice")

    # Both notices, read back from their pages, keep the quotas of the run page.
    page.goto(base + reverse("notices:detail", args=[first_notice.pk]))
    assert notice_grades(page) == first_grades
    total = first_grades + second_grades
    assert total["优秀"] <= limits["优秀"][1] == 2
    assert total["良好"] <= limits["良好"][1] == 3
    assert sum(total.values()) == 30
