"""Rubrics (评定标准) in a real browser: the county admin revises the village rubric into a draft,
edits an item inline with the live preview, compares, is refused publishing while the points do not
add up, publishes version 2 and binds it; a township reviewer only reads; the star checklist and the
软弱涣散 list."""

import re

import pytest
from playwright.sync_api import expect

from chuangyou.rubrics import services
from chuangyou.rubrics.models import DomainBinding, Item, Rubric, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGE = "村（社区）党组织争先创优评定标准"
ORGAN = "机关党支部争先创优评定标准"
LIANGXIN = "“两新”组织党组织争先创优评定标准"
CATEGORY = "党的组织设置"
EDITED = "设置合理"  # 2 of the category's 10 points
RESIZED = "探索创新"  # 2 of the category's 10 points
OLD_METHOD = (
    "组织设置不规范不得分；未开展年度摸底排查扣1分；"
    "未对辖区非公有制经济组织和社会组织采取兜底管理等措施扣1分。"
)
NEW_METHOD = "未进行摸底排查扣2分；组织设置不规范不得分。"
SUM_ERROR = f"类型“{CATEGORY}”各项目分值合计11分，与类型分值10分不符"
PUBLISH_CONFIRM = "发布后该版本不能再修改，确定发布吗？"


def rubric_row(page, name: str):
    return (
        page.get_by_test_id("rubric-table")
        .locator("tbody tr")
        .filter(has=page.get_by_role("link", name=name, exact=True))
    )


def binding_cell(page, domain: str):
    """The 适用标准 cell of a domain in the binding table."""
    row = (
        page.get_by_test_id("binding-table")
        .locator("tbody tr")
        .filter(has=page.locator("td:first-child", has_text=re.compile(rf"^{domain}$")))
    )
    return row.locator("td").nth(1)


def item_row(page, item: Item):
    return page.locator(f"#item-{item.pk}")


def edit_item(page, item: Item):
    """Open the inline form of an item (htmx swaps it in place of the row)."""
    item_row(page, item).get_by_role("button", name="编辑", exact=True).click()
    form = item_row(page, item).locator("form")
    expect(form.locator("textarea[name=method]")).to_be_visible()
    return form


def test_admin_revises_edits_compares_and_publishes(page, server, demo, log_in, shot):
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    v1 = Rubric.objects.get(code="village", version=1)
    log_in("admin")

    # The list, from the navigation: the shipped rubrics, published as version 1, and the bindings.
    page.locator("#main-nav").get_by_role("link", name="评定标准").click()
    expect(page).to_have_url(f"{server}/rubrics/")
    for name in (VILLAGE, ORGAN, LIANGXIN):
        row = rubric_row(page, name)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text("第1版")
        expect(row.locator("td").nth(3)).to_have_text("已发布")
    expect(rubric_row(page, VILLAGE).locator("td").nth(1)).to_have_text("village")
    expect(binding_cell(page, "村")).to_have_text(f"{VILLAGE}（第1版）")
    expect(binding_cell(page, "社区")).to_have_text(f"{VILLAGE}（第1版）")
    expect(binding_cell(page, "非公企业")).to_have_text(f"{LIANGXIN}（第1版）")
    shot(page, "list")

    # Version 1 looks like the seed's table.
    page.get_by_role("link", name=VILLAGE, exact=True).click()
    expect(page).to_have_url(f"{server}/rubrics/{v1.pk}/")
    table = page.get_by_test_id("rubric-detail-table")
    expect(table.locator("thead th")).to_have_text(["类型", "项目", "分值", "考核评价标准", "考评方式"])
    expect(table.locator("td.fw-bold").first).to_have_text(f"{CATEGORY}10分")
    expect(page.get_by_test_id("rubric-status")).to_have_text("已发布")
    expect(page.get_by_test_id("publish-errors")).to_have_count(0)
    shot(page, "v1")

    # 修订为新版本: the draft editor of version 2.
    page.get_by_role("button", name="修订为新版本").click()
    draft = Rubric.objects.get(code="village", version=2)
    assert draft.status == Status.DRAFT and draft.based_on_id == v1.pk
    expect(page).to_have_url(f"{server}/rubrics/{draft.pk}/edit/")
    expect(page.locator(".page-pretitle")).to_have_text(f"{VILLAGE} 第2版")
    expect(page.locator("h1.page-title")).to_have_text("编辑草稿")
    expect(page.get_by_role("alert").filter(has_text="已生成新版本草稿")).to_have_count(1)
    expect(page.get_by_test_id("publish-errors")).to_have_count(0)

    # Edit one item inline: the preview follows the typing, saving swaps the row in place.
    edited = Item.objects.get(category__rubric=draft, name=EDITED)
    page.evaluate("window.__sameDocument = true")
    form = edit_item(page, edited)
    method = form.locator("textarea[name=method]")
    expect(method).to_have_value(OLD_METHOD)
    preview = form.locator(".method-preview")
    expect(preview).to_contain_text("扣1分")  # the preview of the stored text (hx-trigger load)
    method.fill(NEW_METHOD)
    expect(preview).to_contain_text("未进行摸底排查：扣2分")
    expect(preview).to_contain_text("组织设置不规范：不得分")
    expect(preview).not_to_contain_text("扣1分")
    shot(page, "preview")
    form.get_by_role("button", name="保存项目").click()
    row = item_row(page, edited)
    expect(row.get_by_test_id("item-rules")).to_contain_text("未进行摸底排查：扣2分")
    expect(row).to_contain_text(f"考评方式：{NEW_METHOD}")
    expect(row.locator("form textarea")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True, "saving the item reloaded the page"
    edited.refresh_from_db()
    assert edited.method == NEW_METHOD

    # The diff against version 1 lists the changed 考评方式.
    page.get_by_role("link", name="与第1版对比").click()
    expect(page).to_have_url(f"{server}/rubrics/{draft.pk}/diff/?against={v1.pk}")
    diff = page.get_by_test_id("diff-table")
    expect(diff.locator("tbody tr")).to_have_count(1)
    change = diff.locator("tbody tr").first
    expect(change.locator("td")).to_have_text(
        ["修改", "项目", f"{CATEGORY} › {EDITED} · 考评方式", OLD_METHOD, NEW_METHOD]
    )
    shot(page, "diff")

    # 3 points for a 2-point item: the category no longer adds up, publishing is refused.
    page.goto(f"{server}/rubrics/{draft.pk}/edit/")
    page.evaluate("window.__sameDocument = true")
    resized = Item.objects.get(category__rubric=draft, name=RESIZED)
    form = edit_item(page, resized)
    form.locator("input[name=points]").fill("3")
    form.get_by_role("button", name="保存项目").click()
    expect(item_row(page, resized)).to_contain_text(f"{RESIZED} 3分")
    # The htmx save also refreshes the publish check above the categories, without a reload.
    assert page.evaluate("window.__sameDocument") is True
    errors = page.get_by_test_id("publish-errors")
    expect(errors).to_contain_text(SUM_ERROR)
    shot(page, "publish-errors")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page).to_have_url(f"{server}/rubrics/{draft.pk}/")
    expect(page.locator(".alert-danger")).to_contain_text("未能发布")
    expect(page.get_by_test_id("publish-errors")).to_contain_text(SUM_ERROR)
    expect(page.get_by_test_id("rubric-status")).to_have_text("草稿")
    assert dialogs == [PUBLISH_CONFIRM]
    shot(page, "publish-refused")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    # Back to 2 points: published as version 2.
    page.get_by_role("link", name="编辑草稿").click()
    form = edit_item(page, resized)
    form.locator("input[name=points]").fill("2")
    form.get_by_role("button", name="保存项目").click()
    expect(item_row(page, resized)).to_contain_text(f"{RESIZED} 2分")
    page.reload()
    expect(page.get_by_test_id("publish-errors")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="分值核对无误")).to_have_count(1)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page).to_have_url(f"{server}/rubrics/{draft.pk}/")
    expect(page.get_by_role("alert").filter(has_text="已发布")).to_have_text(f"已发布“{VILLAGE}”第2版")
    expect(page.get_by_test_id("rubric-status")).to_have_text("已发布")
    expect(page.locator(".text-secondary").filter(has_text="代码 village")).to_contain_text("第2版")
    expect(page.get_by_test_id("rubric-detail-table")).to_contain_text(NEW_METHOD)
    expect(page.get_by_role("button", name="修订为新版本")).to_have_count(1)
    assert len(dialogs) == 2
    shot(page, "v2-published")

    # Version 1 is still published and unchanged.
    page.goto(f"{server}/rubrics/{v1.pk}/")
    expect(page.get_by_test_id("rubric-status")).to_have_text("已发布")
    v1_table = page.get_by_test_id("rubric-detail-table")
    expect(v1_table).to_contain_text(OLD_METHOD)
    expect(v1_table).not_to_contain_text(NEW_METHOD)
    v1.refresh_from_db()
    assert v1.status == Status.PUBLISHED
    assert Item.objects.get(category__rubric=v1, name=EDITED).method == OLD_METHOD


def test_admin_binds_the_village_domain_to_version_2(page, server, demo, log_in, shot):
    v1 = Rubric.objects.get(code="village", version=1)
    v2 = services.rubric_publish(
        actor=demo["admin"], rubric=services.rubric_new_draft(actor=demo["admin"], rubric=v1)
    )
    log_in("admin")
    page.goto(f"{server}/rubrics/")
    expect(binding_cell(page, "村")).to_have_text(f"{VILLAGE}（第1版）")

    select = page.get_by_label("村领域的适用标准", exact=True)
    select.select_option(label=f"{VILLAGE}（第2版）")
    select.locator("xpath=..").get_by_role("button", name="设置", exact=True).click()
    expect(page).to_have_url(f"{server}/rubrics/")
    expect(page.locator(".alert-success")).to_have_text(f"村领域已改用“{VILLAGE}（第2版）”")
    expect(binding_cell(page, "村")).to_have_text(f"{VILLAGE}（第2版）")
    expect(binding_cell(page, "社区")).to_have_text(f"{VILLAGE}（第1版）")
    shot(page, "bound")
    assert DomainBinding.objects.get(domain="village").rubric_id == v2.pk
    assert DomainBinding.objects.get(domain="community").rubric_id == v1.pk


def test_township_reviewer_reads_but_cannot_change(page, server, demo, log_in, shot):
    v1 = Rubric.objects.get(code="village", version=1)
    draft = services.rubric_new_draft(actor=demo["admin"], rubric=v1)
    log_in("township01")

    page.locator("#main-nav").get_by_role("link", name="评定标准").click()
    expect(page).to_have_url(f"{server}/rubrics/")
    table = page.get_by_test_id("rubric-table")
    expect(rubric_row(page, VILLAGE)).to_have_count(1)  # the town has communities
    expect(table.locator("tbody tr")).not_to_have_count(0)
    expect(table).not_to_contain_text("草稿")
    expect(page.get_by_role("link", name="从 Excel 导入")).to_have_count(0)
    expect(page.get_by_role("button", name="设置", exact=True)).to_have_count(0)
    shot(page, "list")

    page.get_by_role("link", name=VILLAGE, exact=True).click()
    expect(page).to_have_url(f"{server}/rubrics/{v1.pk}/")
    expect(page.get_by_test_id("rubric-detail-table")).to_contain_text(OLD_METHOD)
    actions = page.locator(".page-header .btn-list")
    expect(actions.get_by_role("link", name="导出 Excel")).to_have_count(1)
    for label in ("修订为新版本", "编辑草稿", "发布", "停用", "删除草稿"):
        expect(actions.get_by_text(label, exact=True)).to_have_count(0)
    shot(page, "detail")

    for url in (f"/rubrics/{draft.pk}/", f"/rubrics/{draft.pk}/edit/"):
        response = page.goto(f"{server}{url}")
        assert response.status == 404, url
        expect(page.locator(".empty-title")).to_have_text("页面不存在")


def test_star_checklist_and_weak_situations(page, server, demo, log_in, shot):
    log_in("admin")
    page.goto(f"{server}/rubrics/")
    page.get_by_role("link", name="“两新”组织星级党支部评定标准").click()
    table = page.get_by_test_id("checklist-table")
    expect(table.locator("thead th")).to_have_text(["评定标准", "三星", "四星", "五星"])
    marks = table.locator("tbody td.text-center")
    expect(marks.filter(has_text="●").first).to_be_visible()
    expect(marks.filter(has_text="—").first).to_be_visible()
    criteria = table.locator("tbody tr:has(td)")
    expect(criteria).to_have_count(42)  # 6 sections, 42 criteria, as in the seed
    expect(marks).to_have_count(3 * 42)
    expect(table.locator("tbody th").first).to_have_text("组织建设")
    shot(page, "checklist")

    page.goto(f"{server}/rubrics/")
    page.get_by_role("link", name="软弱涣散基层党组织主要情形").click()
    situations = page.get_by_test_id("situation-list").locator("li")
    expect(situations).to_have_count(10)
    expect(situations.first).to_have_text("党组织班子配备不齐、书记长期缺职、工作处于停滞状态")
    shot(page, "situations")
