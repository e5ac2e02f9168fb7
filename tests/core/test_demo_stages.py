"""`chuangyou demo` as `make run` builds it: last year's campaign finished and named, this year's with
its branches at every stage of the workflow, evidence files, democratic evaluations, a township's notice
with objections.

The demo is built once for the module (about a minute) inside a transaction that is rolled back
afterwards; each test runs in a savepoint of it (pytest-django's `db`)."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max, Min
from django.db.models.functions import TruncDate
from django.test import override_settings
from django.utils import timezone

from chuangyou.assessments.models import Entry, Evidence, ScoreSheet, SheetState
from chuangyou.campaigns.models import Campaign
from chuangyou.core.demo import COUNTY_CODE
from chuangyou.core.demo_progress import secretary_branches
from chuangyou.core.demo_stages import NOTICE_TOWNSHIP, StagesBuilder
from chuangyou.evaluations.models import Answer, CodeUse, Evaluation
from chuangyou.evaluations.results import summary_for_sheet
from chuangyou.grading.models import GradingRun, RunResult, RunState
from chuangyou.notices.models import NoticeBatch, NoticeState, Objection, ObjectionState, OfficialGrade
from chuangyou.orgs.models import Organization
from chuangyou.reviews.models import Review, ReviewKind, ReviewState

# The sheet state each stage of `demo_stages` leaves behind.
STATES = {
    "not_started": {SheetState.DRAFT},
    "drafting": {SheetState.DRAFT},
    "submitted": {SheetState.SUBMITTED},
    "returned": {SheetState.RETURNED},
    "under_review": {SheetState.UNDER_REVIEW},
    "reviewed": {SheetState.REVIEWED},
    "rechecked": {SheetState.RECHECKED},
    "graded": {SheetState.REVIEWED, SheetState.RECHECKED},
    "noticed": {SheetState.RECHECKED},
}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The printed summary of `chuangyou demo`, run once into the test database (rolled back after)."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(built, db):
    return built


def this_year():
    return Campaign.objects.get(root__code=COUNTY_CODE, year=timezone.localdate().year)


def last_year():
    return Campaign.objects.get(root__code=COUNTY_CODE, year=timezone.localdate().year - 1)


def test_last_years_campaign_is_approved_with_an_official_grade_for_every_branch(demo):
    campaign = last_year()
    year = campaign.year
    batch = NoticeBatch.objects.get(campaign=campaign)
    assert batch.state == NoticeState.APPROVED
    assert batch.document_number == f"示组通〔{year}〕15号"
    assert batch.organization.code == COUNTY_CODE
    assert (batch.starts.year, batch.starts.month) == (year, 12)
    assert batch.approved_at.date() < timezone.localdate()
    assert (
        campaign.graded_sheets()
        .exclude(state=SheetState.RECHECKED)
        .exclude(state=SheetState.REVIEWED)
        .count()
        == 0
    )
    official = OfficialGrade.objects.filter(campaign=campaign, year=year)
    assert official.count() == campaign.participants().count() > 500
    counts = {g: official.filter(grade=g).count() for g in ("优秀", "良好", "一般", "软弱涣散")}
    assert 0 < counts["优秀"] < counts["良好"] < counts["一般"]
    assert 0 < counts["软弱涣散"] < counts["优秀"]
    assert counts["一般"] > sum(counts.values()) / 2
    # The weak branches were flagged with situations by the township (and re-checked by the county).
    flagged = RunResult.objects.filter(run__campaign=campaign).exclude(weak="")
    assert flagged.exists() and set(flagged.values_list("final_grade", flat=True)) == {"软弱涣散"}
    assert Review.objects.filter(sheet__round__campaign=campaign, kind=ReviewKind.COUNTY).exists()
    # One objection during the notice, answered 不成立.
    (objection,) = Objection.objects.filter(entry__batch=batch)
    assert objection.state == ObjectionState.DISMISSED and objection.answer


def test_an_organization_page_shows_last_years_grade(demo, client):
    from django.contrib.auth import get_user_model

    grade = OfficialGrade.objects.filter(campaign=last_year()).select_related("organization").first()
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(f"/orgs/{grade.organization.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "历年评定等级" in html and f"{grade.year}年度" in html and grade.batch.document_number in html


def test_this_years_sheets_are_at_every_stage(demo):
    campaign = this_year()
    assert campaign.rounds.get().kind == "december"
    sheets = campaign.graded_sheets()
    assert sheets.count() == campaign.participants().count() > 500
    states = set(sheets.values_list("state", flat=True))
    assert states == set(SheetState.values)
    drafts = sheets.filter(state=SheetState.DRAFT)
    assert drafts.filter(items_done=0).exists() and drafts.filter(items_done__gt=0).exists()
    returned = sheets.filter(state=SheetState.RETURNED)
    assert all(returned.values_list("return_reason", flat=True))
    under_review = sheets.filter(state=SheetState.UNDER_REVIEW)
    assert not Review.objects.filter(sheet__in=under_review).exclude(state=ReviewState.IN_PROGRESS).exists()
    rechecked = sheets.filter(state=SheetState.RECHECKED)
    assert Review.objects.filter(
        sheet__in=rechecked, kind=ReviewKind.COUNTY, state=ReviewState.FINISHED
    ).count() == (rechecked.count())


def test_every_branch_is_at_the_stage_its_seed_chose(demo):
    """Deterministic: the stage of each branch follows from its code."""
    from django.contrib.auth import get_user_model

    plans = StagesBuilder(this_year(), get_user_model().objects.get(username="admin")).plans()
    assert {p.stage for p in plans} == set(STATES)
    for plan in plans:
        plan.sheet.refresh_from_db()
        assert plan.sheet.state in STATES[plan.stage], (plan.sheet.organization.code, plan.stage)
        assert (plan.sheet.items_done > 0) == (plan.stage != "not_started")


def test_a_run_is_submitted_and_a_township_notice_runs_today_with_objections(demo):
    campaign = this_year()
    assert campaign.townships_publish
    run = GradingRun.objects.get(campaign=campaign)
    assert run.state == RunState.DONE and run.submitted_at is not None
    batch = NoticeBatch.objects.get(campaign=campaign)
    township = Organization.objects.get(code=NOTICE_TOWNSHIP)
    assert batch.organization == township and batch.created_by.username == "township02"
    assert batch.state == NoticeState.PUBLISHED and batch.starts <= timezone.localdate() <= batch.ends
    # Every branch of the township is re-checked and on the notice, but the demo secretary's own.
    sheets = campaign.graded_sheets().filter(organization__path__startswith=township.path)
    noticed = sheets.exclude(organization__in=secretary_branches())
    assert set(noticed.values_list("state", flat=True)) == {SheetState.RECHECKED}
    assert batch.entries.count() == noticed.count()
    # Graded branches of other townships wait for their notice.
    assert RunResult.objects.filter(run=run).exclude(organization__path__startswith=township.path).exists()
    objections = Objection.objects.filter(entry__batch=batch)
    assert objections.filter(state=ObjectionState.RECEIVED).exists()
    assert all(len(code) == 10 for code in objections.values_list("tracking_code", flat=True))
    answered = objections.get(state=ObjectionState.DISMISSED)
    assert answered.answer and answered.answered_by.username == "township02"


def test_evidence_files_are_stored_and_open(demo):
    evidence = Evidence.objects.filter(entry__sheet__round__campaign=this_year())
    assert 50 <= evidence.count() <= 400
    kinds = set(evidence.values_list("content_type", flat=True))
    assert kinds == {"image/jpeg", "image/png", "application/pdf"}
    for item in evidence:
        with item.file.open("rb") as f:
            data = f.read()
        assert len(data) == item.size < 40_000
        assert data[:4] in (b"\xff\xd8\xff\xe0"[:4], b"\x89PNG", b"%PDF") or data[:3] == b"\xff\xd8\xff"
        if item.content_type.startswith("image/"):
            assert item.thumbnail and item.thumbnail.storage.exists(item.thumbnail.name)


def test_submitted_sheets_have_a_democratic_evaluation_with_answers(demo):
    campaign = this_year()
    submitted = campaign.graded_sheets().exclude(state__in=[SheetState.DRAFT])
    assert Evaluation.objects.filter(sheet__in=submitted).count() == submitted.count()
    answers = Answer.objects.filter(evaluation__sheet__in=submitted)
    assert answers.count() == CodeUse.objects.filter(code__evaluation__sheet__in=submitted).count() > 1000
    reviewed = submitted.filter(state__in=[SheetState.REVIEWED, SheetState.RECHECKED]).first()
    summary = summary_for_sheet(reviewed)
    assert summary["valid"] and summary["satisfaction_rate"] is not None
    assert reviewed.final_satisfaction == summary["satisfaction_rate"]
    # Last year's sheets were evaluated too.
    assert Answer.objects.filter(evaluation__sheet__round__campaign=last_year()).count() > 5000


def test_the_demo_secretaries_branches_are_untouched(demo):
    sheets = ScoreSheet.objects.filter(round__campaign=this_year(), organization__in=secretary_branches())
    assert sheets.count() == 12
    assert set(sheets.values_list("state", flat=True)) == {SheetState.DRAFT}
    assert not Entry.objects.filter(sheet__in=sheets).exists()
    assert not Evaluation.objects.filter(sheet__in=sheets).exists()


def test_township01_has_sheets_to_review(demo):
    town = Organization.objects.get(code=f"{COUNTY_CODE}01")
    sheets = this_year().graded_sheets().filter(organization__path__startswith=town.path)
    assert sheets.filter(state=SheetState.SUBMITTED).count() >= 10


def test_the_summary_says_what_to_see_and_with_which_account(demo):
    assert "示组通〔" in demo and "历年评定等级" in demo
    for stage in ("未开始", "填写中", "已提交待审核", "已退回修改", "乡镇审核中", "公示中"):
        assert stage in demo
    assert "township01" in demo and "township02" in demo and "异议" in demo


def test_running_it_again_changes_nothing(demo):
    models = (
        Organization,
        Campaign,
        ScoreSheet,
        Entry,
        Evidence,
        Answer,
        Review,
        RunResult,
        Objection,
        OfficialGrade,
    )
    before = [m.objects.count() for m in models]
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert [m.objects.count() for m in models] == before
    assert "未生成演示数据" in out.getvalue()


# --- The dates agree with each other ---------------------------------------------------------------
# Both campaigns, in the order a real one happens: set up → round → submissions → evaluations →
# reviews → re-checks → grading → notice (≥ 5 working days, objections inside it) → approval; each
# step inside its phase, and nothing after the demo's today but what is planned (phases, deadlines).


def day_of(moment):
    return timezone.localtime(moment).date()


def campaigns():
    return (last_year(), this_year())


def phases_of(campaign):
    return {p.kind: (p.starts, p.ends) for p in campaign.phases.all()}


def within(day, span):
    return span[0] <= day <= span[1]


def test_a_campaign_is_set_up_before_its_phases_and_contains_its_round(demo):
    for campaign in campaigns():
        phases = phases_of(campaign)
        starts = sorted(phases.values())
        assert day_of(campaign.created_at) <= starts[0][0], campaign.year
        assert [kind for kind, _ in sorted(phases.items(), key=lambda kv: kv[1])] == [
            k for k in ("mobilize", "june", "december", "review", "notice", "naming") if k in phases
        ], campaign.year
        december = campaign.rounds.get(kind="december")
        assert day_of(campaign.created_at) <= december.opens, campaign.year
        assert within(december.opens, phases["december"]) and within(december.closes, phases["december"])
        # The rubrics it uses were published, and its accounts existed, before it was set up.
        for binding in campaign.rubrics.select_related("rubric"):
            assert binding.rubric.published_at <= campaign.created_at, (campaign.year, binding.domain)
        assert not get_user_model().objects.filter(date_joined__gt=campaign.created_at).exists()


def test_sheets_are_filled_and_submitted_while_the_round_is_open(demo):
    for campaign in campaigns():
        december = campaign.rounds.get(kind="december")
        sheets = ScoreSheet.objects.filter(round=december)
        submitted = sheets.exclude(submitted_at=None)
        assert submitted.exists()
        days = {day_of(m) for m in submitted.values_list("submitted_at", flat=True)}
        assert december.opens <= min(days) and max(days) <= december.closes, campaign.year
        entries = Entry.objects.filter(sheet__in=sheets)
        assert december.opens <= day_of(entries.aggregate(first=Min("updated_at"))["first"])
        # Nothing of a sheet changes after it is submitted (until it is returned).
        assert not entries.filter(sheet__in=submitted, updated_at__gt=F("sheet__submitted_at")).exists()
        evidence = Evidence.objects.filter(entry__sheet__in=submitted)
        assert not evidence.filter(uploaded_at__gt=F("entry__sheet__submitted_at")).exists()


def test_evaluations_are_answered_between_the_submission_and_their_close(demo):
    for campaign in campaigns():
        evaluations = Evaluation.objects.filter(sheet__round__campaign=campaign)
        assert not evaluations.filter(created_at__lt=F("sheet__submitted_at")).exists(), campaign.year
        assert not evaluations.filter(closed_at__lt=F("created_at")).exists()
        assert not evaluations.filter(closes_at__lte=F("created_at")).exists()
        answers = Answer.objects.filter(evaluation__in=evaluations)
        assert not answers.filter(answered_on__lt=TruncDate("evaluation__created_at")).exists()
        assert not answers.filter(answered_on__gt=TruncDate("evaluation__closed_at")).exists()
        assert not answers.filter(answered_on__gt=TruncDate("evaluation__closes_at")).exists()


def test_reviews_follow_the_submission_the_evaluation_and_each_other(demo):
    for campaign in campaigns():
        phase = phases_of(campaign)["review"]
        reviews = Review.objects.filter(sheet__round__campaign=campaign).select_related("sheet")
        assert reviews.exists()
        for review in reviews:
            sheet = review.sheet
            assert sheet.submitted_at <= review.started_at, (campaign.year, sheet.organization_id)
            for method in review.methods:
                assert day_of(sheet.submitted_at) <= dt.date.fromisoformat(method["date"])
            if review.finished_at is None:
                continue
            assert review.started_at <= review.finished_at
            assert within(day_of(review.finished_at), phase), (campaign.year, day_of(review.finished_at))
            for method in review.methods:
                assert dt.date.fromisoformat(method["date"]) <= day_of(review.finished_at)
            evaluation = Evaluation.objects.filter(sheet=sheet).first()
            if evaluation is not None and review.kind == ReviewKind.TOWNSHIP:
                assert (evaluation.closed_at or evaluation.closes_at) <= review.finished_at
        for recheck in reviews.filter(kind=ReviewKind.COUNTY):
            township = reviews.get(sheet=recheck.sheet, kind=ReviewKind.TOWNSHIP)
            assert township.finished_at <= recheck.started_at


def test_grading_follows_the_reviews_and_the_notice_the_grading(demo):
    from chuangyou.workcalendar.queries import workdays_between

    for campaign in campaigns():
        phases = phases_of(campaign)
        for run in GradingRun.objects.filter(campaign=campaign):
            graded = Review.objects.filter(sheet__in=run.results.values("sheet"), finished_at__isnull=False)
            assert graded.aggregate(last=Max("finished_at"))["last"] <= run.started_at, campaign.year
            assert run.started_at <= run.finished_at <= run.submitted_at
        batches = NoticeBatch.objects.filter(campaign=campaign).select_related("run")
        assert batches.exists()
        for batch in batches:
            assert day_of(batch.run.submitted_at) < batch.starts, campaign.year
            assert batch.run.submitted_at <= batch.created_at <= batch.published_at
            assert workdays_between(batch.starts, batch.ends) >= 5
            assert within(batch.starts, phases["notice"]) and within(batch.ends, phases["notice"])
            for objection in Objection.objects.filter(entry__batch=batch):
                assert within(day_of(objection.created_at), (batch.starts, batch.ends)), campaign.year
                assert objection.created_at >= batch.published_at
                if objection.answered_at:
                    assert objection.created_at <= objection.answered_at
            if batch.approved_at is None:
                continue
            assert batch.ends < day_of(batch.ended_at) and batch.ended_at <= batch.reported_at
            assert batch.reported_at <= batch.approved_at
            assert within(day_of(batch.approved_at), phases["naming"])
            assert set(OfficialGrade.objects.filter(batch=batch).values_list("approved_at", flat=True)) == {
                batch.approved_at
            }


def test_nothing_is_dated_after_the_demos_today_but_what_is_planned(demo):
    from chuangyou.audit.models import AuditEvent
    from chuangyou.grading.models import Proposal

    now = timezone.now()
    happened = {
        AuditEvent: ("created_at",),
        Campaign: ("created_at",),
        ScoreSheet: ("submitted_at", "updated_at"),
        Entry: ("updated_at",),
        Evidence: ("uploaded_at",),
        Evaluation: ("created_at", "closed_at"),
        CodeUse: ("used_at",),
        Review: ("started_at", "finished_at"),
        GradingRun: ("started_at", "finished_at", "submitted_at"),
        Proposal: ("proposed_at", "decided_at"),
        NoticeBatch: ("created_at", "published_at", "ended_at", "reported_at", "approved_at"),
        Objection: ("created_at", "answered_at"),
        OfficialGrade: ("approved_at",),
    }
    for model, fields in happened.items():
        for name in fields:
            assert not model.objects.filter(**{f"{name}__gt": now}).exists(), (model.__name__, name)
    assert not Answer.objects.filter(answered_on__gt=timezone.localdate()).exists()
