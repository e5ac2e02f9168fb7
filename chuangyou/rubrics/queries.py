"""Reads: rubrics as plain specs, and which rubrics a user may see."""

from __future__ import annotations

from django.db.models import Prefetch

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.lib.lookup import get_or_404
from chuangyou.orgs.models import Organization
from chuangyou.rubrics.models import Category, Item, Rubric, Status
from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec, VetoSpec

# Roles that see every rubric of the county, drafts included.
COUNTY_READERS = (Role.COUNTY_ADMIN, Role.LEADING_GROUP, Role.AUDITOR)


def with_content(rubrics):
    items = Prefetch("items", queryset=Item.objects.order_by("order", "id"))
    categories = Prefetch(
        "categories", queryset=Category.objects.order_by("order", "id").prefetch_related(items)
    )
    return rubrics.prefetch_related(categories, "vetoes")


def spec_of(rubric: Rubric) -> RubricSpec:
    """The stored version as plain data (uses prefetched content when there is some)."""
    return RubricSpec(
        code=rubric.code,
        name=rubric.name,
        total=rubric.total,
        domains=tuple(rubric.domains),
        description=rubric.description,
        source=rubric.source,
        scheme=rubric.scheme,
        vetoes=tuple(VetoSpec(v.text, v.max_grade) for v in rubric.vetoes.all()),
        categories=tuple(
            CategorySpec(
                name=c.name,
                points=_plain(c.points),
                bonus=c.bonus,
                items=tuple(
                    ItemSpec(
                        name=i.name,
                        points=_plain(i.max_points),
                        criteria=tuple(i.criteria),
                        method=i.method,
                        evidence_hint=i.evidence_hint,
                    )
                    for i in c.items.all()
                ),
            )
            for c in rubric.categories.all()
        ),
    )


def stored_spec(pk) -> RubricSpec:
    """A stored version as plain data, read in one go."""
    return spec_of(with_content(Rubric.objects.filter(pk=pk)).get())


def _plain(value):
    """2.00 → 2, 1.50 → 1.5: the way the points were written."""
    return value.quantize(1) if value == value.to_integral_value() else value.normalize()


def domains_in_scope(user) -> set[str]:
    return set(
        Organization.objects.visible_to(user).exclude(domain="").values_list("domain", flat=True).distinct()
    )


def rubrics_visible_to(user, queryset=None):
    """County roles see every version; others see published and retired rubrics of their domains."""
    queryset = Rubric.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    if scope.has_role(*COUNTY_READERS):
        return queryset
    domains = domains_in_scope(user)
    candidates = queryset.exclude(status=Status.DRAFT).values_list("pk", "domains")
    return queryset.filter(pk__in=[pk for pk, ds in candidates if domains & set(ds)])


def get_rubric_for_user(user, pk) -> Rubric:
    return get_or_404(rubrics_visible_to(user), pk, "评定标准不存在或您无权查看")


def can_edit_rubrics(user) -> bool:
    return scope_of(user).has_role(Role.COUNTY_ADMIN)


def table_rows(rubric: Rubric) -> list[dict]:
    """The seed's printed layout: one row per criterion; category and item cells span their rows."""
    rows: list[dict] = []
    for category in rubric.categories.all():
        items = list(category.items.all())
        spans = [max(1, len(item.criteria)) for item in items]
        first_of_category = True
        for item, span in zip(items, spans, strict=True):
            for n, criterion in enumerate(item.criteria or [""]):
                rows.append(
                    {
                        "category": category if first_of_category else None,
                        "category_span": sum(spans) or 1,
                        "item": item if n == 0 else None,
                        "item_span": span,
                        "criterion": criterion,
                    }
                )
                first_of_category = False
        if not items:
            rows.append({"category": category, "category_span": 1, "empty": True})
    return rows
