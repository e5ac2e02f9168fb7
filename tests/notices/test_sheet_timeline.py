"""The branch secretary's workbench shows its sheet's way: 已提交 → 审核中 → 已审核 → 公示中 → 已审定,
with the objections about it counted (not shown)."""

from chuangyou.assessments.models import ScoreSheet
from chuangyou.notices import services as notices
from chuangyou.notices.timeline import sheet_timeline
from tests.notices.conftest import AFTER, IN_PERIOD, entry_of, object_to


def _steps(sheet):
    timeline = sheet_timeline(sheet)
    return [(s.label, s.reached, s.current) for s in timeline.steps], timeline


def _own_sheet(tree):
    return ScoreSheet.objects.select_related("round").get(organization=tree["a1"])


def test_a_submitted_sheet_reaches_the_first_step(submitted, tree):
    steps, _ = _steps(submitted["a1"])
    assert steps == [
        ("已提交", True, True),
        ("审核中", False, False),
        ("已审核", False, False),
        ("公示中", False, False),
        ("已审定", False, False),
    ]


def test_a_reviewed_sheet_shows_its_review_score(reviewed, tree):
    steps, timeline = _steps(_own_sheet(tree))
    assert [s[1] for s in steps] == [True, True, True, False, False]
    assert timeline.steps[2].current and timeline.steps[2].detail.startswith("审核得分 ")
    assert timeline.steps[1].when is not None and timeline.steps[2].when is not None


def test_on_notice_the_proposed_grade_and_objections_are_counted(published_notice, tree, on_day):
    on_day(IN_PERIOD)
    object_to(entry_of(published_notice, "TA01"))
    object_to(entry_of(published_notice, "TA01"), address="203.0.113.8")
    steps, timeline = _steps(_own_sheet(tree))
    assert [s[1] for s in steps] == [True, True, True, True, False]
    assert timeline.steps[3].current
    assert timeline.steps[3].detail == "拟定等级：优秀，公示至2026年12月18日"
    assert timeline.objections == {"办理中": 2}


def test_an_approved_grade_ends_the_timeline(ended_notice, tree, personas, on_day):
    on_day(AFTER)
    admin = personas["county_admin"]
    batch = notices.notice_report(actor=admin, batch=ended_notice)
    notices.notice_approve(actor=admin, batch=batch, document_number="县组字〔2026〕18号")
    steps, timeline = _steps(_own_sheet(tree))
    assert [s[1] for s in steps] == [True] * 5
    assert timeline.steps[4].current
    assert timeline.steps[4].detail == "审定等级：优秀（县组字〔2026〕18号）"
    assert timeline.objections == {}


def test_the_workbench_of_the_branch_secretary_shows_the_timeline(published_notice, client_for, on_day):
    on_day(IN_PERIOD)
    object_to(entry_of(published_notice, "TA01"), content="不应公开的异议内容", name="张三")
    body = client_for("branch_secretary").get("/").content.decode()
    assert 'data-testid="sheet-timeline"' in body
    assert body.count('data-testid="timeline-step"') == 5
    assert "拟定等级：优秀" in body and "公示异议 1 件：办理中 1 件" in body
    # Who objected and what they wrote stay with the offices that answer.
    assert "不应公开的异议内容" not in body and "张三" not in body


def test_the_county_admin_s_workbench_has_no_timeline(published_notice, client_for, on_day):
    on_day(IN_PERIOD)
    assert 'data-testid="sheet-timeline"' not in client_for("county_admin").get("/").content.decode()
