"""Reads for the sheet pages, in a fixed number of queries."""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Prefetch

from chuangyou.assessments.models import Entry, ScoreSheet
from chuangyou.lib.lookup import get_or_404
from chuangyou.rubrics.models import Category, Item

NOT_FOUND = "自查表不存在或不在您的管辖范围内"


def get_sheet_for_user(user, pk, roles=None) -> ScoreSheet:
    """A sheet in the user's scope (under the grants of `roles` only, when given), or 404."""
    sheets = ScoreSheet.objects.visible_to(user, roles=roles).select_related(
        "organization", "round__campaign__root", "rubric", "evaluation"
    )
    return get_or_404(sheets, pk, NOT_FOUND)


def get_sheet_to_save(user, pk) -> ScoreSheet:
    """`get_sheet_for_user` for an item save: the scope check and the rubric only, as the service
    locks and reads the row itself (the joins of the page cost more to build than to run)."""
    return get_or_404(ScoreSheet.objects.visible_to(user).only("rubric"), pk, NOT_FOUND)


def sheet_layout(sheet: ScoreSheet) -> list[tuple[Category, list[tuple[Item, Entry | None]]]]:
    """The rubric's categories and items, each item with its entry (or None when not yet filled)."""
    entries = {e.item_id: e for e in Entry.objects.filter(sheet=sheet).prefetch_related("evidence")}
    categories = Category.objects.filter(rubric=sheet.rubric_id).prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("order", "id"))
    )
    return [(c, [(i, entries.get(i.pk)) for i in c.items.all()]) for c in categories]


def state_counts(sheets) -> dict[str, int]:
    return dict(sheets.order_by().values_list("state").annotate(n=Count("id")))


def own_latest_sheet(user) -> ScoreSheet | None:
    """The latest score sheet of a branch the user is secretary of (a system administrator, who
    sees every branch, has none of its own)."""
    from chuangyou.accounts.models import Role
    from chuangyou.accounts.scope import scope_of

    grants = dataclasses.replace(scope_of(user), is_superuser=False)  # its own grants only
    mine = grants.q_for("organization__path", roles={Role.BRANCH_SECRETARY})
    return ScoreSheet.objects.filter(mine).order_by("-round__opens", "organization__path").first()
