"""Public notice (公示) of a grading run's results, objections (异议), approval (审定) and naming.

A notice batch lists the organizations of one grading run under one organization (the county, or
one township when the campaign lets townships publish their own), for a number of working days.
Anyone may object to one entry; an open objection blocks the approval of that entry.
"""

import secrets

from django.conf import settings
from django.db import models

from chuangyou.lib.masking import mask_phone


class Channel(models.TextChoices):
    NEWSPAPER = "newspaper", "报刊"
    WECHAT = "wechat", "公众号"
    WEBSITE = "website", "网站"
    BOARD = "board", "公示栏"


class NoticeState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "公示中"
    ENDED = "ended", "公示结束"
    REPORTED = "reported", "已上报"
    APPROVED = "approved", "已审定"


MIN_NOTICE_DAYS = 5


def public_token() -> str:
    return secrets.token_urlsafe(12)


class NoticeBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notices under the user's review grants, and those covering them (a township reviewer sees
        the county-wide notice, with the entries of its own branches: `queries.scoped_entries`)."""
        from chuangyou.accounts.scope import REVIEW_READERS, scope_of

        scope = scope_of(user)
        return self.filter(
            scope.q_for("organization__path", roles=REVIEW_READERS)
            | scope.q_covering("organization__path", roles=REVIEW_READERS)
        )


class NoticeBatch(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="notices")
    run = models.ForeignKey("grading.GradingRun", on_delete=models.PROTECT, related_name="notices")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="公示范围", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("公示标题", max_length=200)
    channel = models.CharField("公示渠道", max_length=12, choices=Channel.choices)
    starts = models.DateField("开始日期")
    days = models.PositiveIntegerField("公示期（工作日）", default=MIN_NOTICE_DAYS)
    ends = models.DateField("截止日期")
    state = models.CharField("状态", max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT)
    token = models.CharField("公开链接标识", max_length=32, unique=True, default=public_token)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField("文号", max_length=60, blank=True)
    # The end of the public page: who issues the notice and where objections go besides the form.
    issuer = models.CharField("发布单位", max_length=100, blank=True)
    contact_phone = models.CharField("异议受理电话", max_length=60, blank=True)
    contact_address = models.CharField("来信来访地址", max_length=200, blank=True)

    objects = NoticeBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "ends"], name="notice_state_ends")]

    def __str__(self):
        return self.title


class NoticeEntry(models.Model):
    """One organization on a notice, with the grade published (no personal data)."""

    batch = models.ForeignKey(NoticeBatch, on_delete=models.CASCADE, related_name="entries")
    result = models.ForeignKey("grading.RunResult", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("组织名称", max_length=100)
    township = models.CharField("所属党委", max_length=100)
    grade = models.CharField("拟定等级", max_length=20)
    order = models.PositiveIntegerField("顺序", default=0)
    # 需进一步核实: the grade is held back from approval; 成立: it goes back to review.
    held = models.BooleanField("暂缓审定", default=False)
    withdrawn = models.BooleanField("异议成立，退回重审", default=False)

    class Meta:
        verbose_name = "公示对象"
        verbose_name_plural = "公示对象"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "organization"], name="one_entry_per_org")]

    def __str__(self):
        return f"{self.name}：{self.grade}"


class ObjectionState(models.TextChoices):
    RECEIVED = "received", "已受理"
    INVESTIGATING = "investigating", "调查中"
    UPHELD = "upheld", "成立"
    DISMISSED = "dismissed", "不成立"
    FURTHER = "further", "需进一步核实"


OPEN_OBJECTION_STATES = (ObjectionState.RECEIVED, ObjectionState.INVESTIGATING)


class ObjectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from chuangyou.accounts.scope import REVIEW_READERS, scope_of

        return self.filter(scope_of(user).q_for("entry__organization__path", roles=REVIEW_READERS))

    def open(self):
        return self.filter(state__in=OPEN_OBJECTION_STATES)


def tracking_code() -> str:
    """Ten characters without look-alikes (no 0/O, 1/I/L), easy to read out on the phone."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Objection(models.Model):
    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, related_name="objections")
    content = models.TextField("异议内容")
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    tracking_code = models.CharField("查询码", max_length=16, unique=True, default=tracking_code)
    state = models.CharField(
        "状态", max_length=16, choices=ObjectionState.choices, default=ObjectionState.RECEIVED
    )
    answer = models.TextField("处理结果", blank=True)
    due = models.DateField("办理期限")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # A keyed hash of the sender's address: enough to limit floods, not to identify anyone.
    source_hash = models.CharField(max_length=64, db_index=True)
    # Many objections about one organization in a day (a possible flood): accepted, marked for the office.
    flooded = models.BooleanField("集中提交", default=False)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.entry.name}：{self.get_state_display()}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_OBJECTION_STATES

    @property
    def is_answerable(self) -> bool:
        """Open, or held for further verification (需进一步核实), which ends as 成立 or 不成立."""
        return self.is_open or self.state == ObjectionState.FURTHER


class OfficialGrade(models.Model):
    """An organization's approved grade for a year (审定命名), shown on its timeline."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="official_grades"
    )
    year = models.PositiveIntegerField("年度")
    grade = models.CharField("等级", max_length=20)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(NoticeBatch, on_delete=models.PROTECT, related_name="official_grades")
    approved_at = models.DateTimeField("审定时间")
    # The batch's number, or a later one for a grade held back and approved after verification.
    document_number = models.CharField("文号", max_length=60, blank=True)

    class Meta:
        verbose_name = "审定等级"
        verbose_name_plural = "审定等级"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign"], name="one_official_grade_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.organization} {self.year}年：{self.grade}"


class ObjectionSource(models.Model):
    """One row per sender address (its keyed hash), updated first by every objection from it: the
    row lock makes "count, then insert" of the flood limits one step per address."""

    source_hash = models.CharField(max_length=64, unique=True)
    last_at = models.DateTimeField("最近提交", auto_now=True)

    class Meta:
        verbose_name = "异议来源"
        verbose_name_plural = "异议来源"

    def __str__(self):
        return self.source_hash[:12]
