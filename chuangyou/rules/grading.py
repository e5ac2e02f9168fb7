"""Grade schemes and grading under quotas (评星定级).

A scheme is data (TOML under `schemes/`, or a user file): ordered grades with a minimum score,
quotas with their rounding, an optional floor, satisfaction gates, the grade a veto caps at and the
grade a 软弱涣散 flag gives. `grade_branches` ranks the branches, fills the grades in rank order
within the quota scope, applies the floor over the whole county, and explains every result in one
Chinese line. All quota arithmetic is exact (Fraction/int); scores stay Decimal.
"""

from __future__ import annotations

import gc
import math
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

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


class GradingInputError(ValueError):
    """Branch data that cannot be graded; the message is for the user (Chinese)."""


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

    def limit(self, total: int) -> int:
        return round_share(Fraction(self.max_percent) * total / 100, self.rounding)

    def describe(self, total: int) -> str:
        return (
            f"{total}×{format_number(self.max_percent)}%{ROUNDING_NAMES[self.rounding]}={self.limit(total)}"
        )


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
        text = (resources.files("chuangyou.rules") / "schemes" / f"{name_or_path}.toml").read_text("utf-8")
        source = name_or_path
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"方案文件“{source}”格式错误：{exc}") from exc
    return scheme_from_dict(data, name=source)


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True, slots=True)
class BranchScore:
    code: str
    name: str
    township: str
    score: Decimal
    satisfaction: Decimal | None = None  # percent, 0–100
    veto: str = ""  # any text is a veto (一票否决) and goes into the reason
    weak: str = ""  # any text flags a 软弱涣散 situation
    subtotals: tuple[Decimal, ...] = ()  # category subtotals in the configured tie-break order


class GradeResult(NamedTuple):
    """One branch's decision. A NamedTuple: immutable, and cheap enough for 200,000 of them."""

    code: str
    grade: str
    rank: int  # within the quota scope
    rank_total: int
    reason: str
    county_rank: int
    fill_grade: str  # after the quota fill, before the floor
    floor_adjusted: bool


@dataclass(frozen=True)
class QuotaStatus:
    grade: str
    max_percent: Decimal
    rounding: Rounding
    limit: int
    used: int
    description: str

    @property
    def holds(self) -> bool:
        return self.used <= self.limit


@dataclass(frozen=True)
class FloorStatus:
    grades: tuple[str, ...]
    label: str
    min_percent: Decimal
    rounding: Rounding
    minimum: int
    before: int  # branches in the floor grades after the fill
    after: int
    demoted: int
    description: str

    @property
    def holds(self) -> bool:
        return self.after >= self.minimum


@dataclass(frozen=True)
class TownshipSeats:
    township: str
    branches: int
    seats: Mapping[str, int]  # quota grade -> seats apportioned
    shares: Mapping[str, Fraction]  # quota grade -> exact share Q·n_t/N
    used: Mapping[str, int]

    @property
    def holds(self) -> bool:
        return all(self.used[g] <= self.seats[g] for g in self.seats)


@dataclass(frozen=True)
class GradingSummary:
    scheme: str
    quota_scope: QuotaScope
    total: int
    counts: Mapping[str, int]  # in grade order
    quotas: tuple[QuotaStatus, ...]
    floor: FloorStatus | None
    apportionment: tuple[TownshipSeats, ...]  # township scope only

    @property
    def holds(self) -> bool:
        return (
            all(q.holds for q in self.quotas)
            and (self.floor is None or self.floor.holds)
            and all(t.holds for t in self.apportionment)
        )


@dataclass(frozen=True)
class GradingResult:
    results: tuple[GradeResult, ...]  # in input order
    summary: GradingSummary

    def by_code(self) -> dict[str, GradeResult]:
        return {r.code: r for r in self.results}


def apportion(quota: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Largest-remainder apportionment of `quota` seats by group size.

    Group t gets ⌊Q·n_t/N⌋, the seats left go one each to the largest remainders Q·n_t mod N,
    ties to the group name in ascending order.
    """
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    seats = {name: quota * n // total for name, n in sizes.items()}
    left = quota - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda name: (-(quota * sizes[name] % total), name))
    for name in by_remainder[:left]:
        seats[name] += 1
    return seats


def _check_inputs(items: Sequence[BranchScore]) -> None:
    """Refuse duplicate codes and invalid numbers; a fast path first, details only on failure."""
    codes = [b.code for b in items]
    scores = [b.score for b in items]
    sats = [b.satisfaction for b in items if b.satisfaction is not None]
    try:
        ok = (
            len(set(codes)) == len(codes)
            and set(map(type, scores)) <= {Decimal}
            and set(map(type, sats)) <= {Decimal}
            and (not scores or (min(scores) >= 0 and max(scores).is_finite()))
            and (not sats or (min(sats) >= 0 and max(sats) <= HUNDRED))
        )
    except (InvalidOperation, TypeError):  # NaN or a non-Decimal value
        ok = False
    if ok:
        return
    problems: list[str] = []
    seen: set[str] = set()
    for b in items:
        if b.code in seen:
            problems.append(f"组织代码“{b.code}”重复")
        seen.add(b.code)
        if not isinstance(b.score, Decimal) or not b.score.is_finite() or b.score < 0:
            problems.append(f"组织“{b.code}”的得分“{b.score}”无效")
        sat = b.satisfaction
        if sat is not None and (not isinstance(sat, Decimal) or not sat.is_finite() or not 0 <= sat <= 100):
            problems.append(f"组织“{b.code}”的满意率“{sat}”应在0–100之间")
        if len(problems) >= 20:
            break
    raise GradingInputError("；".join(problems or ["输入数据无效"]))


def _exact_ints(values: Iterable[Decimal]) -> dict[Decimal, int]:
    """Map each distinct Decimal to an integer with the same order (all scaled by one power of ten)."""
    distinct = set(values)
    exponent = min((int(v.as_tuple().exponent) for v in distinct), default=0)
    mapping = {}
    for v in distinct:
        sign, digits, exp = v.as_tuple()
        whole = int("".join(map(str, digits)) or "0") * 10 ** (int(exp) - exponent)
        mapping[v] = -whole if sign else whole
    return mapping


def _ranking(items: Sequence[BranchScore], tie_break: tuple[str, ...]) -> list[int]:
    """Indices in rank order: score descending, then the tie-break rules, the code last.

    Stable sorts from the least significant key up (`reverse=True` keeps equal keys in order).
    For the usual (satisfaction, code) order, score and satisfaction are folded into one exact
    integer key, which sorts 200,000 rows much faster than tuples of Decimals.
    """
    order = sorted(range(len(items)), key=[b.code for b in items].__getitem__)
    if tie_break == ("satisfaction", "code"):
        score_of = _exact_ints(b.score for b in items)
        sat_of = _exact_ints(b.satisfaction for b in items if b.satisfaction is not None)
        width = max(sat_of.values(), default=0) + 2  # 0 = missing, ranks after any value
        keys = [
            score_of[b.score] * width + (0 if b.satisfaction is None else sat_of[b.satisfaction] + 1)
            for b in items
        ]
        order.sort(key=keys.__getitem__, reverse=True)
        return order
    for rule in reversed(("score", *tie_break)):
        if rule == "score":
            order.sort(key=[b.score for b in items].__getitem__, reverse=True)
        elif rule == "satisfaction":
            sats = [MISSING if b.satisfaction is None else b.satisfaction for b in items]
            order.sort(key=sats.__getitem__, reverse=True)
        elif rule == "subtotals":  # compared one by one, a missing subtotal after any value
            keys_t = [tuple((1, v) for v in b.subtotals) + ((0,),) for b in items]
            order.sort(key=keys_t.__getitem__, reverse=True)
    return order


MISSING = Decimal(-1)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while allocating ~10 objects per branch, none of them in cycles.

    Full collections over a province's 200,000 branches otherwise cost as much as the grading.
    Only re-enables what it disabled, so nested or concurrent callers are safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def grade_branches(
    branches: Iterable[BranchScore], scheme: GradeScheme, quota_scope: QuotaScope = "county"
) -> GradingResult:
    """Grade every branch; results come back in input order. O(N log N).

    Written with list comprehensions and few passes: a province grades 200,000 branches at once.
    """
    if quota_scope not in SCOPE_NAMES:
        raise ValueError(f"名额范围“{quota_scope}”无效，应为 county（全县统一）或 township（按党委分配）")
    with _gc_paused():
        return _grade(list(branches), scheme, quota_scope)


def _grade(items: list[BranchScore], scheme: GradeScheme, quota_scope: QuotaScope) -> GradingResult:
    _check_inputs(items)
    n = len(items)
    labels = scheme.labels
    last = len(labels) - 1
    township_scope = quota_scope == "township"
    scores = [b.score for b in items]
    order = _ranking(items, scheme.tie_break)

    county_rank = [0] * n
    top = [0] * n  # highest grade the score alone earns; non-increasing along the ranking
    minimums = [g.min_score for g in scheme.grades]
    g = 0
    for pos, i in enumerate(order, 1):
        county_rank[i] = pos
        while g < last and scores[i] < minimums[g]:
            g += 1
        top[i] = g

    limits = {scheme.index(q.grade): q.limit(n) for q in scheme.quotas}
    if township_scope:
        towns = [b.township for b in items]
        members: defaultdict[str, list[int]] = defaultdict(list)
        for i in order:  # the county ranking restricted to a township is its own ranking
            members[towns[i]].append(i)
        sizes = {t: len(m) for t, m in members.items()}
        per_grade = {grade: apportion(q, sizes) for grade, q in limits.items()}
        groups = [(t, members[t], {grade: per_grade[grade][t] for grade in limits}) for t in sorted(members)]
        rank = [0] * n
        rank_total = [0] * n
        for _, group, _ in groups:
            total = len(group)
            for pos, i in enumerate(group, 1):
                rank[i] = pos
                rank_total[i] = total
    else:
        groups = [("", order, dict(limits))]
        rank = county_rank
        rank_total = [n] * n

    weak_index = scheme.index(scheme.weak_grade)
    veto_index = scheme.index(scheme.veto_max_grade)
    gates = [(gate.min_satisfaction, scheme.index(gate.max_grade)) for gate in scheme.gates]

    # Caps first (flag, veto, gates), all branches at once; they do not depend on the ranking.
    fill = list(top)
    capped = [bool(b.weak or b.veto) for b in items]  # explained the long way
    for i in range(n) if gates else [i for i, c in enumerate(capped) if c]:
        b = items[i]
        if b.weak:
            fill[i] = weak_index
            continue
        if b.veto and fill[i] < veto_index:
            fill[i] = veto_index
        if gates and b.satisfaction is not None:
            for min_sat, cap in gates:
                if b.satisfaction < min_sat:
                    capped[i] = True
                    if fill[i] < cap:
                        fill[i] = cap

    # The fill: only branches that reach a grade with a quota compete for seats, in rank order.
    missed_of: dict[int, tuple[int, ...]] = {}
    seat_of: dict[int, int] = {}
    if limits:
        competing = {
            i for i, (b, g) in enumerate(zip(items, fill, strict=True)) if g in limits and not b.weak
        }
        for _, group, seats in groups:
            remaining = dict(seats)
            for i in [i for i in group if i in competing]:
                g = fill[i]
                if remaining[g] == 0:
                    missed: tuple[int, ...] = ()
                    while g in remaining and remaining[g] == 0:
                        missed += (g,)
                        g += 1
                    missed_of[i] = missed
                    fill[i] = g
                if g in remaining:
                    remaining[g] -= 1
                    seat_of[i] = seats[g] - remaining[g]

    final = list(fill)
    floor_status = None
    if scheme.floor is not None:
        start = len(labels) - len(scheme.floor.grades)
        minimum = scheme.floor.minimum(n)
        before = sum(1 for g in fill if g >= start)
        deficit = minimum - before
        demoted = 0
        for i in reversed(order):  # one at a time from the bottom of the county ranking
            if deficit <= 0:
                break
            if final[i] < start:
                final[i] = start
                deficit -= 1
                demoted += 1
        floor_status = FloorStatus(
            grades=scheme.floor.grades,
            label=scheme.floor.label,
            min_percent=scheme.floor.min_percent,
            rounding=scheme.floor.rounding,
            minimum=minimum,
            before=before,
            after=before + demoted,
            demoted=demoted,
            description=scheme.floor.describe(n),
        )

    group_seats = {t: seats for t, _, seats in groups}
    reasons = _reasons(
        items,
        scheme,
        township_scope,
        group_seats,
        floor_status,
        rank,
        rank_total,
        county_rank,
        top,
        fill,
        final,
        capped,
        missed_of,
        seat_of,
    )
    fill_labels = [labels[g] for g in fill]
    final_labels = [labels[g] for g in final]
    adjusted = [a != b for a, b in zip(fill, final, strict=True)]
    codes = [b.code for b in items]
    results = tuple(
        map(
            GradeResult._make,
            zip(
                codes,
                final_labels,
                rank,
                rank_total,
                reasons,
                county_rank,
                fill_labels,
                adjusted,
                strict=True,
            ),
        )
    )

    counts = dict.fromkeys(labels, 0)
    for g, count in Counter(final).items():
        counts[labels[g]] = count
    quota_status = tuple(
        QuotaStatus(
            grade=q.grade,
            max_percent=q.max_percent,
            rounding=q.rounding,
            limit=q.limit(n),
            used=counts[q.grade],
            description=q.describe(n),
        )
        for q in scheme.quotas
    )
    apportionment: tuple[TownshipSeats, ...] = ()
    if township_scope:
        used = Counter((items[i].township, g) for i, g in enumerate(final) if g in limits)
        apportionment = tuple(
            TownshipSeats(
                township=t,
                branches=len(group),
                seats={labels[g]: s for g, s in seats.items()},
                shares={labels[g]: Fraction(q * len(group), n) for g, q in limits.items()},
                used={labels[g]: used[(t, g)] for g in limits},
            )
            for t, group, seats in groups
        )
    summary = GradingSummary(
        scheme=scheme.name,
        quota_scope=quota_scope,
        total=n,
        counts=counts,
        quotas=quota_status,
        floor=floor_status,
        apportionment=apportionment,
    )
    return GradingResult(results=results, summary=summary)


def _reasons(
    items: Sequence[BranchScore],
    scheme: GradeScheme,
    township_scope: bool,
    group_seats: Mapping[str, Mapping[int, int]],
    floor: FloorStatus | None,
    rank: Sequence[int],
    rank_total: Sequence[int],
    county_rank: Sequence[int],
    top: Sequence[int],
    fill: Sequence[int],
    final: Sequence[int],
    capped: Sequence[bool],
    missed_of: Mapping[int, tuple[int, ...]],
    seat_of: Mapping[int, int],
) -> list[str]:
    """One Chinese line per branch; the common cases are single f-strings over cached clauses."""
    explain = _Explainer(scheme, township_scope, len(items), group_seats, floor)
    labels = scheme.labels
    texts = {s: format_number(s) for s in {b.score for b in items}}
    word = explain.rank_word
    plain = [f"，{explain.threshold_clause(g, g)}，评为{labels[g]}" for g in range(len(labels))]
    # Branches that met a score line and no quota: the bulk of every county.
    reasons = [
        f"得分{texts[b.score]}，{word}{r}/{t}{plain[g]}"
        for b, r, t, g in zip(items, rank, rank_total, fill, strict=True)
    ]
    seat_word = explain.seat_word
    missed_text: dict[tuple[str, tuple[int, ...]], str] = {}
    for i in {*missed_of, *seat_of}:
        if capped[i] or fill[i] != final[i]:
            continue
        b = items[i]
        g = fill[i]
        head = f"得分{texts[b.score]}，{word}{rank[i]}/{rank_total[i]}"
        seats = group_seats[b.township if township_scope else ""]
        if i in missed_of:
            key = (b.township if township_scope else "", missed_of[i])
            clause = missed_text.get(key)
            if clause is None:
                clause = missed_text[key] = explain.missed_clause(seats, missed_of[i])
            reasons[i] = f"{head}，{clause}，评为{labels[g]}"
        else:
            reasons[i] = (
                f"{head}，{explain.threshold_clause(g, g)}，占{seat_word}{labels[g]}名额第{seat_of[i]}个"
                f"（共{seats[g]}个），评为{labels[g]}"
            )
    for i in [i for i, (c, f, g) in enumerate(zip(capped, fill, final, strict=True)) if c or f != g]:
        b = items[i]
        reasons[i] = explain(
            b,
            rank[i],
            rank_total[i],
            county_rank[i],
            top[i],
            fill[i],
            final[i],
            missed_of.get(i, ()),
            seat_of.get(i, 0),
        )
    return reasons


class _Explainer:
    """Builds the one-line Chinese reason naming the rule that decided a grade."""

    def __init__(
        self,
        scheme: GradeScheme,
        township_scope: bool,
        total: int,
        group_seats: Mapping[str, Mapping[int, int]],
        floor: FloorStatus | None,
    ) -> None:
        self.scheme = scheme
        self.labels = scheme.labels
        self.township_scope = township_scope
        self.total = total
        self.group_seats = group_seats
        self.floor = floor
        self.weak_index = scheme.index(scheme.weak_grade)
        self.veto_index = scheme.index(scheme.veto_max_grade)
        self.min_text = [format_number(g.min_score) for g in scheme.grades]
        self.seat_word = "本党委" if township_scope else ""
        self.rank_word = "党委内排名" if township_scope else "排名"

    def threshold_clause(self, top: int, fill: int) -> str:
        """Which score line the branch met (or fell below); empty when a cap decided instead."""
        if fill != top:
            return ""
        if top == len(self.labels) - 1 and top > 0:
            return f"低于{self.labels[top - 1]}标准（{self.min_text[top - 1]}分）"
        return f"达到{self.labels[top]}标准（≥{self.min_text[top]}分）"

    def missed_clause(self, seats: Mapping[int, int], missed: tuple[int, ...]) -> str:
        """'优秀名额8个已满' for every quota grade the branch reached but found full."""
        labels = self.labels
        return "，".join(
            f"{self.seat_word}{labels[g]}名额{seats[g]}个已满"
            if seats[g]
            else f"{self.seat_word}无{labels[g]}名额"
            for g in missed
        )

    def __call__(
        self,
        b: BranchScore,
        rank: int,
        rank_total: int,
        county_rank: int,
        top: int,
        fill: int,
        final: int,
        missed: tuple[int, ...],
        seat: int,
    ) -> str:
        labels = self.labels
        head = f"得分{format_number(b.score)}，{self.rank_word}{rank}/{rank_total}"
        if b.weak:
            return f"存在软弱涣散情形（{b.weak}），{head}，直接评为{labels[self.weak_index]}"
        parts: list[str] = []
        if b.veto:
            parts.append(f"一票否决（{b.veto}），最高评为{labels[self.veto_index]}")
        if b.satisfaction is not None:
            for gate in self.scheme.gates:
                if b.satisfaction < gate.min_satisfaction:
                    parts.append(
                        f"满意率{format_number(b.satisfaction)}%低于{format_number(gate.min_satisfaction)}%，"
                        f"最高评为{gate.max_grade}"
                    )
        parts.append(head)
        if final != fill:
            floor = self.floor
            assert floor is not None
            if self.township_scope:
                parts.append(f"全县排名{county_rank}/{self.total}")
            parts.append(
                f"按名额可评为{labels[fill]}，因{floor.label}比例不低于{format_number(floor.min_percent)}%"
                f"（至少{floor.minimum}个），由{labels[fill]}调整为{labels[final]}"
            )
            return "，".join(parts)
        seats = self.group_seats[b.township if self.township_scope else ""]
        if missed:
            parts.append(self.missed_clause(seats, missed))
        else:
            clause = self.threshold_clause(top, fill)
            if clause:
                parts.append(clause)
            if fill in seats:  # a capped branch may still take a seat in a custom scheme
                parts.append(f"占{self.seat_word}{labels[fill]}名额第{seat}个（共{seats[fill]}个）")
        parts.append(f"评为{labels[fill]}")
        return "，".join(parts)
