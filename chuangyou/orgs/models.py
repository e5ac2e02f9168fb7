"""The organization tree (党组织). A materialized path (treebeard MP_Node) makes a scope a path
prefix: everything under an organization is `path LIKE '<its path>%'`."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from chuangyou.lib.masking import mask_phone
from chuangyou.rules import org_setup
from chuangyou.rules.domains import DOMAINS


class Kind(models.TextChoices):
    COUNTY = org_setup.COUNTY, "县委"
    TOWNSHIP = org_setup.TOWNSHIP, "乡镇党委"
    SUBDISTRICT = org_setup.SUBDISTRICT, "街道党工委"
    COMMITTEE = org_setup.COMMITTEE, "党委"
    GENERAL_BRANCH = org_setup.GENERAL_BRANCH, "党总支"
    BRANCH = org_setup.BRANCH, "党支部"


# Administrative levels above the basic Party organizations.
LEVEL_KINDS = (Kind.COUNTY, Kind.TOWNSHIP, Kind.SUBDISTRICT)
TOWNSHIP_KINDS = (Kind.TOWNSHIP, Kind.SUBDISTRICT)


# 村、社区、机关…: the codes and names live in the rules core (`chuangyou grade` reads them too).
Domain = models.TextChoices("Domain", [(code.upper(), (code, name)) for code, name in DOMAINS])


# Groups used in reports and rubric binding: 两新 = 非公企业 + 社会组织.
DOMAIN_GROUPS = {
    "村(社区)": (Domain.VILLAGE, Domain.COMMUNITY),
    "机关": (Domain.ORGAN,),
    "事业单位": (Domain.SCHOOL, Domain.HOSPITAL, Domain.INSTITUTION),
    "国有企业": (Domain.STATE_ENTERPRISE,),
    "两新组织": (Domain.PRIVATE_ENTERPRISE, Domain.SOCIAL_ORGANIZATION),
    "离退休及其他": (Domain.RETIRED, Domain.OTHER),
}


# The fields a user edits (forms, services and the Excel import agree on them).
EDITABLE_FIELDS = (
    "code",
    "name",
    "kind",
    "domain",
    "full_members",
    "probationary_members",
    "secretary_name",
    "secretary_phone",
    "founded",
)


class Status(models.TextChoices):
    ACTIVE = "active", "正常"
    MERGED = "merged", "已合并"
    DISSOLVED = "dissolved", "已撤销"


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user):
        from chuangyou.accounts.scope import scope_of

        return scope_of(user).filter_orgs(self)

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(code__istartswith=text))


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        # treebeard's manager builds its own queryset class; keep ours (and its path order).
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    # 4 characters per level over 0-9A-Z: 1.6 million children per parent, 63 levels.
    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100, db_index=True)
    kind = models.CharField("组织类别", max_length=20, choices=Kind.choices)
    domain = models.CharField("所属领域", max_length=24, choices=Domain.choices, blank=True)
    full_members = models.PositiveIntegerField("正式党员数", default=0)
    probationary_members = models.PositiveIntegerField("预备党员数", default=0)
    secretary_name = models.CharField("书记姓名", max_length=50, blank=True)
    secretary_phone = models.CharField("书记电话", max_length=20, blank=True)
    founded = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # Optimistic lock: an edit made from a stale page is refused instead of overwriting.
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            # Prefix scans (LIKE 'path%') on PostgreSQL need a pattern index.
            models.Index(fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "domain"], name="org_kind_domain"),
        ]

    def __str__(self):
        return self.name

    @property
    def members_total(self) -> int:
        return self.full_members + self.probationary_members

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.secretary_phone)

    @property
    def is_branch_level(self) -> bool:
        return self.kind in (Kind.BRANCH, Kind.GENERAL_BRANCH)

    @property
    def setup_warnings(self) -> list[str]:
        return org_setup.setup_warnings(self.kind, self.full_members, self.probationary_members)

    def snapshot(self) -> dict:
        """The fields an audit event records, as plain JSON values."""
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "domain": self.domain,
            "full_members": self.full_members,
            "probationary_members": self.probationary_members,
            "secretary_name": self.secretary_name,
            "secretary_phone": mask_phone(self.secretary_phone),
            "founded": self.founded.isoformat() if self.founded else None,
            "status": self.status,
        }


# --- Excel imports written by the background worker ---------------------------------------------


class ImportState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE_IMPORT_STATES = (ImportState.QUEUED, ImportState.RUNNING)
# The steps of a job, with how far along its bar each one starts. The writing is one transaction, so
# nothing finer than a step can be seen from outside; it is most of the work.
STEP_WAIT, STEP_CHECK, STEP_WRITE, STEP_DONE = "等待后台处理", "检查文件", "写入数据", "完成"
IMPORT_STEPS = {STEP_WAIT: 0, STEP_CHECK: 10, STEP_WRITE: 40, STEP_DONE: 100}


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs touching the subtrees the user manages, and the user's own."""
        from chuangyou.accounts.scope import TREE_MANAGERS, scope_of

        scope = scope_of(user)
        return self.filter(scope.q_for("organization__path", roles=TREE_MANAGERS) | models.Q(created_by=user))


class ImportJob(models.Model):
    """One upload of the tree's Excel file, checked in the request and written by the background
    worker (or at once, when small). The file is kept only until the job ends."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    # The smallest subtree holding everything the file touches (none for new top-level organizations).
    organization = models.ForeignKey(
        Organization,
        verbose_name="所属组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    data = models.BinaryField("文件内容", blank=True)
    state = models.CharField("状态", max_length=12, choices=ImportState.choices, default=ImportState.QUEUED)
    step = models.CharField("进度说明", max_length=100, default=STEP_WAIT)
    heartbeat = models.DateTimeField("最近进展", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    rows_done = models.PositiveIntegerField("已写入行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    # {"created", "updated", "moved", "unchanged"} when done; {"errors": n} when the check failed.
    summary = models.JSONField("导入结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    # The problems found when the worker checked the file again: [{"row", "column", "reason"}], capped.
    errors = models.JSONField("问题清单", default=list, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "组织架构导入"
        verbose_name_plural = "组织架构导入"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"导入组织架构：{self.filename}"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_IMPORT_STATES

    @property
    def percent(self) -> int:
        return 100 if self.state == ImportState.DONE else IMPORT_STEPS.get(self.step, 0)

    @property
    def stalled(self) -> bool:
        """Still active but silent for long: its worker died, or no worker runs."""
        quiet = timezone.now() - self.heartbeat
        return self.active and quiet > dt.timedelta(minutes=settings.ORG_IMPORT_STALE_MINUTES)

    @property
    def error_count(self) -> int:
        return self.summary.get("errors", len(self.errors))

    @property
    def hidden_errors(self) -> int:
        return max(self.error_count - len(self.errors), 0)
