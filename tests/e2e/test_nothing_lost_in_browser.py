"""Nothing a branch secretary types is lost (issue: a score below the maximum fired the autosave before
its reason was typed, and the error erased the score).

On the small rubric's 三会一课 (a discretionary item, 4 points) the secretary types a lower score and
then its reason, key by key as an input method delivers them: nothing is sent while the focus stays in
the item; leaving the item saves both. A refused save shows the typed value beside the error. A value
typed but not saved survives a reload as a draft, marked as restored, until it is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chuangyou.assessments.models import Entry
from tests.assessments.conftest import item
from tests.e2e.test_proposals_in_browser import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sheet(december, tree):
    from chuangyou.assessments.models import ScoreSheet

    return ScoreSheet.objects.get(round=december, organization=tree["a1"])


def block(page, sheet, name):
    return page.locator(f"#item-{item(sheet, name).pk}")


def test_a_score_waits_for_its_reason_and_a_draft_survives_a_reload(page, live_server, sheet, personas):
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/items/" in r.url else None)
    log_in_as(page, live_server.url, "p_branch")
    page.goto(live_server.url + reverse("sheets:detail", args=[sheet.pk]))

    meetings = block(page, sheet, "三会一课")
    meetings.locator("input[name=score]").press_sequentially("2.5", delay=40)
    meetings.locator("input[name=reason]").click()  # on to the reason: still inside the item
    meetings.locator("input[name=reason]").press_sequentially("会议记录不全", delay=40)
    assert posts == [] and not Entry.objects.exists()
    expect(meetings.get_by_test_id("item-errors")).to_have_count(0)
    with page.expect_response(lambda r: "/items/" in r.url):
        page.get_by_role("heading", level=1).click()  # leaving the item saves it
    meetings = block(page, sheet, "三会一课")
    expect(meetings.get_by_test_id("item-score")).to_have_text("得分 2.5")
    entry = Entry.objects.get(item__name="三会一课")
    assert (entry.score, entry.reason) == (Decimal("2.5"), "会议记录不全")

    # A refused save keeps the typed value beside the error; the reason then saves it.
    days = block(page, sheet, "三会一课")
    days.locator("input[name=reason]").fill("")
    days.locator("input[name=score]").fill("2")
    with page.expect_response(lambda r: "/items/" in r.url):
        page.get_by_role("heading", level=1).click()
    days = block(page, sheet, "三会一课")
    expect(days.get_by_test_id("item-errors")).to_contain_text("须填写理由")
    expect(days.locator("input[name=score]")).to_have_value("2")
    days.locator("input[name=reason]").fill("两次会议无记录")
    with page.expect_response(lambda r: "/items/" in r.url):
        page.get_by_role("heading", level=1).click()
    expect(block(page, sheet, "三会一课").get_by_test_id("item-score")).to_have_text("得分 2")

    # Typed, not saved, reloaded: the draft comes back, marked, and is saved with the button.
    note = block(page, sheet, "主题党日").locator("input[name=note]")
    note.press_sequentially("本年度开展主题党日10次", delay=20)
    page.reload()
    restored = block(page, sheet, "主题党日")
    expect(restored.get_by_test_id("draft-restored")).to_be_visible()
    expect(restored.locator("input[name=note]")).to_have_value("本年度开展主题党日10次")
    with page.expect_response(lambda r: "/items/" in r.url):
        restored.get_by_role("button", name="保存本项").click()
    assert Entry.objects.get(item__name="主题党日").note == "本年度开展主题党日10次"
    page.reload()
    expect(block(page, sheet, "主题党日").get_by_test_id("draft-restored")).to_have_count(0)


def test_a_draft_is_not_restored_over_a_save_made_since(page, live_server, sheet, personas):
    """A draft typed on version 0 of an item that another page has saved since would overwrite that
    save when restored (its form carries the new version): it is dropped, and the page says so."""
    from chuangyou.assessments import services
    from chuangyou.assessments.services import EntryData

    log_in_as(page, live_server.url, "p_branch")
    page.goto(live_server.url + reverse("sheets:detail", args=[sheet.pk]))
    block(page, sheet, "主题党日").locator("input[name=note]").press_sequentially("草稿内容", delay=20)
    services.entry_save(
        actor=personas["branch_secretary"],
        sheet=sheet,
        item=item(sheet, "主题党日"),
        data=EntryData(note="另一页面保存的内容"),
        version=0,
    )
    page.reload()
    restored = block(page, sheet, "主题党日")
    expect(restored.get_by_test_id("draft-outdated")).to_be_visible()
    expect(restored.get_by_test_id("draft-restored")).to_have_count(0)
    expect(restored.locator("input[name=note]")).to_have_value("另一页面保存的内容")
    page.reload()
    expect(block(page, sheet, "主题党日").get_by_test_id("draft-outdated")).to_have_count(0)
