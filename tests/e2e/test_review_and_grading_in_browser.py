"""Review and grading in a real browser, on the demo county with its campaign under way.

A township reviewer reviews a submitted sheet beside the branch's own scores (a deduction without a
reason is refused, the methods are recorded) and finishes; the township previews its grades. The
county admin starts a grading run, re-checks an 优秀 candidate (and re-scores one item), grades
again and sees what changed, is refused an override that breaks the 优秀 quota, overrides one grade
within the quotas, exports the result to Excel and submits it for public notice."""

import re
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.rubrics.models import Item
from tests.e2e.test_self_assessment_in_browser import alert, log_out, points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEDUCTION_REASON = "会议记录缺少两次，现场核实属实"
OVERRIDE_REASON = "年内发生安全责任事故，经领导小组研究调整"
CLI_COLUMNS = [
    "组织代码",
    "组织名称",
    "所属党委",
    "得分",
    "满意率",
    "一票否决",
    "一票否决最高等级",
    "软弱涣散情形",
    "申报等级",
    "已提交公示等级",
    "满意和基本满意票数",
    "有效票数",
    "党员测评得分",
    "群众测评得分",
    "领域",
    "等级",
    "排名",
    "说明",
]


@pytest.fixture
def campaign(demo):
    from chuangyou.core.demo import create_demo_campaign

    return create_demo_campaign()


def save_review_item(page, item_id: str):
    block = page.locator(f"#{item_id}")
    with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
        # 确认本项 while the item is still the branch's prefilled score, 保存本项 after.
        block.get_by_role("button", name=re.compile("^(保存|确认)本项$")).click()
    return page.locator(f"#{item_id}")


def record_method(page, method: str, day: str, note: str = "") -> None:
    methods = page.get_by_test_id("review-methods")
    methods.locator(f"input[name=use_{method}]").check()
    methods.locator(f"input[name=date_{method}]").fill(day)
    if note:
        methods.locator(f"input[name=note_{method}]").fill(note)


def review_every_item(page, sheet_id: int, deduct_index: int) -> None:
    """Full marks everywhere, except one discretionary item half a point lower (with a reason)."""
    ids = [e.get_attribute("id") for e in page.get_by_test_id("review-entry").all()]
    rubric = ScoreSheet.objects.get(pk=sheet_id).rubric_id
    assert len(ids) == Item.objects.filter(category__rubric=rubric).count() > 0  # every item of the rubric
    deducted = False
    for index, item_id in enumerate(ids):
        block = page.locator(f"#{item_id}")
        score = block.locator("input[name=score]")
        if score.count():
            most = Decimal(score.get_attribute("max"))
            if not deducted and index >= deduct_index and most >= 1:
                block.locator("input[name=reason]").fill("")
                score.fill(points(most - Decimal("0.5")))
                block = save_review_item(page, item_id)
                # A deduction needs its reason: refused, nothing saved.
                expect(block.get_by_test_id("item-errors")).to_contain_text("须填写理由")
                block.locator("input[name=reason]").fill(DEDUCTION_REASON)
                block = save_review_item(page, item_id)
                deducted = True
            else:
                score.fill(points(most))
                block = save_review_item(page, item_id)
        else:
            block = save_review_item(page, item_id)
        expect(block.get_by_test_id("item-errors")).to_have_count(0)
        expect(block.get_by_test_id("review-score")).to_be_visible()
    assert deducted


def test_review_and_grading(page, server, campaign, log_in, shot, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())

    # --- 1. A township reviewer reviews one submitted sheet -------------------------------------
    log_in("township01")
    page.get_by_test_id("review-counts").click()
    expect(page).to_have_url(re.compile(r"/reviews/\?campaign=\d+$"))
    submitted_before = int(page.get_by_test_id("count-submitted").inner_text())
    assert submitted_before > 0
    page.get_by_test_id("review-filters").locator("select[name=state]").select_option("submitted")
    page.get_by_test_id("review-filters").get_by_role("button", name="筛选").click()
    row = page.get_by_test_id("review-row").first
    org_name = row.locator("td").first.inner_text().strip()
    row.get_by_role("link", name="审核").click()
    sheet = ScoreSheet.objects.get(round__campaign=campaign, organization__name=org_name)
    expect(page).to_have_url(f"{server}/reviews/{sheet.pk}/")
    expect(page.get_by_test_id("review-not-started")).to_be_visible()
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("sheet-state")).to_have_text("审核中")
    # The branch's own scores are on the left of every item.
    expect(page.get_by_test_id("self-score").first).to_contain_text("自评得分")

    review_every_item(page, sheet.pk, deduct_index=2)
    expected_total = sum(
        (Decimal(b.inner_text().split()[-1]) for b in page.get_by_test_id("review-score").all()), Decimal(0)
    )
    expect(page.get_by_test_id("review-total")).to_contain_text(points(expected_total))

    # Finishing without a method is refused; with one it goes through.
    page.get_by_test_id("finish-review").click()
    expect(alert(page, "请至少记录一种审核方式")).to_have_count(1)
    record_method(page, "documents", "2026-12-22", "查阅三会一课记录和党费收缴台账")
    record_method(page, "site_visit", "2026-12-23")
    page.get_by_role("button", name="保存审核情况").click()
    methods = page.get_by_test_id("review-methods")
    expect(methods.locator("input[name=use_documents]")).to_be_checked()
    shot(page, "township-review")
    page.get_by_test_id("finish-review").click()
    expect(page.get_by_test_id("sheet-state")).to_have_text("已审核")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.REVIEWED and sheet.final_total == expected_total

    # The township's preview of its grades.
    page.goto(f"{server}/grading/campaigns/{campaign.pk}/preview/")
    expect(page.get_by_test_id("preview-note")).to_contain_text("预估")
    expect(page.get_by_test_id("preview-row").filter(has_text=org_name)).to_have_count(1)
    log_out(page)

    # --- 2. The county admin grades -----------------------------------------------------------
    log_in("admin")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.get_by_test_id("campaign-links").get_by_role("link", name="定级", exact=True).click()
    expect(page).to_have_url(f"{server}/grading/campaigns/{campaign.pk}/")
    page.get_by_test_id("start-run").click()
    first_run = GradingRun.objects.get(campaign=campaign, number=1)
    expect(page).to_have_url(f"{server}/grading/runs/{first_run.pk}/")
    assert first_run.state == "done", first_run.error
    total = first_run.results.count()
    quotas = {q["grade"]: q for q in first_run.summary["quotas"]}
    top = quotas["优秀"]
    expect(page.get_by_test_id("quota-table")).to_contain_text(f"{top['used']}/{top['limit']}")
    expect(page.get_by_test_id("township-distribution")).to_be_visible()
    expect(page.get_by_test_id("domain-distribution")).to_be_visible()
    expect(page.get_by_test_id("result-row").first).to_contain_text("排名1/")
    shot(page, "run")

    # Re-check (复核) the first 优秀 candidate and lower one item.
    # (the best-ranked one whose rubric has a discretionary item to lower; some rubrics score by counts)
    discretionary = Item.objects.filter(kind="discretionary", max_points__gte=1).values("category__rubric")
    candidate = (
        RunResult.objects.filter(run=first_run, final_grade="优秀", sheet__rubric__in=discretionary)
        .order_by("county_rank")
        .first()
    )
    assert candidate is not None
    page.goto(f"{server}/reviews/{candidate.sheet_id}/recheck/")
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("township-score").first).to_be_visible()  # the township's scores beside
    review_every_item(page, candidate.sheet_id, deduct_index=0)
    record_method(page, "site_visit", "2026-12-28", "县委组织部实地复核")
    page.get_by_role("button", name="保存复核情况").click()
    page.get_by_test_id("finish-review").click()
    expect(page.get_by_test_id("sheet-state")).to_have_text("已复核")
    rechecked = ScoreSheet.objects.get(pk=candidate.sheet_id)
    assert rechecked.state == SheetState.RECHECKED

    # A second run; the changes page compares it with the first.
    page.goto(f"{server}/grading/campaigns/{campaign.pk}/")
    page.get_by_test_id("start-run").click()
    run = GradingRun.objects.get(campaign=campaign, number=2)
    expect(page).to_have_url(f"{server}/grading/runs/{run.pk}/")
    page.get_by_role("link", name="与上次比较").click()
    expect(page).to_have_url(f"{server}/grading/runs/{run.pk}/changes/")
    assert RunResult.objects.get(run=run, sheet_id=candidate.sheet_id).score == rechecked.final_total

    # An override that breaks the 优秀 quota is refused; one within the quotas is made.
    limit_full = run.results.filter(final_grade="优秀").count() >= quotas["优秀"]["limit"]
    second = run.results.filter(final_grade="良好").order_by("county_rank").first()
    page.goto(f"{server}/grading/results/{second.pk}/")
    form = page.get_by_test_id("override-form")
    if limit_full:
        form.locator("select[name=grade]").select_option("优秀")
        form.locator("[name=reason]").fill("工作突出")
        form.get_by_role("button", name="调整等级").click()
        expect(alert(page, "调整后将突破名额")).to_have_count(1)
    form = page.get_by_test_id("override-form")
    form.locator("select[name=grade]").select_option("一般")
    form.locator("[name=reason]").fill("")
    form.get_by_role("button", name="调整等级").click()
    expect(page.get_by_test_id("final-grade")).to_contain_text("良好")  # nothing changed
    form = page.get_by_test_id("override-form")
    form.locator("select[name=grade]").select_option("一般")
    form.locator("[name=reason]").fill(OVERRIDE_REASON)
    form.get_by_role("button", name="调整等级").click()
    expect(page.get_by_test_id("override")).to_contain_text(OVERRIDE_REASON)
    expect(page.get_by_test_id("final-grade")).to_contain_text("一般")
    second.refresh_from_db()
    assert (second.grade, second.final_grade) == ("良好", "一般")
    shot(page, "override")

    # The export has the CLI's columns, every branch and the override.
    page.goto(f"{server}/grading/runs/{run.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[: len(CLI_COLUMNS)] == CLI_COLUMNS
    assert len(rows) - 1 == total
    by_code = {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:]}
    exported = by_code[second.code]
    assert exported["等级"] == "一般" and exported["计算等级"] == "良好"
    assert exported["调整理由"] == OVERRIDE_REASON

    # Submit for public notice; overrides stop.
    page.get_by_test_id("submit-run").click()
    expect(page.get_by_role("button", name="已提交公示")).to_be_disabled()
    run.refresh_from_db()
    assert run.submitted_at is not None
    shot(page, "submitted")
