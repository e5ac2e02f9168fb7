"""A campaign (争先创优活动): one year's run over one tree, with its scheme, rubrics and rounds."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from chuangyou.orgs.models import Kind, Organization, Status
from chuangyou.rules.grade_scheme import SCOPE_NAMES


class RoundKind(models.TextChoices):
    JUNE = "june", "6月自查"
    DECEMBER = "december", "12月自查"


class QuotaScopeChoice(models.TextChoices):
    COUNTY = "county", SCOPE_NAMES["county"]
    TOWNSHIP = "township", SCOPE_NAMES["township"] + "（最大余数法）"


class QuotaBase(models.TextChoices):
    """N of the quotas: the seed's "按照现有党支部数量" (the default), or the branches a run grades."""

    PARTICIPANTS = "participants", "现有参评党支部数"
    GRADED = "graded", "参加定级的党支部数"


class ToleranceUnit(models.TextChoices):
    BRANCHES = "branches", "个"
    POINTS = "points", "个百分点"


class PhaseKind(models.TextChoices):
    MOBILIZE = "mobilize", "动员部署"
    JUNE = "june", "6月自查申报"
    DECEMBER = "december", "12月自查申报"
    REVIEW = "review", "初步评定"
    NOTICE = "notice", "公示"
    NAMING = "naming", "审定命名"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns whose tree the user can see any part of."""
        from chuangyou.accounts.scope import scope_of

        scope = scope_of(user)
        if scope.is_everything:
            return self
        paths = scope.root_paths
        if not paths:
            return self.none()
        # A campaign is visible when its root contains the user's scope or lies inside it.
        q = models.Q()
        for path in paths:
            q |= models.Q(root__path__startswith=path)
            q |= models.Q(
                root__path__in=[
                    path[:n] for n in range(Organization.steplen, len(path) + 1, Organization.steplen)
                ]
            )
        return self.filter(q)


class Campaign(models.Model):
    year = models.PositiveIntegerField("年度")
    name = models.CharField("活动名称", max_length=100)
    root = models.ForeignKey(
        Organization, verbose_name="组织范围", on_delete=models.PROTECT, related_name="+"
    )
    scheme = models.CharField("评定方案", max_length=40, default="seed2020")
    # A county's own scheme file (TOML), kept with the campaign; empty for the shipped presets.
    scheme_text = models.TextField("自定义评定方案", blank=True)
    # A scheme per domain: domain → preset key; the domains not in it are graded under `scheme`.
    domain_schemes = models.JSONField("分领域评定方案", default=dict, blank=True)
    graded_round = models.CharField(
        "定级轮次", max_length=12, choices=RoundKind.choices, default=RoundKind.DECEMBER
    )
    quota_scope = models.CharField(
        "名额范围", max_length=12, choices=QuotaScopeChoice.choices, default=QuotaScopeChoice.COUNTY
    )
    quota_base = models.CharField(
        "名额基数", max_length=12, choices=QuotaBase.choices, default=QuotaBase.PARTICIPANTS
    )
    # Where the scheme has a satisfaction gate: a branch without a valid 民主测评 is capped by it.
    needs_evaluation = models.BooleanField("无有效民主测评的不得评为满意率门槛以上等级", default=True)
    # 良好 "10%左右": a tolerance above its quota, in branches or percentage points, and 优秀 seats
    # nobody can take passed to 良好.
    tolerance = models.DecimalField("良好名额浮动幅度", max_digits=5, decimal_places=2, default=Decimal(0))
    tolerance_unit = models.CharField(
        "浮动单位", max_length=12, choices=ToleranceUnit.choices, default=ToleranceUnit.BRANCHES
    )
    pass_unused = models.BooleanField("优秀未用名额转入良好", default=False)
    cap_at_declared = models.BooleanField("不得评为高于申报等级的等级", default=True)
    # Seed 000 其次: townships propose 优秀 candidates within their seats, the county re-checks them.
    township_proposals = models.BooleanField("乡镇（街道）推荐优秀、县委组织部复核", default=False)
    # Seed 000: 自评与党员群众评议相结合 — the 民主测评's weight in the final score (0: none).
    evaluation_weight = models.DecimalField(
        "民主测评权重", max_digits=3, decimal_places=2, default=Decimal(0)
    )
    members_weight = models.DecimalField("党员评议权重", max_digits=4, decimal_places=2, default=Decimal(1))
    public_weight = models.DecimalField("群众评议权重", max_digits=4, decimal_places=2, default=Decimal(1))
    gap_threshold = models.DecimalField(
        "自评与审核分差提示线", max_digits=5, decimal_places=2, default=Decimal(10)
    )
    allow_quota_override = models.BooleanField("允许调整等级突破名额", default=False)
    # The county publishes every notice; with this, each township may publish its own branches' grades.
    townships_publish = models.BooleanField("乡镇（街道）自行公示本辖区等级", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "争先创优活动"
        verbose_name_plural = "争先创优活动"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["root", "year"], name="one_campaign_per_root_and_year")
        ]

    def __str__(self):
        return self.name

    def grade_scheme(self):
        """The grade scheme as the rules core reads it."""
        from chuangyou.rules.grade_scheme import load_scheme, scheme_from_text

        return (
            scheme_from_text(self.scheme_text, source=self.scheme)
            if self.scheme_text
            else load_scheme(self.scheme)
        )

    def scheme_groups(self):
        """The groups of domains graded each under its own scheme, the campaign's own first."""
        from chuangyou.rules.scheme_groups import scheme_groups

        return scheme_groups(self.grade_scheme(), self.domain_schemes or {})

    def scheme_for(self, domain: str):
        """The scheme that grades a branch of this domain."""
        from chuangyou.rules.scheme_groups import group_key

        groups = self.scheme_groups()
        key = group_key(groups, domain)
        return next(g.scheme for g in groups if g.key == key)

    @property
    def scheme_title(self) -> str:
        """The scheme's name as a county reads it, not its file key."""
        from chuangyou.rules.grade_scheme import SchemeError

        try:
            return self.grade_scheme().title or self.scheme
        except SchemeError:
            return self.scheme

    def townships(self) -> tuple[dict[str, str], int]:
        """Path → name of the organizations one level under the root (乡镇、街道、县直党委), and the
        length of their paths: a branch's township is `names.get(branch.path[:cut])`."""
        root = self.root
        names = dict(
            Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).values_list(
                "path", "name"
            )
        )
        return names, Organization.steplen * (root.depth + 1)

    def grading_policy(self):
        """The grading rules beyond the scheme, as the rules core reads them."""
        from chuangyou.rules.grading import Policy

        return Policy(
            needs_evaluation=self.needs_evaluation,
            tolerance=self.tolerance,
            tolerance_unit=self.tolerance_unit,
            pass_unused=self.pass_unused,
            cap_at_declared=self.cap_at_declared,
            proposals=self.township_proposals,
            evaluation_weight=self.evaluation_weight,
            members_weight=self.members_weight,
            public_weight=self.public_weight,
        )

    def participants_by_township(self, group=None) -> dict[str, int]:
        """Township name → its participating branches: the quota base of the existing branches; with
        a scheme group (`rules.scheme_groups.SchemeGroup`), of that group's domains only."""
        from django.db.models import Count
        from django.db.models.functions import Substr

        names, cut = self.townships()
        participants = self.participants() if group is None else self.group_participants(group)
        counts = (
            participants.annotate(town=Substr("path", 1, cut))
            .order_by()
            .values_list("town")
            .annotate(n=Count("pk"))
        )
        by_name: dict[str, int] = {}
        for town, n in counts:
            name = names.get(town, town)
            by_name[name] = by_name.get(name, 0) + n
        return by_name

    def graded_sheets(self):
        """The score sheets of the round that is graded (June or December)."""
        from chuangyou.assessments.models import ScoreSheet

        return ScoreSheet.objects.filter(round__campaign=self, round__kind=self.graded_round)

    def group_participants(self, group):
        """The participants graded under this scheme group (`rules.scheme_groups.SchemeGroup`)."""
        if not group.main:
            return self.participants().filter(domain__in=group.domains)
        others = [d for g in self.scheme_groups() for d in g.domains]
        return self.participants().exclude(domain__in=others) if others else self.participants()

    def participants(self):
        """The branches that take part: active branches under the root, less the exclusions."""
        return Organization.objects.filter(
            path__startswith=self.root.path, kind=Kind.BRANCH, status=Status.ACTIVE
        ).exclude(pk__in=self.exclusions.values("organization_id"))


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField("阶段", max_length=12, choices=PhaseKind.choices)
    starts = models.DateField("开始日期")
    ends = models.DateField("结束日期")

    class Meta:
        ordering = ["starts", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="one_phase_per_kind")]

    def __str__(self):
        return self.get_kind_display()


class CampaignRubric(models.Model):
    """The rubric version a campaign uses for one domain (fixed when the campaign is set up)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rubrics")
    domain = models.CharField("领域", max_length=24)
    rubric = models.ForeignKey(
        "rubrics.Rubric", verbose_name="评定标准", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "domain"], name="one_rubric_per_domain")]

    def __str__(self):
        return f"{self.domain}: {self.rubric}"


class Exclusion(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exclusions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="one_exclusion_per_org")
        ]

    def __str__(self):
        return f"{self.organization}: {self.reason}"


class AssessmentRound(models.Model):
    """A self-assessment round (June or December): open from `opens` to `closes` inclusive."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField("轮次", max_length=12, choices=RoundKind.choices)
    opens = models.DateField("开始日期")
    closes = models.DateField("截止日期")

    class Meta:
        ordering = ["opens"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="one_round_per_kind")]

    def __str__(self):
        return f"{self.campaign.year}年{self.get_kind_display()}"
