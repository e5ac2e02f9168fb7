"""The quota check of overrides: limits taken from a grading summary, kept as JSON, and breaches."""

import json
from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import PRESETS, load_scheme
from chuangyou.rules.grading import BranchScore, grade_branches
from chuangyou.rules.quota_check import (
    QuotaLimits,
    breaches,
    limits_from_dict,
    limits_of,
    limits_to_dict,
    worsened,
)

SEED = load_scheme("seed2020")
LIMITS = QuotaLimits(
    quotas={"优秀": 1, "良好": 2},
    floor_grades=("一般", "软弱涣散"),
    floor_minimum=2,
    floor_label="一般及以下",
    seats={"甲镇": {"优秀": 1, "良好": 1}, "乙镇": {"优秀": 0, "良好": 1}},
)


def finals(*pairs):
    """finals("甲镇:优秀", "乙镇:一般×3") -> [(township, grade), …]."""
    out = []
    for pair in pairs:
        township, grade = pair.split(":")
        grade, _, times = grade.partition("×")
        out += [(township, grade)] * int(times or 1)
    return out


def test_grades_within_every_limit_break_nothing():
    assert breaches(LIMITS, finals("甲镇:优秀", "甲镇:良好", "乙镇:良好", "甲镇:一般", "乙镇:软弱涣散")) == []
    assert breaches(QuotaLimits(quotas={}), finals("甲镇:优秀×5")) == []
    assert breaches(LIMITS, finals("甲镇:一般×2")) == []  # nobody in a quota grade at all


def test_a_county_quota_over_its_limit_is_named():
    assert breaches(LIMITS, finals("甲镇:优秀", "乙镇:优秀", "甲镇:一般", "乙镇:一般")) == [
        "优秀将有2个，超过名额1个",
        "乙镇的优秀将有1个，超过该党委名额0个",
    ]


def test_a_township_seat_over_its_limit_is_named_even_when_the_county_total_holds():
    assert breaches(LIMITS, finals("甲镇:良好×2", "甲镇:一般×2")) == ["甲镇的良好将有2个，超过该党委名额1个"]


def test_too_few_in_the_floor_grades_is_named():
    assert breaches(LIMITS, finals("甲镇:一般", "甲镇:良好")) == [
        "一般及以下将只有1个，少于最低比例要求的2个"
    ]
    assert breaches(LIMITS, finals("甲镇:软弱涣散", "乙镇:一般")) == []  # both floor grades count


def test_every_breach_is_listed_in_a_stable_order():
    got = breaches(LIMITS, finals("乙镇:优秀", "甲镇:优秀", "乙镇:良好×2", "甲镇:良好"))
    assert got == [
        "优秀将有2个，超过名额1个",
        "良好将有3个，超过名额2个",
        "乙镇的优秀将有1个，超过该党委名额0个",
        "乙镇的良好将有2个，超过该党委名额1个",
        "一般及以下将只有0个，少于最低比例要求的2个",
    ]


def test_limits_round_trip_through_json():
    stored = json.loads(json.dumps(limits_to_dict(LIMITS), ensure_ascii=False))
    assert stored == {
        "quotas": {"优秀": 1, "良好": 2},
        "floor": {"grades": ["一般", "软弱涣散"], "minimum": 2, "label": "一般及以下"},
        "seats": {"甲镇": {"优秀": 1, "良好": 1}, "乙镇": {"优秀": 0, "良好": 1}},
    }
    assert limits_from_dict(stored) == LIMITS
    plain = QuotaLimits(quotas={"优秀": 3})
    assert limits_to_dict(plain) == {"quotas": {"优秀": 3}, "floor": None, "seats": {}}
    assert limits_from_dict(json.loads(json.dumps(limits_to_dict(plain)))) == plain
    assert limits_from_dict({}) == QuotaLimits(quotas={})  # a run without limits checks nothing


def branch(code, township, score, weak=""):
    return BranchScore(code=code, name="", township=township, score=Decimal(score), weak=weak)


def test_limits_of_a_county_summary():
    branches = [branch(f"B{n:02d}", "甲镇" if n < 12 else "乙镇", 100 - n) for n in range(20)]
    limits = limits_of(grade_branches(branches, SEED, "county").summary)
    assert limits == QuotaLimits(
        quotas={"优秀": 1, "良好": 2},
        floor_grades=("一般", "软弱涣散"),
        floor_minimum=2,
        floor_label="一般及以下",
    )


def test_limits_of_a_township_summary_carry_the_apportioned_seats():
    branches = [branch(f"B{n:02d}", "甲镇" if n < 12 else "乙镇", 100 - n) for n in range(20)]
    limits = limits_of(grade_branches(branches, SEED, "township").summary)
    # 优秀 1 seat: 12/20 and 8/20 both round down, the larger remainder (甲镇) gets it;
    # 良好 2 seats: 甲镇 1.2 → 1, 乙镇 0.8 → 0 + the remaining seat.
    assert limits.seats == {"甲镇": {"优秀": 1, "良好": 1}, "乙镇": {"优秀": 0, "良好": 1}}
    assert limits.quotas == {"优秀": 1, "良好": 2}


def test_a_scheme_without_quotas_or_floor_limits_nothing():
    three = load_scheme("three-class")
    limits = limits_of(
        grade_branches([branch("A", "甲镇", 90), branch("B", "甲镇", 95)], three, "county").summary
    )
    assert limits == QuotaLimits(quotas={})
    assert limits_to_dict(limits) == {"quotas": {}, "floor": None, "seats": {}}
    assert breaches(limits, finals("甲镇:先进×2")) == []


# --- Properties -----------------------------------------------------------------------------------

TOWNSHIPS = ["甲镇", "乙镇", "丙街道", "丁乡"]
scores = st.integers(min_value=0, max_value=200).map(lambda halves: Decimal(halves) / 2)


@st.composite
def branch_lists(draw, max_size=60):
    n = draw(st.integers(min_value=0, max_value=max_size))
    return [
        BranchScore(
            code=f"B{i:03d}",
            name="",
            township=draw(st.sampled_from(TOWNSHIPS)),
            score=draw(scores),
            satisfaction=draw(
                st.one_of(st.none(), st.sampled_from([Decimal(x) for x in ("60", "89.99", "95")]))
            ),
            veto=draw(st.sampled_from(["", "", "", "", "违纪"])),
            weak=draw(st.sampled_from(["", "", "", "", "", "", "书记缺职"])),
        )
        for i in range(n)
    ]


schemes = st.sampled_from([load_scheme(name) for name in PRESETS])
scopes = st.sampled_from(["county", "township"])


@settings(max_examples=300, deadline=None)
@given(branch_lists(), schemes, scopes)
def test_a_grading_never_breaches_its_own_limits(branches, scheme, scope):
    result = grade_branches(branches, scheme, scope)
    limits = limits_of(result.summary)
    final = [(b.township, r.grade) for b, r in zip(branches, result.results, strict=True)]
    assert breaches(limits, final) == []
    assert limits_from_dict(json.loads(json.dumps(limits_to_dict(limits)))) == limits
    if scope == "county":
        assert limits.seats == {}
    else:
        assert set(limits.seats) == {b.township for b in branches}


@settings(max_examples=200, deadline=None)
@given(branch_lists(), schemes, scopes, st.data())
def test_moving_a_branch_into_a_full_quota_grade_is_a_breach(branches, scheme, scope, data):
    result = grade_branches(branches, scheme, scope)
    limits = limits_of(result.summary)
    final = [(b.township, r.grade) for b, r in zip(branches, result.results, strict=True)]
    used = {g: sum(1 for _, f in final if f == g) for g in limits.quotas}
    full = [g for g, limit in limits.quotas.items() if used[g] == limit]
    movable = [i for i, (_, g) in enumerate(final) if g not in limits.quotas]
    if not full or not movable:
        return
    grade = data.draw(st.sampled_from(full))
    i = data.draw(st.sampled_from(movable))
    moved = [*final[:i], (final[i][0], grade), *final[i + 1 :]]
    problems = breaches(limits, moved)
    assert f"{grade}将有{used[grade] + 1}个，超过名额{used[grade]}个" in problems


def test_a_change_is_judged_by_what_it_breaks_further():
    over = Counter(finals("甲镇:优秀", "乙镇:优秀", "乙镇:优秀", "甲镇:一般", "乙镇:一般"))  # 优秀 3 of 1
    eased = Counter(finals("甲镇:优秀", "乙镇:优秀", "乙镇:良好", "甲镇:一般", "乙镇:一般"))
    assert worsened(LIMITS, over, eased) == []  # 3 → 2: still over, but less
    assert worsened(LIMITS, eased, over) == [
        "优秀将有3个，超过名额1个",
        "乙镇的优秀将有2个，超过该党委名额0个",
    ]
    fine = Counter(finals("甲镇:优秀", "甲镇:良好", "甲镇:一般", "乙镇:一般"))
    assert worsened(LIMITS, fine, Counter(finals("甲镇:优秀", "甲镇:良好", "甲镇:良好", "乙镇:一般"))) == [
        "甲镇的良好将有2个，超过该党委名额1个",
        "一般及以下将只有1个，少于最低比例要求的2个",
    ]
