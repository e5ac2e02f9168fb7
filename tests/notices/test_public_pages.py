"""The public pages of a notice: no login, phone-sized, CSRF-protected, polite, no personal data."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangyou.assessments.models import ScoreSheet
from chuangyou.audit.models import AuditEvent
from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.notices import services
from chuangyou.notices.models import NoticeBatch, NoticeEntry, Objection

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")
OBJECTOR_PHONE = "13900001111"
GRADES = {"TA01": "优秀", "TA02": "良好", "TB01": "一般"}


@pytest.fixture
def run(tree, personas, december):
    """A finished, submitted grading run with a result per branch (secretaries have phones)."""
    admin = personas["county_admin"]
    run = GradingRun.objects.create(
        campaign=december.campaign,
        number=1,
        state="done",
        scheme="seed2020",
        quota_scope="county",
        started_by=admin,
        submitted_at=timezone.now(),
        submitted_by=admin,
    )
    sheets = ScoreSheet.objects.filter(round=december).select_related("organization")
    for i, sheet in enumerate(sheets.order_by("organization__path")):
        org = sheet.organization
        grade = GRADES[org.code]
        RunResult.objects.create(
            run=run,
            organization=org,
            sheet=sheet,
            code=org.code,
            name=org.name,
            township=type(org).objects.get_parent(org).name,
            score=90 - i,
            grade=grade,
            final_grade=grade,
            rank=1,
            rank_total=1,
            county_rank=i + 1,
            reason="",
        )
    return run


def make_notice(run, admin, organization, publish=True) -> NoticeBatch:
    batch = services.notice_create(
        actor=admin,
        run=run,
        organization=organization,
        channel="board",
        starts=dt.date(2026, 12, 10),
        days=5,
    )
    return services.notice_publish(actor=admin, batch=batch) if publish else batch


@pytest.fixture
def notice(run, tree, personas, on_day):
    """甲镇's notice (乙街道's branches stay free for a notice of their own)."""
    return make_notice(run, personas["county_admin"], tree["town_a"])


@pytest.fixture
def entry(notice, tree):
    return notice.entries.get(organization=tree["a1"])


def detail_url(batch):
    return reverse("public_notices:detail", args=[batch.token])


def object_url(batch, entry):
    return reverse("public_notices:object", args=[batch.token, entry.pk])


def submit(client, batch, entry, content="该支部“三会一课”记录系补写，评为优秀不实。", **extra):
    return client.post(object_url(batch, entry), {"content": content, **extra})


def test_anyone_sees_the_notice_with_links_and_a_qr_code(client, run, tree, personas, on_day):
    notice = make_notice(run, personas["county_admin"], tree["county"])
    page = client.get(detail_url(notice))
    assert page.status_code == 200
    assert notice.title in page.text and "公示栏" in page.text
    assert "2026年12月10日至2026年12月16日（5个工作日）" in page.text
    for name, township, grade in (
        ("甲一村党支部", "甲镇党委", "优秀"),
        ("甲二村党支部", "甲镇党委", "良好"),
        ("乙社区党支部", "乙街道党工委", "一般"),
    ):
        assert name in page.text and township in page.text and grade in page.text
    assert page.text.count(">提出异议</a>") == 3  # one link per organization
    for e in notice.entries.all():
        assert object_url(notice, e) in page.text
    assert page.text.count("<svg") == 1 and 'class="qr"' in page.text
    assert f"http://testserver/gs/{notice.token}/" in page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
    assert " style=" not in page.text and "<script>" not in page.text
    assert "公示已结束" not in page.text


def test_a_long_notice_is_searched_by_name_and_township(client, run, tree, personas, on_day):
    notice = make_notice(run, personas["county_admin"], tree["county"])
    page = client.get(detail_url(notice), {"q": "甲一"})
    assert "甲一村党支部" in page.text and "甲二村党支部" not in page.text
    assert "找到1个组织（共3个）" in page.text and 'value="甲一"' in page.text
    page = client.get(detail_url(notice), {"township": "乙街道党工委"})
    assert "乙社区党支部" in page.text and "甲一村党支部" not in page.text
    assert '<option value="乙街道党工委" selected>' in page.text
    page = client.get(detail_url(notice), {"q": "不存在", "township": "<script>"})  # unknown: ignored
    assert "没有找到符合条件的组织" in page.text and "<script>" not in page.text
    assert "找到0个组织（共3个）" in page.text


def test_withdrawn_entries_are_not_listed_and_take_no_objection(client, notice, entry):
    NoticeEntry.objects.filter(pk=entry.pk).update(withdrawn=True)
    page = client.get(detail_url(notice))
    assert "甲一村党支部" not in page.text and "甲二村党支部" in page.text
    assert client.get(object_url(notice, entry)).status_code == 404


def test_unknown_tokens_and_drafts_are_not_found(client, run, tree, personas, notice):
    draft = make_notice(run, personas["county_admin"], tree["town_b"], publish=False)
    assert client.get(reverse("public_notices:detail", args=["nope"])).status_code == 404
    assert client.get(detail_url(draft)).status_code == 404
    draft_entry = draft.entries.first()
    assert client.get(object_url(draft, draft_entry)).status_code == 404
    assert submit(client, draft, draft_entry).status_code == 404
    assert not Objection.objects.exists()


def test_an_entry_of_another_notice_is_not_found(client, run, tree, personas, notice):
    other = make_notice(run, personas["county_admin"], tree["town_b"])
    foreign = other.entries.get()
    assert client.get(reverse("public_notices:object", args=[notice.token, foreign.pk])).status_code == 404
    assert client.post(reverse("public_notices:object", args=[notice.token, foreign.pk])).status_code == 404
    assert client.get(object_url(other, foreign)).status_code == 200


def test_after_the_period_the_notice_says_so_and_takes_no_objection(client, notice, entry, on_day):
    on_day(dt.date(2026, 12, 17))
    page = client.get(detail_url(notice))
    assert page.status_code == 200 and "公示已结束" in page.text
    assert "提出异议" not in page.text and object_url(notice, entry) not in page.text
    assert "甲一村党支部" in page.text and f"/gs/{notice.token}/" in page.text
    form = client.get(object_url(notice, entry))
    assert form.status_code == 200 and "公示已结束" in form.text and "<textarea" not in form.text
    posted = submit(client, notice, entry)
    assert posted.status_code == 200 and "公示已结束" in posted.text
    assert not Objection.objects.exists()


def test_before_the_period_the_notice_takes_no_objection(client, notice, entry, on_day):
    on_day(dt.date(2026, 12, 9))
    page = client.get(detail_url(notice))
    assert "公示将于2026年12月10日开始" in page.text and object_url(notice, entry) not in page.text
    assert submit(client, notice, entry).status_code == 200 and not Objection.objects.exists()


def test_the_objection_form_is_phone_sized_and_explains_privacy(client, notice, entry):
    page = client.get(object_url(notice, entry))
    assert page.status_code == 200
    assert "甲一村党支部" in page.text and "拟定等级：<strong>优秀</strong>" in page.text
    assert 'maxlength="2000"' in page.text and "csrfmiddlewaretoken" in page.text
    assert "只有负责核查异议的工作人员能够看到" in page.text
    assert 'name="viewport"' in page.text and " style=" not in page.text
    assert "王建国" not in page.text


def test_an_objection_is_filed_with_the_address_hashed_and_a_tracking_code(client, notice, entry):
    response = submit(client, notice, entry, name="李明", phone=OBJECTOR_PHONE, REMOTE_ADDR="203.0.113.9")
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "public_notices:thanks", args=[notice.token, objection.tracking_code]
    )
    assert (objection.entry, objection.name, objection.phone) == (entry, "李明", OBJECTOR_PHONE)
    assert objection.source_hash == services.source_hash("127.0.0.1")  # the test client's address
    stored = [str(v) for v in Objection.objects.values().get().values()]
    assert not any("127.0.0.1" in v for v in stored)
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and objection.tracking_code in thanks.text
    assert "甲一村党支部" in thanks.text
    assert f"{reverse('public_notices:status')}?code={objection.tracking_code}" in thanks.text
    assert "李明" not in thanks.text and OBJECTOR_PHONE not in thanks.text
    assert thanks["Cache-Control"].startswith("max-age=0") or "no-store" in thanks["Cache-Control"]


def test_thanks_for_an_unknown_code_or_another_notice_is_not_found(
    client, run, tree, personas, notice, entry
):
    submit(client, notice, entry)
    code = Objection.objects.get().tracking_code
    other = make_notice(run, personas["county_admin"], tree["town_b"])
    assert client.get(reverse("public_notices:thanks", args=[notice.token, "NOPE2345"])).status_code == 404
    assert client.get(reverse("public_notices:thanks", args=[other.token, code])).status_code == 404


def test_the_objector_s_address_is_not_in_the_audit_trail(client, notice, entry, settings):
    settings.PROXY_COUNT = 1
    client.post(object_url(notice, entry), {"content": "评为优秀不实"}, HTTP_X_FORWARDED_FOR="198.51.100.23")
    objection = Objection.objects.get()
    assert objection.source_hash == services.source_hash("198.51.100.23")  # the limits still count it
    assert AuditEvent.objects.get(verb="objection.submit").ip is None


def test_the_form_refuses_without_a_csrf_token(notice, entry):
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(object_url(notice, entry)).status_code == 200
    assert submit(strict, notice, entry).status_code == 403
    assert not Objection.objects.exists()


def test_a_csrf_token_from_the_form_lets_the_objection_through(notice, entry):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(object_url(notice, entry))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = submit(strict, notice, entry, csrfmiddlewaretoken=token)
    assert response.status_code == 302 and Objection.objects.count() == 1


def test_too_long_and_empty_objections_are_refused_with_the_input_kept(client, notice, entry):
    long = "长" * 10000
    response = submit(client, notice, entry, content=long, name="李明", phone=OBJECTOR_PHONE)
    assert response.status_code == 200
    assert "异议内容不超过2000字（现有10000字）" in response.text
    assert long in response.text and 'value="李明"' in response.text
    empty = submit(client, notice, entry, content="   ")
    assert empty.status_code == 200 and "请填写异议内容" in empty.text
    assert not Objection.objects.exists()


def test_a_bad_phone_is_refused_and_not_echoed(client, notice, entry):
    response = submit(client, notice, entry, content="情况不实", phone="12345")
    assert response.status_code == 200 and "联系电话应为11位手机号或带区号的固定电话" in response.text
    assert "情况不实" in response.text and "12345" not in response.text
    assert "联系电话不在页面中保留" in response.text
    assert not Objection.objects.exists()


def test_line_breaks_count_once(client, notice, entry):
    text = "第一行\r\n" * 400  # 2,400 characters as sent, 2,000 as typed
    assert submit(client, notice, entry, content=text.strip()).status_code == 302
    assert "\r" not in Objection.objects.get().content


def test_a_fourth_objection_from_one_address_about_one_organization_is_refused_politely(
    client, notice, entry
):
    for _ in range(3):
        assert submit(client, notice, entry).status_code == 302
    fourth = submit(client, notice, entry, content="第四条")
    assert fourth.status_code == 200
    assert "您今天对该组织提交的异议已较多" in fourth.text and "第四条" in fourth.text  # kept as typed
    assert Objection.objects.count() == 3


def test_the_status_page_shows_progress_and_the_answer(client, personas, notice, entry):
    submit(client, notice, entry, name="李明", phone=OBJECTOR_PHONE)
    objection = Objection.objects.get()
    status_url = reverse("public_notices:status")
    empty = client.get(status_url)
    assert empty.status_code == 200 and 'name="code"' in empty.text and 'name="viewport"' in empty.text
    code = objection.tracking_code
    typed = f" {code[:5].lower()} {code[5:]} "
    page = client.get(status_url, {"code": typed})
    assert page.status_code == 200
    assert "甲一村党支部" in page.text and "已受理" in page.text
    assert f'href="{detail_url(notice)}"' in page.text  # back to the notice
    assert f"{objection.due:%Y}年{objection.due.month}月{objection.due.day}日" in page.text
    assert "正在办理中" in page.text
    assert "李明" not in page.text and OBJECTOR_PHONE not in page.text and objection.content not in page.text
    services.objection_answer(
        actor=personas["county_admin"],
        objection=objection,
        state="dismissed",
        answer="经核查，会议记录齐全，异议不成立。",
        version=objection.version,
    )
    answered = client.get(status_url, {"code": code})
    assert "不成立" in answered.text and "经核查，会议记录齐全，异议不成立。" in answered.text
    assert "李明" not in answered.text and OBJECTOR_PHONE not in answered.text


def test_an_unknown_code_gets_a_polite_message(client, notice):
    status_url = reverse("public_notices:status")
    unknown = client.get(status_url, {"code": "ZZZZ999999"})
    assert unknown.status_code == 200 and "没有找到这个查询码对应的异议" in unknown.text
    blank = client.get(status_url, {"code": "  "})
    assert blank.status_code == 200 and "请输入提交异议后得到的查询码" in blank.text
    huge = client.get(status_url, {"code": "X" * 500})
    assert huge.status_code == 200 and "查询码为10位字母和数字" in huge.text


def test_a_signed_in_user_sees_the_same_public_pages(client_for, notice, entry):
    client = client_for("township_reviewer")
    assert client.get(detail_url(notice)).status_code == 200
    assert submit(client, notice, entry).status_code == 302
    assert "p_town" not in client.get(detail_url(notice)).text


def test_no_public_page_shows_an_id_number_or_a_phone(client, personas, tree, notice, entry, on_day):
    from chuangyou.orgs.models import Organization

    assert Organization.objects.filter(secretary_phone="13812341234").count() == 6
    bodies = [
        client.get(detail_url(notice)),
        client.get(object_url(notice, entry)),
        submit(client, notice, entry, content="", name="李明", phone=OBJECTOR_PHONE),  # shown again
        submit(client, notice, entry, content="x" * 3000, phone=OBJECTOR_PHONE),
    ]
    filed = submit(client, notice, entry, name="李明", phone=OBJECTOR_PHONE)
    objection = Objection.objects.get()
    status_url = reverse("public_notices:status")
    bodies += [
        client.get(filed["Location"]),
        client.get(status_url),
        client.get(status_url, {"code": objection.tracking_code}),
        client.get(status_url, {"code": "ZZZZ999999"}),
    ]
    services.objection_answer(
        actor=personas["county_admin"],
        objection=objection,
        state="further",
        answer="需进一步核实，已转乡镇党委。",
        version=objection.version,
    )
    bodies.append(client.get(status_url, {"code": objection.tracking_code}))
    on_day(dt.date(2026, 12, 17))
    bodies += [client.get(detail_url(notice)), client.get(object_url(notice, entry))]
    for response in bodies:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert not ID_NUMBER.search(response.text), response.request["PATH_INFO"]
        assert not MOBILE.search(response.text), response.request["PATH_INFO"]
        assert "王建国" not in response.text and "李明" not in response.text.replace('value="李明"', "")


# --- guessing tracking codes: look-ups limited per address -----------------------------------------


def test_after_ten_unknown_tracking_codes_the_address_is_refused(client, notice, entry):
    submit(Client(), notice, entry)
    code = Objection.objects.get().tracking_code
    status_url = reverse("public_notices:status")
    for n in range(10):
        assert "没有找到这个查询码" in client.get(status_url, {"code": f"NOPE{n:06d}"}).text
    refused = client.get(status_url, {"code": code})
    assert refused.status_code == 429 and "查询过于频繁，请15分钟后再试" in refused.text
    assert "甲一村党支部" not in refused.text and 'data-testid="objection-status"' not in refused.text
    thanks = client.get(reverse("public_notices:thanks", args=[notice.token, code]))
    assert thanks.status_code == 429 and "甲一村党支部" not in thanks.text
    # An empty box is no look-up; another address may still look its code up.
    assert client.get(status_url, {"code": ""}).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.5").get(status_url, {"code": code}).status_code == 200


def test_guessing_on_the_thanks_page_counts_too(client, notice, entry):
    for n in range(10):
        assert (
            client.get(reverse("public_notices:thanks", args=[notice.token, f"NOPE{n:06d}"])).status_code
            == 404
        )
    submit(Client(), notice, entry)
    code = Objection.objects.get().tracking_code
    assert client.get(reverse("public_notices:status"), {"code": code}).status_code == 429


def test_the_objector_sees_the_code_just_made_while_the_address_is_refused(client, notice, entry):
    guesser = Client()
    for n in range(10):
        guesser.get(reverse("public_notices:status"), {"code": f"NOPE{n:06d}"})
    response = submit(client, notice, entry)
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    code = Objection.objects.get().tracking_code
    assert thanks.status_code == 200 and code in thanks.text
    assert client.get(reverse("public_notices:status"), {"code": code}).status_code == 200
