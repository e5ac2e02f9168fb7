"""Rubrics (评定标准) and score sheets.

Rubric → categories (类型) → items (项目). An item is scored one of three ways, all seen in seed 001:

* ``deduction``: max − Σ deductions (each once, or per occurrence with a count); any zero-out
  condition ("不得分") gives 0; optionally an extra discretionary deduction with a reason;
* ``discretionary`` ("酌情给分"): any value in [0, max] in steps of 0.5, a reason below max;
* ``bonus`` (加分, in a bonus category): Σ awards, capped by the item and by the category.

Every item score is clamped to [0, max] ("扣完为止"). Bonus categories sit outside the rubric total
(the 100 + 10 variants), so a sheet total may exceed the rubric total by at most the bonus cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

ItemKind = Literal["deduction", "discretionary", "bonus"]
KIND_NAMES: dict[str, str] = {"deduction": "扣分", "discretionary": "酌情给分", "bonus": "加分"}
ZERO = Decimal(0)
# The one-tap answer of an item where nothing applies, named by its kind.
NOTHING_APPLIES: dict[str, str] = {"deduction": "无扣分", "discretionary": "满分", "bonus": "无加分"}


class ScoringError(ValueError):
    """A score sheet that cannot be scored; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors))


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _half_steps(value: Decimal) -> bool:
    doubled = value * 2
    return doubled == doubled.to_integral_value()


@dataclass(frozen=True)
class Rule:
    """A deduction (扣分) or, in a bonus item, an award (加分)."""

    text: str
    points: Decimal
    per_occurrence: bool = False  # "每次/每项/每人 扣x分": multiplied by a count


@dataclass(frozen=True)
class Item:
    name: str
    max_points: Decimal
    kind: ItemKind = "deduction"
    rules: tuple[Rule, ...] = ()
    zero_out: tuple[str, ...] = ()  # conditions under which the item scores 0 ("不得分")
    discretionary_deduction: bool = False  # "其他酌情扣分" on a deduction item
    criteria: tuple[str, ...] = ()  # 考核评价标准
    method: str = ""  # 考评方式, as printed
    evidence_hint: str = ""


@dataclass(frozen=True)
class Category:
    name: str
    points: Decimal
    items: tuple[Item, ...]
    bonus: bool = False  # 加分类: outside the rubric total; its points cap the bonus


@dataclass(frozen=True)
class Rubric:
    name: str
    categories: tuple[Category, ...]
    total: Decimal = Decimal(100)
    version: str = ""

    def items(self) -> Iterable[tuple[Category, Item]]:
        for category in self.categories:
            for item in category.items:
                yield category, item


def validate_rubric(rubric: Rubric) -> list[str]:
    """Every problem that blocks publishing, in Chinese; empty when the rubric is consistent."""
    errors: list[str] = []
    if not rubric.name.strip():
        errors.append("评定标准名称不能为空")
    if not rubric.categories:
        errors.append("评定标准至少需要一个类型")
    if not rubric.total.is_finite() or rubric.total < 0:
        errors.append(f"总分{rubric.total}无效")
    seen_categories: set[str] = set()
    seen_items: set[str] = set()
    base_sum = ZERO
    for category in rubric.categories:
        cname = category.name.strip()
        if not cname:
            errors.append("类型名称不能为空")
        elif cname in seen_categories:
            errors.append(f"类型“{cname}”重复")
        seen_categories.add(cname)
        if not category.points.is_finite() or category.points < 0:
            errors.append(f"类型“{cname}”的分值不能为负数")
        if not category.items:
            errors.append(f"类型“{cname}”没有项目")
        item_sum = ZERO
        for item in category.items:
            errors.extend(_item_errors(category, item, seen_items))
            item_sum += item.max_points
        if category.bonus:
            for item in category.items:
                if item.max_points > category.points:
                    errors.append(
                        f"加分项目“{item.name}”的分值{_fmt(item.max_points)}分超过加分上限{_fmt(category.points)}分"
                    )
        else:
            base_sum += category.points
            if item_sum != category.points:
                errors.append(
                    f"类型“{cname}”各项目分值合计{_fmt(item_sum)}分，与类型分值{_fmt(category.points)}分不符"
                )
    if base_sum != rubric.total:
        errors.append(f"各类型分值合计{_fmt(base_sum)}分，与总分{_fmt(rubric.total)}分不符")
    return errors


def _item_errors(category: Category, item: Item, seen: set[str]) -> list[str]:
    errors: list[str] = []
    name = item.name.strip()
    where = f"项目“{name}”"
    if not name:
        errors.append(f"类型“{category.name}”中有项目名称为空")
    elif name in seen:
        errors.append(f"项目“{name}”重复（项目名称在整个评定标准中须唯一）")
    seen.add(name)
    if item.kind not in KIND_NAMES:
        errors.append(f"{where}的计分方式“{item.kind}”无效")
    if not item.max_points.is_finite() or item.max_points < 0:
        errors.append(f"{where}的分值不能为负数")
    if category.bonus != (item.kind == "bonus"):
        errors.append(
            f"{where}：加分项目只能放在加分类型中"
            if item.kind == "bonus"
            else f"{where}：加分类型中只能放加分项目"
        )
    if item.kind == "discretionary" and item.rules:
        errors.append(f"{where}为酌情给分，不应设置扣分规则")
    texts = [r.text.strip() for r in item.rules]
    for text in sorted({t for t in texts if texts.count(t) > 1}):
        errors.append(f"{where}的规则“{text}”重复")
    if any(not t for t in texts):
        errors.append(f"{where}有规则说明为空")
    for rule in item.rules:
        if not rule.points.is_finite() or rule.points < 0:
            errors.append(f"{where}的规则“{rule.text}”分值不能为负数")
    conditions = [c.strip() for c in item.zero_out]
    for text in sorted({c for c in conditions if conditions.count(c) > 1}):
        errors.append(f"{where}的不得分情形“{text}”重复")
    return errors


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class ItemEntry:
    """What a branch or reviewer entered for one item."""

    item: str
    counts: Mapping[str, int] = field(
        default_factory=dict
    )  # rule text -> occurrences (0/1 unless per occurrence)
    zero_out: tuple[str, ...] = ()  # zero-out conditions that apply
    score: Decimal | None = None  # discretionary items
    deduction: Decimal = ZERO  # extra discretionary deduction, if the item allows it
    reason: str = ""


@dataclass(frozen=True)
class ItemScore:
    category: str
    item: str
    max_points: Decimal
    score: Decimal
    raw: Decimal  # before clamping to [0, max]
    notes: tuple[str, ...]  # how the score was reached, in Chinese


@dataclass(frozen=True)
class CategoryScore:
    name: str
    points: Decimal
    score: Decimal
    items: tuple[ItemScore, ...]
    bonus: bool = False


@dataclass(frozen=True)
class SheetScore:
    total: Decimal
    base_total: Decimal
    bonus_total: Decimal
    categories: tuple[CategoryScore, ...]

    def subtotals(self) -> dict[str, Decimal]:
        return {c.name: c.score for c in self.categories}


def score_sheet(rubric: Rubric, entries: Iterable[ItemEntry]) -> SheetScore:
    """Score a sheet; raises `ScoringError` listing every input problem at once."""
    errors: list[str] = []
    by_name: dict[str, ItemEntry] = {}
    known = {item.name for _, item in rubric.items()}
    for entry in entries:
        if entry.item not in known:
            errors.append(f"评定标准中没有项目“{entry.item}”")
        elif entry.item in by_name:
            errors.append(f"项目“{entry.item}”填写了两次")
        by_name[entry.item] = entry
    categories: list[CategoryScore] = []
    for category in rubric.categories:
        items = []
        for item in category.items:
            result = _score_item(category, item, by_name.get(item.name), errors)
            if result is not None:
                items.append(result)
        subtotal = sum((i.score for i in items), ZERO)
        if category.bonus:
            subtotal = min(subtotal, category.points)
        categories.append(
            CategoryScore(category.name, category.points, subtotal, tuple(items), category.bonus)
        )
    if errors:
        raise ScoringError(errors)
    base = sum((c.score for c in categories if not c.bonus), ZERO)
    bonus = sum((c.score for c in categories if c.bonus), ZERO)
    return SheetScore(total=base + bonus, base_total=base, bonus_total=bonus, categories=tuple(categories))


def nothing_applies(item: Item) -> ItemEntry:
    """The entry of an item where nothing applies: no rule, no zero-out condition, and full marks
    where the score is given by hand (a bonus item then gives nothing)."""
    return ItemEntry(item.name, score=item.max_points if item.kind == "discretionary" else None)


def score_item(item: Item, entry: ItemEntry | None, *, category: str = "") -> ItemScore:
    """Score one item on its own (e.g. a live preview while a reviewer types)."""
    errors: list[str] = []
    result = _score_item(Category(category, item.max_points, (item,)), item, entry, errors)
    if errors or result is None:
        raise ScoringError(errors)
    return result


def _score_item(
    category: Category, item: Item, entry: ItemEntry | None, errors: list[str]
) -> ItemScore | None:
    where = f"项目“{item.name}”"
    start = len(errors)
    entry = entry or ItemEntry(item.name)
    notes: list[str] = []
    rules = {r.text: r for r in item.rules}
    for text, count in entry.counts.items():
        if text not in rules:
            errors.append(f"{where}没有规则“{text}”")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors.append(f"{where}的规则“{text}”次数应为非负整数")
        elif count > 1 and not rules[text].per_occurrence:
            errors.append(f"{where}的规则“{text}”不按次计算，次数只能是0或1")
    unknown_conditions = [c for c in entry.zero_out if c not in item.zero_out]
    for condition in unknown_conditions:
        errors.append(f"{where}没有不得分情形“{condition}”")
    if entry.deduction:
        if not item.discretionary_deduction:
            errors.append(f"{where}不允许酌情扣分")
        elif not entry.deduction.is_finite() or entry.deduction < 0 or not _half_steps(entry.deduction):
            errors.append(f"{where}的酌情扣分应为0.5的整数倍且不小于0")
        elif not entry.reason.strip():
            errors.append(f"{where}酌情扣分须填写理由")
    zeroed = [c for c in entry.zero_out if c in item.zero_out]

    if item.kind == "discretionary":
        if entry.counts:
            errors.append(f"{where}为酌情给分，不能按扣分规则计分")
        if not zeroed:
            if entry.score is None:
                errors.append(f"{where}未打分（酌情给分项目须填写得分）")
            elif not entry.score.is_finite() or not ZERO <= entry.score <= item.max_points:
                errors.append(f"{where}的得分{entry.score}应在0至{_fmt(item.max_points)}分之间")
            elif not _half_steps(entry.score):
                errors.append(f"{where}的得分{_fmt(entry.score)}应为0.5的整数倍")
            elif entry.score < item.max_points and not entry.reason.strip():
                errors.append(f"{where}得分低于满分{_fmt(item.max_points)}分，须填写理由")
    elif entry.score is not None:
        errors.append(f"{where}为{KIND_NAMES[item.kind]}项目，不能直接填写得分")
    if len(errors) > start:
        return None

    if zeroed:
        notes.append(f"{'；'.join(zeroed)}，不得分")
        raw = ZERO
    elif item.kind == "discretionary":
        assert entry.score is not None
        raw = entry.score
        notes.append(
            f"酌情给分{_fmt(raw)}分" + (f"（{entry.reason.strip()}）" if entry.reason.strip() else "")
        )
    else:
        total = ZERO
        for rule in item.rules:
            count = entry.counts.get(rule.text, 0)
            if count:
                points = rule.points * count
                total += points
                times = f"{count}次" if rule.per_occurrence else ""
                notes.append(f"{rule.text}{times}，{'加' if item.kind == 'bonus' else '扣'}{_fmt(points)}分")
        if item.kind == "bonus":
            raw = total
        else:
            if entry.deduction:
                total += entry.deduction
                notes.append(f"酌情扣{_fmt(entry.deduction)}分（{entry.reason.strip()}）")
            raw = item.max_points - total
    score = min(max(raw, ZERO), item.max_points)
    if raw < 0:
        notes.append("扣完为止")
    elif raw > item.max_points:
        notes.append(f"以{_fmt(item.max_points)}分为限")
    return ItemScore(category.name, item.name, item.max_points, score, raw, tuple(notes))
