"""Township reviews and county re-checks of the demo's sheets, through the review services (start,
details, finish: the state machine, the frozen satisfaction rate and the audit trail); the item scores
of a review are drawn like the self-assessment's (`demo_progress.score_entries`) and stored in one
bulk insert over the prefilled copies, as `review_entry_save` would store them one by one."""

from __future__ import annotations

import random

from django.utils import timezone

from chuangyou.assessments.models import ScoreSheet
from chuangyou.assessments.scoring import EntryData, entries_totals
from chuangyou.core.demo_progress import HALF, score_entries
from chuangyou.reviews import services as reviews
from chuangyou.reviews.models import Method, Review, ReviewEntry, ReviewKind
from chuangyou.reviews.queries import situation_choices

WEAK_NOTES = (
    "支部书记长期外出，组织生活长期不正常",
    "班子成员不团结，重点工作推不动",
    "“三会一课”长期不开展，党员教育管理松散",
)
OPINIONS = (
    "工作扎实，台账较规范",
    "各项工作基本落实，个别台账需补充完善",
    "党建工作与业务工作结合较好，群众评价较高",
)
RECHECK_NOTE = "复核抽查会议记录，个别记录不完整"


def _score_review(review: Review, items, loss: float, rng: random.Random, reviewer, count=None) -> None:
    """The reviewer's own scores of the first `count` items replace their prefilled copies of the
    self-assessment; the other items stay prefilled (waiting to be checked)."""
    chosen = items if count is None else items[:count]
    entries, _ = score_entries(chosen, loss, rng, {"review": review}, ReviewEntry, reviewer)
    review.entries.filter(item__in=[i.pk for i in chosen]).delete()
    ReviewEntry.objects.bulk_create(entries)
    review.total, review.subtotals, review.items_done = entries_totals(review.entries.all())
    review.save(update_fields=["total", "subtotals", "items_done", "updated_at"])


def start_township_review(sheet: ScoreSheet, items, loss: float, rng: random.Random, reviewer) -> Review:
    """A township review under way: started, about half of the items scored."""
    review = reviews.review_start(actor=reviewer, sheet=sheet)
    _score_review(review, items, loss, rng, reviewer, count=rng.randint(len(items) // 3, 2 * len(items) // 3))
    return review


def review_by_township(
    sheet: ScoreSheet, items, loss: float, rng: random.Random, reviewer, *, weak: bool, evaluated: bool
) -> Review:
    """A finished township review: every item scored, the methods used, 软弱涣散 situations for a weak
    branch. `review_finish` writes the sheet's grading inputs."""
    review = reviews.review_start(actor=reviewer, sheet=sheet)
    _score_review(review, items, loss, rng, reviewer)
    day = timezone.localdate()
    methods = [
        reviews.MethodUse(Method.REPORT, day, "听取支部书记汇报"),
        reviews.MethodUse(Method.DOCUMENTS, day, "查阅会议记录和台账"),
    ]
    if evaluated:
        methods.append(reviews.MethodUse(Method.EVALUATION, day, "组织党员群众民主测评"))
    situations = []
    if weak:
        methods.append(reviews.MethodUse(Method.SITE_VISIT, day, "实地查看活动场所"))
        choices = list(situation_choices(None))
        situations = rng.sample(choices, min(len(choices), rng.randint(1, 2)))
    details = reviews.ReviewDetails(
        methods=methods,
        situations=situations,
        weak_note=rng.choice(WEAK_NOTES) if weak else "",
        opinion="存在明显短板，需整顿提升" if weak else rng.choice(OPINIONS),
    )
    review = reviews.review_details_save(
        actor=reviewer, review=review, details=details, version=review.version
    )
    return reviews.review_finish(actor=reviewer, review=review)


def recheck_by_county(sheet: ScoreSheet, admin, rng: random.Random) -> Review:
    """The county re-checks a reviewed sheet (starting from the township's scores), now and then
    taking half a point more off a discretionary item, and finishes."""
    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    if rng.random() < 0.3:
        entry = (
            recheck.entries.filter(item__kind="discretionary", result__gte=1)
            .select_related("item__category")
            .order_by("item__category__order", "item__order")
            .first()
        )
        if entry is not None:
            data = EntryData(score=entry.result - HALF, reason=RECHECK_NOTE)
            reviews.review_entry_save(
                actor=admin, review=recheck, item=entry.item, data=data, version=entry.version
            )
            recheck.refresh_from_db()
    day = timezone.localdate()
    details = reviews.ReviewDetails(
        methods=[reviews.MethodUse(Method.INVESTIGATION, day, "县委组织部抽查复核")],
        situations=list(recheck.situations.all()),
        weak_note=recheck.weak_note,
        vetoes=list(recheck.vetoes.all()),
        opinion="复核同意乡镇（街道）审核意见",
    )
    recheck = reviews.review_details_save(
        actor=admin, review=recheck, details=details, version=recheck.version
    )
    return reviews.review_finish(actor=admin, review=recheck)
