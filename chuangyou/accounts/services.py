"""Granting and revoking roles; both are audited."""

from django.db import transaction

from chuangyou.accounts.models import RoleAssignment
from chuangyou.audit.services import record


def _snapshot(assignment: RoleAssignment) -> dict:
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "organization": assignment.organization.code,
        "active": assignment.active,
    }


@transaction.atomic
def role_grant(*, actor, user, role: str, organization) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization
    )
    if not created and assignment.active:
        return assignment
    before = None if created else _snapshot(assignment)
    assignment.active = True
    assignment.save()
    record(
        actor=actor,
        verb="role.grant",
        target=assignment,
        organization=organization,
        before=before,
        after=_snapshot(assignment),
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    if not assignment.active:
        return assignment
    before = _snapshot(assignment)
    assignment.active = False
    assignment.save()
    record(
        actor=actor,
        verb="role.revoke",
        target=assignment,
        organization=assignment.organization,
        before=before,
        after=_snapshot(assignment),
    )
    return assignment
