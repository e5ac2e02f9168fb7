"""Grading under quotas (评星定级).

`grade_branches` ranks the branches, fills the grades in rank order within the quota scope, applies
the floor over the whole county, and explains every result in one Chinese line. All quota arithmetic
is exact (Fraction/int); scores stay Decimal. The schemes themselves are in `grade_scheme`.
"""

from __future__ import annotations

import gc
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

from chuangyou.rules.grade_scheme import (
    HUNDRED,
    SCOPE_NAMES,
    GradeScheme,
    Quota,
    QuotaScope,
    Rounding,
    format_number,
    truncate,
)


class GradingInputError(ValueError):
    """Branch data that cannot be graded; the message is for the user (Chinese)."""


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
    # A grade already submitted for notice (or published): kept as it is, and its seat is taken first.
    committed: str = ""
    votes: tuple[int, int] | None = None  # the satisfaction's exact parts: (满意+基本满意, valid votes)
    declared: str = ""  # the grade the branch applied for (申报等级)
    proposal: str = ""  # its township's proposal for the top grade: PENDING, ACCEPTED or DECLINED
    veto_cap: str = ""  # the grade the rubric's veto caps at; empty: the scheme's `veto_max_grade`
    # The 民主测评's weighted scores (0–100) of the members' and the public's answers, when valid.
    evaluation: tuple[Decimal | None, Decimal | None] = (None, None)


@dataclass(frozen=True)
class Policy:
    """A campaign's grading rules beyond its scheme; the defaults are the scheme alone."""

    needs_evaluation: bool = False  # without a valid 民主测评, the scheme's satisfaction gates cap
    # "10%左右": a target quota (the scheme's `target`) may be exceeded by this many branches, or
    # percentage points of N; and the seats a higher quota grade leaves unused may pass to it.
    tolerance: Decimal = Decimal(0)
    tolerance_unit: str = "branches"  # or "points"
    pass_unused: bool = False
    cap_at_declared: bool = False  # not graded above the grade applied for (申报等级)
    # Seed 000: the township decides 良好 and below and proposes 优秀 candidates; the county re-checks
    # them. Only a proposed candidate (pending or accepted) may have the top grade.
    proposals: bool = False
    # Seed 000: 自评与党员群众评议相结合. The final score is (1−w)·score + w·evaluation, where the
    # evaluation is the members' and the public's weighted scores in these proportions; 0: score alone.
    evaluation_weight: Decimal = Decimal(0)
    members_weight: Decimal = Decimal(1)
    public_weight: Decimal = Decimal(1)

    def combined(self, b: BranchScore) -> tuple[Decimal, str]:
        """The score graded, and how it was combined (empty when the evaluation has no weight)."""
        if not self.evaluation_weight:
            return b.score, ""
        parts = [
            (s, w, who)
            for s, w, who in zip(
                b.evaluation, (self.members_weight, self.public_weight), ("党员", "群众"), strict=True
            )
            if s is not None and w
        ]
        if not parts:
            return b.score, f"无有效的民主测评，按审核得分{format_number(b.score)}计"
        total_weight = sum(w for _, w, _ in parts)
        evaluation = sum(Fraction(s) * Fraction(w) for s, w, _ in parts) / Fraction(total_weight)
        weight = Fraction(self.evaluation_weight)
        exact = Fraction(b.score) * (1 - weight) + evaluation * weight
        score = Decimal(math.floor(exact * 100 + Fraction(1, 2))).scaleb(-2)
        shown = "、".join(f"{who}{format_number(s)}" for s, _, who in parts)
        if len(parts) == 2 and self.members_weight != self.public_weight:
            shown += f"，党员:群众={format_number(self.members_weight)}:{format_number(self.public_weight)}"
        w_eval, w_score = format_number(self.evaluation_weight), format_number(1 - self.evaluation_weight)
        text = (
            f"综合得分{format_number(score)}=审核得分{format_number(b.score)}×{w_score}"
            f"+民主测评{format_number(truncate(evaluation, 2))}×{w_eval}（{shown}）"
        )
        return score, text

    def to_dict(self) -> dict:
        """Plain JSON (a run keeps the policy it was graded under)."""
        return {
            "needs_evaluation": self.needs_evaluation,
            "tolerance": str(self.tolerance),
            "tolerance_unit": self.tolerance_unit,
            "pass_unused": self.pass_unused,
            "cap_at_declared": self.cap_at_declared,
            "proposals": self.proposals,
            "evaluation_weight": str(self.evaluation_weight),
            "members_weight": str(self.members_weight),
            "public_weight": str(self.public_weight),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Policy:
        return cls(
            needs_evaluation=bool(data.get("needs_evaluation", False)),
            tolerance=Decimal(data.get("tolerance", "0")),
            tolerance_unit=str(data.get("tolerance_unit", "branches")),
            pass_unused=bool(data.get("pass_unused", False)),
            cap_at_declared=bool(data.get("cap_at_declared", False)),
            proposals=bool(data.get("proposals", False)),
            evaluation_weight=Decimal(data.get("evaluation_weight", "0")),
            members_weight=Decimal(data.get("members_weight", "1")),
            public_weight=Decimal(data.get("public_weight", "1")),
        )

    def limit(self, quota: Quota, n: int) -> tuple[int, str]:
        """A quota's limit over N branches with this tolerance, and how it was counted."""
        if not quota.target or not self.tolerance:
            return quota.limit(n), quota.describe(n)
        if self.tolerance_unit == "points":
            return quota.limit(n, self.tolerance), quota.describe(n, self.tolerance)
        extra = int(self.tolerance)
        limit = quota.limit(n) + extra
        return limit, f"{quota.describe(n)}，允许上浮{extra}个={limit}"


def policy_errors(scheme: GradeScheme, policy: Policy) -> list[str]:
    """Settings of a policy that contradict each other or the scheme, each naming its field."""
    errors = []
    if policy.tolerance_unit not in TOLERANCE_UNITS:
        errors.append(f"良好名额浮动单位“{policy.tolerance_unit}”无效（branches 个 或 points 个百分点）")
    if policy.tolerance < 0:
        errors.append("良好名额浮动幅度不能为负数")
    elif policy.tolerance_unit == "branches" and policy.tolerance != int(policy.tolerance):
        errors.append("良好名额浮动幅度按个数计时须为整数")
    if not 0 <= policy.evaluation_weight <= 1:
        errors.append("民主测评在综合得分中的权重应在0到1之间（如0.2）")
    if policy.members_weight < 0 or policy.public_weight < 0:
        errors.append("党员和群众评议的权重不能为负数")
    elif policy.evaluation_weight and not (policy.members_weight or policy.public_weight):
        errors.append("党员和群众评议的权重不能都为0")
    targets = [q for q in scheme.quotas if q.target]
    if (policy.tolerance or policy.pass_unused) and not targets:
        errors.append(f"评定方案“{scheme.title}”没有可浮动的名额（如“10%左右”），不能设置名额浮动")
    if scheme.floor is not None and policy.tolerance_unit == "points" and policy.tolerance > 0:
        most = sum(q.max_percent for q in scheme.quotas) + policy.tolerance
        room = 100 - scheme.floor.min_percent
        if most > room:
            errors.append(
                f"良好名额浮动幅度{format_number(policy.tolerance)}个百分点过大：各名额合计可达{format_number(most)}%，"
                f"超过{scheme.floor.label}不低于{format_number(scheme.floor.min_percent)}%所允许的"
                f"{format_number(room)}%"
            )
    return errors


TOLERANCE_UNITS = {"branches": "个", "points": "个百分点"}
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
PROPOSAL_STATES = {PENDING: "待县委复核", ACCEPTED: "复核同意", DECLINED: "复核不同意"}


def proposal_cap(scheme: GradeScheme, proposal: str) -> tuple[int, str] | None:
    """Under township proposals: the cap of a branch that is not (or no longer) a top-grade candidate."""
    if proposal in (PENDING, ACCEPTED) or len(scheme.grades) < 2:
        return None
    top = scheme.labels[0]
    if proposal == DECLINED:
        return 1, f"县委组织部复核不同意评为{top}"
    return 1, f"未经乡镇（街道）党（工）委推荐为{top}"


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
    branches: int  # the township's quota base (its existing branches, or those graded)
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
    total: int  # branches graded
    base: int  # the quota base N: the existing branches of the campaign, or those graded
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
    branches: Iterable[BranchScore],
    scheme: GradeScheme,
    quota_scope: QuotaScope = "county",
    *,
    base: Mapping[str, int] | None = None,
    policy: Policy = Policy(),  # noqa: B008 (frozen, shared safely)
) -> GradingResult:
    """Grade every branch; results come back in input order. O(N log N).

    `base` is the quota base (按照现有党支部数量): the existing branches per township, graded or not.
    The quotas are shares of its total and the township seats are apportioned by it; without it the
    base is the branches graded. The floor is always a share of the branches graded.

    Written with list comprehensions and few passes: a province grades 200,000 branches at once.
    """
    if quota_scope not in SCOPE_NAMES:
        raise ValueError(f"名额范围“{quota_scope}”无效，应为 county（全县统一）或 township（按党委分配）")
    if errors := policy_errors(scheme, policy):
        raise GradingInputError("；".join(errors))
    with _gc_paused():
        return _grade(list(branches), scheme, quota_scope, base, policy)


def _check_base(items: Sequence[BranchScore], base: Mapping[str, int], township_scope: bool) -> None:
    """The base holds every branch graded: in total, and per township when seats are apportioned."""
    problems = [
        f"名额基数中“{t}”的党支部数{n}无效" for t, n in base.items() if not isinstance(n, int) or n < 0
    ]
    if problems:
        raise GradingInputError("；".join(problems))
    total = sum(base.values())
    if total < len(items):
        raise GradingInputError(f"名额基数为{total}个党支部，少于参加定级的{len(items)}个")
    if township_scope:
        graded = Counter(b.township for b in items)
        for town, count in sorted(graded.items()):
            if town not in base:
                problems.append(f"名额基数中没有“{town}”")
            elif base[town] < count:
                problems.append(f"名额基数中“{town}”为{base[town]}个党支部，少于参加定级的{count}个")
        if problems:
            raise GradingInputError("；".join(problems))


def _check_committed(items: Sequence[BranchScore], scheme: GradeScheme) -> dict[int, int]:
    """Index → grade index of the branches whose grade is already submitted for notice."""
    labels = scheme.labels
    committed = {i: b.committed for i, b in enumerate(items) if b.committed}
    unknown = sorted({g for g in committed.values() if g not in labels})
    if unknown:
        raise GradingInputError(
            f"已提交公示等级“{'、'.join(unknown)}”不是评定方案的等级（应为{'、'.join(labels)}之一）"
        )
    return {i: labels.index(g) for i, g in committed.items()}


def _check_veto_caps(items: Sequence[BranchScore], scheme: GradeScheme) -> list[int]:
    """The grade index each branch's veto caps at: its rubric's, or the scheme's default."""
    labels = scheme.labels
    unknown = sorted({b.veto_cap for b in items if b.veto_cap and b.veto_cap not in labels})
    if unknown:
        raise GradingInputError(
            f"一票否决最高等级“{'、'.join(unknown)}”不是评定方案的等级（应为{'、'.join(labels)}之一）"
        )
    default = scheme.index(scheme.veto_max_grade)
    return [labels.index(b.veto_cap) if b.veto_cap else default for b in items]


def _check_declared(items: Sequence[BranchScore], scheme: GradeScheme) -> list[int]:
    """The grade index each branch applied for (none: the highest grade, no cap)."""
    labels = scheme.labels
    unknown = sorted({b.declared for b in items if b.declared and b.declared not in labels})
    if unknown:
        raise GradingInputError(
            f"申报等级“{'、'.join(unknown)}”不是评定方案的等级（应为{'、'.join(labels)}之一）"
        )
    index = {g: i for i, g in enumerate(labels)}
    return [index[b.declared] if b.declared else 0 for b in items]


def _grade(
    items: list[BranchScore],
    scheme: GradeScheme,
    quota_scope: QuotaScope,
    base: Mapping[str, int] | None,
    policy: Policy,
) -> GradingResult:
    _check_inputs(items)
    combined = [policy.combined(b) for b in items] if policy.evaluation_weight else []
    if combined:  # grade the combined score; the reason shows its parts
        items = [replace(b, score=s) for b, (s, _) in zip(items, combined, strict=True)]
    n = len(items)
    township_scope = quota_scope == "township"
    if base is not None:
        _check_base(items, base, township_scope)
    quota_n = n if base is None else sum(base.values())
    kept = _check_committed(items, scheme)
    labels = scheme.labels
    last = len(labels) - 1
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

    rules = {scheme.index(q.grade): policy.limit(q, quota_n) for q in scheme.quotas}
    limits = {g: limit for g, (limit, _) in rules.items()}
    targets = {scheme.index(q.grade) for q in scheme.quotas if q.target}
    if township_scope:
        towns = [b.township for b in items]
        members: defaultdict[str, list[int]] = defaultdict(list)
        for town in base or ():  # a township with no branch graded yet keeps its seats
            members[town] = []
        for i in order:  # the county ranking restricted to a township is its own ranking
            members[towns[i]].append(i)
        sizes = {t: len(m) for t, m in members.items()} if base is None else dict(base)
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
    veto_caps = _check_veto_caps(items, scheme)
    gates = bool(scheme.gates)

    # Caps first (flag, veto, gates, the grade applied for), all at once; they need no ranking.
    fill = list(top)
    capped = [bool(b.weak or b.veto) for b in items]  # explained the long way
    if policy.cap_at_declared:
        for i, d in enumerate(_check_declared(items, scheme)):
            if fill[i] < d:
                fill[i] = d
                capped[i] = True
    if policy.proposals:
        unknown = sorted({b.proposal for b in items} - {"", *PROPOSAL_STATES})
        if unknown:
            raise GradingInputError(f"推荐优秀状态“{'、'.join(unknown)}”无效")
        for i, b in enumerate(items):
            if fill[i] == 0 and (cap := proposal_cap(scheme, b.proposal)) is not None:
                fill[i] = cap[0]
                capped[i] = True
    for i in range(n) if gates else [i for i, c in enumerate(capped) if c]:
        b = items[i]
        if i in kept:
            continue
        if b.weak:
            fill[i] = weak_index
            continue
        if b.veto and fill[i] < (cap := veto_caps[i]):
            fill[i] = cap
        if gates:
            caps = scheme.satisfaction_caps(b.satisfaction, b.votes, needs_evaluation=policy.needs_evaluation)
            for cap, _ in caps:
                capped[i] = True
                if fill[i] < cap:
                    fill[i] = cap

    # The fill: only branches that reach a grade with a quota compete for seats, in rank order.
    # A committed grade is kept and takes its seat before anyone competes.
    for i, g in kept.items():
        fill[i] = g
        capped[i] = False
    missed_of: dict[int, tuple[int, ...]] = {}
    seat_of: dict[int, int] = {}
    passed: Counter[int] = Counter()  # unused seats of a grade passed to the target grade below
    if limits:
        competing = {
            i
            for i, (b, g) in enumerate(zip(items, fill, strict=True))
            if g in limits and not b.weak and i not in kept
        }
        for _, group, seats in groups:
            if policy.pass_unused:  # before anyone takes a seat: the demand is known from the caps
                demand = Counter(fill[i] for i in group if i in competing or i in kept)
                for g in sorted(seats):
                    if g + 1 in targets and g + 1 in seats:
                        unused = max(0, seats[g] - demand[g])
                        seats[g] -= unused
                        seats[g + 1] += unused
                        passed[g] += unused
            taken = Counter(fill[i] for i in group if i in kept)
            remaining = {g: max(0, s - taken[g]) for g, s in seats.items()}
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
            if final[i] < start and i not in kept:
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
        kept,
        policy,
    )
    if combined:
        reasons = [f"{text}；{reason}" for (_, text), reason in zip(combined, reasons, strict=True)]
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

    def effective(g: int) -> tuple[int, str]:
        """The limit after unused seats passed down, and how it was counted."""
        limit, text = rules[g]
        if passed[g]:
            limit -= passed[g]
            text += f"，未用{passed[g]}个转入{labels[g + 1]}={limit}"
        if passed[g - 1]:
            limit += passed[g - 1]
            text += f"，{labels[g - 1]}未用{passed[g - 1]}个转入={limit}"
        return limit, text

    quota_status = tuple(
        QuotaStatus(
            grade=q.grade,
            max_percent=q.max_percent,
            rounding=q.rounding,
            limit=effective(scheme.index(q.grade))[0],
            used=counts[q.grade],
            description=effective(scheme.index(q.grade))[1],
        )
        for q in scheme.quotas
    )
    apportionment: tuple[TownshipSeats, ...] = ()
    if township_scope:
        used = Counter((items[i].township, g) for i, g in enumerate(final) if g in limits)
        apportionment = tuple(
            TownshipSeats(
                township=t,
                branches=sizes[t],
                seats={labels[g]: s for g, s in seats.items()},
                shares={labels[g]: Fraction(q * sizes[t], quota_n or 1) for g, q in limits.items()},
                used={labels[g]: used[(t, g)] for g in limits},
            )
            for t, group, seats in groups
        )
    summary = GradingSummary(
        scheme=scheme.name,
        quota_scope=quota_scope,
        total=n,
        base=quota_n,
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
    kept: Mapping[int, int],
    policy: Policy,
) -> list[str]:
    """One Chinese line per branch; the common cases are single f-strings over cached clauses."""
    explain = _Explainer(scheme, township_scope, len(items), group_seats, floor, policy)
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
    for i, g in kept.items():
        reasons[i] = (
            f"得分{texts[items[i].score]}，{word}{rank[i]}/{rank_total[i]}，"
            f"已提交公示为{labels[g]}，本次定级保持不变（占用该等级名额）"
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
        policy: Policy,
    ) -> None:
        self.scheme = scheme
        self.policy = policy
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

    def declared_index(self, b: BranchScore) -> int:
        return self.labels.index(b.declared) if b.declared else 0

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
        if self.policy.proposals and top == 0 and (cap := proposal_cap(self.scheme, b.proposal)):
            parts.append(f"{cap[1]}，最高评为{labels[cap[0]]}")
        if self.policy.cap_at_declared and top < (declared := self.declared_index(b)):
            parts.append(f"申报等级为{labels[declared]}，最高评为{labels[declared]}")
        if b.veto:
            cap = self.labels.index(b.veto_cap) if b.veto_cap else self.veto_index
            parts.append(f"一票否决（{b.veto}），最高评为{labels[cap]}")
        for cap, why in self.scheme.satisfaction_caps(
            b.satisfaction, b.votes, needs_evaluation=self.policy.needs_evaluation
        ):
            parts.append(f"{why}，最高评为{labels[cap]}")
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
