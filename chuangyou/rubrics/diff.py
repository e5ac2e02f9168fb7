"""What changed between two versions of a rubric: categories, items, points, texts and vetoes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chuangyou.orgs.models import Domain
from chuangyou.rubrics.spec import ItemSpec, RubricSpec

ATTRIBUTES = (
    ("name", "名称"),
    ("total", "总分"),
    ("domains", "适用领域"),
    ("scheme", "评定方案"),
    ("description", "说明"),
)


@dataclass(frozen=True)
class Change:
    change: str  # added | removed | changed
    what: str  # 属性 / 类型 / 项目 / 一票否决
    name: str
    before: str = ""
    after: str = ""

    @property
    def label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.change]


def _points(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text}分"


def _item_text(item: ItemSpec) -> dict[str, str]:
    return {
        "分值": _points(item.points),
        "考核评价标准": "\n".join(item.criteria),
        "考评方式": item.method,
        "佐证材料": item.evidence_hint,
    }


def diff_specs(old: RubricSpec, new: RubricSpec) -> list[Change]:
    changes: list[Change] = []
    for field, label in ATTRIBUTES:
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            changes.append(Change("changed", "属性", label, _show(before), _show(after)))
    old_categories = {c.name: c for c in old.categories}
    new_categories = {c.name: c for c in new.categories}
    for name, category in new_categories.items():
        if name not in old_categories:
            changes.append(Change("added", "类型", name, after=_points(category.points)))
        elif old_categories[name].points != category.points:
            changes.append(
                Change(
                    "changed", "类型", name, _points(old_categories[name].points), _points(category.points)
                )
            )
    removed_categories = [(n, c) for n, c in old_categories.items() if n not in new_categories]
    changes += [Change("removed", "类型", n, before=_points(c.points)) for n, c in removed_categories]
    old_items = {i.name: (c.name, i) for c in old.categories for i in c.items}
    new_items = {i.name: (c.name, i) for c in new.categories for i in c.items}
    for name, (category, item) in new_items.items():
        if name not in old_items:
            changes.append(Change("added", "项目", f"{category} › {name}", after=_points(item.points)))
            continue
        old_category, old_item = old_items[name]
        if old_category != category:
            changes.append(Change("changed", "项目", name, f"属于“{old_category}”", f"属于“{category}”"))
        before, after = _item_text(old_item), _item_text(item)
        for key in before:
            if before[key] != after[key]:
                changes.append(
                    Change("changed", "项目", f"{category} › {name} · {key}", before[key], after[key])
                )
    removed_items = [(n, c, i) for n, (c, i) in old_items.items() if n not in new_items]
    changes += [
        Change("removed", "项目", f"{c} › {n}", before=_points(i.points)) for n, c, i in removed_items
    ]
    old_vetoes, new_vetoes = {v.text: v for v in old.vetoes}, {v.text: v for v in new.vetoes}
    changes += [
        Change("added", "一票否决", t, after=v.max_grade)
        for t, v in new_vetoes.items()
        if t not in old_vetoes
    ]
    removed_vetoes = [(t, v) for t, v in old_vetoes.items() if t not in new_vetoes]
    changes += [Change("removed", "一票否决", t, before=v.max_grade) for t, v in removed_vetoes]
    return changes


def _show(value) -> str:
    if isinstance(value, Decimal):
        return _points(value)
    if isinstance(value, tuple | list):
        return "、".join(Domain(v).label if v in Domain.values else str(v) for v in value)
    return str(value)
