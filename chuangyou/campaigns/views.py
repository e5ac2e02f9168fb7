from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import REVIEW_READERS, scope_of
from chuangyou.campaigns import services
from chuangyou.campaigns.forms import (
    PRESET_CHOICES,
    CampaignForm,
    DomainSchemeForm,
    ExclusionForm,
    GradingSettingsForm,
    RoundForm,
    RubricChoiceForm,
)
from chuangyou.campaigns.models import Campaign
from chuangyou.grading.services import may_grade
from chuangyou.lib.lookup import get_or_404
from chuangyou.orgs.models import Organization
from chuangyou.rubrics.models import Rubric


def _admin_only(request):
    if not scope_of(request.user).has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied("只有县委组织部管理员可以管理活动")


def _campaign(request, pk) -> Campaign:
    campaigns = Campaign.objects.visible_to(request.user).select_related("root")
    return get_or_404(campaigns, pk, "活动不存在或不在您的管辖范围内")


@require_GET
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).select_related("root")
    can_create = scope_of(request.user).has_role(Role.COUNTY_ADMIN)
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "can_create": can_create})


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _admin_only(request)
    initial = CampaignForm.defaults(timezone.localdate().year)
    form = CampaignForm(request.POST or None, request.FILES or None, initial=initial)
    roots = [g for g in scope_of(request.user).grants if g.role == Role.COUNTY_ADMIN]
    if request.method == "POST" and form.is_valid():
        root = (
            Organization.objects.get(pk=roots[0].org_id)
            if roots
            else Organization.objects.filter(depth=1).first()
        )
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                year=data["year"],
                name=data["name"],
                root=root,
                scheme=data["scheme"],
                graded_round=data["graded_round"],
                phases=form.phases(),
                scheme_text=data["scheme_text"],
            )
        except services.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已创建“{campaign.name}”")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form})


@require_GET
def campaign_detail(request, pk):
    return _render_detail(request, _campaign(request, pk))


GRADING_SETTINGS = tuple(GradingSettingsForm.base_fields)


def _render_detail(request, campaign, grading_form=None, status=200):
    """The campaign page; a refused 定级设置 comes back with what was typed and the errors beside it."""
    participants = campaign.participants().count()
    rounds = campaign.rounds.annotate(sheets_count=Count("sheets"))
    chosen = {r.domain: r.rubric for r in campaign.rubrics.select_related("rubric")}
    # Every domain that takes part, with the rubric chosen for it (None: still to choose).
    domains = sorted(set(campaign.participants().values_list("domain", flat=True).distinct()) | set(chosen))
    if grading_form is None:
        grading_form = GradingSettingsForm(initial={k: getattr(campaign, k) for k in GRADING_SETTINGS})
    context = {
        "campaign": campaign,
        "participants": participants,
        "quota_groups": services.quota_groups(campaign),
        "domain_schemes": campaign.domain_schemes or {},
        "scheme_choices": DomainSchemeForm.base_fields["scheme"].choices,
        "scheme_titles": dict(PRESET_CHOICES),
        "phases": campaign.phases.all(),
        "domain_rubrics": [(d, chosen.get(d)) for d in domains],
        "published": Rubric.objects.published().order_by("code", "version"),
        "rounds": rounds,
        "exclusions": campaign.exclusions.select_related("organization"),
        "round_form": RoundForm(),
        "exclusion_form": ExclusionForm(),
        "can_manage": scope_of(request.user).has_role(Role.COUNTY_ADMIN),
        "can_grade": may_grade(request.user, campaign),
        "can_preview": scope_of(request.user).has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER),
        "can_read_grades": scope_of(request.user).has_role(*REVIEW_READERS),
        "grading_form": grading_form,
    }
    return render(request, "campaigns/detail.html", context, status=status)


def _act(request, pk, call, success, form_class):
    campaign = _campaign(request, pk)
    _admin_only(request)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写：" + "、".join(str(form.fields[f].label) for f in form.errors))
        return redirect("campaigns:detail", pk=campaign.pk)
    try:
        call(campaign, form.cleaned_data)
    except services.CampaignError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
def round_open(request, pk):
    def call(campaign, data):
        services.round_open(actor=request.user, campaign=campaign, **data)

    return _act(request, pk, call, "已开启自查，各支部可以开始填写", RoundForm)


@require_POST
def exclusion_add(request, pk):
    def call(campaign, data):
        org = Organization.objects.visible_to(request.user).filter(code=data["code"].strip()).first()
        if org is None:
            raise services.CampaignError(f"找不到代码为“{data['code']}”的组织")
        services.campaign_exclude(
            actor=request.user, campaign=campaign, organization=org, reason=data["reason"]
        )

    return _act(request, pk, call, "已调整参评范围", ExclusionForm)


@require_POST
def rubric_set(request, pk):
    def call(campaign, data):
        rubric = Rubric.objects.published().filter(pk=data["rubric"]).first()
        if rubric is None:
            raise services.CampaignError("请选择已发布的评定标准")
        services.campaign_set_rubric(
            actor=request.user, campaign=campaign, domain=data["domain"], rubric=rubric
        )

    return _act(request, pk, call, "已设置该领域的评定标准", RubricChoiceForm)


@require_POST
def domain_scheme_set(request, pk):
    def call(campaign, data):
        services.campaign_set_domain_scheme(actor=request.user, campaign=campaign, **data)

    return _act(request, pk, call, "已设置该领域的评定方案，下次定级时生效", DomainSchemeForm)


@require_POST
def grading_settings(request, pk):
    """定级设置: the county admin over the campaign's root only."""
    campaign = _campaign(request, pk)
    if not may_grade(request.user, campaign):
        raise PermissionDenied("只有县委组织部可以修改定级设置")
    form = GradingSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_grading_settings(actor=request.user, campaign=campaign, **form.cleaned_data)
        except services.CampaignError as exc:
            for error in exc.errors:
                form.add_error(None, error)
    if not form.is_valid():
        messages.error(request, "定级设置未保存，请按提示修改")
        return _render_detail(request, campaign, form, status=400)
    messages.success(
        request, "已保存定级设置：名额和定级规则下次定级时生效，分差提示线和调整等级的规定即时生效"
    )
    return redirect("campaigns:detail", pk=campaign.pk)
