"""Issuing, answering, closing and counting democratic evaluations (SPEC §6)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from chuangyou.audit.models import AuditEvent
from chuangyou.evaluations import services
from chuangyou.evaluations.codes import ALPHABET, LENGTH
from chuangyou.evaluations.models import Answer, Audience, Code, CodeUse, Evaluation
from tests.evaluations.conftest import answer, codes_of, issue


def test_issuing_creates_unique_codes_per_audience_and_is_audited(personas, sheet, closes_at):
    evaluation = issue(sheet, personas["branch_secretary"], members=40, public=5, closes_at=closes_at)
    members, public = codes_of(evaluation, Audience.MEMBER), codes_of(evaluation, Audience.PUBLIC)
    assert len(members) == 40 and len(public) == 5
    assert len(set(members) | set(public)) == 45
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in members + public)
    assert (evaluation.members_issued, evaluation.public_issued) == (40, 5)
    event = AuditEvent.objects.get(verb="evaluation.issue")
    assert event.actor == personas["branch_secretary"] and event.organization == sheet.organization
    assert event.before is None and event.after["members_issued"] == 40 and event.after["public_issued"] == 5
    assert not any(c in str(event.after) + event.note for c in members)  # codes are never in the trail


def test_issuing_again_adds_codes_and_records_before_and_after(personas, evaluation):
    later = evaluation.closes_at + timedelta(days=1)
    again = issue(evaluation.sheet, personas["county_admin"], members=3, public=1, closes_at=later)
    assert again.pk == evaluation.pk and (again.members_issued, again.public_issued) == (14, 3)
    assert Code.objects.filter(evaluation=evaluation).count() == 17
    event = AuditEvent.objects.filter(verb="evaluation.issue").first()
    assert event.before["members_issued"] == 11 and event.after["members_issued"] == 14


@pytest.mark.parametrize(
    ("members", "public", "when", "message"),
    [
        (0, 0, timedelta(days=1), "请填写要生成的测评码数量"),
        (2001, 0, timedelta(days=1), "不能超过2000份"),
        (5, 1, timedelta(minutes=-1), "截止时间应晚于当前时间"),
        (5, 1, timedelta(days=91), "不能晚于90天之后"),
        (-1, 1, timedelta(days=1), "不小于0的整数"),
    ],
)
def test_bad_issues_are_refused_and_change_nothing(personas, sheet, members, public, when, message):
    with pytest.raises(services.EvaluationError, match=message):
        issue(sheet, personas["branch_secretary"], members, public, timezone.now() + when)
    assert (
        not Evaluation.objects.exists()
        and not Code.objects.exists()
        and not AuditEvent.objects.filter(verb__startswith="evaluation").exists()
    )


def test_only_the_branch_secretary_and_the_county_may_issue(personas, sheets):
    with pytest.raises(PermissionDenied):
        issue(sheets["a1"], personas["township_reviewer"])
    with pytest.raises(PermissionDenied):
        issue(sheets["a2"], personas["branch_secretary"])
    assert issue(sheets["a2"], personas["county_admin"]).members_issued == 11


def test_too_few_codes_warn_but_do_not_refuse(sheet):
    # 甲一村 has 11 members (10 full + 1 probationary).
    evaluation = issue(sheet, members=9, public=0)
    warnings = services.results(evaluation).warnings
    assert any("党员应全员参加测评" in w for w in warnings)
    assert any("少于党员人数的10%（1份）" in w for w in warnings)
    assert services.issue_warnings(sheet.organization, 11, 2) == []


def test_an_answer_is_stored_and_spends_the_code(evaluation):
    code = codes_of(evaluation)[0]
    answer(f"  {code[:4].lower()} {code[4:]} ", "满意", leadership="不了解")
    stored = Answer.objects.get()
    assert (
        stored.audience == Audience.MEMBER
        and stored.overall == "satisfied"
        and stored.leadership == "unknown"
    )
    assert stored.answered_on == timezone.localdate()
    assert CodeUse.objects.get().code.code == code


def test_a_second_answer_with_the_same_code_is_refused_politely(evaluation):
    code = codes_of(evaluation)[0]
    answer(code)
    with pytest.raises(services.EvaluationError, match="该测评码已使用，感谢您的参与") as error:
        answer(code.lower(), "不满意")
    assert error.value.kind == "used"
    assert Answer.objects.count() == 1 and Answer.objects.get().overall == "satisfied"


def test_the_database_refuses_a_second_use_even_when_the_checks_raced(evaluation):
    code = Code.objects.filter(evaluation=evaluation).first()
    CodeUse.objects.create(code=code)  # another request got there first
    with pytest.raises(IntegrityError), transaction.atomic():
        CodeUse.objects.create(code=code)
    with pytest.raises(services.EvaluationError, match="该测评码已使用"):
        answer(code.code)
    assert not Answer.objects.exists() and CodeUse.objects.count() == 1


@pytest.mark.parametrize("text", ["", "ABC", "AAAAAAAA", "0OIL1OIL", "ABCDEFGH9"])
def test_unknown_codes_are_refused(evaluation, text):
    with pytest.raises(services.EvaluationError, match="测评码不存在") as error:
        answer(text)
    assert error.value.kind == "unknown" and not Answer.objects.exists()


def test_codes_expire_at_the_closing_time_and_when_closed(personas, evaluation):
    first, second = codes_of(evaluation)[:2]
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.EvaluationError, match="已结束") as error:
        answer(first)
    assert error.value.kind == "closed"
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() + timedelta(days=1))
    evaluation.refresh_from_db()
    services.evaluation_close(actor=personas["branch_secretary"], evaluation=evaluation)
    with pytest.raises(services.EvaluationError, match="已结束"):
        answer(second)
    with pytest.raises(services.EvaluationError, match="不能追加"):
        issue(evaluation.sheet, personas["branch_secretary"], members=1)
    assert not Answer.objects.exists() and not CodeUse.objects.exists()
    event = AuditEvent.objects.get(verb="evaluation.close")
    assert event.before["closed_at"] is None and event.after["closed_at"]
    with pytest.raises(services.EvaluationError, match="已经结束"):
        services.evaluation_close(actor=personas["county_admin"], evaluation=evaluation)


def test_an_incomplete_questionnaire_is_refused(evaluation):
    code = codes_of(evaluation)[0]
    with pytest.raises(services.EvaluationError, match="请选择“工作机制好”的评价"):
        services.answer_submit(
            code_text=code,
            overall="满意",
            dimensions={"leadership": "满意", "membership": "满意", "mechanism": "很好"},
        )
    assert not CodeUse.objects.exists()
    answer(code)  # the code is still good


def test_answers_have_no_link_to_codes():
    fields = Answer._meta.get_fields()
    assert all(f.related_model not in (Code, CodeUse) for f in fields)
    assert not any("code" in f.name for f in fields)
    assert not any(isinstance(f, models.DateTimeField) for f in fields)  # the day only
    assert isinstance(Answer._meta.pk, models.UUIDField)  # no sequential id to line up with CodeUse
    assert all(f.related_model is not Answer for f in Code._meta.get_fields() + CodeUse._meta.get_fields())
    unique = [f.name for f in CodeUse._meta.get_fields() if getattr(f, "unique", False) and not f.primary_key]
    assert unique == ["code"]


def _answer_many(evaluation, audience, counts):
    codes = iter(codes_of(evaluation, audience))
    for choice, n in counts.items():
        for _ in range(n):
            answer(next(codes), choice)


def test_results_match_the_worked_examples_of_rules_ballots(sheet):
    # rules.ballots: BallotTally(8, 1, 1, 0) of 12 issued -> 90.00 %, 80.00 %, 93.00
    evaluation = issue(sheet, members=12, public=5)
    _answer_many(evaluation, Audience.MEMBER, {"满意": 8, "基本满意": 1, "不满意": 1})
    # BallotTally(0, 0, 3, 1) of 5 issued -> 0.00 %, 55.00, valid (4 of 5 answered)
    _answer_many(evaluation, Audience.PUBLIC, {"不满意": 3, "不了解": 1})
    found = services.results(evaluation)
    members = found.members.overall
    assert (members.satisfaction_rate, members.satisfied_rate, members.weighted_score) == (
        Decimal("90.00"),
        Decimal("80.00"),
        Decimal("93.00"),
    )
    assert found.members.answered == 10 and found.members.valid
    public = found.public.overall
    assert (public.satisfaction_rate, public.weighted_score) == (Decimal("0.00"), Decimal("55.00"))
    assert public.tally.unknown == 1 and public.tally.valid == 3 and found.public.valid
    combined = found.combined.overall
    assert combined.tally.valid == 13 and found.combined.issued == 17 and found.combined.answered == 14
    assert combined.satisfaction_rate == Decimal("69.23")  # 9 / 13, 不了解 not a valid vote
    leadership = dict(found.combined.dimensions)["领导班子好"]
    assert leadership.tally == combined.tally


def test_a_round_needs_more_than_half_of_the_codes(sheet):
    evaluation = issue(sheet, members=10, public=0)
    _answer_many(evaluation, Audience.MEMBER, {"满意": 5})
    found = services.results(evaluation)
    assert not found.members.valid and "未超过半数" in found.members.overall.validity_reason
    answer(codes_of(evaluation)[-1], "不了解")  # an answer of 不了解 still counts towards the quorum
    assert services.results(evaluation).members.valid


def test_the_sheet_summary(sheet, evaluation):
    assert services.summary_for_sheet(sheet.__class__.objects.get(pk=sheet.pk)) is not None
    _answer_many(evaluation, Audience.MEMBER, {"满意": 5, "基本满意": 2})
    sheet.refresh_from_db()
    summary = services.summary_for_sheet(sheet)
    assert summary["answered"] == 7 and summary["issued"] == 13 and summary["valid"]
    assert summary["satisfaction_rate"] == Decimal("100.00") and summary["satisfied_rate"] == Decimal("71.43")
    assert summary["members_answered"] == 7 and summary["public_answered"] == 0
    assert "发放13份，收回7份" in summary["text"] and "测评有效" in summary["text"]


def test_no_summary_before_codes_are_issued(sheets):
    assert services.summary_for_sheet(sheets["b1"]) is None
