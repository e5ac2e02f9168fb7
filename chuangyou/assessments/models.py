"""Score sheets (自查打分表): one per branch and round, one entry per rubric item."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class SheetState(models.TextChoices):
    DRAFT = "draft", "填写中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    UNDER_REVIEW = "under_review", "审核中"
    REVIEWED = "reviewed", "已审核"
    RECHECKED = "rechecked", "已复核"


# States in which a sheet has a finished review and takes part in grading.
GRADABLE_STATES = (SheetState.REVIEWED, SheetState.RECHECKED)


class ScoreSheetQuerySet(models.QuerySet):
    def visible_to(self, user, roles=None):
        from chuangyou.accounts.scope import scope_of

        return self.filter(scope_of(user).q_for("organization__path", roles=roles))


class ScoreSheet(FSMModelMixin, models.Model):
    round = models.ForeignKey("campaigns.AssessmentRound", on_delete=models.PROTECT, related_name="sheets")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="score_sheets"
    )
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="+")
    state = FSMField("状态", choices=SheetState.choices, default=SheetState.DRAFT, protected=True)
    # Optimistic lock for the sheet's own fields; entries carry their own.
    version = models.PositiveIntegerField(default=1)
    # Kept in the same transaction as the entries, so grading reads one row per branch.
    total = models.DecimalField("自评总分", max_digits=6, decimal_places=2, default=0)
    subtotals = models.JSONField("分类小计", default=dict)
    items_done = models.PositiveIntegerField("已完成项目数", default=0)
    items_total = models.PositiveIntegerField("项目总数", default=0)
    applied_grade = models.CharField("申报等级", max_length=20, blank=True)
    achievements = models.TextField("主要成绩", blank=True)
    self_evaluation = models.TextField("自评意见", blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    reopened_until = models.DateField("延期至", null=True, blank=True)
    organization_snapshot = models.JSONField("提交时的组织信息", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # The grading inputs, written when the last review (or re-check) finishes: one row per branch.
    final_total = models.DecimalField("审核得分", max_digits=6, decimal_places=2, null=True, blank=True)
    final_subtotals = models.JSONField("审核分类小计", default=dict)
    final_satisfaction = models.DecimalField("满意率", max_digits=5, decimal_places=2, null=True, blank=True)
    final_favourable_votes = models.PositiveIntegerField("满意和基本满意票数", null=True, blank=True)
    final_valid_votes = models.PositiveIntegerField("有效票数", null=True, blank=True)
    # The 民主测评's weighted scores of the members' and the public's answers (综合得分 weights them).
    final_members_score = models.DecimalField(
        "党员测评得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    final_public_score = models.DecimalField(
        "群众测评得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    final_veto = models.CharField("一票否决", max_length=500, blank=True)
    final_veto_cap = models.CharField("一票否决最高等级", max_length=20, blank=True)
    final_weak = models.CharField("软弱涣散情形", max_length=1000, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScoreSheetQuerySet.as_manager()

    class Meta:
        verbose_name = "自查打分表"
        verbose_name_plural = "自查打分表"
        constraints = [models.UniqueConstraint(fields=["round", "organization"], name="one_sheet_per_round")]

    def __str__(self):
        return f"{self.organization} · {self.round}"

    # Transitions change the state only; services save, audit and notify around them.
    @transition(field=state, source=[SheetState.DRAFT, SheetState.RETURNED], target=SheetState.SUBMITTED)
    def submit(self):
        pass

    @transition(
        field=state, source=[SheetState.SUBMITTED, SheetState.UNDER_REVIEW], target=SheetState.RETURNED
    )
    def send_back(self):
        pass

    @transition(field=state, source=SheetState.SUBMITTED, target=SheetState.UNDER_REVIEW)
    def start_review(self):
        pass

    @transition(field=state, source=SheetState.UNDER_REVIEW, target=SheetState.REVIEWED)
    def finish_review(self):
        pass

    @transition(field=state, source=list(GRADABLE_STATES), target=SheetState.UNDER_REVIEW)
    def reopen_review(self):
        pass

    @transition(field=state, source=list(GRADABLE_STATES), target=SheetState.RECHECKED)
    def finish_recheck(self):
        pass

    @property
    def editable(self) -> bool:
        return self.state in (SheetState.DRAFT, SheetState.RETURNED)


class EntryFields(models.Model):
    """One item's inputs and result: the same fields on a self-assessment and on a review."""

    item = models.ForeignKey("rubrics.Item", on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField("扣分次数", default=dict)  # rule text -> occurrences
    zero_out = models.JSONField("不得分情形", default=list)
    score = models.DecimalField("酌情得分", max_digits=6, decimal_places=2, null=True, blank=True)
    deduction = models.DecimalField("酌情扣分", max_digits=6, decimal_places=2, default=0)
    reason = models.CharField("理由", max_length=500, blank=True)
    note = models.CharField("说明", max_length=1000, blank=True)
    result = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    done = models.BooleanField("已填写", default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Entry(EntryFields):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="entries")

    class Meta:
        verbose_name = "自查项目"
        verbose_name_plural = "自查项目"
        constraints = [models.UniqueConstraint(fields=["sheet", "item"], name="one_entry_per_item")]

    def __str__(self):
        return f"{self.sheet} · {self.item}"


def evidence_path(instance, filename):
    # Never the user's file name on disk: a random name under the sheet's folder.
    return f"evidence/{instance.entry.sheet_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


class Evidence(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path)
    thumbnail = models.FileField("缩略图", upload_to=evidence_path, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
