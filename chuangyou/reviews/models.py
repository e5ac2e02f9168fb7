"""Reviews of a submitted score sheet: the township's review (初步评定) and the county's re-check (复核).

A review is a second score sheet over the same rubric, filled by the reviewer beside the branch's own
scores; its entries have the same fields as the self-assessment's (`EntryFields`).
"""

from django.conf import settings
from django.db import models

from chuangyou.assessments.models import EntryFields


class ReviewKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇（街道）审核"
    COUNTY = "county", "县委组织部复核"


# The verb of each kind in messages and buttons: 开始审核 / 完成复核.
KIND_WORDS = {ReviewKind.TOWNSHIP: "审核", ReviewKind.COUNTY: "复核"}


class ReviewState(models.TextChoices):
    IN_PROGRESS = "in_progress", "审核中"
    FINISHED = "finished", "已完成"


class Method(models.TextChoices):
    """The methods of seed 000 (其次): 听取汇报、民主测评、查阅资料、实地查看、调查核实."""

    REPORT = "report", "听取汇报"
    EVALUATION = "evaluation", "民主测评"
    DOCUMENTS = "documents", "查阅资料"
    SITE_VISIT = "site_visit", "实地查看"
    INVESTIGATION = "investigation", "调查核实"


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        from chuangyou.accounts.scope import REVIEW_READERS, scope_of

        return self.filter(scope_of(user).q_for("sheet__organization__path", roles=REVIEW_READERS))


class Review(models.Model):
    sheet = models.ForeignKey("assessments.ScoreSheet", on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField("类别", max_length=12, choices=ReviewKind.choices)
    state = models.CharField(
        "状态", max_length=12, choices=ReviewState.choices, default=ReviewState.IN_PROGRESS
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.CharField("退回重审原因", max_length=500, blank=True)
    # Optimistic lock for the review's own fields; entries carry their own.
    version = models.PositiveIntegerField(default=1)
    total = models.DecimalField("审核总分", max_digits=6, decimal_places=2, default=0)
    subtotals = models.JSONField("分类小计", default=dict)
    items_done = models.PositiveIntegerField("已完成项目数", default=0)
    # [{"method": Method value, "date": "YYYY-MM-DD", "note": text}]
    methods = models.JSONField("审核方式", default=list)
    situations = models.ManyToManyField(
        "rubrics.Situation", verbose_name="软弱涣散情形", blank=True, related_name="+"
    )
    weak_note = models.CharField("软弱涣散情形说明", max_length=500, blank=True)
    # 一票否决: chosen from the rubric's own list; `veto` is their text, `veto_cap` the lowest grade
    # they allow (the rubric's; empty: the scheme's default).
    vetoes = models.ManyToManyField("rubrics.Veto", verbose_name="一票否决情形", blank=True, related_name="+")
    veto = models.CharField("一票否决情形", max_length=500, blank=True)
    veto_cap = models.CharField("一票否决最高等级", max_length=20, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    # The democratic evaluation's satisfaction rate, frozen when the review finishes.
    satisfaction = models.DecimalField("满意率", max_digits=5, decimal_places=2, null=True, blank=True)
    # Its exact parts, for the satisfaction gates: 满意+基本满意 out of the valid votes.
    favourable_votes = models.PositiveIntegerField("满意和基本满意票数", null=True, blank=True)
    valid_votes = models.PositiveIntegerField("有效票数", null=True, blank=True)
    # The 民主测评's weighted scores of the members' and the public's answers (综合得分 weights them).
    members_score = models.DecimalField("党员测评得分", max_digits=5, decimal_places=2, null=True, blank=True)
    public_score = models.DecimalField("群众测评得分", max_digits=5, decimal_places=2, null=True, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "审核表"
        verbose_name_plural = "审核表"
        constraints = [models.UniqueConstraint(fields=["sheet", "kind"], name="one_review_per_kind")]

    def __str__(self):
        return f"{self.sheet.organization} · {self.get_kind_display()}"

    @property
    def editable(self) -> bool:
        return self.state == ReviewState.IN_PROGRESS


class ReviewEntry(EntryFields):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries")
    # Copied from the branch's self-assessment when the township review starts: it counts in the
    # review's score (so the gap starts at 0) but is not the reviewer's until saved or confirmed.
    prefilled = models.BooleanField("沿用自评（待核对）", default=False)

    class Meta:
        verbose_name = "审核项目"
        verbose_name_plural = "审核项目"
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="one_review_entry_per_item")]

    def __str__(self):
        return f"{self.review} · {self.item}"


class ReviewerAssignment(models.Model):
    """审核分工: which reviewer reviews the branches under one organization in a campaign."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="负责审核的组织", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核分工"
        verbose_name_plural = "审核分工"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "reviewer", "organization"], name="unique_reviewer_assignment"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.organization}"
