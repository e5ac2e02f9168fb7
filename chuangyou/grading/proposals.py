"""Township proposals for the top grade (推荐优秀) and the county's re-check of each (复核).

Seed 000 其次: the township "评定良好档次以下党组织，评审优秀档次党组织", the county re-checks. With
`Campaign.township_proposals`, a township proposes branches that reach the top grade's score line,
at most its seats: the county's quota apportioned by largest remainder over the townships' existing
branches. The county accepts or declines each proposal with a method and a note (a new score comes
from its re-check review of the sheet). Only proposed branches may get the top grade
(`rules.grading.proposal_cap`), and a run is not submitted while a proposal it grades at the top is
not re-checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import GRADABLE_STATES
from chuangyou.audit.services import record
from chuangyou.campaigns.models import Campaign, QuotaBase
from chuangyou.grading.models import Proposal, ProposalState
from chuangyou.lib.errors import ServiceError
from chuangyou.orgs.models import Organization
from chuangyou.reviews.models import Method
from chuangyou.rules.grading import apportion

PROPOSERS = {Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER}


class ProposalError(ServiceError):
    """A refused proposal or re-check."""


def townships(campaign: Campaign):
    """The organizations one level under the campaign's root, in tree order."""
    root = campaign.root
    return Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")


def top_grade(campaign: Campaign):
    """The scheme's top grade (its label and score line)."""
    return campaign.grade_scheme().grades[0]


def seats(campaign: Campaign) -> dict[str, int] | None:
    """Township name → the top-grade candidates it may propose; None when the top grade has no
    quota. The county's limit over the quota base, apportioned by the townships' existing branches."""
    scheme = campaign.grade_scheme()
    quota = next((q for q in scheme.quotas if q.grade == scheme.labels[0]), None)
    if quota is None:
        return None
    main = campaign.scheme_groups()[0]  # proposals are the campaign's own scheme's (not other domains')
    sizes = campaign.participants_by_township(main)
    if campaign.quota_base == QuotaBase.PARTICIPANTS:
        n = sum(sizes.values())
    else:
        reviewed = campaign.graded_sheets().filter(state__in=GRADABLE_STATES)
        n = reviewed.filter(organization__in=campaign.group_participants(main)).count()
    limit, _ = campaign.grading_policy().limit(quota, n)
    return apportion(limit, sizes)


@dataclass(frozen=True)
class Candidate:
    organization: Organization
    sheet_id: int
    score: object
    proposal: Proposal | None


def candidates(campaign: Campaign, township: Organization) -> list[Candidate]:
    """The township's branches with a finished review that reach the top grade's line, best first,
    with their proposals. A branch whose grade is already submitted for notice keeps it (the next run
    does not change it), so it is offered only when it has a proposal to show."""
    from chuangyou.notices.services import committed_grades  # notices build on grading

    line = top_grade(campaign).min_score
    sheets = (
        campaign.graded_sheets()
        .filter(
            state__in=GRADABLE_STATES,
            organization__in=campaign.group_participants(campaign.scheme_groups()[0]),
            organization__path__startswith=township.path,
            final_total__gte=line,
        )
        .select_related("organization")
        .order_by("-final_total", "organization__code")
    )
    proposals = {
        p.organization_id: p
        for p in Proposal.objects.filter(campaign=campaign, organization__path__startswith=township.path)
    }
    committed = committed_grades(campaign)
    return [
        Candidate(s.organization, s.pk, s.final_total, proposals.get(s.organization_id))
        for s in sheets
        if s.organization_id not in committed or s.organization_id in proposals
    ]


def may_propose(user, campaign: Campaign, township: Organization) -> bool:
    return campaign.township_proposals and scope_of(user).contains(township, roles=PROPOSERS)


def may_decide(user, campaign: Campaign) -> bool:
    return scope_of(user).contains(campaign.root, roles={Role.COUNTY_ADMIN})


@transaction.atomic
def proposals_set(*, actor, campaign: Campaign, township: Organization, organization_ids) -> list[str]:
    """The township's pending proposals become these branches; returns the names proposed (pending or
    accepted). A proposal the county has re-checked stays as it is; a declined one frees its seat."""
    campaign = Campaign.objects.select_for_update().select_related("root").get(pk=campaign.pk)
    if not campaign.township_proposals:
        raise ProposalError("本次活动未采用乡镇（街道）推荐优秀的做法，由县委组织部直接定级")
    if township.depth != campaign.root.depth + 1 or not township.path.startswith(campaign.root.path):
        raise ProposalError(f"“{township.name}”不是本次活动的乡镇（街道）")
    if not may_propose(actor, campaign, township):
        raise ProposalError("只有本乡镇（街道）审核人或县委组织部可以推荐优秀")
    top = top_grade(campaign)
    eligible = {c.organization.pk: c for c in candidates(campaign, township)}
    chosen = {int(pk) for pk in organization_ids}
    errors = []
    if unknown := chosen - set(eligible):
        names = Organization.objects.filter(pk__in=unknown).values_list("name", flat=True)
        errors.append(
            f"以下党组织未完成审核或未达到{top.label}标准（{top.min_score}分），不能推荐："
            + "、".join(sorted(names) or ["（不在本乡镇范围内）"])
        )
    current = {
        p.organization_id: p for p in Proposal.objects.filter(campaign=campaign, organization__in=eligible)
    }
    decided = {pk for pk, p in current.items() if p.state != ProposalState.PENDING}
    accepted = {pk for pk, p in current.items() if p.state == ProposalState.ACCEPTED}
    pending = chosen - decided
    allowed = seats(campaign)
    allowed = None if allowed is None else allowed.get(township.name, 0)
    if allowed is not None and len(pending | accepted) > allowed:
        errors.append(
            f"{township.name}可推荐{top.label}{allowed}个（县委名额按各乡镇现有党支部数以最大余数法分配），"
            f"现选了{len(pending | accepted)}个" + (f"（含复核同意的{len(accepted)}个）" if accepted else "")
        )
    if errors:
        raise ProposalError(errors)
    before = sorted(eligible[pk].organization.name for pk in current)
    Proposal.objects.filter(campaign=campaign, organization__in=set(current) - chosen - decided).delete()
    Proposal.objects.bulk_create(
        Proposal(campaign=campaign, organization_id=pk, proposed_by=actor) for pk in pending - set(current)
    )
    after = sorted(eligible[pk].organization.name for pk in pending | accepted)
    record(
        actor=actor,
        verb="proposal.set",
        target=campaign,
        organization=township,
        before={"proposed": before},
        after={"proposed": after},
    )
    return after


@transaction.atomic
def proposal_decide(*, actor, proposal: Proposal, state: str, method: str, note: str) -> Proposal:
    """The county's re-check (复核) of one proposal: accepted or declined, with a method and a note."""
    current = (
        Proposal.objects.select_for_update()
        .select_related("campaign__root", "organization")
        .get(pk=proposal.pk)
    )
    if not may_decide(actor, current.campaign):
        raise ProposalError("只有县委组织部可以复核推荐的优秀党组织")
    errors = []
    if state not in (ProposalState.ACCEPTED, ProposalState.DECLINED):
        errors.append("请选择复核结果：同意或不同意")
    if method not in Method.values:
        errors.append("请选择复核方式（听取汇报、民主测评、查阅资料、实地查看、调查核实）")
    note = (note or "").strip()
    if not note:
        errors.append("请填写复核意见")
    elif len(note) > 500:
        errors.append(f"复核意见不超过500字（现有{len(note)}字）")
    if errors:
        raise ProposalError(errors)
    before = {"state": current.state, "method": current.method, "note": current.note}
    current.state, current.method, current.note = state, method, note
    current.decided_by, current.decided_at = actor, timezone.now()
    current.save()
    record(
        actor=actor,
        verb="proposal.decide",
        target=current,
        organization=current.organization,
        before=before,
        after={"state": state, "method": method, "note": note},
    )
    return current
