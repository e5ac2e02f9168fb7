"""Writes to the organization tree. Each function is one transaction with its audit event."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from chuangyou.audit.services import record
from chuangyou.orgs.models import EDITABLE_FIELDS, Organization, Status
from chuangyou.rules import org_setup


class OrgError(ValueError):
    """A refused change; the message is shown to the user as it is."""


def _check_placement(parent: Organization | None, kind: str) -> None:
    if error := org_setup.placement_error(parent.kind if parent else None, kind):
        raise OrgError(error)
    if parent is not None and parent.status != Status.ACTIVE:
        raise OrgError(f"上级组织“{parent.name}”{parent.get_status_display()}，不能在其下设立组织")


def _check_code_free(code: str, exclude_pk: int | None = None) -> None:
    clash = Organization.objects.filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise OrgError(f"组织代码“{code}”已被“{clash.name}”使用")


def _locked(org: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=org.pk)


@transaction.atomic
def org_create(*, actor, parent: Organization | None, data: dict[str, Any]) -> Organization:
    _check_placement(parent, data["kind"])
    _check_code_free(data["code"])
    fields = {k: data[k] for k in EDITABLE_FIELDS if k in data}
    try:
        with transaction.atomic():
            if parent is None:
                org = Organization.objects.add_root(fields)
            else:
                org = Organization.objects.add_child(_locked(parent), fields)
    except IntegrityError as exc:  # a concurrent create with the same code
        raise OrgError(f"组织代码“{data['code']}”已被使用") from exc
    record(actor=actor, verb="org.create", target=org, organization=org, after=org.snapshot())
    return org


@transaction.atomic
def org_update(*, actor, org: Organization, data: dict[str, Any], version: int) -> Organization:
    current = _locked(org)
    if current.version != version:
        raise OrgError("该组织信息已被他人修改，请刷新页面后重新编辑")
    if data.get("kind", current.kind) != current.kind:
        parent = Organization.objects.get_parent(current)
        _check_placement(parent, data["kind"])
        for child in Organization.objects.get_children(current):
            if error := org_setup.placement_error(data["kind"], child.kind):
                raise OrgError(f"{error}（下级组织“{child.name}”）")
    if data.get("code", current.code) != current.code:
        _check_code_free(data["code"], exclude_pk=current.pk)
    # Compare raw values (the snapshot masks the phone, which would hide a changed middle digit).
    changed = [f for f in EDITABLE_FIELDS if f in data and getattr(current, f) != data[f]]
    if not changed:
        return current
    before = current.snapshot()
    for field in changed:
        setattr(current, field, data[field])
    after = current.snapshot()
    old, new = {f: before[f] for f in changed}, {f: after[f] for f in changed}
    current.version += 1
    current.save()
    record(actor=actor, verb="org.update", target=current, organization=current, before=old, after=new)
    return current


@transaction.atomic
def org_move(*, actor, org: Organization, new_parent: Organization) -> Organization:
    current = _locked(org)
    parent = Organization.objects.get_parent(current)
    if parent is not None and parent.pk == new_parent.pk:
        raise OrgError(f"“{current.name}”已隶属于“{new_parent.name}”")
    if new_parent.pk == current.pk or new_parent.path.startswith(current.path):
        raise OrgError("不能把组织调整到其自身或其下级组织之下")
    _check_placement(new_parent, current.kind)
    # treebeard rewrites paths with QuerySet.update and records nothing: the event below is the history.
    Organization.objects.move(current, _locked(new_parent), "last-child")
    current.refresh_from_db()
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    record(
        actor=actor,
        verb="org.move",
        target=current,
        organization=current,
        before={
            "parent_code": parent.code if parent else None,
            "parent_name": parent.name if parent else None,
        },
        after={"parent_code": new_parent.code, "parent_name": new_parent.name},
    )
    return current


@transaction.atomic
def org_dissolve(*, actor, org: Organization, status: str, reason: str) -> Organization:
    current = _locked(org)
    if current.status != Status.ACTIVE:
        raise OrgError(f"“{current.name}”{current.get_status_display()}，无需重复操作")
    if status not in (Status.DISSOLVED, Status.MERGED):
        raise OrgError("请选择撤销或合并")
    if not reason.strip():
        raise OrgError("请填写撤销（合并）的原因和依据")
    active_children = Organization.objects.get_children(current).filter(status=Status.ACTIVE)
    if active_children.exists():
        raise OrgError(f"“{current.name}”下还有{active_children.count()}个正常状态的下级组织，请先调整或撤销")
    before = {"status": current.status}
    current.status = status
    current.version += 1
    current.save()
    record(
        actor=actor,
        verb="org.dissolve",
        target=current,
        organization=current,
        before=before,
        after={"status": current.status},
        note=reason.strip(),
    )
    return current
