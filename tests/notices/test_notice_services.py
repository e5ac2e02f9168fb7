"""Public notice services: a draft notice of a submitted run, its period in working days, publishing
and ending it, objections from the public and their answers, the report and the approval (审定)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.grading.models import GradingRun, RunState
from chuangyou.notices import services as notices
from chuangyou.notices.models import (
    NoticeBatch,
    NoticeEntry,
    NoticeState,
    Objection,
    ObjectionState,
    OfficialGrade,
)
from chuangyou.orgs.models import Kind
from chuangyou.reviews import services as reviews
from chuangyou.reviews.models import ReviewKind, ReviewState
from chuangyou.rules.grade_scheme import load_scheme
from tests.conftest import make_org
from tests.grading.conftest import add_branches, set_inputs
from tests.notices.conftest import (
    AFTER,
    ENDS,
    GRADES,
    IN_PERIOD,
    STARTS,
    create_notice,
    entry_of,
    object_to,
)

LABELS = load_scheme("seed2020").labels
NOT_THE_COUNTY = ("township_reviewer", "branch_secretary", "leading_group", "auditor", "outsider")


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def reviewer(personas):
    return personas["township_reviewer"]


def answer(actor, objection, state, text="经核实，情况不属实", version=None):
    objection.refresh_from_db()
    return notices.objection_answer(
        actor=actor,
        objection=objection,
        state=state,
        answer=text,
        version=objection.version if version is None else version,
    )


def reported(batch, actor):
    notices.notices_end(AFTER)
    return notices.notice_report(actor=actor, batch=batch)


# --- Creating a notice ----------------------------------------------------------------------------


def test_the_county_admin_drafts_a_notice_of_the_run_in_grade_order(submitted_run, tree, admin):
    batch = create_notice(submitted_run, admin, tree["county"])
    assert (batch.state, batch.campaign, batch.run, batch.organization) == (
        NoticeState.DRAFT,
        submitted_run.campaign,
        submitted_run,
        tree["county"],
    )
    assert (batch.starts, batch.days, batch.ends, batch.created_by) == (STARTS, 5, ENDS, admin)
    assert batch.title == "2026年度基层党组织争先创优评定等级公示" and batch.channel == "website"
    entries = list(batch.entries.select_related("organization", "result"))
    assert {e.organization.code: e.grade for e in entries} == GRADES
    assert [e.order for e in entries] == list(range(15))
    grades = [e.grade for e in entries]
    assert grades == sorted(grades, key=LABELS.index)  # best first
    assert (grades[0], entries[0].organization.code, grades[-1]) == ("优秀", "TA01", "软弱涣散")
    first = entries[0]
    assert (first.name, first.township, first.result.code) == ("甲一村党支部", "甲镇党委", "TA01")
    assert not any(e.held or e.withdrawn for e in entries)
    event = AuditEvent.objects.get(verb="notice.create")
    assert (event.actor, event.organization, event.target_id) == (admin, tree["county"], str(batch.pk))
    assert event.after == {
        "run": 1,
        "channel": "website",
        "starts": "2026-12-14",
        "days": 5,
        "ends": "2026-12-18",
        "issuer": "中共示范县委组织部",  # the campaign root's organization department
        "contact_phone": "",
        "contact_address": "",
    }


def test_a_title_given_is_kept(submitted_run, tree, admin):
    batch = create_notice(submitted_run, admin, tree["county"], title="  示范县2026年度评定结果公示 ")
    assert batch.title == "示范县2026年度评定结果公示"


def test_the_issuer_and_the_contacts_for_objections_are_kept(submitted_run, tree, admin):
    batch = create_notice(
        submitted_run,
        admin,
        tree["county"],
        issuer=" 中共示范县委组织部组织科 ",
        contact_phone="0571-12345678、12380",
        contact_address=" 示范县人民路1号县委组织部 ",
    )
    assert (batch.issuer, batch.contact_phone, batch.contact_address) == (
        "中共示范县委组织部组织科",
        "0571-12345678、12380",
        "示范县人民路1号县委组织部",
    )
    assert AuditEvent.objects.get(verb="notice.create").after["contact_phone"] == "0571-12345678、12380"


def test_a_township_publishing_its_own_notice_issues_it(submitted_run, tree, reviewer, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(townships_publish=True)
    submitted_run.campaign.refresh_from_db()
    assert create_notice(submitted_run, reviewer, tree["town_a"]).issuer == "甲镇党委"


def test_the_notice_shows_the_final_grade_after_an_override(graded_run, tree, admin):
    tb01 = graded_run.results.get(code="TB01")
    grading.result_override(actor=admin, result=tb01, grade="一般", reason="群众反映较多")
    run = grading.run_submit(actor=admin, run=graded_run)
    batch = create_notice(run, admin, tree["county"])
    entries = list(batch.entries.select_related("organization"))
    assert entry_of(batch, "TB01").grade == "一般"
    grades = [e.grade for e in entries]
    assert grades == sorted(grades, key=LABELS.index)
    assert [e.organization.code for e in entries[:2]] == ["TA01", "TA02"]  # the only 优秀 and 良好 left


def test_a_township_notice_lists_the_township_s_branches_only(submitted_run, tree, admin):
    batch = create_notice(submitted_run, admin, tree["town_a"])
    codes = set(batch.entries.values_list("organization__code", flat=True))
    assert codes == {"TA01", "TA02", *(f"X{i:04d}" for i in range(0, 12, 2))}


def test_only_the_county_admin_creates_a_notice(submitted_run, tree, personas):
    for name in NOT_THE_COUNTY:
        with pytest.raises(notices.NoticeError, match="本次活动由县委组织部统一发布公示"):
            create_notice(submitted_run, personas[name], tree["town_a"])
    assert not NoticeBatch.objects.exists() and not AuditEvent.objects.filter(verb="notice.create").exists()


def test_a_township_publishes_its_own_notice_when_the_campaign_allows(
    submitted_run, tree, personas, campaign, other_reviewer
):
    Campaign.objects.filter(pk=campaign.pk).update(townships_publish=True)
    submitted_run.campaign.refresh_from_db()
    reviewer = personas["township_reviewer"]  # 甲镇's
    for organization in (tree["county"], tree["town_b"]):
        with pytest.raises(notices.NoticeError, match="或本乡镇（街道）审核人可以发布本辖区的公示"):
            create_notice(submitted_run, reviewer, organization)
    for name in ("branch_secretary", "leading_group", "auditor"):
        with pytest.raises(notices.NoticeError, match="只有县委组织部或本乡镇（街道）审核人"):
            create_notice(submitted_run, personas[name], tree["town_a"])
    batch = create_notice(submitted_run, reviewer, tree["town_a"])
    with pytest.raises(notices.NoticeError, match="只有县委组织部或本乡镇（街道）审核人"):
        notices.notice_publish(actor=other_reviewer, batch=batch)
    batch = notices.notice_publish(actor=reviewer, batch=batch)
    assert batch.state == NoticeState.PUBLISHED
    assert AuditEvent.objects.get(verb="notice.publish").actor == reviewer
    batch = reported(batch, reviewer)
    with pytest.raises(notices.NoticeError, match="只有县委组织部可以审定"):
        notices.notice_approve(actor=reviewer, batch=batch, document_number="示组通〔2026〕12号")
    notices.notice_approve(actor=personas["county_admin"], batch=batch, document_number="示组通〔2026〕12号")
    assert OfficialGrade.objects.count() == batch.entries.count() == 8


def test_an_organization_is_on_one_notice_of_a_campaign(draft_notice, submitted_run, tree, admin):
    with pytest.raises(notices.NoticeError, match="“乙街道党工委”范围内的定级结果均已列入公示"):
        create_notice(submitted_run, admin, tree["town_b"])
    notices.notice_delete(actor=admin, batch=draft_notice)  # a draft may be deleted and made again
    event = AuditEvent.objects.get(verb="notice.delete")
    assert event.before["entries"] == 15 and event.after == {"state": "deleted"}
    town = create_notice(submitted_run, admin, tree["town_b"])
    county = create_notice(submitted_run, admin, tree["county"])  # the branches not yet on a notice
    assert town.entries.count() + county.entries.count() == 15
    assert county.title == "2026年度基层党组织争先创优评定等级公示"  # the county's first notice
    published = notices.notice_publish(actor=admin, batch=town)
    with pytest.raises(notices.NoticeError, match="该公示正在公示，不能删除"):
        notices.notice_delete(actor=admin, batch=published)
    assert NoticeBatch.objects.count() == 2


def test_the_county_s_first_notice_is_not_a_supplement_after_the_townships_own(
    submitted_run, december, tree, admin, reviewer, campaign
):
    Campaign.objects.filter(pk=campaign.pk).update(townships_publish=True)
    submitted_run.campaign.refresh_from_db()
    town = create_notice(submitted_run, reviewer, tree["town_a"])
    assert town.title == "2026年度基层党组织争先创优评定等级公示"
    county = create_notice(submitted_run, admin, tree["county"])  # 乙街道's branches
    assert county.title == "2026年度基层党组织争先创优评定等级公示"
    add_branches(tree, december, 2, lambda i: {"final_total": Decimal(70)}, town_of=lambda i: 0, prefix="Y")
    later = grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=campaign))
    supplement = create_notice(later, reviewer, tree["town_a"])  # after the county's notice over it
    assert supplement.title == "2026年度基层党组织争先创优评定等级补充公示"


def test_only_a_finished_run_submitted_for_notice_is_published(graded_run, tree, admin):
    with pytest.raises(notices.NoticeError, match="只有已提交公示的定级结果可以公示"):
        create_notice(graded_run, admin, tree["county"])  # finished, not submitted
    GradingRun.objects.filter(pk=graded_run.pk).update(state=RunState.FAILED, submitted_at=timezone.now())
    with pytest.raises(notices.NoticeError, match="只有已提交公示的定级结果可以公示"):
        create_notice(GradingRun.objects.get(pk=graded_run.pk), admin, tree["county"])
    assert not NoticeBatch.objects.exists()


def test_the_organization_must_be_in_the_campaign(submitted_run, tree, admin):
    elsewhere = make_org(None, "W", "外县委", Kind.COUNTY, full=0, probationary=0)
    with pytest.raises(notices.NoticeError, match="“外县委”不在本次活动范围内"):
        create_notice(submitted_run, admin, elsewhere)
    tree["county"].refresh_from_db()
    empty = make_org(tree["county"], "TC", "丙镇党委", Kind.TOWNSHIP, full=0, probationary=0)
    with pytest.raises(notices.NoticeError, match="“丙镇党委”范围内没有定级结果"):
        create_notice(submitted_run, admin, empty)
    assert not NoticeBatch.objects.exists()


@pytest.mark.parametrize(
    ("starts", "days", "ends"),
    [
        (dt.date(2026, 12, 14), 5, dt.date(2026, 12, 18)),
        (dt.date(2026, 12, 12), 5, dt.date(2026, 12, 18)),  # a Saturday start: the period begins Monday
        (dt.date(2026, 12, 14), 7, dt.date(2026, 12, 22)),
        (dt.date(2026, 9, 28), 5, dt.date(2026, 10, 9)),  # over National Day (1–7 October)
        (dt.date(2026, 9, 30), 5, dt.date(2026, 10, 12)),  # Saturday 10 October is a make-up working day
    ],
)
def test_the_period_is_counted_in_working_days(submitted_run, tree, admin, starts, days, ends):
    batch = create_notice(submitted_run, admin, tree["county"], starts=starts, days=days)
    assert batch.ends == ends
    assert notices.end_of(starts, days) == ends


def test_a_period_under_five_working_days_is_refused(submitted_run, tree, admin):
    with pytest.raises(notices.NoticeError) as refused:
        create_notice(submitted_run, admin, tree["county"], days=4)
    assert refused.value.errors == ["公示期不少于5个工作日"]
    assert not NoticeBatch.objects.exists()


@pytest.mark.parametrize("starts", [dt.date(2027, 3, 1), dt.date(2026, 12, 28)])
def test_a_year_without_calendar_data_is_named(submitted_run, tree, admin, starts):
    with pytest.raises(notices.MissingCalendarError) as refused:
        create_notice(submitted_run, admin, tree["county"], starts=starts)
    assert refused.value.year == 2027
    assert isinstance(refused.value, notices.NoticeError)
    (message,) = refused.value.errors
    assert "2027年" in message and "工作日历" in message
    assert not NoticeBatch.objects.exists()


def test_a_notice_whose_objections_would_be_due_in_a_year_without_data_is_not_published(
    submitted_run, tree, admin
):
    """24–30 December 2026: an objection on the 30th is due in January 2027, which has no data yet."""
    draft = create_notice(submitted_run, admin, tree["county"], starts=dt.date(2026, 12, 24))
    assert draft.ends == dt.date(2026, 12, 30)
    with pytest.raises(notices.MissingCalendarError) as refused:
        notices.notice_publish(actor=admin, batch=draft)
    assert refused.value.year == 2027
    assert NoticeBatch.objects.get(pk=draft.pk).state == NoticeState.DRAFT


def test_an_objection_due_date_is_never_guessed(published_notice, on_day, monkeypatch):
    """The calendar lost a year after publishing: the objection is refused, not given a Monday–Friday
    due date."""
    from chuangyou.rules.workdays import CalendarMissingError

    class NoData:
        def add_workdays(self, day, days):
            raise CalendarMissingError(2027)

    on_day(IN_PERIOD)
    monkeypatch.setattr(notices, "_calendar", NoData)
    with pytest.raises(notices.NoticeError) as refused:
        object_to(entry_of(published_notice, "TA02"))
    assert refused.value.errors[0].startswith("2027年的节假日安排尚未录入，暂时无法计算异议办理期限")
    assert not Objection.objects.exists()


# --- Publishing and ending ------------------------------------------------------------------------


def test_the_county_admin_publishes_a_draft(draft_notice, admin, tree):
    batch = notices.notice_publish(actor=admin, batch=draft_notice)
    assert (batch.state, batch.version, batch.ends) == (NoticeState.PUBLISHED, 2, ENDS)
    assert batch.published_at is not None
    assert NoticeBatch.objects.get(pk=batch.pk).state == NoticeState.PUBLISHED
    event = AuditEvent.objects.get(verb="notice.publish")
    assert (event.actor, event.organization, event.target_id) == (admin, tree["county"], str(batch.pk))
    assert event.before == {"state": "draft"}
    assert event.after == {"state": "published", "starts": "2026-12-14", "ends": "2026-12-18"}


def test_only_a_draft_is_published(published_notice, admin):
    with pytest.raises(notices.NoticeError, match="该公示正在公示，不能再发布"):
        notices.notice_publish(actor=admin, batch=published_notice)
    notices.notices_end(AFTER)
    with pytest.raises(notices.NoticeError, match="该公示已结束，不能再发布"):
        notices.notice_publish(actor=admin, batch=published_notice)
    assert AuditEvent.objects.filter(verb="notice.publish").count() == 1


def test_only_the_county_admin_publishes(draft_notice, personas):
    for name in NOT_THE_COUNTY:
        with pytest.raises(notices.NoticeError, match="本次活动由县委组织部统一发布公示"):
            notices.notice_publish(actor=personas[name], batch=draft_notice)
    assert NoticeBatch.objects.get(pk=draft_notice.pk).state == NoticeState.DRAFT


def test_published_notices_end_the_day_after_their_last_day(submitted_run, tree, admin):
    published_notice = notices.notice_publish(
        actor=admin, batch=create_notice(submitted_run, admin, tree["town_b"])
    )
    later = notices.notice_publish(
        actor=admin, batch=create_notice(submitted_run, admin, tree["town_a"], starts=dt.date(2026, 12, 16))
    )
    # A draft long past its dates (every branch is on a notice already: an empty one will do).
    draft = NoticeBatch.objects.create(
        campaign=submitted_run.campaign,
        run=submitted_run,
        organization=tree["county"],
        title="草稿",
        channel="website",
        starts=dt.date(2026, 12, 7),
        ends=dt.date(2026, 12, 11),
        created_by=admin,
    )
    assert later.ends == dt.date(2026, 12, 22)
    assert notices.notices_end(ENDS) == []  # the last day still belongs to the notice
    ended = notices.notices_end(AFTER)
    assert [b.pk for b in ended] == [published_notice.pk]
    states = dict(NoticeBatch.objects.values_list("pk", "state"))
    assert states == {
        published_notice.pk: NoticeState.ENDED,
        draft.pk: NoticeState.DRAFT,
        later.pk: NoticeState.PUBLISHED,
    }
    assert NoticeBatch.objects.get(pk=published_notice.pk).ended_at is not None
    event = AuditEvent.objects.get(verb="notice.end")
    assert (event.actor, event.actor_name, event.note) == (None, "系统", "公示期满，自动结束")
    assert event.before == {"state": "published"} and event.after == {"state": "ended", "ends": "2026-12-18"}
    assert notices.notices_end(AFTER) == []  # running it again ends nothing new
    assert AuditEvent.objects.filter(verb="notice.end").count() == 1
    assert [b.pk for b in notices.notices_end(dt.date(2026, 12, 23))] == [later.pk]


# --- Objections -----------------------------------------------------------------------------------


def test_anyone_objects_while_the_notice_runs(published_notice, on_day):
    on_day(IN_PERIOD)
    entry = entry_of(published_notice, "TA02")
    objection = object_to(entry, name=" 张三 ", phone="13912345678", address="203.0.113.7")
    objection.refresh_from_db()
    assert (objection.entry, objection.state, objection.version) == (entry, ObjectionState.RECEIVED, 1)
    assert (objection.name, objection.phone, objection.masked_phone) == ("张三", "13912345678", "139****5678")
    assert objection.due == dt.date(2026, 12, 22)  # the fifth working day after Tuesday 15 December
    assert len(objection.tracking_code) == 10 and objection.tracking_code.isalnum()
    assert not set(objection.tracking_code) & set("01OIL")
    assert objection.source_hash == notices.source_hash("203.0.113.7") != notices.source_hash("203.0.113.8")
    assert len(objection.source_hash) == 64 and "203.0.113.7" not in objection.source_hash
    event = AuditEvent.objects.get(verb="objection.submit")
    assert (event.actor, event.organization) == (None, entry.organization)
    assert event.after == {"entry": "甲二村党支部", "named": True, "due": "2026-12-22"}
    assert "139" not in str(event.after) and "张三" not in str(event.after) + event.target_label


def test_an_objection_may_be_anonymous_and_the_period_s_first_and_last_days_count(published_notice, on_day):
    for day in (STARTS, ENDS):
        on_day(day)
        objection = object_to(entry_of(published_notice, "TA01"), address=f"198.51.100.{day.day}")
        assert (objection.name, objection.phone, objection.masked_phone) == ("", "", "")
    assert Objection.objects.count() == 2


def test_tracking_codes_are_unique(published_notice, on_day):
    on_day(IN_PERIOD)
    codes = {
        object_to(entry_of(published_notice, "TA01"), address=f"10.0.0.{i}").tracking_code for i in range(8)
    }
    assert len(codes) == 8
    first = Objection.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(
            entry=first.entry,
            content="重复",
            due=first.due,
            source_hash="x",
            tracking_code=first.tracking_code,
        )


def test_the_answer_is_due_five_working_days_later_over_holidays(submitted_run, tree, admin, on_day):
    batch = notices.notice_publish(
        actor=admin, batch=create_notice(submitted_run, admin, tree["county"], starts=dt.date(2026, 9, 28))
    )
    on_day(dt.date(2026, 9, 30))
    objection = object_to(entry_of(batch, "TA01"))
    assert objection.due == dt.date(2026, 10, 13)  # 8, 9, 10 (调休), 12, 13 October


def test_objections_only_while_the_notice_is_published_and_running(draft_notice, admin, on_day):
    on_day(IN_PERIOD)
    with pytest.raises(notices.NoticeError, match="该公示不在公示期内，不能提出异议"):
        object_to(entry_of(draft_notice, "TA01"))
    batch = notices.notice_publish(actor=admin, batch=draft_notice)
    for day in (dt.date(2026, 12, 11), AFTER):  # before the first day; after the last, not yet ended
        on_day(day)
        with pytest.raises(notices.NoticeError, match="该公示不在公示期内，不能提出异议"):
            object_to(entry_of(batch, "TA01"))
    notices.notices_end(AFTER)
    on_day(ENDS)  # even on its last day once ended
    with pytest.raises(notices.NoticeError, match="该公示不在公示期内，不能提出异议"):
        object_to(entry_of(batch, "TA01"))
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("content", "phone", "errors"),
    [
        ("", "", ["请填写异议内容"]),
        ("  \n ", "", ["请填写异议内容"]),
        ("字" * 10_000, "", ["异议内容不超过2000字（现有10000字）"]),
        ("情况不实", "12345", ["联系电话应为11位手机号或带区号的固定电话"]),
        ("情况不实", "1391234567", ["联系电话应为11位手机号或带区号的固定电话"]),
        ("", "abc", ["请填写异议内容", "联系电话应为11位手机号或带区号的固定电话"]),
    ],
)
def test_bad_objections_are_refused_with_every_reason(published_notice, on_day, content, phone, errors):
    on_day(IN_PERIOD)
    with pytest.raises(notices.NoticeError) as refused:
        object_to(entry_of(published_notice, "TA01"), content=content, phone=phone)
    assert refused.value.errors == errors
    assert not Objection.objects.exists() and not AuditEvent.objects.filter(verb="objection.submit").exists()


@pytest.mark.parametrize("phone", ["13912345678", "0571-88123456", "057188123456", "010-1234567"])
def test_mobile_and_landline_numbers_are_accepted(published_notice, on_day, phone):
    on_day(IN_PERIOD)
    assert object_to(entry_of(published_notice, "TA01"), phone=phone).phone == phone


def test_a_flood_from_one_address_is_refused_politely(published_notice, on_day):
    on_day(IN_PERIOD)
    entries = [entry_of(published_notice, code) for code in ("TA01", "TA02", "TB01", "X0000", "X0001")]
    for entry in entries:
        object_to(entry, address="203.0.113.9")
    with pytest.raises(notices.NoticeError) as refused:
        object_to(entries[0], address="203.0.113.9")
    assert refused.value.errors == ["您提交的异议较多，请稍后再试。如情况紧急，请直接联系县委组织部。"]
    assert Objection.objects.count() == 5
    object_to(entries[0], address="203.0.113.10")  # another address still works
    # Ten minutes later the burst is over.
    Objection.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    object_to(entries[0], address="203.0.113.9")
    assert Objection.objects.count() == 7


# --- Answering objections -------------------------------------------------------------------------


@pytest.fixture
def objection(published_notice, on_day):
    """An objection about 甲二村党支部 (甲镇), filed on Tuesday 15 December."""
    on_day(IN_PERIOD)
    return object_to(entry_of(published_notice, "TA02"))


def test_only_the_township_s_reviewers_or_the_county_answer(objection, personas, other_reviewer):
    for user in (other_reviewer, *(personas[n] for n in NOT_THE_COUNTY if n != "township_reviewer")):
        with pytest.raises(notices.NoticeError, match="只有该组织所属乡镇（街道）的审核人或县委组织部"):
            answer(user, objection, ObjectionState.INVESTIGATING, "")
    assert not notices.may_answer(other_reviewer, objection)
    assert notices.may_answer(personas["township_reviewer"], objection)
    assert Objection.objects.get(pk=objection.pk).state == ObjectionState.RECEIVED
    done = answer(personas["township_reviewer"], objection, ObjectionState.INVESTIGATING, "")
    assert (done.state, done.version, done.answered_by, done.answered_at) == ("investigating", 2, None, None)
    done = answer(personas["county_admin"], objection, ObjectionState.DISMISSED)
    assert (done.state, done.answer, done.answered_by) == (
        "dismissed",
        "经核实，情况不属实",
        personas["county_admin"],
    )
    assert done.answered_at is not None and not done.is_open


def test_an_answer_on_a_stale_version_is_refused(objection, reviewer):
    with pytest.raises(notices.NoticeError, match="该异议已由他人处理，请刷新后再操作"):
        answer(reviewer, objection, ObjectionState.DISMISSED, version=objection.version + 1)
    answer(reviewer, objection, ObjectionState.INVESTIGATING, "")
    with pytest.raises(notices.NoticeError, match="该异议已由他人处理，请刷新后再操作"):
        answer(reviewer, objection, ObjectionState.DISMISSED, version=1)
    assert Objection.objects.get(pk=objection.pk).state == ObjectionState.INVESTIGATING


@pytest.mark.parametrize("state", [ObjectionState.DISMISSED, ObjectionState.UPHELD, ObjectionState.FURTHER])
def test_closing_needs_an_answer(objection, reviewer, state):
    with pytest.raises(notices.NoticeError, match="办结异议须填写处理结果"):
        answer(reviewer, objection, state, "   ")
    current = Objection.objects.get(pk=objection.pk)
    assert (current.state, current.version, current.answer) == (ObjectionState.RECEIVED, 1, "")
    assert not current.entry.withdrawn and not current.entry.held


@pytest.mark.parametrize("state", ["received", "bogus", ""])
def test_the_new_state_must_be_a_step_on(objection, reviewer, state):
    with pytest.raises(notices.NoticeError, match="请选择处理结果"):
        answer(reviewer, objection, state)


def test_a_dismissed_objection_changes_nothing_else(objection, reviewer, reviewed):
    answer(reviewer, objection, ObjectionState.DISMISSED)
    entry = NoticeEntry.objects.get(pk=objection.entry_id)
    assert not entry.held and not entry.withdrawn
    assert ScoreSheet.objects.get(pk=reviewed["a2"].pk).state == SheetState.REVIEWED


def test_an_upheld_objection_sends_the_sheet_back_to_review(objection, reviewer, reviewed, december):
    sheet = reviewed["a2"]
    done = answer(reviewer, objection, ObjectionState.UPHELD, "经核实，该支部主题党日记录系补写")
    assert done.state == ObjectionState.UPHELD and done.answered_by == reviewer
    entry = NoticeEntry.objects.get(pk=objection.entry_id)
    assert entry.withdrawn and not entry.held
    current = ScoreSheet.objects.get(pk=sheet.pk)
    assert current.state == SheetState.UNDER_REVIEW
    assert (current.final_total, current.final_satisfaction, current.final_veto, current.final_weak) == (
        None,
        None,
        "",
        "",
    )
    # The township's review is open again, with the reason, and can be finished anew.
    review = reviews.review_start(actor=reviewer, sheet=current)
    assert (review.kind, review.state) == (ReviewKind.TOWNSHIP, ReviewState.IN_PROGRESS)
    assert review.return_reason.startswith(f"异议成立（查询码{done.tracking_code}）：经核实")
    sent_back = AuditEvent.objects.get(verb="review.send_back")
    assert (sent_back.actor, sent_back.target_id, sent_back.after["state"]) == (
        reviewer,
        str(sheet.pk),
        "under_review",
    )
    reviews.review_finish(actor=reviewer, review=review)
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.REVIEWED
    event = AuditEvent.objects.get(verb="objection.answer")
    assert (event.actor, event.organization) == (reviewer, entry.organization)
    assert event.before == {"state": "received"}
    assert event.after == {"state": "upheld", "answer": "经核实，该支部主题党日记录系补写"}


def test_an_objection_needing_more_checks_holds_the_entry(objection, admin, reviewed):
    answer(admin, objection, ObjectionState.FURTHER, "需实地走访核实")
    entry = NoticeEntry.objects.get(pk=objection.entry_id)
    assert entry.held and not entry.withdrawn
    assert ScoreSheet.objects.get(pk=reviewed["a2"].pk).state == SheetState.REVIEWED


@pytest.mark.parametrize("closed", [ObjectionState.DISMISSED, ObjectionState.UPHELD])
def test_a_closed_objection_cannot_change(objection, admin, closed):
    answer(admin, objection, closed)
    label = ObjectionState(closed).label
    for state in (ObjectionState.INVESTIGATING, ObjectionState.DISMISSED):
        with pytest.raises(notices.NoticeError, match=f"该异议已办结（{label}），不能再修改"):
            answer(admin, objection, state, "改为其他结果")
    assert Objection.objects.get(pk=objection.pk).state == closed
    assert AuditEvent.objects.filter(verb="objection.answer").count() == 1


def test_further_verification_ends_as_upheld_or_dismissed(objection, admin):
    answer(admin, objection, ObjectionState.FURTHER, "需调取会议记录进一步核实")
    entry = NoticeEntry.objects.get(pk=objection.entry_id)
    assert entry.held
    for state in (ObjectionState.INVESTIGATING, ObjectionState.FURTHER):
        with pytest.raises(notices.NoticeError, match="进一步核实后，请选择“成立”或“不成立”"):
            answer(admin, objection, state, "仍在核实")
    answer(admin, objection, ObjectionState.DISMISSED, "经核实，会议记录真实")
    assert not NoticeEntry.objects.get(pk=entry.pk).held  # released: approved with the batch
    with pytest.raises(notices.NoticeError, match="该异议已办结（不成立），不能再修改"):
        answer(admin, objection, ObjectionState.UPHELD, "改为成立")


def test_a_grade_held_at_approval_is_approved_once_verified(objection, published_notice, admin, reviewer):
    answer(reviewer, objection, ObjectionState.FURTHER, "需进一步核实")  # TA02 held
    batch = reported(published_notice, admin)
    with pytest.raises(notices.NoticeError, match="该公示审定后，才能补充审定"):
        notices.notice_approve_released(actor=admin, batch=batch, document_number="示组通〔2026〕20号")
    batch = notices.notice_approve(actor=admin, batch=batch, document_number="示组通〔2026〕12号")
    assert not OfficialGrade.objects.filter(organization__code="TA02").exists()
    with pytest.raises(notices.NoticeError, match="没有待补充审定的组织"):
        notices.notice_approve_released(actor=admin, batch=batch, document_number="示组通〔2026〕20号")
    answer(reviewer, objection, ObjectionState.DISMISSED, "经核实，情况不属实")
    with pytest.raises(notices.NoticeError, match="只有县委组织部可以审定"):
        notices.notice_approve_released(actor=reviewer, batch=batch, document_number="示组通〔2026〕20号")
    with pytest.raises(notices.NoticeError, match="请填写命名文件的文号"):
        notices.notice_approve_released(actor=admin, batch=batch, document_number=" ")
    names = notices.notice_approve_released(actor=admin, batch=batch, document_number="示组通〔2026〕20号")
    assert names == ["甲二村党支部"]
    numbers = dict(OfficialGrade.objects.values_list("organization__code", "document_number"))
    assert numbers["TA02"] == "示组通〔2026〕20号" and numbers["TA01"] == "示组通〔2026〕12号"
    assert len(numbers) == 15
    event = AuditEvent.objects.get(verb="notice.approve_released")
    assert (event.actor, event.after) == (admin, {"document_number": "示组通〔2026〕20号", "approved": names})
    with pytest.raises(notices.NoticeError, match="没有待补充审定的组织"):  # once only
        notices.notice_approve_released(actor=admin, batch=batch, document_number="示组通〔2026〕21号")


# --- Report and approval --------------------------------------------------------------------------


def test_a_notice_is_reported_only_after_it_ended(draft_notice, admin):
    with pytest.raises(notices.NoticeError, match="该公示尚未发布，不能上报"):
        notices.notice_report(actor=admin, batch=draft_notice)
    batch = notices.notice_publish(actor=admin, batch=draft_notice)
    with pytest.raises(notices.NoticeError, match="公示期至2026年12月18日，公示结束后才能上报"):
        notices.notice_report(actor=admin, batch=batch)
    notices.notices_end(AFTER)
    done = notices.notice_report(actor=admin, batch=batch)
    assert (done.state, done.reported_by) == (NoticeState.REPORTED, admin) and done.reported_at is not None
    event = AuditEvent.objects.get(verb="notice.report")
    assert (event.actor, event.before, event.after) == (admin, {"state": "ended"}, {"state": "reported"})
    with pytest.raises(notices.NoticeError, match="该公示已上报，不能上报"):
        notices.notice_report(actor=admin, batch=batch)


def test_the_township_s_reviewers_or_the_county_report(submitted_run, tree, admin, personas, other_reviewer):
    batch = notices.notice_publish(actor=admin, batch=create_notice(submitted_run, admin, tree["town_a"]))
    notices.notices_end(AFTER)
    for user in (
        other_reviewer,
        personas["branch_secretary"],
        personas["leading_group"],
        personas["outsider"],
    ):
        with pytest.raises(notices.NoticeError, match="只有本乡镇（街道）党（工）委或县委组织部可以上报"):
            notices.notice_report(actor=user, batch=batch)
    assert NoticeBatch.objects.get(pk=batch.pk).state == NoticeState.ENDED
    done = notices.notice_report(actor=personas["township_reviewer"], batch=batch)
    assert (done.state, done.reported_by) == (NoticeState.REPORTED, personas["township_reviewer"])
    other = notices.notice_publish(actor=admin, batch=create_notice(submitted_run, admin, tree["town_b"]))
    notices.notices_end(AFTER)
    assert notices.notice_report(actor=admin, batch=other).state == NoticeState.REPORTED


def test_approval_waits_for_the_report(published_notice, admin):
    with pytest.raises(notices.NoticeError, match="公示期至2026年12月18日，公示结束并上报后才能审定"):
        notices.notice_approve(actor=admin, batch=published_notice, document_number="示组通〔2026〕12号")
    notices.notices_end(AFTER)
    with pytest.raises(notices.NoticeError, match="该公示尚未上报，上报后才能审定"):
        notices.notice_approve(actor=admin, batch=published_notice, document_number="示组通〔2026〕12号")
    assert not OfficialGrade.objects.exists()


def test_an_open_objection_blocks_the_report(objection, published_notice, admin, reviewer):
    """Seed 000: 公示无异议后上报 — the township reports once every objection is answered."""
    on_time = object_to(entry_of(published_notice, "X0002"), address="198.51.100.1")
    answer(reviewer, on_time, ObjectionState.INVESTIGATING, "")  # still open
    with pytest.raises(notices.NoticeError) as refused:
        reported(published_notice, admin)
    assert refused.value.errors == ["以下组织有尚未办结的异议，办结后才能上报：甲二村党支部、第2党支部"]
    answer(reviewer, objection, ObjectionState.DISMISSED)
    with pytest.raises(notices.NoticeError, match="办结后才能上报：第2党支部$"):
        notices.notice_report(actor=admin, batch=published_notice)
    assert NoticeBatch.objects.get(pk=published_notice.pk).state == "ended"
    answer(admin, on_time, ObjectionState.DISMISSED)
    batch = notices.notice_report(actor=admin, batch=published_notice)
    assert (
        notices.notice_approve(actor=admin, batch=batch, document_number="示组通〔2026〕12号").state
        == "approved"
    )
    assert OfficialGrade.objects.get(organization__code="X0002").batch_id == batch.pk


def test_approval_needs_the_document_number(ended_notice, admin):
    batch = notices.notice_report(actor=admin, batch=ended_notice)
    for number in ("", "   "):
        with pytest.raises(notices.NoticeError, match="请填写命名文件的文号"):
            notices.notice_approve(actor=admin, batch=batch, document_number=number)
    assert (
        NoticeBatch.objects.get(pk=batch.pk).state == NoticeState.REPORTED
        and not OfficialGrade.objects.exists()
    )


def test_only_the_county_admin_approves(ended_notice, admin, personas):
    batch = notices.notice_report(actor=admin, batch=ended_notice)
    for name in NOT_THE_COUNTY:
        with pytest.raises(notices.NoticeError, match="只有县委组织部可以审定"):
            notices.notice_approve(actor=personas[name], batch=batch, document_number="示组通〔2026〕12号")
    assert not OfficialGrade.objects.exists()


def test_approval_names_every_entry_not_held_or_withdrawn(
    objection, published_notice, admin, reviewer, campaign
):
    held = object_to(entry_of(published_notice, "TA01"), address="198.51.100.2")
    answer(reviewer, held, ObjectionState.FURTHER, "需进一步核实")
    answer(reviewer, objection, ObjectionState.UPHELD, "情况属实")  # TA02 withdrawn
    batch = reported(published_notice, admin)
    done = notices.notice_approve(actor=admin, batch=batch, document_number=" 示组通〔2026〕12号 ")
    assert (done.state, done.approved_by, done.document_number) == ("approved", admin, "示组通〔2026〕12号")
    assert done.approved_at is not None
    grades = {g.organization.code: g for g in OfficialGrade.objects.select_related("organization")}
    assert {code: g.grade for code, g in grades.items()} == {
        code: grade for code, grade in GRADES.items() if code not in ("TA01", "TA02")
    }
    assert {(g.year, g.campaign_id, g.batch_id, g.approved_at) for g in grades.values()} == {
        (2026, campaign.pk, batch.pk, done.approved_at)
    }
    event = AuditEvent.objects.get(verb="notice.approve")
    assert (event.actor, event.before) == (admin, {"state": "reported"})
    assert event.after == {"state": "approved", "document_number": "示组通〔2026〕12号", "approved": 13}
    with pytest.raises(notices.NoticeError, match="该公示已审定，不能审定"):
        notices.notice_approve(actor=admin, batch=batch, document_number="示组通〔2026〕13号")
    assert OfficialGrade.objects.count() == 13


def test_a_grade_already_approved_is_not_approved_twice(ended_notice, campaign, admin):
    # Notices of one campaign never share an organization; should a grade be on record all the same
    # (entered by hand), the approval names it and refuses.
    other = ended_notice.entries.get(organization__code="TB01")
    OfficialGrade.objects.create(
        organization_id=other.organization_id,
        year=2026,
        grade="良好",
        campaign=campaign,
        batch=ended_notice,
        approved_at=timezone.now(),
    )
    batch = notices.notice_report(actor=admin, batch=ended_notice)
    with pytest.raises(
        notices.NoticeError, match="以下组织本次活动的等级已在其他公示中审定，不能重复审定：乙社区党支部$"
    ):
        notices.notice_approve(actor=admin, batch=batch, document_number="示组通〔2026〕13号")
    assert OfficialGrade.objects.count() == 1
    assert NoticeBatch.objects.get(pk=batch.pk).state == NoticeState.REPORTED


def test_branches_reviewed_after_the_submission_go_to_a_later_notice(
    published_notice, december, tree, admin, campaign
):
    add_branches(tree, december, 2, lambda i: {"final_total": Decimal(70)}, prefix="Y")
    later = grading.run_start(actor=admin, campaign=campaign)
    assert later.results.count() == 17
    later = grading.run_submit(actor=admin, run=later)  # it grades two branches not yet on a notice
    supplement = create_notice(later, admin, tree["county"])
    assert sorted(supplement.entries.values_list("organization__code", flat=True)) == ["Y0000", "Y0001"]
    assert supplement.title.endswith("补充公示")


def test_a_later_run_does_not_change_a_grade_submitted_already(
    submitted_run, december, tree, admin, campaign
):
    Campaign.objects.filter(pk=campaign.pk).update(townships_publish=True)
    first = create_notice(submitted_run, admin, tree["town_a"])
    assert first.title == "2026年度基层党组织争先创优评定等级公示"
    add_branches(tree, december, 1, lambda i: {"final_total": Decimal(70)}, town_of=lambda i: 1, prefix="Y")
    later = grading.run_start(actor=admin, campaign=campaign)
    tb01 = later.results.get(code="TB01")
    assert (tb01.committed_grade, tb01.final_grade) == ("良好", "良好")  # kept, with its seat
    assert "已提交公示为良好，本次定级保持不变" in tb01.reason
    Campaign.objects.filter(pk=campaign.pk).update(allow_quota_override=True)
    with pytest.raises(grading.GradingError, match="已按良好提交公示"):
        grading.result_override(actor=admin, result=tb01, grade="一般", reason="复核后调整")
    later = grading.run_submit(actor=admin, run=later)
    town_b = create_notice(later, admin, tree["town_b"])
    grades = dict(town_b.entries.values_list("organization__code", "grade"))
    assert grades["TB01"] == "良好"  # as submitted with the first run
    assert grades["Y0000"] == "一般" and len(grades) == 8  # reviewed since: from the later run
    assert town_b.title == "2026年度基层党组织争先创优评定等级公示"  # 乙街道's first notice


def test_an_upheld_objection_leads_to_a_supplementary_notice(
    objection, published_notice, submitted_run, december, reviewer, admin, campaign, tree
):
    answer(reviewer, objection, ObjectionState.UPHELD, "情况属实")  # TA02 back to review
    second = grading.run_start(actor=admin, campaign=campaign)
    assert "TA02" not in set(second.results.values_list("code", flat=True))  # not reviewed again yet
    set_inputs(december, "TA02", "80", "90")  # reviewed again, with a lower score
    third = grading.run_start(actor=admin, campaign=campaign)
    with pytest.raises(grading.GradingError, match="已有更新的第3次定级"):
        grading.run_submit(actor=admin, run=second)
    third = grading.run_submit(actor=admin, run=third)
    with pytest.raises(notices.NoticeError, match="第3次定级结果已提交公示，请从最新提交的定级结果发布公示"):
        create_notice(submitted_run, admin, tree["county"])
    supplement = create_notice(third, admin, tree["county"])
    assert list(supplement.entries.values_list("organization__code", "grade")) == [("TA02", "良好")]
    assert supplement.title == "2026年度基层党组织争先创优评定等级补充公示"
    for batch in (published_notice, notices.notice_publish(actor=admin, batch=supplement)):
        batch = reported(batch, admin)
        notices.notice_approve(actor=admin, batch=batch, document_number=f"示组通〔2026〕{batch.pk}号")
    grades = dict(OfficialGrade.objects.values_list("organization__code", "batch"))
    assert len(grades) == 15 and grades["TA02"] == supplement.pk
    fourth = grading.run_start(actor=admin, campaign=campaign)  # nothing is waiting for a notice now
    with pytest.raises(grading.GradingError, match="第3次定级结果已提交公示，本次定级没有新的待公示组织"):
        grading.run_submit(actor=admin, run=fourth)


def test_a_township_reviewer_does_not_report_a_county_wide_notice(ended_notice, personas):
    with pytest.raises(notices.NoticeError, match="只有本乡镇（街道）党（工）委或县委组织部可以上报"):
        notices.notice_report(actor=personas["township_reviewer"], batch=ended_notice)


def test_a_notice_past_its_end_is_reported_before_the_daily_job_ran(published_notice, personas, on_day):
    on_day(AFTER)
    reported = notices.notice_report(actor=personas["county_admin"], batch=published_notice)
    assert reported.state == NoticeState.REPORTED and reported.ended_at is not None


def test_one_address_may_not_pile_on_one_organization(published_notice, on_day):
    on_day(IN_PERIOD)
    entry = entry_of(published_notice, "TA01")
    for _ in range(3):
        object_to(entry, address="203.0.113.9")
    with pytest.raises(notices.NoticeError, match="您今天对该组织提交的异议已较多"):
        object_to(entry, address="203.0.113.9")
    assert object_to(entry_of(published_notice, "TA02"), address="203.0.113.9")  # another organization


def test_a_flood_about_one_organization_is_taken_and_marked_not_refused(published_notice, on_day, client_for):
    """Ten addresses cannot silence a notice: beyond 50 a day the objections are still taken."""
    on_day(IN_PERIOD)
    entry = entry_of(published_notice, "TA01")
    for n in range(50):
        object_to(entry, address=f"198.51.100.{n}")
    late = object_to(entry, address="192.0.2.1")
    assert late.flooded and not Objection.objects.filter(flooded=True).exclude(pk=late.pk).exists()
    body = client_for("county_admin").get(reverse("notices:objections")).content.decode()
    assert body.count('data-testid="flooded"') == 1
