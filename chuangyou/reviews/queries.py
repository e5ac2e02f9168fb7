"""Reads for the review pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Abs
from django.http import Http404

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import REVIEW_READERS, scope_of
from chuangyou.assessments.models import Entry, ScoreSheet, SheetState
from chuangyou.campaigns.models import Campaign
from chuangyou.lib.lookup import get_or_404
from chuangyou.reviews import services
from chuangyou.reviews.models import Review, ReviewEntry, ReviewerAssignment, ReviewKind
from chuangyou.rubrics.models import Category, Item, Situation, SituationList

# The states in which a sheet is in the review queue.
QUEUE_STATES = (SheetState.SUBMITTED, SheetState.UNDER_REVIEW, SheetState.REVIEWED, SheetState.RECHECKED)


def campaign_for(user, pk) -> tuple[list[Campaign], Campaign | None]:
    """The campaigns the user can see and the one chosen (`pk`, default the latest); 404 for an
    unknown or invisible `pk`."""
    campaigns = list(Campaign.objects.visible_to(user).select_related("root"))
    if not pk:
        return campaigns, (campaigns[0] if campaigns else None)
    current = next((c for c in campaigns if str(c.pk) == str(pk)), None)
    if current is None:
        raise Http404("活动不存在或不在您的管辖范围内")
    return campaigns, current


def township_review_total():
    return Subquery(Review.objects.filter(sheet=OuterRef("pk"), kind=ReviewKind.TOWNSHIP).values("total")[:1])


def review_queue(user, campaign: Campaign):
    """The campaign's graded sheets the user can see that were submitted."""
    sheets = campaign.graded_sheets() & ScoreSheet.objects.visible_to(user, roles=REVIEW_READERS)
    return sheets.filter(state__in=QUEUE_STATES)


def with_review_score(sheets):
    """`review_score`: the finished review's score, or the township's review in progress; `gap`:
    review − self."""
    money = DecimalField(max_digits=6, decimal_places=2)
    return sheets.annotate(
        review_score=Case(
            When(state=SheetState.UNDER_REVIEW, then=township_review_total()),
            default=F("final_total"),
            output_field=money,
        )
    ).annotate(gap=F("review_score") - F("total"))


def with_large_gap(sheets, threshold: Decimal):
    return (
        sheets.filter(review_score__isnull=False)
        .annotate(gap_size=Abs("gap"))
        .filter(gap_size__gte=threshold)
    )


class ReviewerCheck:
    """`services.may_review` for many sheets of one campaign, with the assignments read once."""

    def __init__(self, user, campaign: Campaign):
        self.scope = scope_of(user)
        self.user = user
        self.assigned = services.campaign_assignments(campaign.pk)

    def may_review(self, path: str, kind: str) -> bool:
        return services.reviewer_may(self.scope, self.user, path, kind, self.assigned)


def get_review_for_user(user, pk) -> Review:
    reviews = Review.objects.visible_to(user).select_related("reviewer")
    return get_or_404(reviews, pk, "审核表不存在或不在您的管辖范围内")


def reviews_of(user, sheet: ScoreSheet) -> dict[str, Review]:
    """The sheet's reviews by kind (township, county)."""
    reviews = Review.objects.visible_to(user).filter(sheet=sheet).select_related("reviewer")
    return {r.kind: r for r in reviews.prefetch_related("situations")}


@dataclass(frozen=True)
class ItemRow:
    item: Item
    entry: Entry | None  # the branch's own
    review_entry: ReviewEntry | None  # of the review shown (township or county)
    township_entry: ReviewEntry | None = None  # on the re-check: the township's score


def review_layout(sheet: ScoreSheet, review: Review | None, township: Review | None = None):
    """The rubric's categories, each with its items' rows (self entry, review entry, township entry)."""
    entries = {e.item_id: e for e in Entry.objects.filter(sheet=sheet).prefetch_related("evidence")}
    mine = {e.item_id: e for e in ReviewEntry.objects.filter(review=review)} if review else {}
    theirs = (
        {e.item_id: e for e in ReviewEntry.objects.filter(review=township)}
        if township is not None and township != review
        else {}
    )
    categories = Category.objects.filter(rubric=sheet.rubric_id).prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("order", "id"))
    )
    return [
        (
            c,
            [ItemRow(i, entries.get(i.pk), mine.get(i.pk), theirs.get(i.pk)) for i in c.items.all()],
        )
        for c in categories
    ]


def veto_choices(sheet):
    """The 一票否决 situations of the sheet's own rubric."""
    from chuangyou.rubrics.models import Veto

    return Veto.objects.filter(rubric=sheet.rubric_id).order_by("order", "id")


def situation_choices(review: Review | None):
    """The situations of the latest published 软弱涣散 list, plus any the review already marks."""
    latest = SituationList.objects.published().order_by("-published_at", "-version", "-pk").values("pk")[:1]
    chosen = [s.pk for s in review.situations.all()] if review is not None else []
    return Situation.objects.filter(Q(situation_list__in=latest) | Q(pk__in=chosen)).order_by(
        "situation_list_id", "order", "id"
    )


def assignments_of(user, campaign: Campaign):
    return (
        ReviewerAssignment.objects.filter(campaign=campaign)
        .filter(scope_of(user).q_for("organization__path"))
        .select_related("reviewer", "organization")
        .order_by("organization__path", "reviewer__username")
    )


def reviewers_for(user):
    """Users holding an active township-reviewer role inside the user's scope."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(roles__role=Role.TOWNSHIP_REVIEWER, roles__active=True, is_active=True)
        .filter(scope_of(user).q_for("roles__organization__path"))
        .distinct()
        .order_by("username")
    )


def prefilled_count(review: Review) -> int:
    """Items of a review still as copied from the self-assessment (not yet checked by the reviewer)."""
    return review.entries.filter(prefilled=True).count()
