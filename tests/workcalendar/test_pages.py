"""The 工作日历 pages: everyone signed in reads, the county admin writes."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from chuangyou.audit.models import AuditEvent
from chuangyou.workcalendar.models import CalendarDay

D = dt.date.fromisoformat
LIST = reverse("workcalendar:list")


def body(response):
    return response.content.decode()


@pytest.fixture
def november(monkeypatch):
    """An ordinary month, so the December warning does not show unless a test asks for it."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D("2026-11-10"))


def test_the_county_admin_adds_a_day(client_for, november):
    client = client_for("county_admin")
    response = client.post(
        reverse("workcalendar:set"), {"date": "2027-01-01", "is_workday": "0", "note": "元旦", "year": "2026"}
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?year=2027"
    day = CalendarDay.objects.get()
    assert (day.date, day.is_workday, day.note) == (D("2027-01-01"), False, "元旦")
    assert AuditEvent.objects.filter(verb="calendar.set").count() == 1

    page = body(client.get(LIST, {"year": 2027}))
    assert "2027-01-01" in page and "元旦" in page and "calendar-months" in page
    assert 'data-confirm="删除2027-01-01的安排后' in page
    assert "calendar-year-unknown" not in page


def test_a_bad_date_gives_a_chinese_message_and_changes_nothing(client_for, november):
    client = client_for("county_admin")
    response = client.post(
        reverse("workcalendar:set"), {"date": "2027-02-30", "is_workday": "0", "year": "2027"}
    )
    assert response.status_code == 200
    assert "日期格式不对，请写作 2027-01-01" in body(response)
    response = client.post(
        reverse("workcalendar:set"), {"date": "1999-01-01", "is_workday": "0", "year": "x"}
    )
    assert response.status_code == 200
    assert "年份应在2000—2100年之间" in body(response)
    assert not CalendarDay.objects.exists()


def test_a_bad_year_in_the_address_shows_this_year(client_for, november):
    response = client_for("branch_secretary").get(LIST, {"year": "abc"})
    assert response.status_code == 200
    assert "年份“abc”无效" in body(response) and "2026年节假日和调休安排" in body(response)


def test_bulk_import_with_a_bad_line_keeps_the_text_and_saves_nothing(client_for, november):
    client = client_for("county_admin")
    text = "2027-01-01 休 元旦\n2027-02-07 休假吧"
    response = client.post(reverse("workcalendar:import"), {"text": text, "year": "2027"})
    page = body(response)
    assert response.status_code == 200
    assert "未导入任何日期" in page and "第2行：“休假吧”无法识别" in page and "2027-02-07 休假吧" in page
    assert not CalendarDay.objects.exists()

    response = client.post(
        reverse("workcalendar:import"), {"text": "2027-01-01 休 元旦\n2027-02-07 班 春节调休"}
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?year=2027"
    assert CalendarDay.objects.count() == 2
    assert "新增2天" in body(client.get(response["Location"]))


def test_seeding_and_deleting_from_the_page(client_for, november):
    client = client_for("county_admin")
    page = body(client.get(LIST, {"year": 2026}))
    assert "从内置日历导入2026年（39天）" in page
    response = client.post(reverse("workcalendar:seed"), {"year": "2026"})
    assert response.status_code == 302 and CalendarDay.objects.count() == 39
    assert "均已在本表中" in body(client.get(LIST, {"year": 2026}))

    response = client.post(reverse("workcalendar:seed"), {"year": "2027"})
    assert CalendarDay.objects.count() == 39
    assert "内置日历没有2027年的节假日安排" in body(client.get(response["Location"]))

    day = CalendarDay.objects.get(date=D("2026-10-01"))
    response = client.post(reverse("workcalendar:delete", args=[day.pk]))
    assert response.status_code == 302 and response["Location"] == f"{LIST}?year=2026"
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEvent.objects.filter(verb="calendar.delete").count() == 1
    assert client.post(reverse("workcalendar:delete", args=[day.pk])).status_code == 404


def test_a_township_reviewer_reads_but_may_not_write(client_for, november):
    day = CalendarDay.objects.create(date=D("2027-01-01"), is_workday=False, note="元旦")
    client = client_for("township_reviewer")
    page = body(client.get(LIST, {"year": 2027}))
    assert "元旦" in page
    assert "calendar-set" not in page and "calendar-import" not in page and "删除" not in page
    posts = [
        (reverse("workcalendar:set"), {"date": "2027-01-02", "is_workday": "0"}),
        (reverse("workcalendar:import"), {"text": "2027-01-03 休"}),
        (reverse("workcalendar:seed"), {"year": "2026"}),
        (reverse("workcalendar:delete", args=[day.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert list(CalendarDay.objects.values_list("pk", flat=True)) == [day.pk]


@pytest.mark.parametrize("name", ["branch_secretary", "leading_group", "auditor", "outsider"])
def test_every_signed_in_user_reads(client_for, name, november):
    assert client_for(name).get(LIST).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_december_warning_when_next_year_has_no_data(client_for, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D("2026-12-10"))
    client = client_for("county_admin")
    page = body(client.get(LIST))
    assert "2027年尚无节假日安排数据，请根据国务院办公厅通知录入" in page
    assert f'href="{LIST}?year=2027"' in page

    CalendarDay.objects.create(date=D("2027-01-01"), is_workday=False, note="元旦")
    assert "2027年尚无节假日安排数据" not in body(client.get(LIST))


def test_no_warning_outside_december(client_for, november):
    assert "尚无节假日安排数据，请根据" not in body(client_for("county_admin").get(LIST))


def test_an_unknown_year_page_says_so(client_for, november):
    page = body(client_for("county_admin").get(LIST, {"year": 2030}))
    assert "calendar-year-unknown" in page and "calendar-months" not in page
    assert "calendar-seed" not in page  # nothing built in to copy


def test_the_missing_year_include_links_to_the_calendar(db):
    html = render_to_string("workcalendar/_missing_year.html", {"year": 2027})
    assert "2027年节假日安排尚未录入，请先" in html
    assert f'<a href="{LIST}?year=2027">维护工作日历</a>' in html


def test_no_inline_script_or_style(client_for, november):
    page = body(client_for("county_admin").get(LIST, {"year": 2026}))
    assert "<script>" not in page and " style=" not in page and " onclick=" not in page
