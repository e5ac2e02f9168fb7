"""The self-assessment season in a real browser, on the demo county.

The county admin creates the campaign and opens the December round; the secretary of the first
village branch of 城关镇 fills every item of the village rubric (autosave and 保存本项), attaches a
photo and a PDF, runs the democratic evaluation (codes printed on cards, answered on a phone without
logging in, a used code refused politely), fills in the application and downloads the 申报表 .docx,
submits; the township returns the sheet with a reason; the secretary changes one item and submits
again."""

import re
from datetime import timedelta
from decimal import Decimal

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.campaigns import services as campaign_services
from chuangyou.campaigns.models import Campaign
from tests.evidence.conftest import image_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "示范县基层党组织争先创优申报表"
ACHIEVEMENTS = "建成村级党群服务中心，全年开展主题党日12次，发展集体经济增收8万元。"
SELF_EVALUATION = "支部班子团结，“三会一课”落实到位，对照标准自评为良好。"
RETURN_REASON = "“三会一课”项目的佐证材料不全，请补充会议记录后重新提交。"
BELOW_MAX_REASON = "部分活动记录不够完整"
ORGAN_RUBRIC = "机关党支部争先创优评定标准（第1版）"
PHONE = {"width": 375, "height": 812}


def points(value: Decimal) -> str:
    """A score as the pages write it: 2, 1.5 (the `points` template filter)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def docx_text(path) -> tuple[list[str], dict[str, str]]:
    """The paragraphs of a .docx, and its table rows as {first cell: second cell}."""
    document = docx.Document(path)
    paragraphs = [p.text for p in document.paragraphs]
    cells = {}
    for table in document.tables:
        for row in table.rows:
            texts = [c.text for c in row.cells]
            for i in range(0, len(texts) - 1, 2):
                cells.setdefault(texts[i].strip(), texts[i + 1].strip())
    return paragraphs, cells


def alert(page, text: str):
    return page.get_by_role("alert").filter(has_text=text)


def log_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def save_item(page, item_id: str):
    """Click 保存本项 and wait until the item came back from the server."""
    item = page.locator(f"#{item_id}")
    with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
        item.get_by_role("button", name="保存本项").click()
    return item


def item_score(page, item_id: str) -> Decimal:
    badge = page.locator(f"#{item_id}").get_by_test_id("item-score")
    expect(badge).to_have_text(re.compile(r"^得分 \d+(\.\d+)?$"))
    return Decimal(badge.inner_text().removeprefix("得分 "))


def fill_item(page, index: int, item_id: str) -> str:
    """Fill one item the way a secretary would; returns how ("max", "below", "clean", "rule")."""
    item = page.locator(f"#{item_id}")
    score = item.locator("input[name=score]")
    if score.count():  # 酌情给分: full marks, or half a point less with a reason
        most = Decimal(score.get_attribute("max"))
        if index % 4 == 1 and most >= 1:
            item.locator("input[name=reason]").fill(BELOW_MAX_REASON)
            score.fill(points(most - Decimal("0.5")))
            save_item(page, item_id)
            return "below"
        score.fill(points(most))
        save_item(page, item_id)
        return "max"
    rule = item.locator("input[name=count-0]")
    if index % 3 == 0 and rule.count():  # one deduction rule, saved by the autosave alone
        with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
            if rule.get_attribute("type") == "checkbox":
                rule.check()
            else:
                rule.fill("1")
                rule.blur()
        return "rule"
    save_item(page, item_id)  # nothing to deduct
    return "clean"


def test_self_assessment_season(
    page, server, demo, log_in, shot, browser, browser_context_args, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()
    closes = today + timedelta(days=20)

    # --- 1. The county admin creates the campaign and opens the December round -------------------
    log_in("admin")
    # The shipped rubrics leave 国有企业 and 离退休 without a rubric, and a campaign keeps the bindings
    # it was created with: the county first scores those branches with the 机关 rubric.
    page.locator("#main-nav").get_by_role("link", name="评定标准").click()
    for domain in ("国有企业", "离退休"):
        binding = (
            page.get_by_test_id("binding-table")
            .locator("tbody tr")
            .filter(has=page.locator("td:first-child", has_text=re.compile(rf"^{domain}$")))
        )
        expect(binding.locator("td").nth(1)).to_have_text("未设置")
        binding.locator("select[name=rubric]").select_option(label=ORGAN_RUBRIC)
        binding.get_by_role("button", name="设置", exact=True).click()
        expect(alert(page, f"{domain}领域已改用“{ORGAN_RUBRIC}”")).to_have_count(1)

    page.locator("#main-nav").get_by_role("link", name="争先创优活动").click()
    expect(page).to_have_url(f"{server}/campaigns/")
    page.get_by_role("link", name="新建活动").click()
    expect(page.locator("#id_year")).to_have_value(str(today.year))
    expect(page.locator("#id_name")).to_have_value(f"{today.year}年度基层党组织争先创优活动")
    # <input type="date"> takes only ISO dates: a localized 2026/12/01 would leave the field empty.
    expect(page.locator("#id_december_starts")).to_have_value(f"{today.year}-12-01")
    expect(page.locator("#id_naming_ends")).to_have_value(f"{today.year + 1}-01-31")
    page.get_by_role("button", name="创建").click()
    campaign = Campaign.objects.get(year=today.year)
    expect(page).to_have_url(f"{server}/campaigns/{campaign.pk}/")
    expect(alert(page, f"已创建“{campaign.name}”")).to_have_count(1)
    participants = campaign.participants().count()
    assert participants > 500
    expect(page.get_by_text(f"参评党支部 {participants} 个")).to_be_visible()
    quotas = campaign_services.quotas(campaign, participants)
    quota_rows = page.get_by_test_id("quota-table").locator("tr")
    expect(quota_rows).to_have_count(len(quotas))
    expect(quota_rows.first).to_contain_text(f"优秀（至多）{quotas[0]['count']} 个")
    for row, quota in zip(quota_rows.all(), quotas, strict=True):
        expect(row.locator("td").nth(1)).to_have_text(f"{quota['count']} 个")

    page.locator("#id_kind").select_option("december")
    page.locator("#id_opens").fill(today.isoformat())
    page.locator("#id_closes").fill(closes.isoformat())
    page.get_by_role("button", name="开启自查").click()
    expect(alert(page, "已开启自查，各支部可以开始填写")).to_have_count(1)
    expect(
        page.get_by_role("link", name=re.compile(rf"^12月自查：.*{participants} 份自查表$"))
    ).to_be_visible()
    shot(page, "campaign")
    log_out(page)

    # --- 2. The branch secretary fills every item -----------------------------------------------
    log_in("branch01")
    sheet = ScoreSheet.objects.select_related("organization").get(
        round__campaign=campaign, organization__code=demo["branch01"].org_code
    )
    org_name, total_items = sheet.organization.name, sheet.items_total
    assert total_items >= 20
    todo = page.get_by_test_id("my-sheet")
    expect(todo).to_contain_text(f"自查打分：截止 {closes.month}月{closes.day}日，已完成 0/{total_items} 项")
    expect(todo).to_contain_text(f"{org_name} · 填写中")
    todo.click()
    expect(page).to_have_url(f"{server}/sheets/{sheet.pk}/")
    expect(page.get_by_test_id("sheet-state")).to_have_text("填写中")
    progress, total = page.get_by_test_id("sheet-progress"), page.get_by_test_id("sheet-total")
    expect(progress).to_have_text(f"0/{total_items} 项")

    item_ids = [block.get_attribute("id") for block in page.get_by_test_id("sheet-item").all()]
    assert len(item_ids) == total_items
    running, ways, scores = Decimal(0), [], {}
    for index, item_id in enumerate(item_ids):
        ways.append(fill_item(page, index, item_id))
        scores[item_id] = item_score(page, item_id)
        running += scores[item_id]
        expect(page.locator(f"#{item_id}").get_by_test_id("item-errors")).to_have_count(0)
        expect(progress).to_have_text(f"{index + 1}/{total_items} 项")
        expect(total).to_have_text(points(running))
    assert {"max", "below", "clean", "rule"} <= set(ways), ways
    assert Decimal(0) < running < Decimal(100)
    sheet.refresh_from_db()
    assert sheet.items_done == total_items and sheet.total == running

    # A photo and a PDF on the first item, through its upload form (htmx multipart).
    first = page.locator(f"#{item_ids[0]}")
    expect(first.get_by_test_id("evidence-upload")).to_have_count(1)  # offered right after the save
    first.get_by_test_id("evidence-upload").locator("input[name=file]").set_input_files(
        [
            {
                "name": "主题党日活动.jpg",
                "mimeType": "image/jpeg",
                "buffer": image_bytes("JPEG", size=(1200, 900)),
            },
            {"name": "支部委员会会议记录.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
        ]
    )
    first.get_by_test_id("evidence-upload").get_by_role("button", name="上传").click()
    panel = first.get_by_test_id("evidence-panel")
    expect(panel.get_by_test_id("evidence-item")).to_have_count(2)
    expect(panel.get_by_test_id("evidence-error")).to_have_count(0)
    expect(panel).to_contain_text("主题党日活动.jpg")
    expect(panel).to_contain_text("支部委员会会议记录.pdf")
    expect(panel.get_by_text("PDF", exact=True)).to_be_visible()
    thumbnail = panel.locator("img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    shot(page, "sheet")

    # --- 3. Democratic evaluation: issue codes, print them, answer on a phone --------------------
    # The sheet's link, not the menu's of the same name.
    page.locator(".page-wrapper").get_by_role("link", name="民主测评", exact=True).click()
    expect(page).to_have_url(f"{server}/evaluations/sheet/{sheet.pk}/")
    evaluation_closes = timezone.localtime() + timedelta(days=3)
    page.locator("#id_members").fill("5")
    page.locator("#id_public").fill("2")
    page.locator("#id_closes_at").fill(evaluation_closes.strftime("%Y-%m-%dT18:00"))
    page.get_by_role("button", name="生成测评码").click()
    expect(alert(page, "已生成测评码：党员5份、群众2份")).to_have_count(1)
    expect(page.get_by_test_id("evaluation-state")).to_have_text("测评进行中")

    page.get_by_role("link", name="打印测评卡").click()
    expect(page).to_have_url(f"{server}/evaluations/sheet/{sheet.pk}/codes/")
    cards = page.get_by_test_id("code-card")
    expect(cards).to_have_count(7)
    codes = {"党员": [], "群众": []}
    for card in cards.all():
        expect(card.locator(".code-card-title")).to_have_text(org_name)
        expect(card.locator("svg")).to_have_count(1)  # the QR code
        audience = "党员" if "党员" in card.locator(".code-card-subtitle").inner_text() else "群众"
        codes[audience].append(card.locator(".code-card-code").inner_text().strip())
    assert len(codes["党员"]) == 5 and len(codes["群众"]) == 2, codes
    assert all(re.fullmatch(r"[0-9A-Z]{8}", c) for c in codes["党员"] + codes["群众"]), codes
    shot(page, "codes")

    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    answers = [  # (code, overall, the 五个好)
        (codes["党员"][0], "满意", "满意"),
        (codes["党员"][1], "满意", "基本满意"),
        (codes["党员"][2], "满意", "满意"),
        (codes["群众"][0], "基本满意", "基本满意"),
    ]
    try:
        for number, (code, overall, dimensions) in enumerate(answers):
            if number == 0:  # typed by hand on the start page
                phone.goto(f"{server}/evaluations/a/")
                phone.locator("#code").fill(code)
                phone.get_by_role("button", name="开始测评").click()
            else:  # scanned from the card's QR code
                phone.goto(f"{server}/evaluations/a/{code}/")
            expect(phone).to_have_url(f"{server}/evaluations/a/{code}/")
            expect(phone.get_by_test_id("organization-name")).to_have_text(org_name)
            expect(phone.locator("body")).to_contain_text(
                "民主测评（党员）" if number < 3 else "民主测评（群众）"
            )
            questions = phone.locator("fieldset[data-testid^=question-]")
            expect(questions).to_have_count(6)
            for q, question in enumerate(questions.all()):
                question.get_by_text(overall if q == 0 else dimensions, exact=True).click()
                expect(question.get_by_label(overall if q == 0 else dimensions, exact=True)).to_be_checked()
            if number == 0:
                assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
                shot(phone, "phone-answer")
            phone.get_by_role("button", name="提交测评").click()
            expect(phone.get_by_test_id("thanks")).to_have_text("提交成功，感谢您的参与！")

        # A code used once more: politely refused, on the start page and from the QR link.
        phone.goto(f"{server}/evaluations/a/")
        phone.locator("#code").fill(codes["党员"][0])
        phone.get_by_role("button", name="开始测评").click()
        expect(phone.get_by_test_id("code-error")).to_have_text("该测评码已使用，感谢您的参与")
        response = phone.goto(f"{server}/evaluations/a/{codes['党员'][0]}/")
        assert response.status == 410
        expect(phone.get_by_test_id("unavailable")).to_have_text("该测评码已使用，感谢您的参与")
        expect(phone.get_by_role("button", name="提交测评")).to_have_count(0)
        shot(phone, "phone-used")
    finally:
        phone_context.close()

    page.get_by_role("link", name="返回").click()
    expect(page).to_have_url(f"{server}/evaluations/sheet/{sheet.pk}/")
    combined = page.get_by_test_id("result-combined").locator("td")
    expect(combined).to_have_text(
        ["合计", "7", "4", "3", "1", "0", "0", "100.00%", "75.00%", "93.75", "有效"]
    )
    expect(page.get_by_test_id("result-member").locator("td").nth(2)).to_have_text("3")
    expect(page.get_by_test_id("result-public").locator("td").nth(2)).to_have_text("1")
    expect(page.get_by_test_id("dimension-results").locator("tbody tr")).to_have_count(5)

    # --- 4. The application: grade, achievements, self-evaluation; the .docx --------------------
    page.goto(f"{server}/sheets/{sheet.pk}/")
    summary = page.get_by_test_id("evaluation-summary")
    expect(summary).to_contain_text("100.00%")
    expect(summary).to_contain_text("4 / 7")
    page.locator("#id_applied_grade").select_option("良好")
    page.locator("#id_achievements").fill(ACHIEVEMENTS)
    page.locator("#id_self_evaluation").fill(SELF_EVALUATION)
    page.get_by_role("button", name="保存申报信息").click()
    expect(alert(page, "申报信息已保存")).to_have_count(1)
    expect(page.locator("#id_applied_grade")).to_have_value("良好")
    shown_total = total.inner_text()
    assert shown_total == points(running)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载申报表（Word）").click()
    assert download.value.suggested_filename == f"{org_name}_争先创优申报表.docx"
    saved = tmp_path / "申报表.docx"
    download.value.save_as(saved)
    paragraphs, cells = docx_text(saved)
    assert TITLE in paragraphs[0], paragraphs[:2]
    assert cells["党组织名称"] == org_name
    assert cells["自评得分"] == f"{shown_total}分"
    assert cells["申报等级"] == "良好"
    assert cells["主要成绩"] == ACHIEVEMENTS
    assert cells["自评意见"] == SELF_EVALUATION
    assert "满意率100%（其中满意75%）" in cells["民主测评结果"], cells["民主测评结果"]
    assert "测评有效" in cells["民主测评结果"]

    # --- 5. Submit: the sheet is locked -------------------------------------------------------------
    page.get_by_role("button", name="提交自查表").click()
    expect(alert(page, "已提交，等待乡镇（街道）党（工）委审核")).to_have_count(1)
    expect(page.get_by_test_id("sheet-state")).to_have_text("已提交")
    expect(page.get_by_role("button", name="保存本项")).to_have_count(0)
    expect(page.get_by_role("button", name="提交自查表")).to_have_count(0)
    expect(page.get_by_test_id("evidence-upload")).to_have_count(0)
    expect(page.locator(f"#{item_ids[0]}").locator("input[name=note]")).to_be_disabled()
    expect(page.locator("#id_applied_grade")).to_be_disabled()
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    log_out(page)

    # --- 6. The township returns it; the branch changes one item and submits again ---------------
    log_in("township01")
    counts = page.get_by_test_id("sheet-counts")
    expect(counts).to_contain_text(f"{today.year}年12月自查：已提交 1/")
    page.locator("#main-nav").get_by_role("link", name="自查进度").click()
    row = page.get_by_test_id("sheet-table").locator("tbody tr").filter(has_text=org_name)
    expect(row.locator("td")).to_have_text(
        [
            org_name,
            "已提交",
            f"{total_items}/{total_items}",
            shown_total,
            "良好",
            re.compile(r"\d\d-\d\d \d\d:\d\d"),
        ]
    )
    row.get_by_role("link", name=org_name).click()
    expect(page).to_have_url(f"{server}/sheets/{sheet.pk}/")
    expect(page.get_by_role("button", name="保存本项")).to_have_count(0)  # a reviewer only reads
    page.locator(f"form[action='/sheets/{sheet.pk}/return/'] textarea[name=reason]").fill(RETURN_REASON)
    page.get_by_role("button", name="退回", exact=True).click()
    expect(alert(page, "已退回，支部修改后可重新提交")).to_have_count(1)
    expect(page.get_by_test_id("sheet-state")).to_have_text("已退回")
    log_out(page)

    log_in("branch01")
    todo = page.get_by_test_id("my-sheet")
    expect(todo).to_contain_text(f"{org_name} · 已退回 · 退回原因：{RETURN_REASON}")
    todo.click()
    expect(page.get_by_test_id("return-reason")).to_have_text(f"退回原因：{RETURN_REASON}")
    expect(page.get_by_test_id("sheet-state")).to_have_text("已退回")
    expect(page.get_by_role("button", name="保存本项")).to_have_count(total_items)
    changed = next(i for i, way in zip(item_ids, ways, strict=True) if way == "max")
    item = page.locator(f"#{changed}")
    score = item.locator("input[name=score]")
    expect(score).to_be_enabled()
    lowered = scores[changed] - Decimal("0.5")
    item.locator("input[name=reason]").fill(RETURN_REASON)
    score.fill(points(lowered))
    save_item(page, changed)
    assert item_score(page, changed) == lowered
    expect(total).to_have_text(points(running - Decimal("0.5")))
    expect(progress).to_have_text(f"{total_items}/{total_items} 项")
    shot(page, "returned")

    page.get_by_role("button", name="提交自查表").click()
    expect(alert(page, "已提交，等待乡镇（街道）党（工）委审核")).to_have_count(1)
    expect(page.get_by_test_id("sheet-state")).to_have_text("已提交")
    expect(page.get_by_test_id("return-reason")).to_have_count(0)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    assert sheet.total == running - Decimal("0.5")
    assert sheet.return_reason == ""
