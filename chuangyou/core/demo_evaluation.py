"""Democratic evaluation (民主测评) of the demo's score sheets: codes issued through the evaluation
service for every member and for the public (10 % of the members, the usual practice), and anonymous
answers drawn to fit the branch (a weak branch gets more 不满意), given through `answer_submit` or,
for evaluations already closed, written in bulk as it writes them (see `evaluate`)."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from chuangyou.evaluations import services as evaluations
from chuangyou.evaluations.models import QUESTIONS, Answer, Choice, CodeUse, Evaluation
from chuangyou.evaluations.policy import public_share_percent

QUESTION_FIELDS = tuple(name for name, _ in QUESTIONS)
CHOICES = (Choice.SATISFIED, Choice.BASICALLY_SATISFIED, Choice.DISSATISFIED, Choice.UNKNOWN)


def choice_weights(loss: float) -> tuple[float, ...]:
    """满意 / 基本满意 / 不满意 / 不了解: the more points a branch loses, the less content its members."""
    dissatisfied = 0.02 + 0.35 * loss
    basically = 0.10 + 0.50 * loss
    unknown = 0.04
    return (1 - dissatisfied - basically - unknown, basically, dissatisfied, unknown)


def evaluate(
    sheet, actor, rng: random.Random, *, loss: float, answered: float, open_days: int = 7, bulk: bool = False
) -> Evaluation:
    """Issue the sheet's codes (open for `open_days`) and have `answered` of them (a share) answer.
    The sheet's organization must be loaded.

    Each answer goes through `answer_submit`, or with `bulk` the same rows — the code's use and the
    anonymous answer, dated today — are written in two bulk inserts: the demo has some 20,000
    answers, which one by one would take most of its run time."""
    members = sheet.organization.members_total
    public = max(1, math.ceil(members * public_share_percent() / 100))
    evaluation = evaluations.evaluation_issue(
        actor=actor,
        sheet=sheet,
        members=members,
        public=public,
        closes_at=timezone.now() + dt.timedelta(days=open_days),
    )
    # The codes are random; which of them answer is drawn by position, so the counts repeat.
    codes = list(evaluation.codes.order_by("audience", "code"))
    weights = choice_weights(loss)
    chosen = rng.sample(codes, round(len(codes) * answered))
    answers = [
        dict(zip(QUESTION_FIELDS, rng.choices(CHOICES, weights, k=len(QUESTION_FIELDS)), strict=True))
        for _ in chosen
    ]
    if bulk:
        now = timezone.now()
        CodeUse.objects.bulk_create(CodeUse(code=code, used_at=now) for code in chosen)
        Answer.objects.bulk_create(
            Answer(
                evaluation=evaluation, audience=code.audience, answered_on=timezone.localdate(now), **answer
            )
            for code, answer in zip(chosen, answers, strict=True)
        )
        return evaluation
    for code, answer in zip(chosen, answers, strict=True):
        overall = answer.pop("overall")
        evaluations.answer_submit(code_text=code.code, overall=overall, dimensions=answer)
    return evaluation
