"""Grading runs (定级): each run stores its inputs, scheme and results, so it can be reproduced."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chuangyou.campaigns.models import QuotaBase


class RunState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)


class GradingRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        from chuangyou.campaigns.models import Campaign

        return self.filter(campaign__in=Campaign.objects.visible_to(user))


class GradingRun(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="grading_runs")
    number = models.PositiveIntegerField("序号")
    state = models.CharField("状态", max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    scheme = models.CharField("评定方案", max_length=40)
    scheme_text = models.TextField("方案文件", blank=True)
    domain_schemes = models.JSONField("分领域评定方案", default=dict, blank=True)  # as the campaign's
    quota_scope = models.CharField("名额范围", max_length=12)
    quota_base = models.CharField(
        "名额基数", max_length=12, choices=QuotaBase.choices, default=QuotaBase.GRADED
    )
    # The campaign's grading rules when the run started (`rules.grading.Policy.to_dict`).
    policy = models.JSONField("定级规则", default=dict)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    step = models.CharField("进度说明", max_length=100, blank=True)
    heartbeat = models.DateTimeField("最近进展", null=True, blank=True)
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    # Branches of the campaign left out because their review is not finished.
    not_reviewed = models.PositiveIntegerField("未完成审核", default=0)
    summary = models.JSONField("名额使用", default=dict)
    error = models.TextField("错误", blank=True)
    # Failed because its process stopped beating (killed, crashed): it can simply be started again.
    interrupted = models.BooleanField("后台进程中断", default=False)
    submitted_at = models.DateTimeField("提交公示时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = GradingRunQuerySet.as_manager()

    class Meta:
        verbose_name = "定级"
        verbose_name_plural = "定级"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_run_number"),
            # One run at a time per campaign, enforced by the database.
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(state__in=ACTIVE_STATES), name="one_active_run_per_campaign"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} 第{self.number}次定级"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        return 100 * self.progress_done // self.progress_total if self.progress_total else 0

    @property
    def last_beat(self):
        """The last sign of life: the heartbeat, or the start when there is none yet."""
        return self.heartbeat or self.started_at

    def heartbeat_age(self) -> str:
        """How long ago the last sign of life was, for the progress card: "8 秒", "3 分钟"."""
        seconds = max(0, int((timezone.now() - self.last_beat).total_seconds()))
        return f"{seconds} 秒" if seconds < 120 else f"{seconds // 60} 分钟"

    def state_label(self) -> str:
        return "已停止" if self.interrupted else self.get_state_display()

    def progress_text(self) -> str:
        step = self.step or "等待开始"
        return f"{self.state_label()}：{step}（{self.progress_done}/{self.progress_total}）"


class RunResultQuerySet(models.QuerySet):
    def visible_to(self, user):
        from chuangyou.accounts.scope import REVIEW_READERS, scope_of

        return self.filter(scope_of(user).q_for("organization__path", roles=REVIEW_READERS))


class RunResult(models.Model):
    """One branch's inputs and grade in one run; `final_grade` is the override when there is one."""

    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="results")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey("assessments.ScoreSheet", on_delete=models.PROTECT, related_name="+")
    # Inputs, as graded (names as they were at the time of the run).
    code = models.CharField("组织代码", max_length=32)
    name = models.CharField("组织名称", max_length=100)
    township = models.CharField("所属党委", max_length=100)
    domain = models.CharField("领域", max_length=24, blank=True)
    scheme = models.CharField("评定方案", max_length=40, blank=True)  # its group's key; "" the campaign's
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    satisfaction = models.DecimalField("满意率", max_digits=5, decimal_places=2, null=True, blank=True)
    favourable_votes = models.PositiveIntegerField("满意和基本满意票数", null=True, blank=True)
    valid_votes = models.PositiveIntegerField("有效票数", null=True, blank=True)
    # The 民主测评's weighted scores of the members' and the public's answers (综合得分 weights them).
    members_score = models.DecimalField("党员测评得分", max_digits=5, decimal_places=2, null=True, blank=True)
    public_score = models.DecimalField("群众测评得分", max_digits=5, decimal_places=2, null=True, blank=True)
    veto = models.CharField("一票否决", max_length=500, blank=True)
    veto_cap = models.CharField("一票否决最高等级", max_length=20, blank=True)
    weak = models.CharField("软弱涣散情形", max_length=1000, blank=True)
    declared = models.CharField("申报等级", max_length=20, blank=True)
    proposal = models.CharField("推荐优秀", max_length=12, blank=True)
    # The grade already submitted for notice (or published) that this run kept; blank for the others.
    committed_grade = models.CharField("已提交公示等级", max_length=20, blank=True)
    # Outputs of rules.grading.
    grade = models.CharField("计算等级", max_length=20)
    rank = models.PositiveIntegerField("排名")
    rank_total = models.PositiveIntegerField("排名范围")
    county_rank = models.PositiveIntegerField("全县排名")
    reason = models.CharField("说明", max_length=1000)
    # The county's adjustment; the computed grade stays in `grade`.
    final_grade = models.CharField("等级", max_length=20)
    override_reason = models.CharField("调整理由", max_length=500, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField("调整时间", null=True, blank=True)

    objects = RunResultQuerySet.as_manager()

    class Meta:
        verbose_name = "定级结果"
        verbose_name_plural = "定级结果"
        constraints = [models.UniqueConstraint(fields=["run", "organization"], name="one_result_per_branch")]
        indexes = [
            models.Index(fields=["run", "county_rank"], name="result_rank"),
            models.Index(fields=["run", "final_grade", "county_rank"], name="result_grade"),
            models.Index(fields=["run", "township", "county_rank"], name="result_township"),
        ]

    def __str__(self):
        return f"{self.name}：{self.final_grade}"

    @property
    def votes(self) -> tuple[int, int] | None:
        return None if self.valid_votes is None else (self.favourable_votes or 0, self.valid_votes)

    @property
    def committed(self) -> bool:
        return bool(self.committed_grade)

    @property
    def overridden(self) -> bool:
        return self.final_grade != self.grade


class ProposalState(models.TextChoices):
    PENDING = "pending", "待县委复核"
    ACCEPTED = "accepted", "复核同意"
    DECLINED = "declined", "复核不同意"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        from chuangyou.accounts.scope import REVIEW_READERS, scope_of

        return self.filter(scope_of(user).q_for("organization__path", roles=REVIEW_READERS))


class Proposal(models.Model):
    """A township proposes one of its branches for the top grade (评审优秀档次); the county re-checks
    it (复核) with a method and a note, and accepts it or declines it."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="proposals")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        "复核结果", max_length=12, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("推荐时间", auto_now_add=True)
    method = models.CharField("复核方式", max_length=20, blank=True)
    note = models.CharField("复核意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "推荐优秀"
        verbose_name_plural = "推荐优秀"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="one_proposal_per_branch")
        ]

    def __str__(self):
        return f"{self.organization}：{self.get_state_display()}"
