"""Bridges from stored rows to the scoring core (`chuangyou.rules.rubric`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from chuangyou.rubrics.models import Item
from chuangyou.rules import rubric as core


@dataclass(frozen=True)
class EntryData:
    """What a user entered for one item (self-assessment or review)."""

    counts: dict[str, int] = field(default_factory=dict)
    zero_out: tuple[str, ...] = ()
    score: Decimal | None = None
    deduction: Decimal = Decimal(0)
    reason: str = ""
    note: str = ""


def core_item(item: Item) -> core.Item:
    return core.Item(
        name=item.name,
        max_points=item.max_points,
        kind=item.kind,
        rules=tuple(core.Rule(r["text"], Decimal(r["points"]), r["per_occurrence"]) for r in item.rules),
        zero_out=tuple(item.zero_out),
        discretionary_deduction=item.discretionary_deduction,
    )


def nothing_applies(item: Item, note: str = "") -> EntryData:
    """What the one-tap 无扣分/满分/无加分 saves for `item` (the note typed beside it is kept)."""
    return EntryData(score=core.nothing_applies(core_item(item)).score, note=note)


def stored_data(entry) -> EntryData:
    """The inputs of a stored entry, to save them again as they are (a prefilled entry confirmed)."""
    return EntryData(
        counts=dict(entry.counts),
        zero_out=tuple(entry.zero_out),
        score=entry.score,
        deduction=entry.deduction,
        reason=entry.reason,
        note=entry.note,
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


def score_entry(entry, item: Item, data: EntryData) -> core.ItemResult:
    """Score `data` with the core and put inputs and result on `entry` (not saved, version kept).

    Raises `core.ScoringError` when the inputs do not fit the item.
    """
    given = core.ItemEntry(
        item=item.name,
        counts=data.counts,
        zero_out=data.zero_out,
        score=data.score,
        deduction=data.deduction,
        reason=data.reason,
    )
    result = core.score_item(core_item(item), given, category=item.category.name)
    entry.counts, entry.zero_out, entry.score = dict(data.counts), list(data.zero_out), data.score
    entry.deduction, entry.reason, entry.note = data.deduction, data.reason.strip(), data.note.strip()
    entry.result, entry.done = result.score, True
    return result


def mark_saved(entry, actor) -> None:
    """A new version of `entry`, by `actor`: stale pages of it are refused from now on."""
    entry.version += 1
    entry.updated_by = actor if getattr(actor, "is_authenticated", False) else None


def apply_entry(entry, item: Item, data: EntryData, actor) -> core.ItemResult:
    """`score_entry` and `mark_saved` together, for entries written without comparing them."""
    result = score_entry(entry, item, data)
    mark_saved(entry, actor)
    return result


def _number(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def audited_fields(entry) -> dict:
    """An entry's inputs and result as its audit events show them: `score` is the item's result (as
    in the events written before the inputs were recorded), `entered_score` the 酌情得分 typed in.
    A rule counted 0 times is no deduction and is left out; a review entry also says whether it is
    still the self-assessment's prefilled copy (its confirmation is a change)."""
    prefilled = {"prefilled": entry.prefilled} if hasattr(entry, "prefilled") else {}
    return {
        **prefilled,
        "counts": {rule: times for rule, times in entry.counts.items() if times},
        "zero_out": list(entry.zero_out),
        "entered_score": _number(entry.score),
        "deduction": _number(entry.deduction),
        "reason": entry.reason,
        "note": entry.note,
        "score": _number(entry.result),
    }


def entries_totals(entries) -> tuple[Decimal, dict[str, str], int]:
    """`sheet_totals` over a queryset of entries (of a sheet or of a review)."""
    return sheet_totals(
        entries.values_list(
            "item__category__name", "item__category__points", "item__category__bonus", "result", "done"
        )
    )
