"""The staff pages of the public notice: creating a notice with a preview of its end date, publishing,
reporting, approval with a document number, objections and their answers; scope, refusals in
Chinese, and a fixed number of queries."""

import datetime as dt
import io

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuangyou.notices import services
from chuangyou.notices.models import NoticeBatch, NoticeState, Objection, OfficialGrade
from tests.notices.conftest import AFTER, IN_PERIOD, create_notice, entry_of, object_to


def create_url(run, **params):
    query = "&".join(f"{k}={v}" for k, v in {"run": run.pk, **params}.items())
    return f"{reverse('notices:create')}?{query}"


def values(org, starts="2026-12-14", days=5, channel="website", title=""):
    return {"organization": org.pk, "channel": channel, "starts": starts, "days": days, "title": title}


def follow(client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def detail(batch):
    return reverse("notices:detail", args=[batch.pk])


def post(client, name, batch, data=None):
    return client.post(reverse(f"notices:{name}", args=[batch.pk]), data or {})


@pytest.fixture
def with_objection(published_notice, on_day):
    """The county notice with an objection about 甲二村党支部, filed during the notice period."""
    on_day(IN_PERIOD)
    return object_to(entry_of(published_notice, "TA02"), phone="13900001111", name="李四")


# --- Creating a notice ---------------------------------------------------------------------------


def test_the_run_page_offers_the_notice_once_submitted(client_for, submitted_run):
    body = client_for("county_admin").get(reverse("grading:run", args=[submitted_run.pk])).content.decode()
    assert 'data-testid="notice-create-link"' in body and create_url(submitted_run) in body
    body = (
        client_for("township_reviewer").get(reverse("grading:run", args=[submitted_run.pk])).content.decode()
    )
    assert 'data-testid="notice-create-link"' not in body


def test_the_form_previews_the_end_date_over_the_holidays(client_for, submitted_run, tree):
    client = client_for("county_admin")
    body = client.get(create_url(submitted_run)).content.decode()
    assert 'type="date"' in body and 'name="days"' in body and 'value="5"' in body
    assert "公众号" in body and "公示栏" in body and 'data-testid="create-notice"' not in body
    params = values(tree["county"], starts="2026-09-28")
    body = client.get(create_url(submitted_run, **params)).content.decode()
    assert "截止日期：2026年10月9日（5个工作日，已扣除节假日）" in body
    assert 'data-testid="create-notice"' in body
    assert not NoticeBatch.objects.exists()  # a preview creates nothing


def test_a_period_shorter_than_five_working_days_is_refused(client_for, submitted_run, tree):
    client = client_for("county_admin")
    body = client.get(create_url(submitted_run, **values(tree["county"], days=4))).content.decode()
    assert "公示期不少于5个工作日" in body and "截止日期：" not in body
    body = client.post(create_url(submitted_run), values(tree["county"], days=4)).content.decode()
    assert "公示期不少于5个工作日" in body
    assert not NoticeBatch.objects.exists()


def test_a_year_without_calendar_data_links_to_the_calendar(client_for, submitted_run, tree):
    client = client_for("county_admin")
    body = client.get(
        create_url(submitted_run, **values(tree["county"], starts="2099-01-05"))
    ).content.decode()
    assert "2099年尚无节假日安排数据" in body and "截止日期：" not in body
    assert "/calendar/?year=2099" in body and 'data-testid="calendar-link"' in body


def test_the_admin_creates_a_draft_and_publishes_it(client_for, submitted_run, tree):
    client = client_for("county_admin")
    response = client.post(create_url(submitted_run), values(tree["county"], title="全县评定等级公示"))
    batch = NoticeBatch.objects.get()
    assert response["Location"] == detail(batch)
    body = follow(client, response)
    assert "已创建公示草稿（截止2026年12月18日）" in body and "全县评定等级公示" in body
    assert body.count('data-testid="entry-row"') == 15
    assert "甲一村党支部" in body and "优秀 1" in body and "良好 2" in body
    assert 'data-testid="publish"' in body and "发布后可访问" in body
    assert 'data-testid="report"' not in body and 'data-testid="approve-form"' not in body
    body = follow(client, post(client, "publish", batch))
    batch.refresh_from_db()
    assert batch.state == NoticeState.PUBLISHED and "公示已发布" in body
    assert 'data-testid="publish"' not in body
    list_body = client.get(reverse("notices:list")).content.decode()
    assert "全县评定等级公示" in list_body and "公示中" in list_body


def test_only_the_county_admin_creates_and_publishes(client_for, submitted_run, tree, personas):
    client = client_for("township_reviewer")
    assert client.get(create_url(submitted_run)).status_code == 403
    assert client.post(create_url(submitted_run), values(tree["town_a"])).status_code == 403
    assert not NoticeBatch.objects.exists()
    town_notice = create_notice(submitted_run, personas["county_admin"], tree["town_a"])
    body = client.get(detail(town_notice)).content.decode()
    assert 'data-testid="publish"' not in body and 'data-testid="delete-draft"' not in body
    body = follow(client, post(client, "publish", town_notice))
    assert "本次活动由县委组织部统一发布公示" in body
    assert "本次活动由县委组织部统一发布公示" in follow(client, post(client, "delete", town_notice))
    town_notice.refresh_from_db()
    assert town_notice.state == NoticeState.DRAFT


def test_a_township_publishes_from_the_pages_when_the_campaign_allows(
    client_for, submitted_run, tree, campaign
):
    campaign.townships_publish = True
    campaign.save()
    client = client_for("township_reviewer")
    run_page = client.get(reverse("grading:run", args=[submitted_run.pk])).content.decode()
    assert 'data-testid="notice-create-link"' in run_page
    form = client.get(create_url(submitted_run)).content.decode()
    # Its own township only, as a hidden field.
    assert f'name="organization" value="{tree["town_a"].pk}"' in form and "乙街道" not in form
    response = client.post(create_url(submitted_run), values(tree["town_b"]))
    assert response.status_code == 200 and not NoticeBatch.objects.exists()  # not a choice it has
    batch_page = follow(client, client.post(create_url(submitted_run), values(tree["town_a"])))
    batch = NoticeBatch.objects.get()
    assert batch.organization == tree["town_a"] and 'data-testid="publish"' in batch_page
    assert "公示已发布" in follow(client, post(client, "publish", batch))


def test_a_draft_is_deleted_after_confirmation_and_made_again(client_for, draft_notice, submitted_run):
    client = client_for("county_admin")
    body = client.get(detail(draft_notice)).content.decode()
    assert 'data-testid="delete-draft"' in body and "确定删除这份草稿吗" in body
    response = post(client, "delete", draft_notice)
    assert response["Location"] == create_url(submitted_run)
    assert "已删除公示草稿" in follow(client, response)
    assert not NoticeBatch.objects.exists()


def test_a_run_not_submitted_cannot_be_published(client_for, graded_run, tree):
    client = client_for("county_admin")
    response = client.get(create_url(graded_run))
    assert response["Location"] == reverse("grading:run", args=[graded_run.pk])
    assert "只有已提交公示的定级结果可以公示" in follow(client, response)


# --- Reporting and approval ----------------------------------------------------------------------


def test_reporting_is_refused_before_the_end(client_for, published_notice):
    client = client_for("county_admin")
    body = client.get(detail(published_notice)).content.decode()
    assert 'data-testid="report"' not in body and "2026年12月18日公示期满后自动结束" in body
    body = follow(client, post(client, "report", published_notice))
    assert "公示期至2026年12月18日，公示结束后才能上报" in body
    published_notice.refresh_from_db()
    assert published_notice.state == NoticeState.PUBLISHED
    body = follow(client, post(client, "approve", published_notice, {"document_number": "X组通〔2026〕12号"}))
    assert "公示结束并上报后才能审定" in body
    assert not OfficialGrade.objects.exists()


def test_approval_waits_for_every_objection_then_takes_the_document_number(
    client_for, with_objection, on_day, personas
):
    (ended,) = services.notices_end(AFTER)
    on_day(AFTER)
    client = client_for("county_admin")
    body = client.get(detail(ended)).content.decode()
    assert 'data-testid="report"' in body and "未办结 1 件" in body
    body = follow(client, post(client, "report", ended))
    assert "以下组织有尚未办结的异议，办结后才能上报：甲二村党支部" in body  # 公示无异议后上报
    ended.refresh_from_db()
    assert ended.state == NoticeState.ENDED

    objection_url = reverse("notices:objection", args=[with_objection.pk])
    answer = {"state": "dismissed", "answer": "经核实，记录真实完整", "version": with_objection.version}
    assert "异议已更新为“不成立”" in follow(client, client.post(objection_url, answer))
    body = follow(client, post(client, "report", ended))
    assert "已上报县委组织部审定" in body and 'data-testid="approve-form"' in body

    body = follow(client, post(client, "approve", ended, {"document_number": "  "}))
    assert "请填写命名文件的文号" in body
    body = follow(client, post(client, "approve", ended, {"document_number": "X组通〔2026〕12号"}))
    ended.refresh_from_db()
    assert ended.state == NoticeState.APPROVED and ended.document_number == "X组通〔2026〕12号"
    assert "已审定" in body and 'data-testid="naming-link"' in body and 'data-testid="plaques-link"' in body
    assert OfficialGrade.objects.filter(batch=ended).count() == 15
    naming = client.get(reverse("notices:naming", args=[ended.pk]))
    assert naming.status_code == 200 and naming["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("notices:plaques", args=[ended.pk])).status_code == 200
    # The approved grade is on the organization's page, for its own secretary too.
    grade = OfficialGrade.objects.get(batch=ended, organization__code="TA01")
    page = client_for("branch_secretary").get(reverse("orgs:detail", args=[grade.organization_id]))
    assert (
        f"2026年度</strong> {grade.grade}" in page.content.decode()
        and "X组通〔2026〕12号" in page.content.decode()
    )


def test_documents_wait_for_the_approval(client_for, ended_notice):
    client = client_for("county_admin")
    for name in ("naming", "plaques"):
        assert client.get(reverse(f"notices:{name}", args=[ended_notice.pk])).status_code == 404
    assert 'data-testid="naming-link"' not in client.get(detail(ended_notice)).content.decode()


def test_a_township_reports_its_own_notice(client_for, submitted_run, tree, personas, on_day):
    town_notice = create_notice(submitted_run, personas["county_admin"], tree["town_a"])
    services.notice_publish(actor=personas["county_admin"], batch=town_notice)
    services.notices_end(AFTER)
    client = client_for("township_reviewer")
    body = client.get(detail(town_notice)).content.decode()
    assert 'data-testid="report"' in body and body.count('data-testid="entry-row"') == 8
    assert "乙社区党支部" not in body
    follow(client, post(client, "report", town_notice))
    town_notice.refresh_from_db()
    assert town_notice.state == NoticeState.REPORTED
    body = client.get(detail(town_notice)).content.decode()
    assert 'data-testid="approve-form"' not in body and "等待县委组织部审定" in body
    follow(client, post(client, "approve", town_notice, {"document_number": "X组通〔2026〕1号"}))
    town_notice.refresh_from_db()
    assert town_notice.state == NoticeState.REPORTED


# --- Objections ----------------------------------------------------------------------------------


def test_the_objection_page_masks_the_phone_and_takes_an_answer(client_for, with_objection):
    client = client_for("township_reviewer")  # 甲镇: the branch is theirs
    url = reverse("notices:objection", args=[with_objection.pk])
    body = client.get(url).content.decode()
    assert "139****1111" in body and "13900001111" not in body and "李四" in body
    assert "三会一课" in body and 'data-testid="answer-form"' in body
    assert with_objection.tracking_code not in body
    for option in ("调查中", "成立", "不成立", "需进一步核实"):
        assert f">{option}</option>" in body
    body = client.post(url, {"state": "dismissed", "answer": "", "version": with_objection.version})
    assert "办结异议须填写处理结果" in body.content.decode()
    data = {"state": "investigating", "answer": "", "version": with_objection.version}
    assert "异议已更新为“调查中”" in follow(client, client.post(url, data))
    # The old version is stale now.
    body = client.post(url, data).content.decode()
    assert "该异议已由他人处理，请刷新后再操作" in body
    data = {"state": "further", "answer": "需调阅原始记录", "version": with_objection.version + 1}
    body = follow(client, client.post(url, data))
    with_objection.refresh_from_db()
    assert with_objection.state == "further" and "需调阅原始记录" in body
    assert entry_of(with_objection.entry.batch, "TA02").held
    # Verification under way: the form offers its two endings only.
    assert 'data-testid="verifying"' in body and 'value="investigating"' not in body
    assert 'value="upheld"' in body and 'value="dismissed"' in body
    data = {"state": "dismissed", "answer": "经核实，记录完整", "version": with_objection.version}
    body = follow(client, client.post(url, data))
    assert 'data-testid="answer-form"' not in body and "已办结" in body
    assert not entry_of(with_objection.entry.batch, "TA02").held


def test_a_grade_cleared_after_the_approval_is_approved_from_the_page(
    client_for, with_objection, on_day, personas
):
    services.objection_answer(
        actor=personas["county_admin"], objection=with_objection, state="further", answer="需核实", version=1
    )
    (ended,) = services.notices_end(AFTER)
    on_day(AFTER)
    admin = personas["county_admin"]
    services.notice_report(actor=admin, batch=ended)
    services.notice_approve(actor=admin, batch=ended, document_number="X组通〔2026〕12号")
    client = client_for("county_admin")
    body = client.get(detail(ended)).content.decode()
    assert 'data-testid="approve-released-form"' not in body and body.count('data-testid="naming-link"') == 1
    town = client_for("township_reviewer")
    assert 'data-testid="naming-link"' not in town.get(detail(ended)).content.decode()  # not the whole list
    client = client_for("county_admin")
    with_objection.refresh_from_db()
    url = reverse("notices:objection", args=[with_objection.pk])
    client.post(url, {"state": "dismissed", "answer": "经核实不属实", "version": with_objection.version})
    body = client.get(detail(ended)).content.decode()
    assert 'data-testid="approve-released-form"' in body and "甲二村党支部" in body
    body = follow(client, post(client, "approve_released", ended, {"document_number": "X组通〔2026〕20号"}))
    assert "已补充审定（X组通〔2026〕20号）" in body and 'data-testid="approve-released-form"' not in body
    assert body.count('data-testid="naming-link"') == 2 and "?number=X%E7%BB%84" in body
    later = client.get(reverse("notices:naming", args=[ended.pk]) + "?number=X组通〔2026〕20号")
    document = docx.Document(io.BytesIO(b"".join(later.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "X组通〔2026〕20号" and "甲二村党支部" in text
    assert "甲一村党支部" not in text  # named under the first number, not this one
    assert client.get(reverse("notices:naming", args=[ended.pk]) + "?number=nope").status_code == 404
    grade = OfficialGrade.objects.get(organization__code="TA02")
    assert grade.document_number == "X组通〔2026〕20号"


def test_the_objection_list_puts_open_ones_first_and_marks_overdue(client_for, with_objection, on_day):
    other = object_to(entry_of(with_objection.entry.batch, "TB01"), content="乙社区材料不实")
    closed = object_to(entry_of(with_objection.entry.batch, "TA01"), content="甲一村材料不实")
    Objection.objects.filter(pk=closed.pk).update(state="dismissed", answer="不成立")
    on_day(dt.date(2026, 12, 31))
    client = client_for("county_admin")
    body = client.get(reverse("notices:objections")).content.decode()
    assert body.count('data-testid="objection-row"') == 3
    assert body.index("乙社区党支部") < body.index("甲一村党支部")
    assert body.index("甲二村党支部") < body.index("甲一村党支部")
    assert body.count('data-testid="overdue"') == 2 and "其中超期 2 件" in body
    body = client.get(reverse("notices:objections") + "?state=closed").content.decode()
    assert body.count('data-testid="objection-row"') == 1 and "甲一村党支部" in body
    body = client_for("township_reviewer").get(reverse("notices:objections")).content.decode()
    assert body.count('data-testid="objection-row"') == 2 and "乙社区" not in body
    assert other.pk


def test_a_township_reads_the_county_notice_for_its_own_branches(client_for, with_objection, other_reviewer):
    county_notice = with_objection.entry.batch
    objection_url = reverse("notices:objection", args=[with_objection.pk])
    # 乙街道's reviewer: the county-wide notice with its own branches, not the objection about 甲二村.
    client = client_for("county_admin")
    client.force_login(other_reviewer, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get(detail(county_notice)).content.decode()
    assert "公示名单（本辖区）" in body and "乙社区党支部" in body and "甲二村" not in body
    assert "未办结 0 件" in body and 'data-testid="report"' not in body
    assert client.get(objection_url).status_code == 404
    data = {"state": "dismissed", "answer": "x", "version": with_objection.version}
    assert client.post(objection_url, data).status_code == 404
    assert post(client, "publish", county_notice).status_code == 302  # refused with a message
    assert "甲二村" not in client.get(reverse("notices:objections")).content.decode()
    # 甲镇's reviewer: its branches and the objection, linked back to the notice.
    client = client_for("township_reviewer")
    body = client.get(detail(county_notice)).content.decode()
    assert "甲二村党支部" in body and "乙社区" not in body and "未办结 1 件" in body
    assert detail(county_notice) in client.get(objection_url).content.decode()


def test_scope_of_the_notice_pages(client_for, submitted_run, tree, personas, other_reviewer):
    town_notice = create_notice(submitted_run, personas["county_admin"], tree["town_a"])
    # 乙街道's reviewer does not see 甲镇's notice.
    client = client_for("county_admin")
    client.force_login(other_reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(detail(town_notice)).status_code == 404
    assert post(client, "publish", town_notice).status_code == 404
    assert post(client, "delete", town_notice).status_code == 404
    assert "甲镇" not in client.get(reverse("notices:list")).content.decode()
    assert client_for("township_reviewer").get(detail(town_notice)).status_code == 200


def test_secretaries_and_the_leading_group_do_not_act(client_for, with_objection, submitted_run):
    objection_url = reverse("notices:objection", args=[with_objection.pk])
    data = {"state": "dismissed", "answer": "x", "version": with_objection.version}
    # A branch secretary reads none of it; the leading group reads but does not answer.
    client = client_for("branch_secretary")
    assert client.get(reverse("notices:list")).status_code == 403
    assert client.get(reverse("notices:objections")).status_code == 403
    assert client.get(detail(with_objection.entry.batch)).status_code == 404
    assert client.get(objection_url).status_code == 404
    assert client.get(create_url(submitted_run)).status_code == 403
    client = client_for("leading_group")
    body = client.get(objection_url).content.decode()
    assert 'data-testid="answer-form"' not in body
    assert client.post(objection_url, data).status_code == 403
    with_objection.refresh_from_db()
    assert with_objection.state == "received"


# --- A fixed number of queries -------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_pages_use_a_fixed_number_of_queries(client_for, with_objection, submitted_run, tree, personas):
    county_notice = with_objection.entry.batch
    client = client_for("county_admin")
    urls = [
        reverse("notices:list"),
        reverse("notices:objections"),
        reverse("notices:objections") + "?state=open",
        detail(county_notice),
        reverse("notices:objection", args=[with_objection.pk]),
    ]
    few = [count_queries(client, url) for url in urls]
    for code in ("TA01", "TB01", "X0001", "X0002", "X0003"):
        for i in range(4):
            object_to(entry_of(county_notice, code), content=f"异议{i}", address=f"198.51.100.{i}")
    for number in range(3):  # more notices (drafts of other scopes, made directly)
        NoticeBatch.objects.create(
            campaign=county_notice.campaign,
            run=submitted_run,
            organization=tree["town_a" if number % 2 else "town_b"],
            title=f"公示{number}",
            channel="website",
            starts=county_notice.starts,
            ends=county_notice.ends,
            created_by=personas["county_admin"],
        )
    many = [count_queries(client, url) for url in urls]
    assert few == many
    assert max(many) <= 12


def test_the_naming_document_of_a_later_number_when_the_approval_named_nobody(
    client_for, ended_notice, personas
):
    admin = personas["county_admin"]
    ended_notice.entries.update(held=True)  # every grade held back for verification
    batch = services.notice_report(actor=admin, batch=ended_notice)
    services.notice_approve(actor=admin, batch=batch, document_number="X组通〔2026〕12号")
    assert not OfficialGrade.objects.exists()
    ended_notice.entries.filter(organization__code="TA01").update(held=False)  # verified since
    services.notice_approve_released(actor=admin, batch=batch, document_number="X组通〔2026〕20号")
    client = client_for("county_admin")
    body = client.get(detail(batch)).content.decode()
    assert body.count('data-testid="naming-link"') == 1
    naming = client.get(reverse("notices:naming", args=[batch.pk]))  # the link's number, or none
    assert naming.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(naming.streaming_content)))
    assert document.paragraphs[0].text == "X组通〔2026〕20号"
