"""良好's quota is a target ("10%左右"): a campaign may allow a tolerance above it, in branches or
percentage points, and let the 优秀 seats nobody can take pass to 良好. The defaults change nothing."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import BranchScore, GradingInputError, Policy, grade_branches

SEED = load_scheme("seed2020")


def branches(scores):
    return [BranchScore(f"B{i:03d}", f"{i}支部", "甲镇", Decimal(s)) for i, s in enumerate(scores)]


# 30 branches: 2 reach 优秀 (≥ 90), 8 reach 良好, 20 below. 优秀 ≤ 2, 良好 ≤ 3.
THIRTY = [95, 91] + [85] * 8 + [70] * 20


def counts(result):
    return dict(result.summary.counts)


def test_the_default_is_the_scheme_alone():
    result = grade_branches(branches(THIRTY), SEED)
    assert counts(result) == {"优秀": 2, "良好": 3, "一般": 25, "软弱涣散": 0}
    assert result.summary.quotas[1].description == "30×10%四舍五入=3"


def test_a_tolerance_in_branches_or_points():
    plus_two = grade_branches(branches(THIRTY), SEED, policy=Policy(tolerance=Decimal(2)))
    assert counts(plus_two)["良好"] == 5
    assert plus_two.summary.quotas[1].description == "30×10%四舍五入=3，允许上浮2个=5"
    assert plus_two.summary.quotas[0].limit == 2  # 优秀 is a maximum, not a target
    points = grade_branches(
        branches(THIRTY), SEED, policy=Policy(tolerance=Decimal(5), tolerance_unit="points")
    )
    assert counts(points)["良好"] == 5  # 30 × 15 % = 4.5 → 5
    assert points.summary.quotas[1].description == "30×（10%+5个百分点）四舍五入=5"


def test_unused_top_seats_pass_to_the_target():
    """Only one branch reaches 优秀: its second seat goes to 良好."""
    scores = [95] + [85] * 9 + [70] * 20
    kept = grade_branches(branches(scores), SEED)
    assert counts(kept)["优秀"] == 1 and counts(kept)["良好"] == 3
    passed = grade_branches(branches(scores), SEED, policy=Policy(pass_unused=True))
    assert counts(passed)["优秀"] == 1 and counts(passed)["良好"] == 4
    excellent, good = passed.summary.quotas
    assert (excellent.limit, good.limit) == (1, 4)
    assert good.description == "30×10%四舍五入=3，优秀未用1个转入=4"
    assert passed.summary.holds


@pytest.mark.parametrize(
    "policy, message",
    [
        (Policy(tolerance=Decimal(-1)), "良好名额浮动幅度不能为负数"),
        (Policy(tolerance=Decimal("1.5")), "按个数计时须为整数"),
        (
            Policy(tolerance=Decimal(80), tolerance_unit="points"),
            "各名额合计可达97%，超过一般及以下不低于10%所允许的90%",
        ),
        (Policy(tolerance_unit="percent"), "浮动单位“percent”无效"),
    ],
)
def test_contradicting_settings_are_refused_by_name(policy, message):
    with pytest.raises(GradingInputError, match=message):
        grade_branches(branches(THIRTY), SEED, policy=policy)


def test_a_scheme_without_a_target_refuses_a_tolerance():
    with pytest.raises(GradingInputError, match="没有可浮动的名额"):
        grade_branches(branches(THIRTY), load_scheme("jiguan2012"), policy=Policy(tolerance=Decimal(1)))


@given(
    st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=80),
    st.integers(min_value=0, max_value=5),
    st.booleans(),
    st.sampled_from(["county", "township"]),
)
def test_the_limits_hold_and_never_shrink(scores, tolerance, pass_unused, scope):
    items = [
        BranchScore(f"B{i:03d}", f"{i}支部", ("甲镇", "乙镇")[i % 2], Decimal(s))
        for i, s in enumerate(scores)
    ]
    plain = grade_branches(items, SEED, scope)
    loose = grade_branches(
        items, SEED, scope, policy=Policy(tolerance=Decimal(tolerance), pass_unused=pass_unused)
    )
    assert loose.summary.holds
    assert sum(q.limit for q in loose.summary.quotas) >= sum(q.limit for q in plain.summary.quotas)
    assert loose.summary.counts["优秀"] == plain.summary.counts["优秀"]  # 优秀 never gains
