"""The grading inputs of a campaign, read as plain rows in one query (plus one for township names)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chuangyou.assessments.models import GRADABLE_STATES
from chuangyou.rules.grading import BranchScore


@dataclass(frozen=True, slots=True)
class InputRow:
    sheet_id: int
    organization_id: int
    domain: str
    branch: BranchScore


def category_orders(sheets) -> dict[int, tuple[str, ...]]:
    """Rubric id → its category names in the rubric's order, for the rubrics of `sheets`.

    The subtotals tie-break compares categories in this order; the keys of the stored subtotals
    have no reliable order (PostgreSQL's jsonb sorts them by length, then by bytes)."""
    from chuangyou.rubrics.models import Category

    orders: dict[int, list[str]] = {}
    rubrics = sheets.order_by().values("rubric_id").distinct()
    for rubric_id, name in (
        Category.objects.filter(rubric__in=rubrics).order_by("order", "id").values_list("rubric_id", "name")
    ):
        orders.setdefault(rubric_id, []).append(name)
    return {rubric_id: tuple(names) for rubric_id, names in orders.items()}


def load_inputs(
    campaign, sheets=None, *, with_subtotals: bool = False, committed: dict[int, str] | None = None
) -> list[InputRow]:
    """One row per branch with a finished review: final score, frozen satisfaction, veto and weak flags.

    `sheets` narrows the campaign's graded sheets (to a user's scope, say); `committed` gives the
    grades already submitted for notice (organization id → grade), which the run keeps.
    """
    committed = committed or {}
    from chuangyou.grading.models import Proposal

    proposals = dict(Proposal.objects.filter(campaign=campaign).values_list("organization_id", "state"))
    sheets = campaign.graded_sheets() if sheets is None else sheets
    sheets = sheets.filter(state__in=GRADABLE_STATES, organization__in=campaign.participants())
    towns, cut = campaign.townships()
    fields = [
        "pk",
        "organization_id",
        "organization__code",
        "organization__name",
        "organization__path",
        "organization__domain",
        "final_total",
        "final_satisfaction",
        "final_veto",
        "final_weak",
        "final_favourable_votes",
        "final_valid_votes",
        "applied_grade",
        "final_veto_cap",
        "final_members_score",
        "final_public_score",
    ]
    orders: dict[int, tuple[str, ...]] = {}
    if with_subtotals:
        fields += ["final_subtotals", "rubric_id"]
        orders = category_orders(sheets)
    rows = []
    for values in sheets.order_by().values_list(*fields):
        sheet_id, org_id, code, name, path, domain, score, satisfaction, veto, weak = values[:10]
        favourable, valid, declared, veto_cap, members_score, public_score = values[10:16]
        subtotals = ()
        if with_subtotals:  # in the rubric's category order; a category without a subtotal scored 0
            stored = values[16] or {}
            subtotals = tuple(Decimal(stored.get(c, 0)) for c in orders.get(values[17], ()))
        branch = BranchScore(
            code=code,
            name=name,
            township=towns.get(path[:cut], name),
            score=score,
            satisfaction=satisfaction,
            veto=veto,
            weak=weak,
            subtotals=subtotals,
            committed=committed.get(org_id, ""),
            votes=None if valid is None else (favourable or 0, valid),
            declared=declared,
            proposal=proposals.get(org_id, ""),
            veto_cap=veto_cap if veto else "",
            evaluation=(members_score, public_score),
        )
        rows.append(InputRow(sheet_id, org_id, domain, branch))
    return rows


def quota_bases(campaign, setting: str, groups) -> dict[str, dict[str, int]] | None:
    """The quota base of a run under `setting` (a `QuotaBase`): each scheme group's existing
    participants per township (group key → township → branches), or None for the branches graded."""
    from chuangyou.campaigns.models import QuotaBase

    if setting != QuotaBase.PARTICIPANTS:
        return None
    return {g.key: campaign.participants_by_township(g if len(groups) > 1 else None) for g in groups}
