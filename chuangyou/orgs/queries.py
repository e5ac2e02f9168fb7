"""Reads of the tree for pages: children with subtree counts, in a fixed number of queries; import jobs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from chuangyou.lib.lookup import get_or_404
from chuangyou.orgs.models import Domain, ImportJob, Kind, Organization, Status

BASIC_KINDS = (Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH)


@dataclass
class SubtreeCounts:
    """Active basic organizations below (and including) a node, by kind and by domain."""

    by_kind: dict[str, int] = field(default_factory=dict)
    by_domain: dict[str, int] = field(default_factory=dict)
    members: int = 0

    @property
    def kind_items(self) -> list[tuple[str, int]]:
        return [(k.label, self.by_kind[k.value]) for k in BASIC_KINDS if self.by_kind.get(k.value)]

    @property
    def domain_items(self) -> list[tuple[str, int]]:
        return [(d.label, self.by_domain[d.value]) for d in Domain if self.by_domain.get(d.value)]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def subtree_counts(nodes: list[Organization]) -> dict[int, SubtreeCounts]:
    """Counts for each node's subtree in one query per depth present among `nodes`."""
    result = {n.pk: SubtreeCounts() for n in nodes}
    by_depth: dict[int, dict[str, int]] = defaultdict(dict)
    for node in nodes:
        by_depth[node.depth][node.path] = node.pk
    for depth, path_to_pk in by_depth.items():
        prefix_len = depth * Organization.steplen
        rows = (
            Organization.objects.filter(
                path__startswith=common_prefix(list(path_to_pk)),
                depth__gte=depth,
                status=Status.ACTIVE,
                kind__in=BASIC_KINDS,
            )
            .annotate(prefix=Substr("path", 1, prefix_len))
            .values("prefix", "kind", "domain")
            .annotate(n=Count("id"), members=Sum("full_members") + Sum("probationary_members"))
            .order_by()
        )
        for row in rows:
            pk = path_to_pk.get(row["prefix"])
            if pk is None:
                continue
            counts = result[pk]
            counts.by_kind[row["kind"]] = counts.by_kind.get(row["kind"], 0) + row["n"]
            if row["domain"]:
                counts.by_domain[row["domain"]] = counts.by_domain.get(row["domain"], 0) + row["n"]
            counts.members += row["members"] or 0
    return result


def common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    size = 0
    while size < len(first) and size < len(last) and first[size] == last[size]:
        size += 1
    return first[:size]


def children_of(parent: Organization, user) -> list[Organization]:
    return list(
        Organization.objects.visible_to(user).filter(path__startswith=parent.path, depth=parent.depth + 1)
    )


def scope_roots(user) -> list[Organization]:
    from chuangyou.accounts.scope import scope_of

    scope = scope_of(user)
    if scope.is_everything:
        return list(Organization.objects.filter(depth=1))
    return list(Organization.objects.filter(path__in=scope.root_paths))


# --- Import jobs -----------------------------------------------------------------------------------

RECENT_IMPORT_JOBS = 10


def _import_jobs(user):
    return ImportJob.objects.visible_to(user).defer("data").select_related("created_by")


def recent_import_jobs(user) -> list:
    return list(_import_jobs(user)[:RECENT_IMPORT_JOBS])


def import_job_for_user(user, pk):
    """A job of the user's scope (or the user's own), or 404."""
    return get_or_404(_import_jobs(user), pk, "导入记录不存在或不在您的管辖范围内")
