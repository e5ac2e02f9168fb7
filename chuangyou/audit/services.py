"""Writing audit events. Every service function that changes data calls `record` inside its
transaction, so the event and the change commit or roll back together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from chuangyou.audit.models import AuditEvent
from chuangyou.core.request_context import current_ip

# Verbs shown in Chinese on the audit page.
VERB_LABELS = {
    "org.create": "新建组织",
    "org.update": "修改组织",
    "org.move": "调整隶属关系",
    "org.dissolve": "撤销组织",
    "org.import": "导入组织",
    "role.grant": "授予角色",
    "role.revoke": "收回角色",
    "demo.create": "生成示范数据",
}


def record(
    *,
    actor,
    verb: str,
    target: models.Model,
    organization=None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(**_event_fields(actor, verb, target, organization, before, after, note))


def record_many(events: Iterable[dict[str, Any]], *, actor, batch_size: int = 2000) -> int:
    """Bulk-write events given as dicts of `record`'s keyword arguments (for imports)."""
    rows = (
        AuditEvent(
            **_event_fields(
                actor,
                e["verb"],
                e["target"],
                e.get("organization"),
                e.get("before"),
                e.get("after"),
                e.get("note", ""),
            )
        )
        for e in events
    )
    created = 0
    batch: list[AuditEvent] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            created += len(AuditEvent.objects.bulk_create(batch))
            batch = []
    if batch:
        created += len(AuditEvent.objects.bulk_create(batch))
    return created


def _event_fields(actor, verb, target, organization, before, after, note) -> dict[str, Any]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "actor": user,
        "actor_name": user.get_username() if user else "系统",
        "verb": verb,
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_label": str(target)[:200],
        "organization": organization,
        "before": dict(before) if before is not None else None,
        "after": dict(after) if after is not None else None,
        "note": note[:500],
        "ip": current_ip(),
    }
