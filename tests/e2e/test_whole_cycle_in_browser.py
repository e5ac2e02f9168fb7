"""A whole campaign in a real browser, from an empty county to the plaques, through the pages only.

On the demo county with no campaign (the clock moved to Monday 14 December 2026): the county admin
creates the year's campaign with a county's own grading scheme (quotas that three branches can use),
chooses the rubric of the domains the defaults leave open and opens the December self-assessment.
Three village branches of 城关镇 score every item, issue democratic-evaluation codes that members
answer on a phone without logging in, fill in the application and submit. The township returns one
sheet with a reason; the branch changes an item and submits again; the township reviews all three.
The county grades, re-checks the 优秀 candidate, grades again, submits the result and publishes the
notice. An anonymous visitor on a phone objects to one branch and gets a tracking code; the township
answers 不成立 and the visitor reads the answer. After the period (the clock moves to Monday
21 December) the county reports and approves with a document number, downloads the naming document
and the plaque list, and the approved grades appear on the organizations' pages. The auditor reads
the audit log; the leading group reads the grading. Screenshots for the user guide along the way
(`guide_shot`, see conftest.py)."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.campaigns.models import Campaign
from chuangyou.core.demo import COUNTY_CODE
from chuangyou.grading.models import GradingRun
from chuangyou.notices.models import NoticeBatch, NoticeState, Objection, OfficialGrade
from chuangyou.orgs.models import Domain, Kind, Organization
from tests.e2e.test_notice_in_browser import docx_groups, grade_section, preview_notice, public_entry
from tests.e2e.test_review_and_grading_in_browser import record_method, save_review_item
from tests.e2e.test_self_assessment_in_browser import PHONE, alert, fill_item, item_score, log_out, points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2026, 12, 14)  # a Monday inside the December self-assessment (1–20 December)
NOTICE_ENDS = dt.date(2026, 12, 18)  # the fifth working day
AFTER = dt.date(2026, 12, 21)  # the next Monday: the notice period is over
YEAR = TODAY.year
TOWNSHIP = "SFX01"  # 城关镇: township01 reviews, branch01 is the secretary of its first branch
ORGAN_RUBRIC = "机关党支部争先创优评定标准（第1版）"
NUMBER = "示组通〔2026〕12号"
TITLE = "关于命名2026年度基层党组织争先创优评定等级的通知"

# The county's own scheme: seed2020's grades and score lines, with quotas that a pilot of three
# reviewed branches can use (seed2020's 7 % of 3 branches is no 优秀 and no 良好 at all).
SCHEME_FILE = "示范县试点评定方案.toml"
SCHEME = """\
name = "pilot2026"
title = "试点四档评定（优秀/良好/一般/软弱涣散）"
grades = [
  { label = "优秀", min_score = 90 },
  { label = "良好", min_score = 80 },
  { label = "一般", min_score = 60 },
  { label = "软弱涣散", min_score = 0 },
]
quotas = [
  { grade = "优秀", max_percent = 34, rounding = "floor" },
  { grade = "良好", max_percent = 34, rounding = "floor" },
]
floor = { grades = ["一般", "软弱涣散"], min_percent = 30, rounding = "ceil" }
veto_max_grade = "一般"
weak_grade = "软弱涣散"
tie_break = ["satisfaction", "code"]
"""

RETURN_REASON = "“三会一课”项目的佐证材料不全，请补充会议记录后重新提交。"
REVIEW_REASON = "现场查阅会议记录，部分活动记录不完整"
RECHECK_REASON = "县委组织部复核：主题党日记录有一次缺少签到"
OBJECTION = "该支部年内两次主题党日未按时开展，评定等级偏高。"
OBJECTOR, OBJECTOR_PHONE = "王海", "13912345678"
ANSWER = "经查阅签到表和活动照片并走访党员，主题党日按月开展，异议不成立。"


@pytest.fixture
def clock(monkeypatch):
    """Move the clock to a fixed day, keeping the time of day: `timezone.now()` (and with it
    `localdate()`, the audit times, the dates of objections and approvals) is shifted by whole days,
    so every page tells one consistent story. The live server runs in this process."""
    real_now = timezone.now

    def set_day(day: dt.date):
        shift = day - timezone.localtime(real_now()).date()
        monkeypatch.setattr("django.utils.timezone.now", lambda: real_now() + shift)

    set_day(TODAY)
    return set_day


@pytest.fixture
def secretaries(demo):
    """Three village branches of 城关镇 and their secretaries: branch01's, and two accounts made here
    (the product has no page for accounts; the admin site is Django's)."""
    township = Organization.objects.get(code=TOWNSHIP)
    own = Organization.objects.get(code=demo["branch01"].org_code)
    villages = Organization.objects.filter(
        path__startswith=township.path, depth=township.depth + 1, kind=Kind.BRANCH, domain=Domain.VILLAGE
    ).exclude(pk=own.pk)
    users = {"branch01": own}
    for username, org in zip(("branch01b", "branch01c"), villages.order_by("code")[:2], strict=True):
        user = get_user_model().objects.create_user(
            username, password="Chuangyou@2026", first_name=f"{org.name}书记"
        )
        RoleAssignment.objects.create(user=user, role=Role.BRANCH_SECRETARY, organization=org)
        users[username] = org
    assert own.domain == Domain.VILLAGE
    return users


def open_my_sheet(page, org: Organization, server: str) -> ScoreSheet:
    todo = page.get_by_test_id("my-sheet")
    expect(todo).to_contain_text(org.name)
    todo.click()
    sheet = ScoreSheet.objects.get(organization=org)
    expect(page).to_have_url(f"{server}/sheets/{sheet.pk}/")
    return sheet


def fill_sheet(page) -> tuple[list[str], Decimal]:
    """Every item the way a secretary would (see fill_item); returns the items and the total."""
    items = [block.get_attribute("id") for block in page.get_by_test_id("sheet-item").all()]
    assert len(items) >= 20
    running = Decimal(0)
    for index, item_id in enumerate(items):
        fill_item(page, index, item_id)
        running += item_score(page, item_id)
    expect(page.get_by_test_id("sheet-progress")).to_have_text(f"{len(items)}/{len(items)} 项")
    expect(page.get_by_test_id("sheet-total")).to_have_text(points(running))
    return items, running


def run_evaluation(page, browser, browser_context_args, server, org_name, guide_shot, shots: bool):
    """Three member codes and one for the public; answered on a phone without logging in."""
    # The sheet's link, not the menu's of the same name.
    page.locator(".page-wrapper").get_by_role("link", name="民主测评", exact=True).click()
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    page.locator("#id_members").fill("3")
    page.locator("#id_public").fill("1")
    page.locator("#id_closes_at").fill(closes.strftime("%Y-%m-%dT18:00"))
    page.get_by_role("button", name="生成测评码").click()
    expect(alert(page, "已生成测评码：党员3份、群众1份")).to_have_count(1)
    page.get_by_role("link", name="打印测评卡").click()
    cards = page.get_by_test_id("code-card")
    expect(cards).to_have_count(4)
    codes = [c.locator(".code-card-code").inner_text().strip() for c in cards.all()]
    if shots:
        guide_shot(page, "05-evaluation-codes")

    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    try:
        phone = phone_context.new_page()
        phone.set_default_timeout(10_000)
        for number, code in enumerate(codes[:3]):
            phone.goto(f"{server}/evaluations/a/")
            phone.locator("#code").fill(code)
            phone.get_by_role("button", name="开始测评").click()
            expect(phone.get_by_test_id("organization-name")).to_have_text(org_name)
            for q, question in enumerate(phone.locator("fieldset[data-testid^=question-]").all()):
                question.get_by_text("基本满意" if number == 2 and q else "满意", exact=True).click()
            if number == 0 and shots:
                assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
                phone.evaluate("window.scrollTo(0, 0)")  # the organization and the first questions
                guide_shot(phone, "06-evaluation-phone")
            phone.get_by_role("button", name="提交测评").click()
            expect(phone.get_by_test_id("thanks")).to_have_text("提交成功，感谢您的参与！")
    finally:
        phone_context.close()
    page.get_by_role("link", name="返回").click()
    expect(page.get_by_test_id("result-combined").locator("td").last).to_have_text("有效")


def apply_and_submit(page, grade: str):
    page.locator("#id_applied_grade").select_option(grade)
    page.locator("#id_achievements").fill("全年开展主题党日12次，建成村级党群服务中心。")
    page.locator("#id_self_evaluation").fill(f"对照标准自评为{grade}。")
    page.get_by_role("button", name="保存申报信息").click()
    expect(alert(page, "申报信息已保存")).to_have_count(1)
    page.get_by_role("button", name="提交自查表").click()
    expect(alert(page, "已提交，等待乡镇（街道）党（工）委审核")).to_have_count(1)
    expect(page.get_by_test_id("sheet-state")).to_have_text("已提交")


def review_items(page, lowered: int) -> Decimal:
    """Score every item of a review: full marks, except `lowered` discretionary items one point
    lower (with a reason). Returns the review total the page shows."""
    ids = [e.get_attribute("id") for e in page.get_by_test_id("review-entry").all()]
    assert len(ids) >= 20
    done = 0
    for item_id in ids:
        block = page.locator(f"#{item_id}")
        score = block.locator("input[name=score]")
        if score.count():
            most = Decimal(score.get_attribute("max"))
            if done < lowered and most >= 2:
                block.locator("input[name=reason]").fill(REVIEW_REASON)
                score.fill(points(most - 1))
                done += 1
            else:
                score.fill(points(most))
        block = save_review_item(page, item_id)
        expect(block.get_by_test_id("item-errors")).to_have_count(0)
    assert done == lowered
    expect(page.get_by_test_id("review-progress")).to_contain_text(f"{len(ids)}/{len(ids)}")
    scores = [Decimal(b.inner_text().split()[-1]) for b in page.get_by_test_id("review-score").all()]
    return sum(scores, Decimal(0))


def save_details(page, word: str):
    """Save the methods; the page comes back whole, its header with the current score (the header
    is not refreshed by the autosave of the items)."""
    page.get_by_role("button", name=f"保存{word}情况").click()
    expect(alert(page, f"{word}信息已保存")).to_have_count(1)
    expect(
        page.get_by_test_id("review-methods").locator("input[type=checkbox]:checked").first
    ).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")


def finish(page, state: str):
    page.get_by_test_id("finish-review").click()
    expect(page.get_by_test_id("sheet-state")).to_have_text(state)


def result_grades(page) -> dict[str, str]:
    """{organization name: grade} of the run page's result table."""
    grades = {}
    for row in page.get_by_test_id("result-row").all():
        cells = row.locator("td")
        grades[cells.nth(1).locator("a").inner_text().strip()] = cells.nth(6).inner_text().strip()
    return grades


def test_whole_cycle(
    clock,  # first: the demo county is made on the campaign's clock too
    page,
    server,
    demo,
    secretaries,
    log_in,
    guide_shot,
    browser,
    browser_context_args,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.on("dialog", lambda dialog: dialog.accept())
    orgs = secretaries  # username → organization
    names = {u: o.name for u, o in orgs.items()}
    first, second, third = names["branch01"], names["branch01b"], names["branch01c"]
    county = Organization.objects.get(code=COUNTY_CODE)

    # --- 1. The county admin sets up the campaign ------------------------------------------------
    log_in("admin")
    expect(page.get_by_test_id("workbench-title")).to_have_text("县委组织部管理员")
    expect(page.get_by_test_id("scope-card")).to_contain_text(county.name)
    guide_shot(page, "01-admin-workbench")

    page.locator("#main-nav").get_by_role("link", name="争先创优活动").click()
    page.get_by_role("link", name="新建活动").click()
    expect(page.locator("#id_year")).to_have_value(str(YEAR))
    expect(page.locator("#id_name")).to_have_value(f"{YEAR}年度基层党组织争先创优活动")
    expect(page.locator("#id_december_starts")).to_have_value(f"{YEAR}-12-01")
    page.locator("#id_scheme").select_option("custom")
    page.locator("#id_scheme_file").set_input_files(
        {"name": SCHEME_FILE, "mimeType": "application/toml", "buffer": SCHEME.encode()}
    )
    guide_shot(page, "02-campaign-create")
    page.get_by_role("button", name="创建").click()
    expect(alert(page, f"已创建“{YEAR}年度基层党组织争先创优活动”")).to_have_count(1)
    campaign = Campaign.objects.get(year=YEAR)
    expect(page).to_have_url(f"{server}/campaigns/{campaign.pk}/")
    participants = campaign.participants().count()
    expect(page.get_by_text(f"参评党支部 {participants} 个")).to_be_visible()
    quota_rows = page.get_by_test_id("quota-table").locator("tr")
    expect(quota_rows).to_have_count(3)
    expect(quota_rows.first).to_contain_text(f"优秀（至多）{34 * participants // 100} 个")

    # The shipped rubrics leave some domains open: the county chooses the 机关 rubric for them here.
    rubrics = page.get_by_test_id("campaign-rubrics")
    open_domains = rubrics.locator("tr").filter(has_text="尚未选定，开启自查前须选定")
    for _ in range(open_domains.count()):
        row = open_domains.first
        row.locator("select[name=rubric]").select_option(label=ORGAN_RUBRIC)
        row.get_by_role("button", name="设置", exact=True).click()
        expect(alert(page, "已设置该领域的评定标准")).to_have_count(1)
    expect(open_domains).to_have_count(0)

    page.locator("#id_kind").select_option("december")
    page.locator("#id_opens").fill(f"{YEAR}-12-01")
    page.locator("#id_closes").fill(f"{YEAR}-12-20")
    page.get_by_role("button", name="开启自查").click()
    expect(alert(page, "已开启自查，各支部可以开始填写")).to_have_count(1)
    expect(
        page.get_by_role("link", name=f"12月自查：12月01日—12月20日，{participants} 份自查表")
    ).to_be_visible()
    guide_shot(page, "03-campaign-detail")
    log_out(page)

    # --- 2. Three branches self-assess, run the democratic evaluation and submit -------------------
    totals, sheets, third_items = {}, {}, []
    for username, grade in (("branch01", "优秀"), ("branch01b", "良好"), ("branch01c", "良好")):
        shots = username == "branch01"
        log_in(username)
        sheet = open_my_sheet(page, orgs[username], server)
        sheets[username] = sheet
        expect(page.get_by_test_id("sheet-state")).to_have_text("填写中")
        items, totals[username] = fill_sheet(page)
        if username == "branch01c":
            third_items = items
        if shots:
            page.evaluate("window.scrollTo(0, 0)")  # the totals: swapped by htmx, not a stable target
            guide_shot(page, "04-branch-sheet")
        run_evaluation(page, browser, browser_context_args, server, names[username], guide_shot, shots)
        # The evaluation page has no link back to the sheet: through the workbench.
        page.locator("#main-nav").get_by_role("link", name="工作台").click()
        open_my_sheet(page, orgs[username], server)
        expect(page.get_by_test_id("evaluation-summary")).to_contain_text("3 / 4")
        apply_and_submit(page, grade)
        expect(page.get_by_role("button", name="保存本项")).to_have_count(0)
        if shots:
            guide_shot(page, "07-sheet-submitted")
        log_out(page)
    assert {s.state for s in ScoreSheet.objects.filter(pk__in=[s.pk for s in sheets.values()])} == {
        SheetState.SUBMITTED
    }

    # --- 3. The township returns one sheet; the branch fixes it; the township reviews all three ----
    log_in("township01")
    expect(page.get_by_test_id("review-counts")).to_contain_text("审核：待审核 3 份")
    page.locator("#main-nav").get_by_role("link", name="审核复核").click()
    expect(page.get_by_test_id("count-submitted")).to_have_text("3")
    rows = page.get_by_test_id("review-row")
    expect(rows).to_have_count(3)
    for username in orgs:
        row = page.locator(f"[data-testid=review-row][data-org='{names[username]}']")
        expect(row.locator("td").nth(2)).to_have_text(points(totals[username]))
        expect(row.locator("td").nth(5)).to_have_text("已提交")
    guide_shot(page, "08-review-list")

    page.locator(f"[data-testid=review-row][data-org='{third}']").get_by_role("link", name="审核").click()
    expect(page).to_have_url(f"{server}/reviews/{sheets['branch01c'].pk}/")
    return_form = page.locator(f"form[action='/sheets/{sheets['branch01c'].pk}/return/']")
    return_form.locator("[name=reason]").fill(RETURN_REASON)
    return_form.scroll_into_view_if_needed()
    guide_shot(page, "09-review-return")
    return_form.get_by_role("button", name="退回支部").click()
    expect(alert(page, "已退回，支部修改后可重新提交")).to_have_count(1)
    expect(page.get_by_test_id("sheet-state")).to_have_text("已退回")
    log_out(page)

    log_in("branch01c")
    expect(page.get_by_test_id("my-sheet")).to_contain_text(f"已退回 · 退回原因：{RETURN_REASON}")
    open_my_sheet(page, orgs["branch01c"], server)
    expect(page.get_by_test_id("return-reason")).to_have_text(f"退回原因：{RETURN_REASON}")
    # The secretary lowers one full-marks discretionary item half a point, with the reason.
    for item_id in third_items:
        block = page.locator(f"#{item_id}")
        score = block.locator("input[name=score]")
        if score.count() and score.input_value() == points(Decimal(score.get_attribute("max"))):
            block.locator("input[name=reason]").fill("已补充会议记录，个别记录仍不完整")
            score.fill(points(Decimal(score.get_attribute("max")) - Decimal("0.5")))
            with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
                block.get_by_role("button", name="保存本项").click()
            break
    totals["branch01c"] -= Decimal("0.5")
    expect(page.get_by_test_id("sheet-total")).to_have_text(points(totals["branch01c"]))
    page.get_by_role("button", name="提交自查表").click()
    expect(alert(page, "已提交，等待乡镇（街道）党（工）委审核")).to_have_count(1)
    expect(page.get_by_test_id("return-reason")).to_have_count(0)
    log_out(page)

    # The township reviews the three: full marks for the first, one and four points off the others.
    log_in("township01")
    reviewed = {}
    for username, lowered in (("branch01", 0), ("branch01b", 1), ("branch01c", 4)):
        page.locator("#main-nav").get_by_role("link", name="审核复核").click()
        page.locator(f"[data-testid=review-row][data-org='{names[username]}']").get_by_role(
            "link", name="审核"
        ).click()
        page.get_by_test_id("start-review").click()
        expect(page.get_by_test_id("sheet-state")).to_have_text("审核中")
        reviewed[username] = review_items(page, lowered)
        expect(page.get_by_test_id("review-total")).to_contain_text(points(reviewed[username]))
        record_method(page, "documents", f"{YEAR}-12-14", "查阅三会一课记录和党费收缴台账")
        record_method(page, "evaluation", f"{YEAR}-12-14")
        save_details(page, "审核")
        expect(page.get_by_test_id("review-total")).to_have_text(points(reviewed[username]))
        if username == "branch01":
            guide_shot(page, "10-township-review")
        finish(page, "已审核")
    assert reviewed["branch01"] > reviewed["branch01b"] > reviewed["branch01c"] >= 90
    page.locator("#main-nav").get_by_role("link", name="审核复核").click()
    expect(page.get_by_test_id("count-reviewed")).to_have_text("3")
    log_out(page)

    # --- 4. The county grades, re-checks the 优秀 candidate, grades again and publishes the notice ----
    log_in("admin")
    page.locator("#main-nav").get_by_role("link", name="争先创优活动").click()
    page.get_by_role("link", name=campaign.name).click()
    page.get_by_test_id("campaign-links").get_by_role("link", name="定级", exact=True).click()
    expect(page.get_by_test_id("branch-counts")).to_have_text(
        f"已完成审核 3 个 / 参评党支部 {participants} 个"
    )
    page.get_by_test_id("start-run").click()
    expect(page.get_by_role("heading", name="第1次定级结果")).to_be_visible()
    assert result_grades(page) == {first: "优秀", second: "良好", third: "一般"}

    page.locator(f"[data-testid=result-row]:has-text('{first}')").get_by_role("link", name="县级复核").click()
    expect(page).to_have_url(f"{server}/reviews/{sheets['branch01'].pk}/recheck/")
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("sheet-state")).to_have_text("已审核")
    expect(page.locator(".page-header")).to_contain_text("复核中")
    expect(page.get_by_test_id("township-score").first).to_be_visible()  # the township's scores beside
    block = page.get_by_test_id("review-entry").filter(has=page.locator("input[name=score]")).first
    item_id = block.get_attribute("id")
    most = Decimal(block.locator("input[name=score]").get_attribute("max"))
    block.locator("input[name=reason]").fill(RECHECK_REASON)
    block.locator("input[name=score]").fill(points(most - Decimal("0.5")))
    save_review_item(page, item_id)
    rechecked = reviewed["branch01"] - Decimal("0.5")
    expect(page.get_by_test_id("review-total")).to_contain_text(points(rechecked))
    record_method(page, "site_visit", f"{YEAR}-12-14", "县委组织部实地复核")
    save_details(page, "复核")
    expect(page.get_by_test_id("review-total")).to_have_text(points(rechecked))
    guide_shot(page, "11-county-recheck")
    finish(page, "已复核")

    page.goto(f"{server}/grading/campaigns/{campaign.pk}/")
    page.get_by_test_id("start-run").click()
    expect(page.get_by_role("heading", name="第2次定级结果")).to_be_visible()
    run = GradingRun.objects.get(campaign=campaign, number=2)
    expect(page.get_by_test_id("not-reviewed")).to_contain_text(
        f"{participants - 3} 个参评党支部尚未完成审核"
    )
    quotas = page.get_by_test_id("quota-table")
    expect(quotas).to_contain_text("优秀 1/1")
    expect(quotas).to_contain_text("良好 1/1")
    expect(quotas.locator(".badge", has_text="不符合")).to_have_count(0)
    grades = {first: "优秀", second: "良好", third: "一般"}
    assert result_grades(page) == grades
    first_row = page.locator(f"[data-testid=result-row]:has-text('{first}')").locator("td")
    expect(first_row.nth(4)).to_have_text(points(rechecked))
    guide_shot(page, "12-grading-run")
    page.get_by_test_id("submit-run").click()
    expect(page.get_by_role("button", name="已提交公示")).to_be_disabled()

    page.get_by_test_id("notice-create-link").click()
    preview_notice(page, TODAY)
    guide_shot(page, "13-notice-create")
    page.get_by_test_id("create-notice").click()
    expect(alert(page, "已创建公示草稿（截止2026年12月18日）")).to_have_count(1)
    page.get_by_test_id("publish").click()
    expect(alert(page, "公示已发布，公开链接已可访问")).to_have_count(1)
    batch = NoticeBatch.objects.get()
    assert (batch.state, batch.starts, batch.ends) == (NoticeState.PUBLISHED, TODAY, NOTICE_ENDS)
    entries = page.get_by_test_id("entry-row")
    expect(entries).to_have_count(3)
    for name, grade in grades.items():
        expect(entries.filter(has_text=name).locator("td").nth(3)).to_have_text(grade)
    public_url = page.get_by_test_id("public-link").inner_text().strip()
    assert public_url == f"{server}/gs/{batch.token}/"
    guide_shot(page, "14-notice-detail")
    log_out(page)

    # --- 5. An anonymous visitor objects on a phone --------------------------------------------------
    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    try:
        phone = phone_context.new_page()
        phone.set_default_timeout(10_000)
        phone.goto(public_url)
        expect(phone.get_by_test_id("notice-title")).to_have_text(batch.title)
        expect(phone.get_by_test_id("notice-entry")).to_have_count(3)
        for name, grade in grades.items():
            expect(grade_section(phone, grade)).to_contain_text(name)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        guide_shot(phone, "15-public-notice-phone")

        public_entry(phone, second).get_by_role("link", name="提出异议").click()
        expect(phone.get_by_test_id("organization-name")).to_have_text(second)
        phone.locator("#id_content").fill(OBJECTION)
        phone.locator("#id_name").fill(OBJECTOR)
        phone.locator("#id_phone").fill(OBJECTOR_PHONE)
        guide_shot(phone, "16-objection-form-phone")
        with phone.expect_navigation():
            phone.get_by_role("button", name="提交异议").click()
        expect(phone.get_by_test_id("thanks")).to_contain_text(second)
        code = phone.get_by_test_id("tracking-code").inner_text().strip()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", code), code
        objection = Objection.objects.get(tracking_code=code)

        # --- 6. The township answers 不成立; the visitor reads the answer -------------------------------
        log_in("township01")
        page.locator("#main-nav").get_by_role("link", name="公示审定").click()
        page.get_by_role("link", name="异议处理").click()
        rows = page.get_by_test_id("objection-row")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("已受理")
        rows.get_by_role("link", name=second).click()
        expect(page.get_by_test_id("objection-content")).to_have_text(OBJECTION)
        expect(page.get_by_test_id("phone")).to_have_text("139****5678")
        answer_form = page.get_by_test_id("answer-form")
        answer_form.locator("#id_state").select_option(label="不成立")
        answer_form.locator("#id_answer").fill(ANSWER)
        guide_shot(page, "17-objection-answer")
        with page.expect_navigation():
            answer_form.get_by_role("button", name="保存").click()
        expect(alert(page, "异议已更新为“不成立”")).to_have_count(1)
        expect(page.get_by_test_id("answer")).to_contain_text(ANSWER)
        log_out(page)

        phone.goto(f"{server}/gs/status/")
        phone.locator("#id_code").fill(code)
        phone.get_by_role("button", name="查询").click()
        expect(phone.get_by_test_id("objection-state")).to_have_text("不成立")
        expect(phone.get_by_test_id("objection-answer")).to_have_text(ANSWER)
        expect(phone.get_by_test_id("objection-status")).to_contain_text(second)
        assert OBJECTOR_PHONE not in phone.content()
        guide_shot(phone, "18-objection-status-phone")
    finally:
        phone_context.close()
    objection.refresh_from_db()
    assert objection.state == "dismissed" and objection.answered_by.username == "township01"

    # --- 7. The period is over: the county reports, approves and downloads the documents -------------
    clock(AFTER)
    log_in("admin")
    page.locator("#main-nav").get_by_role("link", name="公示审定").click()
    page.get_by_test_id("notice-row").get_by_role("link", name=batch.title).click()
    expect(page.get_by_test_id("objection-counts")).to_have_text(re.compile(r"^未办结 0 件，已办结 1 件"))
    page.get_by_test_id("report").click()
    expect(alert(page, "已上报县委组织部审定")).to_have_count(1)
    approve = page.get_by_test_id("approve-form")
    approve.locator("#id_document_number").fill(NUMBER)
    guide_shot(page, "19-notice-approve")
    approve.get_by_role("button", name="审定").click()
    expect(alert(page, "已审定，可下载命名文件和挂牌名单")).to_have_count(1)
    expect(page.get_by_test_id("document-number")).to_have_text(NUMBER)
    expect(page.get_by_test_id("naming-link")).to_be_visible()
    guide_shot(page, "20-notice-approved")
    batch.refresh_from_db()
    assert batch.state == NoticeState.APPROVED
    approved = {g.organization.name: g.grade for g in OfficialGrade.objects.select_related("organization")}
    assert approved == grades

    township = batch.entries.get(name=first).township
    with page.expect_download() as download:
        page.get_by_test_id("naming-link").click()
    naming = tmp_path / download.value.suggested_filename
    download.value.save_as(naming)
    assert naming.name == f"{YEAR}年度争先创优命名文件.docx"
    lines, named = docx_groups(naming)
    assert lines[0] == NUMBER and lines[1] == TITLE, lines[:2]
    assert "决定命名3个基层党组织" in lines[3], lines[3]
    assert named == Counter((grade, township, name) for name, grade in grades.items())

    with page.expect_download() as download:
        page.get_by_test_id("plaques-link").click()
    plaques = tmp_path / download.value.suggested_filename
    download.value.save_as(plaques)
    assert plaques.name == f"{YEAR}年度争先创优挂牌名单.xlsx"
    rows = list(openpyxl.load_workbook(plaques, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "组织名称", "所属党委", "等级", "年度", "文号")
    assert rows[1:] == [
        (1, first, township, "优秀", YEAR, NUMBER),
        (2, second, township, "良好", YEAR, NUMBER),
        (3, third, township, "一般", YEAR, NUMBER),
    ]

    # --- 8. The approved grades on the organizations' pages -----------------------------------------
    for org in orgs.values():
        grade = grades[org.name]
        page.goto(f"{server}/orgs/{org.pk}/")
        expect(page.get_by_test_id("official-grades")).to_contain_text(f"{YEAR}年度 {grade}")
        expect(page.get_by_test_id("official-grades")).to_contain_text(NUMBER)
    log_out(page)

    log_in("branch01")  # the secretary opens the branch's own page from the workbench
    page.get_by_test_id("scope-card").get_by_role("link", name=first).click()
    expect(page.get_by_test_id("org-name")).to_have_text(first)
    official = page.get_by_test_id("official-grades")
    expect(official).to_have_text(
        re.compile(rf"^\s*{YEAR}年度 优秀\s*（{re.escape(NUMBER)}，{AFTER}审定）\s*$")
    )
    guide_shot(page, "21-org-official-grade")
    log_out(page)

    # The auditor reads the audit trail; the leading group reads the grading without acting on it.
    log_in("auditor")
    page.locator("#main-nav").get_by_role("link", name="审计日志").click()
    audit = page.get_by_test_id("audit-table")
    expect(audit.locator("tbody tr").first).to_be_visible()
    for verb in ("审定命名", "处理异议", "提出异议", "发布公示"):
        expect(audit.get_by_text(verb, exact=True).first).to_be_visible()
    guide_shot(page, "22-audit-log")
    log_out(page)

    log_in("leader")
    page.locator("#main-nav").get_by_role("link", name="争先创优活动").click()
    page.get_by_role("link", name=campaign.name).click()
    page.get_by_test_id("campaign-links").get_by_role("link", name="定级", exact=True).click()
    expect(page.get_by_test_id("start-run")).to_have_count(0)
    page.get_by_role("link", name="第2次").click()
    expect(page).to_have_url(f"{server}/grading/runs/{run.pk}/")
    assert result_grades(page) == grades
    expect(page.get_by_test_id("submit-run")).to_have_count(0)
    expect(page.get_by_role("link", name="县级复核")).to_have_count(0)
    guide_shot(page, "23-leader-campaign")
