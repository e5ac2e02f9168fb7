"""Bridges from stored rows to the scoring core (`chuangyou.rules.rubric`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from chuangyou.rubrics.models import Item
from chuangyou.rules import rubric as core


def core_item(item: Item) -> core.Item:
    return core.Item(
        name=item.name,
        max_points=item.max_points,
        kind=item.kind,
        rules=tuple(core.Rule(r["text"], Decimal(r["points"]), r["per_occurrence"]) for r in item.rules),
        zero_out=tuple(item.zero_out),
        discretionary_deduction=item.discretionary_deduction,
    )


def sheet_totals(rows) -> tuple[Decimal, dict[str, str], int]:
    """Total, subtotals per category and the number of items done, from the entries' stored results.

    `rows` are (category name, category points, bonus, result, done) for every entry of the sheet.
    """
    subtotals: dict[str, Decimal] = defaultdict(Decimal)
    caps: dict[str, Decimal | None] = {}
    done = 0
    for category, points, bonus, result, is_done in rows:
        caps[category] = points if bonus else None
        if is_done and result is not None:
            subtotals[category] += result
            done += 1
    for category, cap in caps.items():
        if cap is not None:
            subtotals[category] = min(subtotals[category], cap)
    total = sum(subtotals.values(), Decimal(0))
    return total, {name: format(value.normalize(), "f") for name, value in subtotals.items()}, done
