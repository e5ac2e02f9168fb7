"""Grading runs: what a run reads and stores, one run at a time, failures, the background path,
overrides within the quotas and the submission for public notice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.audit.models import AuditEvent
from chuangyou.campaigns import services as campaigns
from chuangyou.campaigns.models import Campaign, QuotaBase
from chuangyou.grading import services as grading
from chuangyou.grading.models import GradingRun, RunResult, RunState
from chuangyou.orgs import services as orgs
from chuangyou.orgs.models import Domain, Kind, Status
from chuangyou.reviews import services as reviews
from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import BranchScore, GradingInputError, grade_branches
from chuangyou.rules.quota_check import breaches, limits_from_dict
from tests.conftest import make_org

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# 20 branches: 优秀 ≤ ⌊7·20/100⌋ = 1, 良好 ≤ round(10·20/100) = 2, 一般及以下 ≥ ⌈10·20/100⌉ = 2.
# (parent, code, score, satisfaction, veto, weak); a1, a2 and b1 are the shared tree's branches.
BRANCHES = [
    ("town_a", "TA01", "95", "98", "", ""),
    ("town_a", "TA02", "91", "90", "", ""),
    ("town_b", "TB01", "92", None, "班子成员受到党纪处分", ""),
    *[("town_a", f"TA{n:02d}", str(93 - n), "95.5", "", "") for n in range(3, 13)],
    *[("town_b", f"TB{n:02d}", f"{88 - n}.25", None, "", "") for n in range(2, 8)],
    ("town_b", "TB08", "99", "100", "", "书记长期缺职"),
]


def set_finals(sheet, score, satisfaction=None, veto="", weak="", state=SheetState.REVIEWED):
    """Write a sheet's grading inputs as a finished review would (the review path is tested elsewhere)."""
    ScoreSheet.objects.filter(pk=sheet.pk).update(
        state=state,
        final_total=Decimal(score),
        final_satisfaction=None if satisfaction is None else Decimal(satisfaction),
        final_veto=veto,
        final_weak=weak,
    )


def add_branch(december, parent, code, domain=Domain.VILLAGE, **finals):
    """A branch added after the round opened, with a reviewed sheet of its own."""
    org = make_org(parent, code, f"{code}党支部", Kind.BRANCH, domain)
    rubric = ScoreSheet.objects.filter(round=december).first().rubric
    sheet = ScoreSheet.objects.create(round=december, organization=org, rubric=rubric)
    if finals:
        set_finals(sheet, **finals)
    return sheet


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def county(december, tree):
    """The 20 branches of BRANCHES, every sheet reviewed."""
    sheets = {s.organization.code: s for s in ScoreSheet.objects.filter(round=december)}
    for parent, code, score, sat, veto, weak in BRANCHES:
        finals = {"score": score, "satisfaction": sat, "veto": veto, "weak": weak}
        if code in sheets:
            set_finals(sheets[code], **finals)
        else:
            tree[parent].refresh_from_db()
            add_branch(december, tree[parent], code, **finals)
    return december


def expected_inputs(run):
    """The BranchScores the run should have read, straight from the sheets (not via load_inputs)."""
    towns = {"TA": "甲镇党委", "TB": "乙街道党工委"}
    return [
        BranchScore(
            code=s.organization.code,
            name=s.organization.name,
            township=towns[s.organization.code[:2]],
            score=s.final_total,
            satisfaction=s.final_satisfaction,
            veto=s.final_veto,
            weak=s.final_weak,
            declared=s.applied_grade,
        )
        for s in ScoreSheet.objects.filter(round__campaign=run.campaign, state__in=["reviewed", "rechecked"])
        .filter(organization__status=Status.ACTIVE)
        .exclude(organization__in=[e.organization_id for e in run.campaign.exclusions.all()])
        .select_related("organization")
        .order_by("organization__code")
    ]


def stored(run):
    return list(run.results.order_by("code"))


def assert_results_match_the_core(run):
    inputs = expected_inputs(run)
    base = run.campaign.participants_by_township() if run.quota_base == QuotaBase.PARTICIPANTS else None
    result = grade_branches(
        inputs, grading.run_scheme(run), run.quota_scope, base=base, policy=grading.run_policy(run)
    )
    rows = stored(run)
    assert [r.code for r in rows] == [b.code for b in inputs]
    for row, b, r in zip(rows, inputs, result.results, strict=True):
        assert (row.name, row.township, row.score, row.satisfaction, row.veto, row.weak) == (
            b.name,
            b.township,
            b.score,
            b.satisfaction,
            b.veto,
            b.weak,
        )
        assert (row.grade, row.final_grade, row.rank, row.rank_total, row.county_rank, row.reason) == (
            r.grade,
            r.grade,
            r.rank,
            r.rank_total,
            r.county_rank,
            r.reason,
        )
    assert run.summary == grading.summary_dict(result.summary)
    return result


# --- What a run reads and stores ------------------------------------------------------------------


def test_a_run_stores_every_input_with_its_result(county, campaign, admin):
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.state == RunState.DONE, run.error
    assert (run.number, run.scheme, run.quota_scope, run.started_by) == (1, "seed2020", "county", admin)
    assert (run.progress_done, run.progress_total, run.not_reviewed, run.step) == (20, 20, 0, "完成")
    assert run.finished_at is not None and run.error == ""
    result = assert_results_match_the_core(run)
    rows = {r.code: r for r in stored(run)}
    a1 = rows["TA01"]
    assert (a1.grade, a1.county_rank, a1.domain) == ("优秀", 2, "village")
    assert rows["TB01"].domain == "community" and rows["TB08"].grade == "软弱涣散"
    assert rows["TB01"].grade == "一般" and "一票否决" in rows["TB01"].reason
    assert a1.sheet.organization == a1.organization and a1.organization.code == "TA01"
    assert run.summary["counts"] == {"优秀": 1, "良好": 2, "一般": 16, "软弱涣散": 1}
    assert run.summary["limits"]["quotas"] == {"优秀": 1, "良好": 2}
    assert result.summary.holds
    start = AuditEvent.objects.get(verb="grading.start")
    assert start.after == {
        "number": 1,
        "scheme": "seed2020",
        "quota_scope": "county",
        "quota_base": "participants",
        "branches": 20,
    }
    assert AuditEvent.objects.get(verb="grading.finish").after["counts"]["优秀"] == 1


def test_branches_without_a_finished_review_are_counted_not_graded(reviewed, campaign, tree, admin, december):
    reviews.review_send_back(actor=admin, sheet=reviewed["a2"], reason="重审")  # under review again
    add_branch(december, tree["town_b"], "TB09")  # a new branch whose sheet is still a draft
    run = grading.run_start(actor=admin, campaign=campaign)
    assert {r.code for r in run.results.all()} == {"TA01", "TB01"}
    assert (run.progress_total, run.not_reviewed) == (2, 2)


def test_a_rechecked_sheet_is_graded_with_the_county_score(reviewed, campaign, admin):
    recheck = reviews.review_start(actor=admin, sheet=reviewed["b1"], kind="county")
    method = reviews.MethodUse("site_visit", dt.date(2026, 12, 28))
    reviews.review_details_save(
        actor=admin, review=recheck, details=reviews.ReviewDetails(methods=[method]), version=recheck.version
    )
    reviews.review_finish(actor=admin, review=recheck)
    ScoreSheet.objects.filter(pk=reviewed["b1"].pk).update(final_total=Decimal("7.5"))
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.results.get(code="TB01").score == Decimal("7.5")
    assert run.results.get(code="TB01").county_rank == 1


def test_excluded_and_dissolved_branches_are_left_out(county, campaign, tree, admin):
    campaigns.campaign_exclude(
        actor=admin, campaign=campaign, organization=tree["a2"], reason="新成立不满一年"
    )
    b1 = tree["b1"]
    b1.refresh_from_db()
    orgs.org_dissolve(actor=admin, org=b1, status=Status.DISSOLVED, reason="村改居撤销")
    run = grading.run_start(actor=admin, campaign=campaign)
    codes = {r.code for r in run.results.all()}
    assert "TA02" not in codes and "TB01" not in codes and len(codes) == 18
    assert (run.progress_total, run.not_reviewed) == (18, 0)
    assert run.summary["limits"]["quotas"] == {"优秀": 1, "良好": 2}  # ⌊7·18/100⌋, round(1.8)
    assert_results_match_the_core(run)


def test_township_names_are_the_organizations_under_the_root(county, campaign, tree, admin, december):
    tree["town_a"].refresh_from_db()
    general = make_org(tree["town_a"], "TAG1", "甲镇机关党总支", Kind.GENERAL_BRANCH, full=0, probationary=0)
    add_branch(december, general, "TAG101", score="70")
    tree["county"].refresh_from_db()
    direct = add_branch(december, tree["county"], "TZ01", domain=Domain.ORGAN, score="75")
    campaigns.campaign_grading_settings(
        actor=admin, campaign=campaign, quota_scope="township", gap_threshold=10, allow_quota_override=False
    )
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    assert run.quota_scope == "township"
    rows = {r.code: r for r in run.results.all()}
    assert rows["TAG101"].township == "甲镇党委"  # two levels down still belongs to 甲镇
    assert rows["TZ01"].township == direct.organization.name  # straight under the county: its own group
    assert rows["TA01"].township == "甲镇党委" and rows["TB01"].township == "乙街道党工委"
    assert {r.rank_total for r in rows.values() if r.township == "甲镇党委"} == {13}
    assert set(run.summary["limits"]["seats"]) == {"甲镇党委", "乙街道党工委", "TZ01党支部"}
    assert "党委内排名" in rows["TA05"].reason


def test_the_run_grades_under_the_scheme_it_was_started_with(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    run = grading.run_start(actor=admin, campaign=campaign)
    assert GradingRun.objects.get(pk=run.pk).state == RunState.QUEUED
    Campaign.objects.filter(pk=campaign.pk).update(scheme="three-class")
    grading.run_execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.scheme == "seed2020"
    assert {r.grade for r in run.results.all()} <= set(load_scheme("seed2020").labels)
    assert_results_match_the_core(run)


# --- One run at a time ----------------------------------------------------------------------------


def test_a_run_needs_a_reviewed_sheet(submitted, campaign, admin):
    with pytest.raises(grading.GradingError, match="还没有完成审核的自查表，无法定级"):
        grading.run_start(actor=admin, campaign=campaign)
    assert (
        not GradingRun.objects.exists() and not AuditEvent.objects.filter(verb__startswith="grading").exists()
    )


def test_only_the_county_admin_grades(county, campaign, personas):
    for name in ("township_reviewer", "branch_secretary", "leading_group", "auditor", "outsider"):
        with pytest.raises(grading.GradingError, match="只有县委组织部可以定级"):
            grading.run_start(actor=personas[name], campaign=campaign)
    assert not GradingRun.objects.exists()


def test_a_second_start_is_refused_while_a_run_is_active(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    first = grading.run_start(actor=admin, campaign=campaign)
    with pytest.raises(grading.GradingError, match=r"第1次定级正在进行（排队中：等待开始（0/20））"):
        grading.run_start(actor=admin, campaign=campaign)
    GradingRun.objects.filter(pk=first.pk).update(state=RunState.RUNNING, step="保存结果", progress_done=5)
    with pytest.raises(grading.GradingError, match=r"进行中：保存结果（5/20）），请等待完成后再发起"):
        grading.run_start(actor=admin, campaign=campaign)
    assert GradingRun.objects.count() == 1
    GradingRun.objects.filter(pk=first.pk).update(state=RunState.QUEUED)
    grading.run_execute(first.pk)
    assert grading.run_start(actor=admin, campaign=campaign).number == 2


def test_the_database_allows_one_active_run_per_campaign(county, campaign, admin):
    GradingRun.objects.create(
        campaign=campaign, number=1, scheme="seed2020", quota_scope="county", started_by=admin
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GradingRun.objects.create(
            campaign=campaign,
            number=2,
            state=RunState.RUNNING,
            scheme="x",
            quota_scope="county",
            started_by=admin,
        )
    for number, state in enumerate([RunState.DONE, RunState.FAILED, RunState.DONE], start=2):
        GradingRun.objects.create(
            campaign=campaign, number=number, state=state, scheme="x", quota_scope="county", started_by=admin
        )
    assert GradingRun.objects.count() == 4


# --- Failures -------------------------------------------------------------------------------------


def test_a_failing_run_ends_failed_without_results_and_the_next_start_works(
    county, campaign, admin, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(grading, "grade_in_groups", broken)
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.state == RunState.FAILED and run.error == "定级时发生系统错误，请联系管理员"
    assert run.step == "失败" and run.finished_at is not None and not run.results.exists()
    assert AuditEvent.objects.get(verb="grading.fail").note == run.error
    monkeypatch.undo()
    again = grading.run_start(actor=admin, campaign=campaign)
    assert (again.number, again.state) == (2, RunState.DONE)


def test_a_run_failing_half_way_through_writing_keeps_no_partial_results(
    county, campaign, admin, monkeypatch
):
    calls = []
    real = grading.copy_rows

    def fails_second_time(model, fields, rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(model, fields, rows, **kwargs)

    monkeypatch.setattr(grading, "WRITE_BATCH", 7)
    monkeypatch.setattr(grading, "copy_rows", fails_second_time)
    run = grading.run_start(actor=admin, campaign=campaign)
    assert calls == [7, 7] and run.state == RunState.FAILED
    assert not RunResult.objects.exists()


def test_bad_inputs_fail_with_the_core_message(county, campaign, admin, monkeypatch):
    def refuses(*args, **kwargs):
        raise GradingInputError("组织代码“TA01”重复")

    monkeypatch.setattr(grading, "grade_in_groups", refuses)
    run = grading.run_start(actor=admin, campaign=campaign)
    assert (run.state, run.error) == (RunState.FAILED, "组织代码“TA01”重复")


def test_an_unreadable_scheme_fails_with_its_message(county, campaign, admin):
    Campaign.objects.filter(pk=campaign.pk).update(scheme="county-own", scheme_text="grades = [")
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    assert run.state == RunState.FAILED and run.error.startswith("方案文件“county-own”格式错误")


# --- The background path --------------------------------------------------------------------------


def test_large_runs_go_to_the_background_worker(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = IMMEDIATE, 0
    run = grading.run_start(actor=admin, campaign=campaign)
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.results.count() == 20
    assert_results_match_the_core(run)


def test_a_queued_run_waits_for_the_worker_and_runs_once(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 19
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.state == RunState.QUEUED and not run.results.exists()
    from chuangyou.grading.tasks import execute_run

    execute_run.call(run.pk)
    execute_run.call(run.pk)  # a second delivery does nothing
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.results.count() == 20
    assert AuditEvent.objects.filter(verb="grading.finish").count() == 1


# --- Overrides ------------------------------------------------------------------------------------


@pytest.fixture
def run(county, campaign, admin):
    return grading.run_start(actor=admin, campaign=campaign)


def result(run, code):
    return run.results.get(code=code)


def first_with(run, grade):
    """The best-ranked branch with this grade as computed and no veto or 软弱涣散 flag (caps hold)."""
    unflagged = run.results.filter(final_grade=grade, grade=grade, veto="", weak="")
    return unflagged.order_by("county_rank").first()


def override(run, code, grade, reason="经研究调整", actor=None):
    return grading.result_override(
        actor=actor or run.started_by, result=result(run, code), grade=grade, reason=reason
    )


def test_an_override_needs_a_reason_and_a_new_valid_grade(run, personas):
    plain = first_with(run, "一般").code
    with pytest.raises(grading.GradingError, match="调整等级必须填写理由"):
        override(run, plain, "软弱涣散", reason="  ")
    with pytest.raises(grading.GradingError, match="等级“甲等”无效，应为优秀、良好、一般、软弱涣散之一"):
        override(run, plain, "甲等")
    with pytest.raises(grading.GradingError, match="该支部已是一般"):
        override(run, plain, "一般")
    with pytest.raises(grading.GradingError, match="只有县委组织部可以定级"):
        override(run, plain, "软弱涣散", actor=personas["township_reviewer"])
    assert not AuditEvent.objects.filter(verb="grading.override").exists()
    assert not any(r.overridden for r in run.results.all())


def test_an_override_within_the_quotas_is_stored_and_audited(run, admin):
    good = first_with(run, "良好")
    changed = override(run, good.code, "一般", reason=" 群众反映问题较多 ")
    assert (changed.grade, changed.final_grade, changed.override_reason) == (
        "良好",
        "一般",
        "群众反映问题较多",
    )
    assert changed.overridden and changed.override_by == admin and changed.override_at is not None
    event = AuditEvent.objects.get(verb="grading.override")
    assert event.before == {"final_grade": "良好", "override_reason": ""}
    assert event.after == {"final_grade": "一般", "computed_grade": "良好", "quota_breaches": []}
    assert event.note == "群众反映问题较多" and event.organization_id == good.organization_id
    # Its seat is free now: another branch may take it, and going back to the computed grade is allowed.
    plain = first_with(run, "一般").code
    assert override(run, plain, "良好").final_grade == "良好"
    back = override(run, plain, "一般", reason="恢复")
    assert not back.overridden and back.override_reason == ""


def test_an_override_that_breaks_a_quota_is_refused_naming_it(run):
    plain = first_with(run, "一般").code
    with pytest.raises(grading.GradingError, match="调整后将突破名额：良好将有3个，超过名额2个"):
        override(run, plain, "良好")
    with pytest.raises(grading.GradingError, match="调整后将突破名额：优秀将有2个，超过名额1个"):
        override(run, first_with(run, "良好").code, "优秀")
    assert not any(r.overridden for r in run.results.all())


FLOOR_ONLY = """
name = "floor-only"
grades = [
  { label = "优秀", min_score = 90 },
  { label = "良好", min_score = 80 },
  { label = "一般", min_score = 60 },
  { label = "软弱涣散", min_score = 0 },
]
floor = { grades = ["一般", "软弱涣散"], min_percent = 10, rounding = "ceil" }
veto_max_grade = "良好"
weak_grade = "软弱涣散"
"""


def test_an_override_that_breaks_the_floor_is_refused(county, campaign, admin):
    # A county's own scheme without quotas, a veto capping at 良好: only TB08 (weak) ends below 良好
    # by itself, so the floor of ⌈10·20/100⌉ = 2 moves the last-ranked branch down to 一般.
    Campaign.objects.filter(pk=campaign.pk).update(scheme="县定方案", scheme_text=FLOOR_ONLY)
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    assert run.summary["limits"]["floor"] == {
        "grades": ["一般", "软弱涣散"],
        "minimum": 2,
        "label": "一般及以下",
    }
    demoted = run.results.get(final_grade="一般")
    assert demoted.county_rank == 20 and "调整为一般" in demoted.reason
    with pytest.raises(grading.GradingError, match="一般及以下将只有1个，少于最低比例要求的2个"):
        override(run, demoted.code, "良好")
    assert override(run, "TA03", "一般").final_grade == "一般"  # more in the floor is fine
    assert override(run, demoted.code, "良好").final_grade == "良好"  # and now it may leave


def test_a_township_seat_is_checked_in_the_township_scope(county, campaign, admin):
    campaigns.campaign_grading_settings(
        actor=admin, campaign=campaign, quota_scope="township", gap_threshold=10, allow_quota_override=False
    )
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    seats = run.summary["limits"]["seats"]
    assert seats == {"甲镇党委": {"优秀": 1, "良好": 1}, "乙街道党工委": {"优秀": 0, "良好": 1}}
    town_b_good = run.results.filter(township="乙街道党工委", final_grade="良好").get()
    town_a_plain = run.results.filter(township="甲镇党委", final_grade="一般").order_by("county_rank").first()
    # Moving 乙街道's 良好 to 甲镇 keeps the county count but breaks 甲镇's seats.
    override(run, town_b_good.code, "一般")
    with pytest.raises(grading.GradingError, match="甲镇党委的良好将有2个，超过该党委名额1个"):
        override(run, town_a_plain.code, "良好")


def test_the_county_may_allow_overrides_beyond_the_quotas(run, campaign, admin):
    campaigns.campaign_grading_settings(
        actor=admin, campaign=campaign, quota_scope="county", gap_threshold=10, allow_quota_override=True
    )
    plain = first_with(run, "一般").code
    changed = override(run, plain, "良好", reason="表彰先进")
    assert changed.final_grade == "良好"
    event = AuditEvent.objects.get(verb="grading.override")
    assert event.after["quota_breaches"] == ["良好将有3个，超过名额2个"]
    final = list(run.results.values_list("township", "final_grade"))
    assert breaches(limits_from_dict(run.summary["limits"]), final) == ["良好将有3个，超过名额2个"]


def test_an_override_that_eases_an_earlier_allowed_breach_is_not_refused(run, campaign, admin):
    settings = {"quota_scope": "county", "gap_threshold": 10}
    campaigns.campaign_grading_settings(actor=admin, campaign=campaign, allow_quota_override=True, **settings)
    plains = list(run.results.filter(final_grade="一般", veto="", weak="").order_by("county_rank")[:2])
    for plain in plains:
        override(run, plain.code, "良好", reason="表彰先进")  # 良好 4 of 2
    campaigns.campaign_grading_settings(
        actor=admin, campaign=campaign, allow_quota_override=False, **settings
    )
    with pytest.raises(grading.GradingError, match="良好将有5个，超过名额2个"):
        override(run, first_with(run, "一般").code, "良好")
    # Taking one back eases the breach (4 → 3): allowed although 良好 is still over its quota.
    assert override(run, plains[0].code, "一般", reason="撤回").final_grade == "一般"


def test_only_a_finished_unsubmitted_run_is_overridden(run, admin):
    code = first_with(run, "良好").code
    grading.run_submit(actor=admin, run=run)
    with pytest.raises(grading.GradingError, match="该次定级结果已提交公示，不能再调整"):
        override(run, code, "一般")


# --- Submission for public notice ------------------------------------------------------------------


def test_submit_only_the_latest_finished_run_and_only_once(run, campaign, admin, personas, monkeypatch):
    second = grading.run_start(actor=admin, campaign=campaign)
    monkeypatch.setattr(grading, "grade_in_groups", lambda *a, **k: 1 / 0)
    failed = grading.run_start(actor=admin, campaign=campaign)
    assert (run.number, second.number, failed.number, failed.state) == (1, 2, 3, RunState.FAILED)
    with pytest.raises(grading.GradingError, match="只有已完成的定级可以提交公示"):
        grading.run_submit(actor=admin, run=failed)
    with pytest.raises(grading.GradingError, match="已有更新的第2次定级（已完成），请提交最新一次的结果"):
        grading.run_submit(actor=admin, run=run)
    with pytest.raises(grading.GradingError, match="只有县委组织部可以定级"):
        grading.run_submit(actor=personas["township_reviewer"], run=second)
    submitted = grading.run_submit(actor=admin, run=second)
    assert submitted.submitted_at is not None and submitted.submitted_by == admin
    event = AuditEvent.objects.get(verb="grading.submit")
    assert event.after["number"] == 2 and event.after["counts"]["优秀"] == 1
    with pytest.raises(grading.GradingError, match="该次定级结果已提交公示"):
        grading.run_submit(actor=admin, run=second)
    monkeypatch.undo()
    fourth = grading.run_start(actor=admin, campaign=campaign)
    with pytest.raises(grading.GradingError, match="第2次定级结果已提交公示，本次定级没有新的待公示组织"):
        grading.run_submit(actor=admin, run=fourth)
    assert AuditEvent.objects.filter(verb="grading.submit").count() == 1


def test_an_active_run_is_not_submitted(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    queued = grading.run_start(actor=admin, campaign=campaign)
    with pytest.raises(grading.GradingError, match="只有已完成的定级可以提交公示"):
        grading.run_submit(actor=admin, run=queued)


def test_a_run_is_not_submitted_while_a_newer_one_is_under_way(run, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    grading.run_start(actor=admin, campaign=campaign)
    with pytest.raises(grading.GradingError, match="已有更新的第2次定级（排队中）"):
        grading.run_submit(actor=admin, run=run)


def test_the_submission_records_the_grades_after_overrides(run, admin):
    override(run, first_with(run, "良好").code, "一般")
    grading.run_submit(actor=admin, run=run)
    counts = AuditEvent.objects.get(verb="grading.submit").after["counts"]
    assert counts == {"优秀": 1, "良好": 1, "一般": run.summary["counts"]["一般"] + 1, "软弱涣散": 1}


def test_a_run_queued_too_long_is_ended_when_the_next_one_starts(county, campaign, admin, settings):
    from django.utils import timezone

    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    stuck = grading.run_start(actor=admin, campaign=campaign)
    GradingRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - dt.timedelta(minutes=31))
    settings.GRADING_INLINE_MAX = 1000
    fresh = grading.run_start(actor=admin, campaign=campaign)
    stuck.refresh_from_db()
    assert stuck.state == RunState.FAILED and "30分钟没有开始（后台任务进程可能未运行）" in stuck.error
    assert not stuck.interrupted and fresh.state == RunState.DONE and fresh.number == 2
    assert AuditEvent.objects.get(verb="grading.fail").actor == admin


SUBTOTALS_FIRST = """
name = "subtotals"
grades = [
  { label = "优秀", min_score = 90 },
  { label = "良好", min_score = 80 },
  { label = "一般", min_score = 0 },
]
veto_max_grade = "一般"
weak_grade = "一般"
tie_break = ["subtotals", "code"]
"""


def test_the_subtotals_tie_break_follows_the_rubric_category_order(reviewed, campaign, admin):
    # Equal totals; 甲二村 is ahead on the rubric's first category (党的组织设置), 甲一村 on the second.
    # The stored keys are in the other order, as jsonb or an unordered entry query may leave them.
    ScoreSheet.objects.filter(pk=reviewed["a1"].pk).update(
        final_subtotals={"党内组织生活": "6", "党的组织设置": "1"}
    )
    ScoreSheet.objects.filter(pk=reviewed["a2"].pk).update(
        final_subtotals={"党内组织生活": "3", "党的组织设置": "4"}
    )
    ScoreSheet.objects.filter(pk=reviewed["b1"].pk).update(final_subtotals={"党内组织生活": "7"})
    Campaign.objects.filter(pk=campaign.pk).update(scheme="按分类小计", scheme_text=SUBTOTALS_FIRST)
    run = grading.run_start(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk))
    ranks = dict(run.results.values_list("code", "county_rank"))
    assert ranks == {"TA02": 1, "TA01": 2, "TB01": 3}  # TB01: 0 in the first category


def test_an_override_cannot_lift_a_veto_or_weak_cap(run, campaign, admin):
    campaigns.campaign_grading_settings(
        actor=admin, campaign=campaign, quota_scope="county", gap_threshold=10, allow_quota_override=True
    )
    # TB01 has a veto (at most 一般), TB08 a 软弱涣散 situation (软弱涣散 only): quotas aside, refused.
    with pytest.raises(grading.GradingError, match="该支部有一票否决情形，最高只能评为一般"):
        override(run, "TB01", "良好")
    with pytest.raises(grading.GradingError, match="该支部存在软弱涣散情形，最高只能评为软弱涣散"):
        override(run, "TB08", "一般")
    assert not any(r.overridden for r in run.results.all())


def test_a_run_ended_as_stale_meanwhile_is_not_finished_by_its_old_worker(county, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    run = grading.run_start(actor=admin, campaign=campaign)
    real = grading.grade_in_groups

    def ended_meanwhile(*args, **kwargs):
        GradingRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, error="已终止")
        return real(*args, **kwargs)

    grading.grade_in_groups = ended_meanwhile
    try:
        grading.run_execute(run.pk)
    finally:
        grading.grade_in_groups = real
    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.error == "已终止" and not run.results.exists()
    grading.run_execute(run.pk)  # not queued: a second delivery does nothing
    assert GradingRun.objects.get(pk=run.pk).state == RunState.FAILED
