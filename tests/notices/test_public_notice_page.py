"""The public notice as residents open it from a WeChat link: grouped by grade with counts, ending with
its issuing body, date and where objections go, titled 公示 or 补充公示, and shared with a title, a
one-line description and a thumbnail.

On the 15 branches of `tests/notices/conftest.py`: 优秀 1, 良好 2, 一般 11, 软弱涣散 1, published from
Monday 14 to Friday 18 December 2026.
"""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.notices import services
from chuangyou.notices.models import NoticeBatch
from chuangyou.notices.views_public import SHARE_IMAGE
from tests.grading.conftest import add_branches
from tests.grading.test_domain_schemes import branches, organ_campaign  # noqa: F401 (fixtures)
from tests.notices.conftest import AFTER, GRADES, IN_PERIOD, create_notice
from tests.notices.test_notice_pages import create_url, values

HEADING = re.compile(r'data-testid="grade-heading">([^<]+)</h2>')
SECTION = re.compile(r'<section class="card mt-3" data-testid="grade-group".*?</section>', re.S)
NAME = re.compile(r'data-testid="entry-name">([^<]+)<')
COUNTY_TITLE = "2026年度基层党组织争先创优评定等级公示"
SUPPLEMENT_TITLE = "2026年度基层党组织争先创优评定等级补充公示"
CONTACTS = {"contact_phone": "0571-12345678、12380", "contact_address": "示范县人民路1号县委组织部组织科"}


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


def publish(batch, on=dt.datetime(2026, 12, 7, 9, 30)):
    """Publish the draft as on the morning of `on` (the date the notice is signed with)."""
    batch = services.notice_publish(actor=batch.created_by, batch=batch)
    NoticeBatch.objects.filter(pk=batch.pk).update(published_at=timezone.make_aware(on))
    return batch


def page_of(client, batch, **params) -> str:
    response = client.get(reverse("public_notices:detail", args=[batch.token]), params)
    assert response.status_code == 200
    return response.content.decode()


def sections(body: str) -> dict[str, list[str]]:
    """Heading -> the names listed under it, in the page's order."""
    found = {}
    for section in SECTION.findall(body):
        (heading,) = HEADING.findall(section)
        found[heading] = [html.unescape(n) for n in NAME.findall(section)]
    return found


def meta(body: str, key: str) -> str:
    (value,) = re.findall(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)">', body)
    return html.unescape(value)


def footer(body: str) -> str:
    (part,) = re.findall(r'data-testid="notice-footer">(.*?)data-testid="notice-qr"', body, re.S)
    return part


# --- Grouped by grade, with counts ---------------------------------------------------------------


def test_the_list_is_grouped_by_grade_in_the_scheme_order_with_counts(
    client, submitted_run, tree, admin, on_day
):
    batch = publish(create_notice(submitted_run, admin, tree["county"]))
    on_day(IN_PERIOD)
    # The grades' order comes from the scheme, not from the entries' order on the notice.
    entries = list(batch.entries.order_by("-order"))
    for i, entry in enumerate(entries):
        type(entry).objects.filter(pk=entry.pk).update(order=i)
    body = page_of(client, batch)
    found = sections(body)
    assert list(found) == ["优秀（1个）", "良好（2个）", "一般（11个）", "软弱涣散（1个）"]
    names = {e.organization.code: e.name for e in batch.entries.select_related("organization")}
    for heading, listed in found.items():
        grade = heading.split("（")[0]
        assert sorted(listed) == sorted(names[code] for code, g in GRADES.items() if g == grade)
    in_order = list(batch.entries.filter(grade="良好").order_by("order").values_list("name", flat=True))
    assert found["良好（2个）"] == in_order  # the notice's order within a grade
    assert "共公示15个党组织：优秀1个、良好2个、一般11个、软弱涣散1个。" in body
    assert "<table" not in body  # a list a phone reads, not a wide table
    assert body.count('data-testid="entry-township">甲镇党委<') == 2 + 6  # TA01, TA02 and six X…
    assert body.count(">提出异议</a>") == 15


def test_a_search_keeps_the_grouping_and_counts_what_it_found(client, submitted_run, tree, admin, on_day):
    batch = publish(create_notice(submitted_run, admin, tree["county"]))
    on_day(IN_PERIOD)
    body = page_of(client, batch, township="甲镇党委")
    assert list(sections(body)) == ["优秀（1个）", "良好（1个）", "一般（6个）"]
    assert "找到8个组织（共15个）" in body
    assert "共公示15个党组织：优秀1个" in body  # the whole notice, whatever is shown
    body = page_of(client, batch, q="不存在")
    assert sections(body) == {} and "没有找到符合条件的组织" in body


def test_with_a_scheme_per_domain_the_labels_are_grouped_best_first(client, organ_campaign, admin, tree):  # noqa: F811
    run = grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=organ_campaign))
    batch = publish(create_notice(run, admin, tree["county"]))
    found = sections(page_of(client, batch))
    counts = dict(batch.entries.order_by().values_list("grade").annotate(n=Count("pk")))
    assert list(found) == [f"{g}（{counts[g]}个）" for g in ("优秀", "好", "良好", "较好", "一般")]
    assert sum(len(names) for names in found.values()) == batch.entries.count()


# --- The end: issuing body, date, period and the ways to object ---------------------------------


def test_the_notice_ends_with_its_issuer_date_period_and_contacts(client, submitted_run, tree, admin, on_day):
    batch = publish(create_notice(submitted_run, admin, tree["county"], **CONTACTS))
    on_day(IN_PERIOD)
    end = footer(page_of(client, batch))
    assert "公示期：2026年12月14日至2026年12月18日（5个工作日）" in end
    assert "可于2026年12月18日前通过以下方式反映" in end
    assert "点击其后的“提出异议”" in end
    assert '<a href="tel:057112345678">0571-12345678</a>、<a href="tel:12380">12380</a>' in end
    assert "来信来访：示范县人民路1号县委组织部组织科" in end
    assert 'href="#notice-search" data-testid="object-button"' in end
    signature = re.search(r'data-testid="notice-signature">(.*?)</div>\s*</div>', end, re.S)[1]
    assert re.sub(r"<[^>]+>|\s", "", signature) == "中共示范县委组织部2026年12月7日"


def test_without_contacts_the_form_is_the_way_and_the_issuer_is_the_county_s(
    client, submitted_run, tree, admin, on_day
):
    batch = publish(create_notice(submitted_run, admin, tree["county"]))
    NoticeBatch.objects.filter(pk=batch.pk).update(issuer="")  # a notice made before the field
    on_day(IN_PERIOD)
    end = footer(page_of(client, batch))
    assert "在线反映" in end and "tel:" not in end and "来信来访" not in end
    assert 'data-testid="notice-issuer">中共示范县委组织部<' in end


def test_after_the_period_the_end_keeps_the_signature_and_takes_no_objection(
    client, submitted_run, tree, admin, on_day
):
    batch = publish(create_notice(submitted_run, admin, tree["county"], **CONTACTS))
    on_day(AFTER)
    end = footer(page_of(client, batch))
    assert "公示已结束，不再受理异议" in end
    assert "tel:" not in end and "object-button" not in end
    assert 'data-testid="notice-date">2026年12月7日<' in end


def test_the_county_sets_the_issuer_and_contacts_on_the_form(client_for, submitted_run, tree):
    client = client_for("county_admin")
    form = client.get(create_url(submitted_run)).content.decode()
    assert 'name="issuer" value="中共示范县委组织部"' in form  # the campaign root's department
    assert 'name="contact_phone"' in form and 'name="contact_address"' in form
    assert "本次活动已有覆盖本范围的公示时为“……补充公示”" in form
    bad = client.post(create_url(submitted_run), {**values(tree["county"]), "contact_phone": "打电话"})
    assert "请输入有效的电话号码" in bad.content.decode() and not NoticeBatch.objects.exists()
    typed = {**values(tree["county"]), "issuer": "中共示范县委组织部", **CONTACTS}
    preview = client.get(create_url(submitted_run, **typed)).content.decode()
    assert f'name="contact_address" value="{CONTACTS["contact_address"]}"' in preview  # kept for the POST
    response = client.post(create_url(submitted_run), {**typed, "contact_phone": "0571-12345678，12380"})
    assert response.status_code == 302
    batch = NoticeBatch.objects.get()
    assert (batch.issuer, batch.contact_phone, batch.contact_address) == (
        "中共示范县委组织部",
        "0571-12345678、12380",
        CONTACTS["contact_address"],
    )
    detail = client.get(reverse("notices:detail", args=[batch.pk])).content.decode()
    assert "0571-12345678、12380；示范县人民路1号县委组织部组织科" in detail
    again = client.get(create_url(submitted_run)).content.decode()  # the next notice starts with them
    assert 'name="contact_phone" value="0571-12345678、12380"' in again


# --- Titles --------------------------------------------------------------------------------------


def test_the_first_notice_is_titled_公示_and_a_later_one_补充公示(
    client, submitted_run, december, tree, admin, campaign
):
    first = publish(create_notice(submitted_run, admin, tree["county"]))
    body = page_of(client, first)
    assert f"<title>{COUNTY_TITLE}</title>" in body
    assert f'data-testid="notice-title">{COUNTY_TITLE}</h1>' in body
    add_branches(tree, december, 2, lambda i: {"final_total": Decimal(70)}, prefix="Y")
    later = grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=campaign))
    supplement = publish(create_notice(later, admin, tree["county"]))
    assert f"<title>{SUPPLEMENT_TITLE}</title>" in page_of(client, supplement)


def test_the_county_s_first_notice_after_a_township_s_own_is_not_补充(
    client, submitted_run, tree, admin, personas, campaign
):
    Campaign.objects.filter(pk=campaign.pk).update(townships_publish=True)
    submitted_run.campaign.refresh_from_db()
    publish(create_notice(submitted_run, personas["township_reviewer"], tree["town_a"]))
    county = publish(create_notice(submitted_run, admin, tree["county"]))
    body = page_of(client, county)
    assert f"<title>{COUNTY_TITLE}</title>" in body and "补充公示" not in body


# --- Sharing -------------------------------------------------------------------------------------


def test_a_shared_link_shows_the_title_a_description_and_a_thumbnail(client, submitted_run, tree, admin):
    batch = publish(create_notice(submitted_run, admin, tree["county"]))
    body = page_of(client, batch, q="甲")  # a searched page shares the whole notice
    url = f"http://testserver/gs/{batch.token}/"
    assert meta(body, "description") == "公示期至12月18日，共公示15个党组织"
    assert meta(body, "og:title") == COUNTY_TITLE
    assert meta(body, "og:description") == "公示期至12月18日，共公示15个党组织"
    assert meta(body, "og:type") == "website"
    assert meta(body, "og:url") == url
    image = meta(body, "og:image")
    assert image == f"http://testserver/static/{SHARE_IMAGE}"
    path = finders.find(SHARE_IMAGE)
    assert path, "the share image is missing from static/"
    with Image.open(path) as thumbnail:  # WeChat takes a thumbnail of at least 300 × 300
        assert thumbnail.format == "PNG" and min(thumbnail.size) >= 300
