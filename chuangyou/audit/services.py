"""Writing audit events. Every service function that changes data calls `record` inside its
transaction, so the event and the change commit or roll back together; imports that change
thousands of organizations at once call `record_many`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from chuangyou.audit.models import AuditEvent
from chuangyou.core.request_context import current_ip
from chuangyou.lib import bulk_sql

# Verbs shown in Chinese on the audit page.
VERB_LABELS = {
    "org.create": "新建组织",
    "org.update": "修改组织",
    "org.move": "调整隶属关系",
    "org.dissolve": "撤销组织",
    "org.import": "导入组织",
    "org.import_fail": "导入组织失败",
    "role.grant": "授予角色",
    "role.revoke": "收回角色",
    "account.login": "登录",
    "account.logout": "退出登录",
    "account.login_failed": "登录失败",
    "account.unlock": "解除登录锁定",
    "account.password_change": "修改密码",
    "demo.create": "生成示范数据",
    "demo.progress": "生成示范活动进度",
    "rubric.create": "新建评定标准版本",
    "rubric.update": "修改评定标准",
    "rubric.item_save": "修改评定项目",
    "rubric.item_delete": "删除评定项目",
    "rubric.category_save": "修改评定类型",
    "rubric.category_delete": "删除评定类型",
    "rubric.publish": "发布评定标准",
    "rubric.retire": "停用评定标准",
    "rubric.discard": "删除评定标准草稿",
    "rubric.bind": "设置领域适用标准",
    "checklist.create": "新建星级评定标准",
    "situations.create": "新建软弱涣散情形清单",
    "campaign.create": "新建争先创优活动",
    "campaign.update": "修改争先创优活动",
    "campaign.exclude": "调整参评范围",
    "round.open": "开启自查轮次",
    "sheet.entry_save": "自查打分",
    "sheet.category_nothing_applies": "本类未填项目按满分保存",
    "sheet.application_save": "填写申报信息",
    "sheet.submit": "提交自查表",
    "sheet.return": "退回自查表",
    "sheet.reopen": "延期提交",
    "evidence.upload": "上传佐证材料",
    "evidence.delete": "删除佐证材料",
    "evaluation.issue": "生成民主测评码",
    "evaluation.close": "结束民主测评",
    "campaign.grading_settings": "修改定级设置",
    "campaign.domain_scheme": "修改分领域评定方案",
    "assignment.create": "设置审核分工",
    "assignment.delete": "取消审核分工",
    "review.start": "开始审核",
    "review.entry_save": "审核打分",
    "review.category_confirm": "本类项目确认审核",
    "review.details_save": "填写审核方式与情形",
    "review.finish": "完成审核",
    "review.send_back": "退回乡镇重审",
    "grading.start": "发起定级",
    "grading.finish": "定级完成",
    "grading.fail": "定级失败",
    "grading.override": "调整等级",
    "proposal.set": "推荐优秀",
    "proposal.decide": "复核推荐的优秀",
    "grading.submit": "提交公示",
    "calendar.set": "修改工作日历",
    "calendar.delete": "删除工作日历日期",
    "calendar.import": "批量录入工作日历",
    "calendar.seed": "导入内置节假日安排",
    "notice.create": "新建公示",
    "notice.publish": "发布公示",
    "notice.end": "公示结束",
    "notice.report": "上报公示结果",
    "notice.approve": "审定命名",
    "notice.approve_released": "补充审定",
    "notice.delete": "删除公示草稿",
    "objection.submit": "提出异议",
    "objection.answer": "处理异议",
}


@dataclass(frozen=True, slots=True)
class EventData:
    """What one event says, apart from who did it, from where and when (see `record_many`)."""

    verb: str
    target_type: str  # the target model's `_meta.label_lower`, e.g. "orgs.organization"
    target_id: str | int
    target_label: str
    organization_id: int | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    note: str = ""

    @classmethod
    def about(cls, target: models.Model, verb: str, **details: Any) -> EventData:
        return cls(verb, target._meta.label_lower, target.pk, str(target), **details)

    def content(self) -> tuple[str, str, str, str, dict | None, dict | None, str]:
        """The values of `CONTENT_FIELDS`, cut to the sizes of their columns."""
        return (
            self.verb,
            self.target_type,
            str(self.target_id),
            self.target_label[:200],
            dict(self.before) if self.before is not None else None,
            dict(self.after) if self.after is not None else None,
            self.note[:500],
        )


CONTENT_FIELDS = ("verb", "target_type", "target_id", "target_label", "before", "after", "note")


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """The keys of two snapshots whose values differ, as (before, after) with only those keys; two
    empty dicts when nothing changed."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def record(
    *,
    actor,
    verb: str,
    target: models.Model,
    organization=None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
    keep_ip: bool = True,
) -> AuditEvent:
    """One audit event; `keep_ip=False` for a member of the public, whose address is not kept."""
    event = EventData.about(target, verb, before=before, after=after, note=note)
    source = _source(actor)
    if not keep_ip:
        source["ip"] = None
    return AuditEvent.objects.create(
        **source, **dict(zip(CONTENT_FIELDS, event.content(), strict=True)), organization=organization
    )


def record_named(*, actor, verb: str, target_type: str, label: str, note: str = "") -> AuditEvent:
    """An event about something that is not a row of ours: a login under an unknown username, an
    address unlocked."""
    event = EventData(verb, target_type, "", label, note=note)
    return AuditEvent.objects.create(
        **_source(actor), **dict(zip(CONTENT_FIELDS, event.content(), strict=True))
    )


def record_many(events: Iterable[EventData], *, actor, batch_size: int = bulk_sql.BATCH_SIZE) -> int:
    """Write many events by one actor with plain `INSERT`s (no model instances), all with the same
    time and IP address; returns how many. For imports, inside the caller's transaction."""
    ops = connection.ops
    source = _source(actor)
    shared = {
        "created_at": ops.adapt_datetimefield_value(timezone.now()),
        "actor": source["actor"].pk if source["actor"] else None,
        "actor_name": source["actor_name"],
        "ip": ops.adapt_ipaddressfield_value(source["ip"]),
    }

    def json(value: dict | None):
        return None if value is None else ops.adapt_json_value(value, DjangoJSONEncoder)

    def rows():
        for event in events:
            verb, target_type, target_id, target_label, before, after, note = event.content()
            yield (
                *shared.values(), verb, target_type, target_id, target_label, json(before), json(after), note,
                event.organization_id,
            )  # fmt: skip

    names = (*shared, *CONTENT_FIELDS, "organization")
    return bulk_sql.insert_rows(AuditEvent, names, rows(), batch_size=batch_size)


def _source(actor) -> dict[str, Any]:
    """Who and from where: the signed-in user (None for the system and command-line tools), the
    name shown for them, and the client IP of the request being served."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {"actor": user, "actor_name": user.get_username() if user else "系统", "ip": current_ip()}
