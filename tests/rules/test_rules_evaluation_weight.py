"""Seed 000: self-assessment combined with members' and the public's evaluation (相结合). With a
weight, the final score is (1−w)·score + w·evaluation; the reason shows the parts. 0 changes nothing."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import BranchScore, GradingInputError, Policy, grade_branches

SEED = load_scheme("seed2020")


def branch(code, score, members=None, public=None):
    return BranchScore(code, f"{code}支部", "甲镇", Decimal(score), evaluation=(members, public))


def test_the_evaluation_reorders_and_the_reason_shows_the_parts():
    items = [branch("A", "92", Decimal(70), Decimal(60)), branch("B", "90", Decimal(100), Decimal(100))]
    plain = grade_branches(items, SEED)
    assert [r.county_rank for r in plain.results] == [1, 2]
    policy = Policy(evaluation_weight=Decimal("0.2"), members_weight=Decimal(1), public_weight=Decimal(1))
    mixed = grade_branches(items, SEED, policy=policy)
    assert [r.county_rank for r in mixed.results] == [2, 1]  # 92·0.8+65·0.2 = 86.6 < 90·0.8+100·0.2 = 92
    assert mixed.results[0].reason.startswith(
        "综合得分86.6=审核得分92×0.8+民主测评65×0.2（党员70、群众60）；得分86.6"
    )
    weighted = grade_branches(
        items, SEED, policy=Policy(evaluation_weight=Decimal("0.2"), members_weight=Decimal(3))
    )
    assert "民主测评67.5×0.2（党员70、群众60，党员:群众=3:1）" in weighted.results[0].reason  # (3·70+60)/4


def test_without_an_evaluation_the_score_alone_counts():
    (result,) = grade_branches(
        [branch("A", "92")], SEED, policy=Policy(evaluation_weight=Decimal("0.2"))
    ).results
    assert result.reason.startswith("无有效的民主测评，按审核得分92计；得分92")


@pytest.mark.parametrize(
    "policy, message",
    [
        (Policy(evaluation_weight=Decimal("1.5")), "民主测评在综合得分中的权重应在0到1之间"),
        (Policy(evaluation_weight=Decimal("0.2"), members_weight=Decimal(-1)), "权重不能为负数"),
        (
            Policy(evaluation_weight=Decimal("0.2"), members_weight=Decimal(0), public_weight=Decimal(0)),
            "不能都为0",
        ),
    ],
)
def test_bad_weights_are_refused_by_name(policy, message):
    with pytest.raises(GradingInputError, match=message):
        grade_branches([branch("A", "92")], SEED, policy=policy)


scores = st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 100)


@given(
    st.lists(
        st.tuples(scores, st.one_of(st.none(), scores), st.one_of(st.none(), scores)), min_size=1, max_size=30
    )
)
def test_a_zero_weight_is_todays_grading(rows):
    items = [branch(f"B{i:02d}", s, m, p) for i, (s, m, p) in enumerate(rows)]
    assert grade_branches(items, SEED, policy=Policy(evaluation_weight=Decimal(0))) == grade_branches(
        items, SEED
    )
