"""Setting up a campaign and opening its self-assessment rounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import GRADABLE_STATES, ScoreSheet
from chuangyou.audit.services import record
from chuangyou.campaigns.models import AssessmentRound, Campaign, CampaignRubric, Exclusion, Phase, QuotaBase
from chuangyou.lib.errors import ServiceError
from chuangyou.orgs.models import Domain
from chuangyou.rubrics.models import DomainBinding, Rubric, Status
from chuangyou.rules.domains import domain_names
from chuangyou.rules.grade_scheme import PRESETS, SchemeError, scheme_from_text
from chuangyou.rules.scheme_groups import domain_scheme_errors, group_heading, groups_policy_errors


class CampaignError(ServiceError):
    """A refused change; the messages are for the user (Chinese)."""


@transaction.atomic
def campaign_create(
    *,
    actor,
    year: int,
    name: str,
    root,
    scheme: str,
    graded_round: str,
    phases: dict[str, tuple[dt.date, dt.date]],
    scheme_text: str = "",
) -> Campaign:
    """`scheme` is a preset name; with `scheme_text` (a county's own TOML file) the scheme's name."""
    if scheme_text:
        try:
            scheme = scheme_from_text(scheme_text).name or "自定义方案"
        except SchemeError as exc:
            raise CampaignError(str(exc)) from exc
    elif scheme not in PRESETS:
        raise CampaignError(f"未知的评定方案“{scheme}”")
    if Campaign.objects.filter(root=root, year=year).exists():
        raise CampaignError(f"{root.name}{year}年度的活动已经存在")
    for kind, (starts, ends) in phases.items():
        if ends < starts:
            raise CampaignError(
                f"阶段“{dict(Phase._meta.get_field('kind').choices)[kind]}”的结束日期早于开始日期"
            )
    campaign = Campaign.objects.create(
        year=year,
        name=name,
        root=root,
        scheme=scheme[:40],
        scheme_text=scheme_text,
        graded_round=graded_round,
        created_by=_user(actor),
    )
    Phase.objects.bulk_create(
        Phase(campaign=campaign, kind=k, starts=s, ends=e) for k, (s, e) in phases.items()
    )
    # Each domain starts from the rubric the county bound to it; the campaign keeps that version.
    CampaignRubric.objects.bulk_create(
        CampaignRubric(campaign=campaign, domain=b.domain, rubric_id=b.rubric_id)
        for b in DomainBinding.objects.all()
    )
    record(
        actor=actor,
        verb="campaign.create",
        target=campaign,
        organization=root,
        after={"year": year, "name": name, "scheme": scheme, "graded_round": graded_round},
    )
    return campaign


@transaction.atomic
def campaign_set_rubric(*, actor, campaign: Campaign, domain: str, rubric: Rubric) -> None:
    if rubric.status != Status.PUBLISHED:
        raise CampaignError("只能选用已发布的评定标准版本")
    if campaign.rounds.exists():
        raise CampaignError("自查已经开始，不能再更换评定标准")
    current = CampaignRubric.objects.filter(campaign=campaign, domain=domain).first()
    before = {"domain": domain, "rubric": str(current.rubric)} if current else None
    CampaignRubric.objects.update_or_create(campaign=campaign, domain=domain, defaults={"rubric": rubric})
    record(
        actor=actor,
        verb="campaign.update",
        target=campaign,
        organization=campaign.root,
        before=before,
        after={"domain": domain, "rubric": str(rubric)},
    )


@transaction.atomic
def campaign_exclude(*, actor, campaign: Campaign, organization, reason: str) -> Exclusion:
    if not reason.strip():
        raise CampaignError("请填写不参评的原因")
    if not organization.path.startswith(campaign.root.path):
        raise CampaignError("该组织不在本次活动范围内")
    exclusion, created = Exclusion.objects.get_or_create(
        campaign=campaign, organization=organization, defaults={"reason": reason.strip()}
    )
    if created:
        record(
            actor=actor,
            verb="campaign.exclude",
            target=campaign,
            organization=organization,
            after={"organization": organization.code, "reason": exclusion.reason},
        )
    return exclusion


@transaction.atomic
def round_open(*, actor, campaign: Campaign, kind: str, opens: dt.date, closes: dt.date) -> AssessmentRound:
    """Open a round: every participating branch gets a score sheet on its domain's rubric."""
    if closes < opens:
        raise CampaignError("截止日期不能早于开始日期")
    if campaign.rounds.filter(kind=kind).exists():
        raise CampaignError("该轮自查已经开启")
    rubrics = {r.domain: r.rubric for r in campaign.rubrics.select_related("rubric")}
    item_counts = _item_counts(rubrics.values())
    participants = list(campaign.participants().only("pk", "domain"))
    missing = sorted({o.get_domain_display() or "未填写" for o in participants if o.domain not in rubrics})
    if missing:
        raise CampaignError(f"以下领域还没有选定评定标准：{'、'.join(missing)}")
    assessment_round = AssessmentRound.objects.create(
        campaign=campaign, kind=kind, opens=opens, closes=closes
    )
    ScoreSheet.objects.bulk_create(
        (
            ScoreSheet(
                round=assessment_round,
                organization=o,
                rubric=rubrics[o.domain],
                items_total=item_counts[rubrics[o.domain].pk],
            )
            for o in participants
        ),
        batch_size=2000,
    )
    record(
        actor=actor,
        verb="round.open",
        target=assessment_round,
        organization=campaign.root,
        after={"kind": kind, "opens": opens, "closes": closes, "sheets": len(participants)},
    )
    return assessment_round


def _item_counts(rubrics) -> dict[int, int]:
    from django.db.models import Count

    from chuangyou.rubrics.models import Item

    ids = {r.pk for r in rubrics}
    rows = Item.objects.filter(category__rubric__in=ids).values("category__rubric").annotate(n=Count("id"))
    return {row["category__rubric"]: row["n"] for row in rows}


def quota_base_count(campaign: Campaign, participants) -> int:
    """N of the quotas as the next run will count it: the participants, or the sheets reviewed now
    (`participants` a queryset of branches: the campaign's, or one scheme group's)."""
    if campaign.quota_base == QuotaBase.PARTICIPANTS:
        return participants.count()
    return campaign.graded_sheets().filter(state__in=GRADABLE_STATES, organization__in=participants).count()


def quotas(campaign: Campaign, participants: int, scheme=None) -> list[dict]:
    """The limits the grading core will apply for this number of branches, for the campaign page;
    under the campaign's scheme, or another scheme of some domains."""
    try:
        scheme = scheme or campaign.grade_scheme()
    except SchemeError:
        return []
    rows = [
        {"label": f"{q.grade}（至多）", "count": q.limit(participants), "rule": q.describe(participants)}
        for q in scheme.quotas
    ]
    if scheme.floor:
        rows.append(
            {
                "label": f"{scheme.floor.label}（至少）",
                "count": scheme.floor.minimum(participants),
                "rule": scheme.floor.describe(participants),
            }
        )
    return rows


def quota_groups(campaign: Campaign) -> list[dict]:
    """Per scheme group: its heading (empty with one scheme), quota base and limits."""
    try:
        groups = campaign.scheme_groups()
    except SchemeError:
        return []
    found = []
    for group in groups:
        participants = campaign.group_participants(group) if len(groups) > 1 else campaign.participants()
        base = quota_base_count(campaign, participants)
        heading = ""
        if len(groups) > 1:
            heading = group_heading(domain_names(group.domains), group.scheme.title)
        found.append({"heading": heading, "base": base, "rows": quotas(campaign, base, group.scheme)})
    return found


@transaction.atomic
def campaign_set_domain_scheme(*, actor, campaign: Campaign, domain: str, scheme: str) -> Campaign:
    """Grade one domain under another preset scheme ("": the campaign's own). Refused once a grade is
    submitted for notice, and where the domain's branches applied for (or were capped at) grades the
    new scheme lacks."""
    from chuangyou.grading.models import GradingRun  # grading builds on campaigns

    current = Campaign.objects.select_for_update(of=("self",)).select_related("root").get(pk=campaign.pk)
    if not scope_of(actor).contains(current.root, roles={Role.COUNTY_ADMIN}):
        raise CampaignError("只有县委组织部可以修改定级设置")
    before = dict(current.domain_schemes or {})
    after = {d: k for d, k in before.items() if d != domain}
    if scheme and scheme != current.scheme:
        after[domain] = scheme
    if errors := domain_scheme_errors({domain: scheme}, dict(Domain.choices), current.scheme):
        raise CampaignError(errors)
    if after == before:
        return current
    if GradingRun.objects.filter(campaign=current, submitted_at__isnull=False).exists():
        raise CampaignError("已有定级结果提交公示，不能再修改分领域评定方案")
    current.domain_schemes = after
    try:
        labels = current.scheme_for(domain).labels
        problems = groups_policy_errors(current.scheme_groups(), current.grading_policy())
    except SchemeError as exc:
        raise CampaignError(str(exc)) from None
    if problems:
        raise CampaignError([f"按现有定级设置不能这样分领域评定：{problems[0]}", *problems[1:]])
    stale = (
        current.graded_sheets()
        .filter(organization__domain=domain)
        .filter(
            ~Q(applied_grade="") & ~Q(applied_grade__in=labels)
            | ~Q(final_veto_cap="") & ~Q(final_veto_cap__in=labels)
        )
    )
    if n := stale.count():
        raise CampaignError(
            f"{Domain(domain).label}已有{n}个党支部的申报等级或一票否决最高等级不是该方案的等级"
            f"（{'、'.join(labels)}），请先退回修改后再改变评定方案"
        )
    current.save(update_fields=["domain_schemes"])
    record(
        actor=actor,
        verb="campaign.domain_scheme",
        target=current,
        organization=current.root,
        before={"domain_schemes": before},
        after={"domain_schemes": after},
    )
    return current


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def campaign_grading_settings(
    *,
    actor,
    campaign: Campaign,
    quota_scope: str,
    gap_threshold,
    allow_quota_override: bool,
    townships_publish: bool = False,
    quota_base: str = QuotaBase.PARTICIPANTS,
    needs_evaluation: bool = True,
    tolerance: Decimal = Decimal(0),
    tolerance_unit: str = "branches",
    pass_unused: bool = False,
    cap_at_declared: bool = True,
    township_proposals: bool = False,
    evaluation_weight: Decimal = Decimal(0),
    members_weight: Decimal = Decimal(1),
    public_weight: Decimal = Decimal(1),
) -> Campaign:
    """How the county grades: quota scope, the self/review gap that is marked, overrides, and who
    publishes the notices."""
    current = Campaign.objects.select_for_update(of=("self",)).select_related("root").get(pk=campaign.pk)
    if not scope_of(actor).contains(current.root, roles={Role.COUNTY_ADMIN}):
        raise CampaignError("只有县委组织部可以修改定级设置")
    fields = {
        "quota_scope": quota_scope,
        "quota_base": quota_base,
        "needs_evaluation": needs_evaluation,
        "tolerance": tolerance,
        "tolerance_unit": tolerance_unit,
        "pass_unused": pass_unused,
        "cap_at_declared": cap_at_declared,
        "township_proposals": township_proposals,
        "evaluation_weight": evaluation_weight,
        "members_weight": members_weight,
        "public_weight": public_weight,
        "gap_threshold": gap_threshold,
        "allow_quota_override": allow_quota_override,
        "townships_publish": townships_publish,
    }
    before = {k: getattr(current, k) for k in fields}
    for name, value in fields.items():
        setattr(current, name, value)
    try:
        problems = groups_policy_errors(current.scheme_groups(), current.grading_policy())
    except SchemeError as exc:
        problems = [str(exc)]
    if problems:
        raise CampaignError(problems)
    current.save(update_fields=list(fields))
    record(
        actor=actor,
        verb="campaign.grading_settings",
        target=current,
        organization=current.root,
        before=before,
        after=fields,
    )
    return current
