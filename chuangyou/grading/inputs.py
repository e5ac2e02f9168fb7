"""The grading inputs of a campaign, read as plain rows in one query (plus one for township names)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chuangyou.assessments.models import GRADABLE_STATES
from chuangyou.orgs.models import Organization
from chuangyou.rules.grading import BranchScore


@dataclass(frozen=True, slots=True)
class InputRow:
    sheet_id: int
    organization_id: int
    domain: str
    branch: BranchScore


def township_names(campaign) -> dict[str, str]:
    """Path → name of the organizations one level under the campaign's root (乡镇、街道、县直党委)."""
    root = campaign.root
    return dict(
        Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).values_list(
            "path", "name"
        )
    )


def load_inputs(campaign, sheets=None, *, with_subtotals: bool = False) -> list[InputRow]:
    """One row per branch with a finished review: final score, frozen satisfaction, veto and weak flags.

    `sheets` narrows the campaign's graded sheets (to a user's scope, say).
    """
    sheets = campaign.graded_sheets() if sheets is None else sheets
    sheets = sheets.filter(state__in=GRADABLE_STATES, organization__in=campaign.participants())
    towns = township_names(campaign)
    cut = Organization.steplen * (campaign.root.depth + 1)
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
    ]
    if with_subtotals:
        fields.append("final_subtotals")
    rows = []
    for values in sheets.order_by().values_list(*fields):
        sheet_id, org_id, code, name, path, domain, score, satisfaction, veto, weak = values[:10]
        subtotals = tuple(Decimal(v) for v in values[10].values()) if with_subtotals else ()
        branch = BranchScore(
            code=code,
            name=name,
            township=towns.get(path[:cut], name),
            score=score,
            satisfaction=satisfaction,
            veto=veto,
            weak=weak,
            subtotals=subtotals,
        )
        rows.append(InputRow(sheet_id, org_id, domain, branch))
    return rows
