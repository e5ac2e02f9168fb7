"""Versioned rubrics (评定标准), star checklists and the 软弱涣散 situation list.

A version is editable only while it is a draft. Publishing freezes it: its categories, items and
vetoes refuse every later save or delete, and the rubric row itself accepts only status changes.
Editing a published rubric means copying it into a new draft version (services.rubric_new_draft).
"""

from django.conf import settings
from django.db import models

from chuangyou.rules.rubric import NOTHING_APPLIES


class ImmutableError(RuntimeError):
    """A published or retired version was about to change."""


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class VersionedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def latest_per_code(self):
        """The newest version of every code, in code order."""
        newest = self.values("code").annotate(v=models.Max("version")).values_list("code", "v")
        q = models.Q(pk__in=[])
        for code, version in newest:
            q |= models.Q(code=code, version=version)
        return self.filter(q).order_by("code")


class Versioned(models.Model):
    """Fields shared by every versioned document: a stable code and a version number."""

    code = models.CharField("代码", max_length=40)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    source = models.TextField("来源", blank=True)
    domains = models.JSONField("适用领域", default=list, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    # Only these may change once a version is no longer a draft.
    STATUS_FIELDS = frozenset({"status", "published_at"})

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code", "-version"]

    def save(self, *args, update_fields=None, **kwargs):
        stored = getattr(self, "_stored_status", None)
        if stored not in (None, Status.DRAFT) and not (
            update_fields and set(update_fields) <= self.STATUS_FIELDS
        ):
            raise ImmutableError(f"“{self.name}”第{self.version}版{self.get_status_display()}，内容不能修改")
        super().save(*args, update_fields=update_fields, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if getattr(self, "_stored_status", Status.DRAFT) != Status.DRAFT:
            raise ImmutableError(f"“{self.name}”第{self.version}版{self.get_status_display()}，不能删除")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.status
        return instance


class Rubric(Versioned):
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, default=100)
    scheme = models.CharField("评定方案", max_length=40, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name="修订自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta(Versioned.Meta):
        verbose_name = "评定标准"
        verbose_name_plural = "评定标准"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_rubric_version")]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class FrozenWithParent(models.Model):
    """Rows that belong to a version and change only while it is a draft."""

    # The chain of foreign keys from this row to its versioned document.
    owner_path: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)

    def version_row(self):
        row = self
        for name in self.owner_path:
            row = getattr(row, name)
        return row

    def _check_editable(self):
        owner = self.version_row()
        if owner.status != Status.DRAFT:
            raise ImmutableError(
                f"“{owner.name}”第{owner.version}版{owner.get_status_display()}，内容不能修改"
            )


class Category(FrozenWithParent):
    owner_path = ("rubric",)
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="categories")
    order = models.PositiveIntegerField("顺序", default=0)
    name = models.CharField("类型", max_length=100)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    bonus = models.BooleanField("加分类型", default=False)

    class Meta:
        verbose_name = "评定类型"
        verbose_name_plural = "评定类型"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Item(FrozenWithParent):
    owner_path = ("category", "rubric")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField("顺序", default=0)
    name = models.CharField("项目", max_length=100)
    max_points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    criteria = models.JSONField("考核评价标准", default=list, blank=True)
    method = models.TextField("考评方式", blank=True)
    evidence_hint = models.CharField("佐证材料提示", max_length=300, blank=True)
    # The parse of `method`, kept with the version so a published rubric scores the same forever.
    kind = models.CharField("计分方式", max_length=16, default="deduction")
    rules = models.JSONField("扣分规则", default=list, blank=True)
    zero_out = models.JSONField("不得分情形", default=list, blank=True)
    discretionary_deduction = models.BooleanField("可酌情扣分", default=False)
    unparsed = models.JSONField("未识别的考评方式", default=list, blank=True)

    class Meta:
        verbose_name = "评定项目"
        verbose_name_plural = "评定项目"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def nothing_applies_label(self) -> str:
        """The one-tap button's words: 无扣分, 满分 or 无加分."""
        return NOTHING_APPLIES.get(self.kind, "无扣分")


class Veto(FrozenWithParent):
    owner_path = ("rubric",)
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="vetoes")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.CharField("一票否决情形", max_length=300)
    max_grade = models.CharField("最高等级", max_length=20, blank=True)

    class Meta:
        verbose_name = "一票否决情形"
        verbose_name_plural = "一票否决情形"
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class DomainBinding(models.Model):
    """The published rubric that applies to a domain by default (new campaigns start from it)."""

    domain = models.CharField("领域", max_length=24, unique=True)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="bindings")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "领域适用标准"
        verbose_name_plural = "领域适用标准"
        ordering = ["domain"]

    def __str__(self):
        return f"{self.domain} → {self.rubric}"


class Checklist(Versioned):
    """A star checklist (星级评定标准): criteria required per star, with numeric thresholds."""

    stars = models.JSONField("星级", default=list)

    class Meta(Versioned.Meta):
        verbose_name = "星级评定标准"
        verbose_name_plural = "星级评定标准"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_checklist_version")]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class ChecklistCriterion(FrozenWithParent):
    owner_path = ("checklist",)
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveIntegerField("顺序", default=0)
    section = models.CharField("方面", max_length=100)
    text = models.CharField("标准", max_length=300)
    required = models.JSONField("各星级是否要求", default=list)
    metric = models.CharField("指标", max_length=100, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    thresholds = models.JSONField("各星级数值要求", default=list, blank=True)
    comparison = models.CharField("比较", max_length=2, default=">=")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class SituationList(Versioned):
    """A versioned list of 软弱涣散 situations that reviewers can flag."""

    class Meta(Versioned.Meta):
        verbose_name = "软弱涣散情形清单"
        verbose_name_plural = "软弱涣散情形清单"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_situation_list_version")
        ]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class Situation(FrozenWithParent):
    owner_path = ("situation_list",)
    situation_list = models.ForeignKey(SituationList, on_delete=models.CASCADE, related_name="situations")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.CharField("情形", max_length=300)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text
