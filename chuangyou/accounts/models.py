"""Role assignments: a user acts in a role over the subtree of one organization."""

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县委组织部管理员"
    TOWNSHIP_REVIEWER = "township_reviewer", "乡镇(街道)党(工)委审核员"
    BRANCH_SECRETARY = "branch_secretary", "党支部书记/党务干部"
    LEADING_GROUP = "leading_group", "领导小组成员"
    AUDITOR = "auditor", "纪检审计员"


class RoleAssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user, active=True).select_related("organization")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="管辖组织",
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="unique_role_assignment"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class PasswordHistory(models.Model):
    """A user's recent password hashes (等保: 不得重复使用最近5次的密码), newest first; the
    latest row's time is when the password was last changed (for the optional expiry)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self):
        return f"{self.user}：{self.created_at:%Y-%m-%d %H:%M}"
