"""The grade a branch applied for (申报等级) caps its grade when the campaign says so (the default in
the web app; `chuangyou grade` only with the option), and the reason says so."""

from decimal import Decimal

import pytest

from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import BranchScore, GradingInputError, Policy, grade_branches

SEED = load_scheme("seed2020")
CAP = Policy(cap_at_declared=True)


def thirty(declared):
    return [
        BranchScore(f"B{i:02d}", f"{i}支部", "甲镇", Decimal(95 - i), declared=declared(i)) for i in range(30)
    ]


def test_a_branch_is_not_graded_above_what_it_applied_for():
    items = thirty(lambda i: "良好" if i == 0 else "优秀")
    first = grade_branches(items, SEED, policy=CAP).results[0]
    assert first.grade == "良好"
    assert (
        first.reason == "申报等级为良好，最高评为良好，得分95，排名1/30，占良好名额第1个（共3个），评为良好"
    )
    assert grade_branches(items, SEED).results[0].grade == "优秀"  # the option off: today's grading
    assert SEED.cap(declared="良好") == ("良好", "申报等级为良好")
    assert SEED.cap(declared="优秀") is None


def test_no_declared_grade_is_no_cap_and_an_unknown_one_is_refused():
    items = thirty(lambda i: "")
    assert grade_branches(items, SEED, policy=CAP) == grade_branches(items, SEED)
    with pytest.raises(GradingInputError, match="申报等级“五星”不是评定方案的等级"):
        grade_branches(thirty(lambda i: "五星"), SEED, policy=CAP)
