"""Results of a democratic evaluation, counted by chuangyou.rules.ballots from one query.

Each audience (党员, 群众) is a round of its own with its own quorum; "combined" pools the answers of
both against all codes issued (no weighting between audiences).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from chuangyou.evaluations.models import DIMENSIONS, QUESTIONS, Answer, Audience, Choice, Evaluation
from chuangyou.evaluations.policy import issue_warnings
from chuangyou.rules.ballots import DEFAULT_WEIGHTS, BallotResult, BallotTally, BallotWeights, evaluate_round

# BallotTally's field order.
_CHOICE_ORDER = (Choice.SATISFIED, Choice.BASICALLY_SATISFIED, Choice.DISSATISFIED, Choice.UNKNOWN)
_KEYS = {
    (field, choice): f"n{i}_{j}"
    for i, (field, _) in enumerate(QUESTIONS)
    for j, choice in enumerate(_CHOICE_ORDER)
}


@dataclass(frozen=True)
class AudienceResult:
    key: str  # "member", "public" or "combined"
    label: str
    issued: int
    overall: BallotResult
    dimensions: tuple[tuple[str, BallotResult], ...]  # (label, result) for each of the 五个好

    @property
    def answered(self) -> int:
        return self.overall.tally.answered

    @property
    def valid(self) -> bool:
        return self.overall.valid


@dataclass(frozen=True)
class Results:
    evaluation: Evaluation
    members: AudienceResult
    public: AudienceResult
    combined: AudienceResult
    warnings: tuple[str, ...]

    @property
    def audiences(self) -> tuple[AudienceResult, ...]:
        return (self.members, self.public, self.combined)


def _tallies(evaluation: Evaluation) -> dict[str, dict[str, BallotTally]]:
    """audience -> question field -> tally, in one aggregate query."""
    aggregates = {key: Count("pk", filter=Q(**{field: choice})) for (field, choice), key in _KEYS.items()}
    rows = Answer.objects.filter(evaluation=evaluation).values("audience").annotate(**aggregates).order_by()
    empty = {field: BallotTally() for field, _ in QUESTIONS}
    tallies = {Audience.MEMBER.value: dict(empty), Audience.PUBLIC.value: dict(empty)}
    for row in rows:
        tallies[row["audience"]] = {
            field: BallotTally(*(row[_KEYS[(field, choice)]] for choice in _CHOICE_ORDER))
            for field, _ in QUESTIONS
        }
    return tallies


def _audience(key, label, issued, tallies, weights) -> AudienceResult:
    return AudienceResult(
        key=key,
        label=label,
        issued=issued,
        overall=evaluate_round(tallies["overall"], issued, weights),
        dimensions=tuple(
            (name, evaluate_round(tallies[field], issued, weights)) for field, name in DIMENSIONS
        ),
    )


def results(evaluation: Evaluation, weights: BallotWeights = DEFAULT_WEIGHTS) -> Results:
    tallies = _tallies(evaluation)
    members = tallies[Audience.MEMBER]
    public = tallies[Audience.PUBLIC]
    both = {field: members[field] + public[field] for field, _ in QUESTIONS}
    return Results(
        evaluation=evaluation,
        members=_audience("member", "党员", evaluation.members_issued, members, weights),
        public=_audience("public", "群众", evaluation.public_issued, public, weights),
        combined=_audience("combined", "合计", evaluation.issued, both, weights),
        warnings=tuple(
            issue_warnings(evaluation.sheet.organization, evaluation.members_issued, evaluation.public_issued)
        ),
    )


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def summary_for_sheet(sheet, weights: BallotWeights = DEFAULT_WEIGHTS) -> dict | None:
    """The result the application form (附件4) and the sheet page show; None before any codes."""
    try:
        evaluation = sheet.evaluation
    except Evaluation.DoesNotExist:
        return None
    found = results(evaluation, weights)
    combined = found.combined.overall
    text = (
        f"发放{found.combined.issued}份，收回{found.combined.answered}份，"
        f"满意率{_percent(combined.satisfaction_rate)}（其中满意{_percent(combined.satisfied_rate)}），"
        f"综合得分{combined.weighted_score if combined.weighted_score is not None else '—'}，"
        f"{'测评有效' if combined.valid else '测评无效'}"
    )
    return {
        "evaluation": evaluation,
        "results": found,
        "issued": found.combined.issued,
        "answered": found.combined.answered,
        "members_issued": found.members.issued,
        "members_answered": found.members.answered,
        "public_issued": found.public.issued,
        "public_answered": found.public.answered,
        "valid_votes": combined.tally.valid,
        "favourable_votes": combined.tally.satisfied + combined.tally.basically_satisfied,
        "members_score": found.members.overall.weighted_score,
        "public_score": found.public.overall.weighted_score,
        "satisfaction_rate": combined.satisfaction_rate,
        "satisfied_rate": combined.satisfied_rate,
        "weighted_score": combined.weighted_score,
        "valid": combined.valid,
        "validity_reason": combined.validity_reason,
        "is_open": evaluation.is_open(),
        "closes_at": evaluation.closes_at,
        "closed_at": evaluation.closed_at,
        "text": text,
    }
