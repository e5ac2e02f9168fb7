"""On a 375-px phone: the branch fills its sheet with one tap per item or per category, guided by a
progress bar that stays in view and a "下一个未填" button; the township's review starts from the
branch's scores (gap 0) and is confirmed a category at a time; the secretary's workbench shows where
its sheet stands."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.assessments.conftest import item
from tests.e2e.test_proposals_in_browser import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < PHONE["height"]


@pytest.fixture
def sheet(december, tree, on_day):
    from chuangyou.assessments.models import ScoreSheet

    return ScoreSheet.objects.get(round=december, organization=tree["a1"])


def test_the_branch_fills_its_sheet_by_taps_on_a_phone(page, live_server, sheet, personas, shot):
    log_in_as(page, live_server.url, "p_branch")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("sheets:detail", args=[sheet.pk]))
    no_sideways_scroll(page)
    progress = page.get_by_test_id("sheet-progress")
    expect(progress).to_have_text("0/4 项")

    page.get_by_test_id("next-unfilled").click()
    first = page.locator(f"#item-{item(sheet, '设置合理').pk}")
    expect(first.locator("input:not([type=hidden])").first).to_be_focused()
    with page.expect_response(lambda r: "/items/" in r.url):
        first.get_by_test_id("nothing-applies").click()
    expect(page.locator(f"#item-{item(sheet, '设置合理').pk}").get_by_test_id("item-score")).to_have_text(
        "得分 2"
    )
    expect(progress).to_have_text("1/4 项")

    # Far down the page the totals are still in view, and the next empty item is one tap away.
    page.locator(f"#item-{item(sheet, '主题党日').pk}").scroll_into_view_if_needed()
    assert in_view(page.get_by_test_id("sheet-totals"))
    page.get_by_test_id("next-unfilled").click()
    expect(
        page.locator(f"#item-{item(sheet, '纪检机构').pk}").locator("input:not([type=hidden])").first
    ).to_be_focused()

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#category-{item(sheet, '三会一课').category_id}").get_by_test_id(
        "category-nothing-applies"
    ).click()
    expect(page.get_by_text("“党内组织生活”的2个未填项目已按满分（无扣分）保存")).to_be_visible()
    expect(page.get_by_test_id("sheet-progress")).to_have_text("3/4 项")
    expect(page.get_by_test_id("sheet-total")).to_have_text("8")
    no_sideways_scroll(page)
    shot(page, "sheet")


def test_the_township_confirms_the_prefilled_review_on_a_phone(page, live_server, submitted, shot):
    sheet = submitted["a1"]
    log_in_as(page, live_server.url, "p_town")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reviews:detail", args=[sheet.pk]))
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("review-gap")).to_have_text("0")
    expect(page.get_by_test_id("prefilled")).to_have_count(4)
    expect(page.get_by_test_id("prefilled-count")).to_have_text("沿用自评待核对 4 项")
    no_sideways_scroll(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#category-{item(sheet, '设置合理').category_id}").get_by_test_id(
        "category-confirm"
    ).click()
    expect(page.get_by_test_id("review-progress")).to_have_text("2/4 项")

    meetings = page.locator(f"#review-entry-{item(sheet, '三会一课').pk}")
    with page.expect_response(lambda r: "/items/" in r.url):
        meetings.get_by_role("button", name="确认本项").click()
    expect(
        page.locator(f"#review-entry-{item(sheet, '三会一课').pk}").get_by_test_id("review-score")
    ).to_have_text("审核得分 3.5")
    expect(page.get_by_test_id("review-progress")).to_have_text("3/4 项")
    page.get_by_test_id("next-unfilled").click()
    expect(
        page.locator(f"#review-entry-{item(sheet, '主题党日').pk}").locator("input:not([type=hidden])").first
    ).to_be_focused()
    no_sideways_scroll(page)
    shot(page, "review")


def test_the_secretary_sees_its_menu_and_timeline_on_a_phone(page, live_server, submitted, shot):
    log_in_as(page, live_server.url, "p_branch")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    timeline = page.get_by_test_id("sheet-timeline")
    expect(timeline.get_by_test_id("timeline-step")).to_have_count(5)
    expect(timeline.locator("[aria-current=step]")).to_contain_text("已提交")
    no_sideways_scroll(page)
    page.get_by_role("button", name="展开菜单").click()
    expect(page.get_by_role("link", name="我的自查")).to_be_visible()
    expect(page.get_by_role("link", name="申报表")).to_be_visible()
    shot(page, "workbench")
