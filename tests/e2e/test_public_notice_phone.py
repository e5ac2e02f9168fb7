"""The public notice (公示) on a phone, as a resident opens it from a WeChat link.

On the demo county graded once and submitted (`run` of test_notice_in_browser), the county publishes a
county-wide notice with its contacts for objections. At 375 × 812 the page shows one section per grade,
best first, each headed with its count and listing its branches with their townships; it ends with the
period, the ways to object and the issuing body with the date; the shared link carries its title, a
one-line description and a thumbnail that loads; the page never scrolls sideways; and the objection
button leads, through the search, to a branch's objection form, which takes the objection.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from chuangyou.notices import services as notice_services
from chuangyou.notices.models import NoticeBatch, Objection
from tests.e2e.test_notice_in_browser import (  # noqa: F401 (freeze and run are fixtures)
    STARTS,
    freeze,
    grade_section,
    public_entry,
    run,
)
from tests.e2e.test_self_assessment_in_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLISHED = dt.datetime(2026, 12, 11, 9, 0)  # signed on the Friday before the period
CONTACT_PHONE = "0999-12345678"
CONTACT_ADDRESS = "示范县人民路1号县委组织部组织科（邮编000000）"
HEADING = re.compile(r"^(.+)（(\d+)个）$")


def fits_the_phone(phone) -> None:
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{phone.url} is {width}px wide"


@pytest.fixture
def notice(run):  # noqa: F811
    admin = get_user_model().objects.get(username="admin")
    batch = notice_services.notice_create(
        actor=admin,
        run=run,
        organization=run.campaign.root,
        channel="wechat",
        starts=STARTS,
        days=5,
        contact_phone=CONTACT_PHONE,
        contact_address=CONTACT_ADDRESS,
    )
    batch = notice_services.notice_publish(actor=admin, batch=batch)
    NoticeBatch.objects.filter(pk=batch.pk).update(published_at=timezone.make_aware(PUBLISHED))
    return batch


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_public_notice_reads_on_a_phone(phone, server, notice, shot):
    url = f"{server}/gs/{notice.token}/"
    phone.goto(url)
    fits_the_phone(phone)
    shot(phone, "notice")

    # Shared from WeChat: the title, a one-line description and a thumbnail that loads.
    total = notice.entries.count()
    assert phone.title() == notice.title and not notice.title.endswith("补充公示")
    description = f"公示期至12月18日，共公示{total}个党组织"
    for selector, value in (
        ('meta[name="description"]', description),
        ('meta[property="og:title"]', notice.title),
        ('meta[property="og:description"]', description),
        ('meta[property="og:type"]', "website"),
        ('meta[property="og:url"]', url),
    ):
        expect(phone.locator(selector)).to_have_attribute("content", value)
    image = phone.locator('meta[property="og:image"]').get_attribute("content")
    assert image.startswith(f"{server}/static/") and image.endswith(".png")
    thumbnail = phone.request.get(image)
    assert thumbnail.ok and thumbnail.headers["content-type"] == "image/png"

    # One section per grade, best first, each counting what it lists.
    counts = dict(notice.entries.order_by().values_list("grade").annotate(n=Count("pk")))
    headings = [
        HEADING.match(h.strip()).groups() for h in phone.get_by_test_id("grade-heading").all_inner_texts()
    ]
    order = [g for g in ("优秀", "良好", "一般", "软弱涣散") if g in counts]
    assert [g for g, _ in headings] == order
    assert {g: int(n) for g, n in headings} == counts
    for grade, n in counts.items():
        expect(grade_section(phone, grade).get_by_test_id("notice-entry")).to_have_count(n)
    summary = "、".join(f"{g}{counts[g]}个" for g in order)
    expect(phone.get_by_test_id("notice-summary")).to_have_text(f"共公示{total}个党组织：{summary}。")
    best = notice.entries.filter(grade=order[0]).order_by("order").first()
    expect(public_entry(phone, best.name, best.township)).to_have_count(1)
    expect(grade_section(phone, order[0])).to_contain_text(best.name)

    # The end: the period, the ways to object, the issuing body and the date.
    end = phone.get_by_test_id("notice-footer")
    expect(end.get_by_test_id("notice-period")).to_have_text(
        "公示期：2026年12月14日至2026年12月18日（5个工作日）。"
    )
    expect(end.get_by_test_id("objection-phone").get_by_role("link", name=CONTACT_PHONE)).to_have_attribute(
        "href", "tel:099912345678"
    )
    expect(end.get_by_test_id("objection-address")).to_have_text(f"来信来访：{CONTACT_ADDRESS}")
    expect(end.get_by_test_id("notice-issuer")).to_have_text("中共示范县委组织部")
    expect(end.get_by_test_id("notice-date")).to_have_text("2026年12月11日")
    end.scroll_into_view_if_needed()
    shot(phone, "notice-end")

    # The objection button: to the search, then to the branch's form, which takes the objection.
    end.get_by_test_id("object-button").click()
    expect(phone).to_have_url(f"{url}#notice-search")
    phone.locator("#q").fill(best.name)
    with phone.expect_navigation():
        phone.get_by_role("button", name="查找").click()
    fits_the_phone(phone)
    public_entry(phone, best.name, best.township).get_by_role("link", name="提出异议").click()
    expect(phone).to_have_url(f"{url}{best.pk}/")
    expect(phone.get_by_test_id("organization-name")).to_have_text(best.name)
    fits_the_phone(phone)
    phone.locator("#id_content").fill("该支部评定等级偏高，请核实。")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交异议").click()
    expect(phone.get_by_test_id("thanks")).to_contain_text(best.name)
    assert Objection.objects.get().entry_id == best.pk
    fits_the_phone(phone)
