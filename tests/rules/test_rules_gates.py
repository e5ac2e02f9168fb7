"""Satisfaction gates compare exact fractions, and a campaign may cap branches without a valid 民主测评
(jiguan2012: below 90 % satisfaction, at most 一般)."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import load_scheme, truncate
from chuangyou.rules.grading import BranchScore, Policy, grade_branches

JIGUAN = load_scheme("jiguan2012")


def one(satisfaction=None, votes=None, score="95"):
    return BranchScore("J1", "一支部", "甲镇", Decimal(score), satisfaction=satisfaction, votes=votes)


def test_3599_of_3999_is_below_90_percent_though_it_shows_as_90():
    rate = Decimal("90.00")  # 3599/3999 = 89.9975…, as the evaluation page rounds it
    (result,) = grade_branches([one(rate, (3599, 3999))], JIGUAN).results
    assert result.grade == "一般"
    assert result.reason.startswith("满意率89.9974%（满意和基本满意3599票/有效3999票）低于90%，最高评为一般")
    (without_votes,) = grade_branches([one(rate)], JIGUAN).results
    assert without_votes.grade == "好"  # the rounded rate alone cannot tell
    assert JIGUAN.cap(satisfaction=rate, votes=(3599, 3999))[0] == "一般"
    assert JIGUAN.cap(satisfaction=rate, votes=(3600, 4000)) is None  # exactly 90 %


def test_without_a_valid_evaluation_the_campaign_decides():
    assert grade_branches([one()], JIGUAN).results[0].grade == "好"  # the scheme alone: not gated
    (capped,) = grade_branches([one()], JIGUAN, policy=Policy(needs_evaluation=True)).results
    assert capped.grade == "一般"
    assert capped.reason.startswith("无有效的民主测评满意率，最高评为一般")
    assert JIGUAN.cap(needs_evaluation=True) == ("一般", "无有效的民主测评满意率")
    seed = load_scheme("seed2020")  # no gate: nothing to cap
    assert grade_branches([one()], seed, policy=Policy(needs_evaluation=True)) == grade_branches(
        [one()], seed
    )


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_the_gate_is_exact_for_any_count_of_votes(valid, data):
    favourable = data.draw(st.integers(min_value=0, max_value=valid))
    exact = Fraction(favourable * 100, valid)
    shown = Decimal(round(exact * 100)) / 100  # any rounding of the rate for display
    capped = JIGUAN.cap(satisfaction=shown, votes=(favourable, valid))
    assert (capped is not None) == (exact < 90)
    assert truncate(exact, 4) <= exact < truncate(exact, 4) + Decimal("0.0001")
