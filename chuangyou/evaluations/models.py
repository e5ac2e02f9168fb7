"""Democratic evaluation (民主测评) by one-time codes.

Anonymity is built into the tables: `CodeUse` records THAT a code was used, `Answer` records WHAT
was answered, and nothing links the two. An answer has a random UUID key (a sequential id would
line up with the CodeUse ids written in the same transaction) and keeps only the day it was given
(an exact time would match `CodeUse.used_at`). What remains: on a day with a single answer the day
still matches one code use, and someone reading the database's physical storage or logs may see
insertion order; the pages never show which code was used, only counts.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Audience(models.TextChoices):
    MEMBER = "member", "党员"
    PUBLIC = "public", "群众"


class Choice(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    UNKNOWN = "unknown", "不了解"


# The 五个好 of a 先进基层党组织 (seed 002): Answer field name -> label.
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("leadership", "领导班子好"),
    ("membership", "党员队伍好"),
    ("mechanism", "工作机制好"),
    ("performance", "工作业绩好"),
    ("reputation", "群众反映好"),
)
QUESTIONS: tuple[tuple[str, str], ...] = (("overall", "总体评价"), *DIMENSIONS)


class Evaluation(models.Model):
    sheet = models.OneToOneField(
        "assessments.ScoreSheet",
        verbose_name="自查打分表",
        on_delete=models.PROTECT,
        related_name="evaluation",
    )
    # Kept equal to the number of codes of each audience by the service that creates them.
    members_issued = models.PositiveIntegerField("党员测评码数", default=0)
    public_issued = models.PositiveIntegerField("群众测评码数", default=0)
    closes_at = models.DateTimeField("截止时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "民主测评"
        verbose_name_plural = "民主测评"

    def __str__(self):
        return f"{self.sheet} 民主测评"

    @property
    def issued(self) -> int:
        return self.members_issued + self.public_issued

    def is_open(self, now=None) -> bool:
        return self.closed_at is None and (now or timezone.now()) < self.closes_at


class Code(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="codes")
    audience = models.CharField("对象", max_length=8, choices=Audience.choices)
    code = models.CharField("测评码", max_length=12, unique=True)

    class Meta:
        verbose_name = "测评码"
        verbose_name_plural = "测评码"
        indexes = [models.Index(fields=["evaluation", "audience"], name="code_eval_audience")]

    def __str__(self):
        return self.code


class CodeUse(models.Model):
    """That a code has answered. The one-to-one column is the database constraint that lets each
    code answer once, whatever the timing of two submissions."""

    code = models.OneToOneField(Code, on_delete=models.CASCADE, related_name="use")
    used_at = models.DateTimeField("使用时间", default=timezone.now)

    class Meta:
        verbose_name = "测评码使用记录"
        verbose_name_plural = "测评码使用记录"

    def __str__(self):
        return f"{self.code_id} @ {self.used_at:%Y-%m-%d %H:%M}"


def _choice_field(label):
    return models.CharField(label, max_length=20, choices=Choice.choices)


class Answer(models.Model):
    """One anonymous questionnaire. No field refers to a code (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    audience = models.CharField("对象", max_length=8, choices=Audience.choices)
    answered_on = models.DateField("答卷日期")  # the day only, never the time
    overall = _choice_field("总体评价")
    leadership = _choice_field("领导班子好")
    membership = _choice_field("党员队伍好")
    mechanism = _choice_field("工作机制好")
    performance = _choice_field("工作业绩好")
    reputation = _choice_field("群众反映好")

    class Meta:
        verbose_name = "测评答卷"
        verbose_name_plural = "测评答卷"

    def __str__(self):
        return f"{self.get_audience_display()}答卷"
