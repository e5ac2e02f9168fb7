"""The append-only audit trail: who changed what, when, from where, before and after."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def visible_to(self, user):
        """Events about organizations inside the user's audit scope."""
        from chuangyou.accounts.scope import scope_of

        scope = scope_of(user)
        if not scope.can_read_audit:
            return self.none()
        if scope.is_everything:
            return self
        return self.filter(scope.q_for("organization__path"))


class AuditEvent(models.Model):
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    verb = models.CharField("操作", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64)
    target_id = models.CharField("对象编号", max_length=64)
    target_label = models.CharField("对象", max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT
    )
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.CharField("说明", max_length=500, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除。")
