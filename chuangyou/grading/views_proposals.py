"""推荐优秀 and 复核: a township proposes its top-grade candidates within its seats; the county
re-checks each. One page per campaign: the county sees every township, a township reviewer its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.grading import proposals, queries
from chuangyou.grading.models import Proposal, ProposalState
from chuangyou.lib.lookup import get_or_404
from chuangyou.reviews.models import Method


def _campaign(request, pk):
    campaign = queries.get_campaign_for_user(request.user, pk)
    if not scope_of(request.user).has_role(*proposals.PROPOSERS):
        raise PermissionDenied("推荐优秀由乡镇（街道）党（工）委办理，县委组织部复核")
    return campaign


@require_GET
def proposal_list(request, pk):
    campaign = _campaign(request, pk)
    scope = scope_of(request.user)
    seats = proposals.seats(campaign) if campaign.township_proposals else None
    towns = [t for t in proposals.townships(campaign) if scope.contains(t, roles=proposals.PROPOSERS)]
    rows = []
    for town in towns:
        found = proposals.candidates(campaign, town)
        rows.append(
            {
                "township": town,
                "candidates": found,
                "seats": None if seats is None else seats.get(town.name, 0),
                "proposed": sum(1 for c in found if c.proposal),
                "may_propose": proposals.may_propose(request.user, campaign, town),
            }
        )
    return render(
        request,
        "grading/proposals.html",
        {
            "campaign": campaign,
            "top": proposals.top_grade(campaign) if campaign.township_proposals else None,
            "rows": rows,
            "may_decide": proposals.may_decide(request.user, campaign),
            "methods": Method.choices,
            "states": ProposalState,
        },
    )


@require_POST
def proposal_set(request, pk, township_pk):
    campaign = _campaign(request, pk)
    township = get_or_404(
        proposals.townships(campaign).filter(scope_of(request.user).q_for("path", roles=proposals.PROPOSERS)),
        township_pk,
        "乡镇（街道）不存在或不在您的管辖范围内",
    )
    try:
        names = proposals.proposals_set(
            actor=request.user,
            campaign=campaign,
            township=township,
            organization_ids=[v for v in request.POST.getlist("organization") if v.isdigit()],
        )
    except proposals.ProposalError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        messages.success(request, f"已推荐{len(names)}个：{'、'.join(names) or '无'}，等待县委组织部复核")
    return redirect("grading:proposals", pk=campaign.pk)


@require_POST
def proposal_decide(request, pk):
    found = Proposal.objects.visible_to(request.user).select_related("campaign__root", "organization")
    proposal = get_or_404(found, pk, "推荐不存在或不在您的管辖范围内")
    if not scope_of(request.user).has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied("只有县委组织部可以复核推荐的优秀党组织")
    try:
        decided = proposals.proposal_decide(
            actor=request.user,
            proposal=proposal,
            state=request.POST.get("state", ""),
            method=request.POST.get("method", ""),
            note=request.POST.get("note", ""),
        )
    except proposals.ProposalError as exc:
        for error in exc.errors:
            messages.error(request, f"{proposal.organization.name}：{error}")
    else:
        messages.success(
            request, f"已复核{decided.organization.name}：{decided.get_state_display()}，重新定级后生效"
        )
    return redirect("grading:proposals", pk=proposal.campaign_id)
