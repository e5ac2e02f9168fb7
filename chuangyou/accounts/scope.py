"""The one scope rule: a user acts only inside the subtrees of the organizations its roles are
attached to. Every list, export and API filters through `Scope.filter_orgs` / `Scope.q_for`;
every single object is fetched through an access helper that answers 404 outside the scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.lib.lookup import get_or_404

# Roles that may change the organization tree, and whether they may touch their own top node.
TREE_MANAGERS = {Role.COUNTY_ADMIN: True, Role.TOWNSHIP_REVIEWER: False}
AUDIT_READERS = {Role.COUNTY_ADMIN, Role.AUDITOR}
# Who reads review scores and grades before the public notice (not the branches themselves).
REVIEW_READERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER, Role.LEADING_GROUP, Role.AUDITOR})


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    path: str
    name: str


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...]
    is_superuser: bool = False

    @property
    def is_everything(self) -> bool:
        return self.is_superuser

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def root_paths(self) -> tuple[str, ...]:
        """Top paths of the scope, without those already covered by a shorter one."""
        return self.paths_for()

    def paths_for(self, roles=None) -> tuple[str, ...]:
        """Top paths of the grants (of `roles` only, when given)."""
        paths = sorted({g.path for g in self.grants if roles is None or g.role in roles}, key=len)
        kept: list[str] = []
        for path in paths:
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        return tuple(kept)

    @property
    def can_read_audit(self) -> bool:
        return self.is_superuser or bool(self.roles & AUDIT_READERS)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles & set(roles))

    def q_for(self, path_field: str = "path", roles=None) -> Q:
        """Rows under the user's grants (of `roles` only, when given: a reviewer of one township who is
        also a secretary elsewhere sees review data of the township only)."""
        if self.is_everything:
            return Q()
        paths = self.paths_for(roles)
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for path in paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def q_covering(self, path_field: str = "path", roles=None) -> Q:
        """Rows at or above the user's grants (their ancestors and themselves): a county-wide notice
        covers every township in it."""
        if self.is_everything:
            return Q()
        from chuangyou.orgs.models import Organization

        step = Organization.steplen
        prefixes = {p[:end] for p in self.paths_for(roles) for end in range(step, len(p) + 1, step)}
        return Q(**{f"{path_field}__in": sorted(prefixes)}) if prefixes else Q(pk__in=[])

    def filter_orgs(self, queryset):
        return queryset if self.is_everything else queryset.filter(self.q_for("path"))

    def contains(self, org, roles=None) -> bool:
        return self.is_everything or any(org.path.startswith(p) for p in self.paths_for(roles))

    def can_manage(self, org) -> bool:
        """May change this organization (edit, move, dissolve, add children)."""
        if self.is_superuser:
            return True
        return any(
            grant.role in TREE_MANAGERS
            and org.path.startswith(grant.path)
            and (org.path != grant.path or TREE_MANAGERS[grant.role])
            for grant in self.grants
        )

    def can_add_child(self, parent) -> bool:
        return self.is_superuser or any(
            g.role in TREE_MANAGERS and parent.path.startswith(g.path) for g in self.grants
        )

    @property
    def can_manage_tree(self) -> bool:
        return self.is_superuser or bool(self.roles & set(TREE_MANAGERS))


EMPTY = Scope(grants=())


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated:
        return EMPTY
    cached = getattr(user, "_chuangyou_scope", None)
    if cached is None:
        grants = tuple(
            Grant(role=a.role, org_id=a.organization_id, path=a.organization.path, name=a.organization.name)
            for a in RoleAssignment.objects.for_user(user)
        )
        cached = Scope(grants=grants, is_superuser=user.is_superuser)
        user._chuangyou_scope = cached
    return cached


def get_org_for_user(user, pk):
    """An organization the user may see, or 404."""
    from chuangyou.orgs.models import Organization

    return get_or_404(Organization.objects.visible_to(user), pk, "组织不存在或不在您的管辖范围内")


def get_org_for_manager(user, pk):
    """An organization the user may change: 404 outside the scope, 403 when read-only."""
    org = get_org_for_user(user, pk)
    if not scope_of(user).can_manage(org):
        raise PermissionDenied("您的角色对该组织只有查看权限")
    return org
