"""Writes to democratic evaluations. Issuing and closing are one transaction with their audit
event each; answering is one transaction that writes the code's use and the anonymous answer
(never audited: an event with a time would undo the anonymity).

Issuing again, while the evaluation is open, adds codes and may move the closing time, even after
answers have come in (a member who was forgotten can still take part); every issue is audited
with the totals before and after. The codes themselves never go into the audit trail.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangyou.audit.services import record
from chuangyou.evaluations import codes as codegen
from chuangyou.evaluations.access import can_issue
from chuangyou.evaluations.models import QUESTIONS, Answer, Audience, Choice, Code, CodeUse, Evaluation
from chuangyou.evaluations.policy import MAX_CODES_PER_AUDIENCE, MAX_OPEN_DAYS, issue_warnings
from chuangyou.evaluations.results import results, summary_for_sheet

__all__ = [
    "EvaluationError",
    "answer_submit",
    "evaluation_close",
    "evaluation_issue",
    "find_code",
    "issue_warnings",
    "results",
    "summary_for_sheet",
]

BATCH_SIZE = 500

UNKNOWN_CODE = "测评码不存在，请核对后重新输入"
USED_CODE = "该测评码已使用，感谢您的参与"
CLOSED = "本次民主测评已结束，感谢您的关注"


class EvaluationError(ValueError):
    """A refused action; the message is for the user (Chinese). `kind` is one of "invalid",
    "unknown", "used", "closed" (or "throttled", from the public page) so that pages can answer
    with a fitting status."""

    def __init__(self, message: str, kind: str = "invalid"):
        self.kind = kind
        super().__init__(message)


def _state(evaluation: Evaluation) -> dict:
    return {
        "members_issued": evaluation.members_issued,
        "public_issued": evaluation.public_issued,
        "closes_at": evaluation.closes_at.isoformat(),
        "closed_at": evaluation.closed_at.isoformat() if evaluation.closed_at else None,
    }


def _check_issue(members, public, closes_at, now) -> None:
    errors = []
    for label, number in (("党员", members), ("群众", public)):
        if not isinstance(number, int) or number < 0:
            errors.append(f"{label}测评码数量应为不小于0的整数")
    if closes_at is None or closes_at <= now:
        errors.append("截止时间应晚于当前时间")
    elif closes_at > now + timedelta(days=MAX_OPEN_DAYS):
        errors.append(f"截止时间不能晚于{MAX_OPEN_DAYS}天之后")
    if errors:
        raise EvaluationError("；".join(errors))


def _create_codes(evaluation: Evaluation, audience: str, count: int) -> None:
    if count <= 0:
        return
    fresh = codegen.new_codes(count)
    taken = set(Code.objects.filter(code__in=fresh).values_list("code", flat=True))
    while taken:  # astronomically rare: draw again for the codes already in use
        fresh = (fresh - taken) | codegen.new_codes(len(taken), taken=fresh)
        taken = set(Code.objects.filter(code__in=fresh).values_list("code", flat=True))
    Code.objects.bulk_create(
        [Code(evaluation=evaluation, audience=audience, code=c) for c in sorted(fresh)], batch_size=BATCH_SIZE
    )


def evaluation_issue(*, actor, sheet, members: int, public: int, closes_at) -> Evaluation:
    """Create the sheet's evaluation with `members` + `public` codes, or add codes to it."""
    if actor is not None and not can_issue(actor, sheet):
        raise PermissionDenied("只有本支部书记或县委组织部可以生成测评码")
    now = timezone.now()
    _check_issue(members, public, closes_at, now)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.select_for_update().filter(sheet=sheet).first()
            before = None
            if evaluation is None:
                if members + public == 0:
                    raise EvaluationError("请填写要生成的测评码数量")
                user = actor if getattr(actor, "is_authenticated", False) else None
                evaluation = Evaluation.objects.create(sheet=sheet, closes_at=closes_at, created_by=user)
            else:
                if not evaluation.is_open(now):
                    raise EvaluationError("民主测评已结束，不能追加测评码", kind="closed")
                before = _state(evaluation)
            if evaluation.members_issued + members > MAX_CODES_PER_AUDIENCE or (
                evaluation.public_issued + public > MAX_CODES_PER_AUDIENCE
            ):
                raise EvaluationError(f"每类测评码合计不能超过{MAX_CODES_PER_AUDIENCE}份")
            _create_codes(evaluation, Audience.MEMBER, members)
            _create_codes(evaluation, Audience.PUBLIC, public)
            evaluation.members_issued += members
            evaluation.public_issued += public
            evaluation.closes_at = closes_at
            evaluation.save(update_fields=["members_issued", "public_issued", "closes_at"])
            record(
                actor=actor,
                verb="evaluation.issue",
                target=evaluation,
                organization=sheet.organization,
                before=before,
                after=_state(evaluation),
                note=f"新增党员测评码{members}份、群众测评码{public}份",
            )
    except IntegrityError:  # a concurrent first issue for the same sheet, or a code drawn twice at once
        raise EvaluationError("测评码生成冲突，请刷新页面后重试") from None
    return evaluation


def evaluation_close(*, actor, evaluation: Evaluation) -> Evaluation:
    if actor is not None and not can_issue(actor, evaluation.sheet):
        raise PermissionDenied("只有本支部书记或县委组织部可以结束测评")
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if current.closed_at is not None:
            raise EvaluationError("民主测评已经结束", kind="closed")
        before = _state(current)
        current.closed_at = timezone.now()
        current.save(update_fields=["closed_at"])
        record(
            actor=actor,
            verb="evaluation.close",
            target=current,
            organization=evaluation.sheet.organization,
            before=before,
            after=_state(current),
        )
    evaluation.closed_at = current.closed_at
    return evaluation


def find_code(text: str) -> Code:
    """The code a person typed or scanned, if it may still answer; otherwise EvaluationError."""
    normalized = codegen.normalize(text)
    code = None
    if codegen.looks_valid(normalized):
        code = (
            Code.objects.select_related(
                "evaluation__sheet__organization", "evaluation__sheet__round__campaign", "use"
            )
            .filter(code=normalized)
            .first()
        )
    if code is None:
        raise EvaluationError(UNKNOWN_CODE, kind="unknown")
    if not code.evaluation.is_open():
        raise EvaluationError(CLOSED, kind="closed")
    if hasattr(code, "use"):
        raise EvaluationError(USED_CODE, kind="used")
    return code


def _clean_answers(overall, dimensions) -> dict[str, str]:
    by_label = {label: value for value, label in Choice.choices}
    given = {"overall": overall, **(dimensions or {})}
    cleaned = {}
    for field, label in QUESTIONS:
        value = given.get(field)
        value = by_label.get(value, value)
        if value not in Choice.values:
            raise EvaluationError(f"请选择“{label}”的评价")
        cleaned[field] = value
    return cleaned


def answer_submit(*, code_text: str, overall: str, dimensions: dict[str, str]) -> Evaluation:
    """Store one anonymous answer and spend the code, in one transaction. `dimensions` maps the
    five field names of `DIMENSIONS` to a choice (value or Chinese label)."""
    cleaned = _clean_answers(overall, dimensions)
    normalized = _normalized(code_text)
    now = timezone.now()
    try:
        with transaction.atomic():
            code = Code.objects.select_related("evaluation").filter(code=normalized).first()
            if code is None:
                raise EvaluationError(UNKNOWN_CODE, kind="unknown")
            if not code.evaluation.is_open(now):
                raise EvaluationError(CLOSED, kind="closed")
            # The unique code_id column refuses a second use, even from a concurrent request.
            CodeUse.objects.create(code=code, used_at=now)
            Answer.objects.create(
                evaluation=code.evaluation,
                audience=code.audience,
                answered_on=timezone.localdate(now),
                **cleaned,
            )
    except IntegrityError:
        raise EvaluationError(USED_CODE, kind="used") from None
    return code.evaluation


def _normalized(text: str) -> str:
    normalized = codegen.normalize(text)
    if not codegen.looks_valid(normalized):
        raise EvaluationError(UNKNOWN_CODE, kind="unknown")
    return normalized
