"""Grade schemes as data (评定方案): ordered grades with minimum scores, quotas with their
rounding, an optional floor, satisfaction gates, the grade a veto caps at and the grade a 软弱涣散
flag gives. Presets are TOML files under `schemes/`; a county may supply its own file."""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Rounding = Literal["floor", "ceil", "half_up"]
QuotaScope = Literal["county", "township"]

ROUNDING_NAMES: dict[str, str] = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}
TIE_BREAK_NAMES: dict[str, str] = {"satisfaction": "满意率", "subtotals": "分类小计", "code": "组织代码"}
SCOPE_NAMES: dict[str, str] = {"county": "全县统一", "township": "按乡镇（街道）党委分配"}
PRESETS: tuple[str, ...] = ("seed2020", "jiguan2012", "three-class")
DEFAULT_SCHEME = "seed2020"
HUNDRED = Decimal(100)


class SchemeError(ValueError):
    """A grade scheme that cannot be used; the message is for the user (Chinese)."""


def format_number(value: Decimal | Fraction | int) -> str:
    """91.50 -> '91.5', 100 -> '100' (never scientific notation)."""
    if type(value) is not Decimal:  # (Fraction is an ABC: isinstance on it is slow)
        if isinstance(value, int):
            return str(value)
        if value.denominator == 1:
            return str(value.numerator)
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def truncate(value: Fraction, places: int) -> Decimal:
    """`value` cut (not rounded) to `places` decimals: a rate just under a line never shows as on it."""
    scaled = math.floor(value * 10**places) if value >= 0 else math.ceil(value * 10**places)
    return Decimal(scaled).scaleb(-places)


def round_share(value: Fraction, rounding: Rounding) -> int:
    """Round an exact share to a whole number of seats."""
    if rounding == "floor":
        return math.floor(value)
    if rounding == "ceil":
        return math.ceil(value)
    if rounding == "half_up":
        return math.floor(value + Fraction(1, 2))
    raise SchemeError(f"未知的取整方式“{rounding}”")


@dataclass(frozen=True)
class Grade:
    label: str
    min_score: Decimal


@dataclass(frozen=True)
class Quota:
    """At most `max_percent` % of the branches graded may get `grade`."""

    grade: str
    max_percent: Decimal
    rounding: Rounding = "floor"
    target: bool = False  # "10%左右": a campaign may allow a tolerance above it

    def limit(self, total: int, points: Decimal = Decimal(0)) -> int:
        return round_share(Fraction(self.max_percent + points) * total / 100, self.rounding)

    def describe(self, total: int, points: Decimal = Decimal(0)) -> str:
        percent = format_number(self.max_percent)
        if points:
            percent = f"（{percent}%+{format_number(points)}个百分点）"
        else:
            percent += "%"
        return f"{total}×{percent}{ROUNDING_NAMES[self.rounding]}={self.limit(total, points)}"


@dataclass(frozen=True)
class Floor:
    """At least `min_percent` % of the branches must end in `grades` (the lowest grades)."""

    grades: tuple[str, ...]
    min_percent: Decimal
    rounding: Rounding = "ceil"

    def minimum(self, total: int) -> int:
        return round_share(Fraction(self.min_percent) * total / 100, self.rounding)

    @property
    def label(self) -> str:
        return self.grades[0] + "及以下" if len(self.grades) > 1 else self.grades[0]

    def describe(self, total: int) -> str:
        return (
            f"{total}×{format_number(self.min_percent)}%{ROUNDING_NAMES[self.rounding]}={self.minimum(total)}"
        )


@dataclass(frozen=True)
class Gate:
    """A satisfaction rate (percent) below `min_satisfaction` caps the grade at `max_grade`."""

    min_satisfaction: Decimal
    max_grade: str


@dataclass(frozen=True)
class GradeScheme:
    name: str
    title: str
    grades: tuple[Grade, ...]
    veto_max_grade: str
    weak_grade: str
    quotas: tuple[Quota, ...] = ()
    floor: Floor | None = None
    gates: tuple[Gate, ...] = ()
    tie_break: tuple[str, ...] = ("satisfaction", "code")
    source: str = ""

    def __post_init__(self) -> None:
        errors = scheme_errors(self)
        if errors:
            raise SchemeError(f"评定方案“{self.name}”有误：" + "；".join(errors))
        if "code" not in self.tie_break:
            # The code is unique, so appending it makes the ranking a total order.
            object.__setattr__(self, "tie_break", (*self.tie_break, "code"))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(g.label for g in self.grades)

    def index(self, label: str) -> int:
        return self.labels.index(label)

    def satisfaction_caps(
        self,
        satisfaction: Decimal | None,
        votes: tuple[int, int] | None = None,
        *,
        needs_evaluation: bool = False,
    ) -> list[tuple[int, str]]:
        """(grade index, why) of each satisfaction gate a branch fails, compared exactly.

        `votes` are the 民主测评's (满意+基本满意, valid votes): with them 3599/3999 is below 90 %, though
        its rate shows as 90.00. Without any rate the gates do not apply, unless `needs_evaluation`
        (the campaign's rule): then a branch without a valid evaluation is capped by every gate."""
        if not self.gates:
            return []
        if votes is not None and votes[1] > 0:
            rate = Fraction(votes[0] * 100, votes[1])
            shown = (
                f"满意率{format_number(truncate(rate, 4))}%（满意和基本满意{votes[0]}票/有效{votes[1]}票）"
            )
        elif satisfaction is not None:
            rate, shown = Fraction(satisfaction), f"满意率{format_number(satisfaction)}%"
        else:
            if not needs_evaluation:
                return []
            return [(self.index(gate.max_grade), "无有效的民主测评满意率") for gate in self.gates]
        return [
            (self.index(gate.max_grade), f"{shown}低于{format_number(gate.min_satisfaction)}%")
            for gate in self.gates
            if rate < Fraction(gate.min_satisfaction)
        ]

    def cap(
        self,
        *,
        veto: str = "",
        weak: str = "",
        satisfaction: Decimal | None = None,
        votes: tuple[int, int] | None = None,
        needs_evaluation: bool = False,
        declared: str = "",
        veto_cap: str = "",
    ) -> tuple[str, str] | None:
        """The highest grade a branch with these flags may have whatever its score, and why; None
        when nothing caps it. Grading applies the same caps; an override may not lift them.
        `declared` is the grade applied for, when the campaign does not grade above it."""
        if weak:
            return self.weak_grade, "存在软弱涣散情形"
        caps = []
        if declared in self.labels and self.index(declared) > 0:
            caps.append((self.index(declared), f"申报等级为{declared}"))
        if veto:
            caps.append((self.index(veto_cap or self.veto_max_grade), "有一票否决情形"))
        caps += self.satisfaction_caps(satisfaction, votes, needs_evaluation=needs_evaluation)
        if not caps:
            return None
        index, why = max(caps)  # the lowest of the caps
        return self.labels[index], why


def scheme_errors(scheme: GradeScheme) -> list[str]:
    """Every problem of a scheme, in Chinese; empty when it can be used."""
    errors: list[str] = []
    labels = [g.label for g in scheme.grades]
    if not scheme.grades:
        return ["至少需要一个等级"]
    if any(not label.strip() for label in labels):
        errors.append("等级名称不能为空")
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        errors.append(f"等级“{label}”重复")
    for higher, lower in zip(scheme.grades, scheme.grades[1:], strict=False):
        if not lower.min_score < higher.min_score:
            errors.append(f"等级“{lower.label}”的最低分应低于“{higher.label}”的最低分")
    if scheme.grades[-1].min_score != 0:
        errors.append(f"最低等级“{labels[-1]}”的最低分应为0（低于上一等级者均评为该等级）")
    if any(g.min_score < 0 for g in scheme.grades):
        errors.append("等级最低分不能为负数")

    def known(label: str, what: str) -> bool:
        if label not in labels:
            errors.append(f"{what}“{label}”不是本方案的等级")
            return False
        return True

    known(scheme.veto_max_grade, "一票否决最高等级")
    known(scheme.weak_grade, "软弱涣散情形对应等级")
    seen: set[str] = set()
    for quota in scheme.quotas:
        if not known(quota.grade, "名额等级"):
            continue
        if quota.grade in seen:
            errors.append(f"等级“{quota.grade}”的名额重复设置")
        seen.add(quota.grade)
        if quota.grade == labels[-1]:
            errors.append(f"最低等级“{quota.grade}”不能设名额上限")
        if quota.grade == scheme.weak_grade:
            errors.append(f"软弱涣散情形对应等级“{quota.grade}”不能设名额上限")
        if not 0 <= quota.max_percent <= 100:
            errors.append(f"等级“{quota.grade}”的名额比例应在0–100%之间")
        if quota.rounding not in ROUNDING_NAMES:
            errors.append(f"等级“{quota.grade}”的取整方式“{quota.rounding}”无效（floor/ceil/half_up）")
    if scheme.floor is not None:
        floor = scheme.floor
        if all(known(label, "下限等级") for label in floor.grades):
            suffix = labels[len(labels) - len(floor.grades) :]
            if (
                not floor.grades
                or sorted(floor.grades) != sorted(suffix)
                or len(set(floor.grades)) != len(floor.grades)
            ):
                errors.append("比例下限的等级须是最低的若干个等级")
            elif len(floor.grades) == len(labels):
                errors.append("比例下限不能包含全部等级")
            elif floor.grades != tuple(suffix):
                errors.append("比例下限的等级请按从高到低的顺序列出")
        if not 0 <= floor.min_percent <= 100:
            errors.append("比例下限应在0–100%之间")
        if floor.rounding not in ROUNDING_NAMES:
            errors.append(f"比例下限的取整方式“{floor.rounding}”无效（floor/ceil/half_up）")
    for gate in scheme.gates:
        known(gate.max_grade, "满意率门槛最高等级")
        if not 0 <= gate.min_satisfaction <= 100:
            errors.append("满意率门槛应在0–100%之间")
    for key in scheme.tie_break:
        if key not in TIE_BREAK_NAMES:
            errors.append(f"排序依据“{key}”无效（可用 satisfaction、subtotals、code）")
    if len(set(scheme.tie_break)) != len(scheme.tie_break):
        errors.append("排序依据有重复")
    if "code" in scheme.tie_break and scheme.tie_break[-1] != "code":
        errors.append("组织代码须为最后一个排序依据（代码唯一，其后的依据不起作用）")
    return errors


# --------------------------------------------------------------------------- loading


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise SchemeError(f"{what}应为数字")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SchemeError(f"{what}应为数字，现为“{value}”") from None
    if not number.is_finite():
        raise SchemeError(f"{what}应为数字，现为“{value}”")
    return number


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SchemeError(f"{what}应为非空文字")
    return value.strip()


def _table(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SchemeError(f"{what}格式错误")
    return value


def _rounding(value: Any, default: Rounding, what: str) -> Rounding:
    text = default if value is None else str(value)
    if text not in ROUNDING_NAMES:
        raise SchemeError(f"{what}的取整方式“{text}”无效（floor/ceil/half_up）")
    return text  # type: ignore[return-value]


def scheme_from_dict(data: Mapping[str, Any], *, name: str = "") -> GradeScheme:
    """Build a scheme from the TOML structure (also what the web app stores)."""
    scheme_name = str(data.get("name") or name).strip() or "custom"
    grades_data = data.get("grades")
    if not isinstance(grades_data, list) or not grades_data:
        raise SchemeError("评定方案缺少等级（grades）")
    grades = tuple(
        Grade(
            label=_text(_table(g, "等级").get("label"), "等级名称（label）"),
            min_score=_decimal(g.get("min_score"), f"等级“{g.get('label')}”的最低分（min_score）"),
        )
        for g in grades_data
    )
    quotas = tuple(
        Quota(
            grade=_text(_table(q, "名额").get("grade"), "名额等级（grade）"),
            max_percent=_decimal(q.get("max_percent"), f"等级“{q.get('grade')}”的名额比例（max_percent）"),
            rounding=_rounding(q.get("rounding"), "floor", f"等级“{q.get('grade')}”的名额"),
            target=bool(q.get("target", False)),
        )
        for q in data.get("quotas", [])
    )
    floor = None
    if data.get("floor") is not None:
        f = _table(data["floor"], "比例下限（floor）")
        floor_grades = f.get("grades")
        if not isinstance(floor_grades, list) or not floor_grades:
            raise SchemeError("比例下限缺少等级（grades）")
        floor = Floor(
            grades=tuple(_text(x, "下限等级") for x in floor_grades),
            min_percent=_decimal(f.get("min_percent"), "比例下限（min_percent）"),
            rounding=_rounding(f.get("rounding"), "ceil", "比例下限"),
        )
    gates = tuple(
        Gate(
            min_satisfaction=_decimal(
                _table(g, "满意率门槛").get("min_satisfaction"), "满意率门槛（min_satisfaction）"
            ),
            max_grade=_text(g.get("max_grade"), "满意率门槛最高等级（max_grade）"),
        )
        for g in data.get("gates", [])
    )
    tie_break = data.get("tie_break", ["satisfaction", "code"])
    if not isinstance(tie_break, list):
        raise SchemeError("排序依据（tie_break）应为列表")
    return GradeScheme(
        name=scheme_name,
        title=str(data.get("title") or scheme_name),
        source=str(data.get("source") or ""),
        grades=grades,
        veto_max_grade=_text(data.get("veto_max_grade"), "一票否决最高等级（veto_max_grade）"),
        weak_grade=_text(data.get("weak_grade"), "软弱涣散情形对应等级（weak_grade）"),
        quotas=quotas,
        floor=floor,
        gates=gates,
        tie_break=tuple(str(x) for x in tie_break),
    )


def load_scheme(name_or_path: str | Path = DEFAULT_SCHEME) -> GradeScheme:
    """A preset by name (seed2020, jiguan2012, three-class) or a user TOML file."""
    if isinstance(name_or_path, str) and name_or_path in PRESETS:
        return _preset(name_or_path)
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise SchemeError(
                f"找不到评定方案“{name_or_path}”：内置方案为 {'、'.join(PRESETS)}，或给出 .toml 文件路径"
            )
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemeError(f"无法读取方案文件“{path}”：{exc}") from exc
        source = path.stem
    return scheme_from_text(text, source=source)


@functools.cache
def _preset(name: str) -> GradeScheme:
    """A shipped scheme, read once (schemes are frozen: one instance serves every caller)."""
    text = (resources.files("chuangyou.rules") / "schemes" / f"{name}.toml").read_text("utf-8")
    return scheme_from_text(text, source=name)


def scheme_from_text(text: str, *, source: str = "自定义方案") -> GradeScheme:
    """A scheme from the text of a TOML file (a county's own scheme, kept with its campaign)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件“{source}”格式错误：{exc}") from exc
    return scheme_from_dict(data, name=source)
