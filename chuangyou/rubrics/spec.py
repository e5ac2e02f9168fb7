"""A rubric as plain data: what data files, Excel sheets, the database and the editor exchange.

`RubricSpec.to_core()` hands the scoring core (`chuangyou.rules.rubric`) its frozen dataclasses;
the 考评方式 text of each item is parsed into rules there and then, so the text stays the one
source of truth for how points are taken away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from chuangyou.rules import rubric as core
from chuangyou.rules.method_text import ParsedMethod, item_from_method


class SpecError(ValueError):
    """Data that does not describe a rubric; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class ItemSpec:
    name: str
    points: Decimal
    criteria: tuple[str, ...] = ()
    method: str = ""
    evidence_hint: str = ""


@dataclass(frozen=True)
class CategorySpec:
    name: str
    points: Decimal
    items: tuple[ItemSpec, ...] = ()
    bonus: bool = False


@dataclass(frozen=True)
class VetoSpec:
    text: str
    max_grade: str = ""


@dataclass(frozen=True)
class RubricSpec:
    code: str
    name: str
    categories: tuple[CategorySpec, ...]
    total: Decimal = Decimal(100)
    domains: tuple[str, ...] = ()
    vetoes: tuple[VetoSpec, ...] = ()
    description: str = ""
    source: str = ""
    scheme: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def parsed(self) -> list[tuple[CategorySpec, ItemSpec, core.Item, ParsedMethod]]:
        """Every item with its core form and the parse of its 考评方式."""
        result = []
        for category in self.categories:
            for item in category.items:
                core_item, parsed = item_from_method(
                    item.name,
                    item.points,
                    item.method,
                    criteria=item.criteria,
                    evidence_hint=item.evidence_hint,
                    bonus=category.bonus,
                )
                result.append((category, item, core_item, parsed))
        return result

    def to_core(self) -> core.Rubric:
        items = {(c.name, i.name): parsed for c, i, parsed, _ in self.parsed()}
        categories = tuple(
            core.Category(
                name=c.name,
                points=c.points,
                items=tuple(items[(c.name, i.name)] for i in c.items),
                bonus=c.bonus,
            )
            for c in self.categories
        )
        return core.Rubric(name=self.name, categories=categories, total=self.total)

    def errors(self) -> list[str]:
        """Everything that blocks publishing (the core's validation)."""
        return core.validate_rubric(self.to_core())


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise SpecError(f"{where}的分值“{value}”不是数字") from exc
    if not number.is_finite():
        raise SpecError(f"{where}的分值“{value}”不是数字")
    return number


def spec_from_dict(data: Mapping[str, Any]) -> RubricSpec:
    """A rubric from the data-file layout (docs/rubric-data-format.md)."""
    try:
        categories = tuple(
            CategorySpec(
                name=str(c["name"]).strip(),
                points=_decimal(c["points"], f"类型“{c['name']}”"),
                bonus=bool(c.get("bonus", False)),
                items=tuple(
                    ItemSpec(
                        name=str(i["name"]).strip(),
                        points=_decimal(i["points"], f"项目“{i['name']}”"),
                        criteria=tuple(str(t).strip() for t in i.get("criteria", ()) if str(t).strip()),
                        method=str(i.get("method", "")).strip(),
                        evidence_hint=str(i.get("evidence_hint", "")).strip(),
                    )
                    for i in c.get("items", ())
                ),
            )
            for c in data.get("categories", ())
        )
        return RubricSpec(
            code=str(data["code"]).strip(),
            name=str(data["name"]).strip(),
            total=_decimal(data.get("total", 100), "总分"),
            domains=tuple(data.get("domains", ())),
            vetoes=tuple(
                VetoSpec(str(v["text"]).strip(), str(v.get("max_grade", ""))) for v in data.get("vetoes", ())
            ),
            description=str(data.get("description", "")).strip(),
            source=str(data.get("source", "")).strip(),
            scheme=str(data.get("scheme", "")).strip(),
            categories=categories,
        )
    except (KeyError, TypeError) as exc:
        raise SpecError(f"评定标准数据缺少必填项：{exc}") from exc
