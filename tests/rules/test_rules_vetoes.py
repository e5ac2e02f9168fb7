"""A veto caps the grade at what the branch's rubric says (organ-2012: 较差), not always at the
scheme's default; an unknown grade is refused."""

from decimal import Decimal

import pytest

from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import BranchScore, GradingInputError, grade_branches

JIGUAN = load_scheme("jiguan2012")  # default veto cap: 一般


def vetoed(cap):
    return [BranchScore("J1", "一支部", "甲镇", Decimal(95), veto="发生违纪案件", veto_cap=cap)]


def test_the_rubric_decides_the_cap():
    (default,) = grade_branches(vetoed(""), JIGUAN).results
    assert default.grade == "一般" and default.reason.startswith("一票否决（发生违纪案件），最高评为一般")
    (rubric,) = grade_branches(vetoed("较差"), JIGUAN).results
    assert rubric.grade == "较差" and rubric.reason.startswith("一票否决（发生违纪案件），最高评为较差")
    assert JIGUAN.cap(veto="发生违纪案件", veto_cap="较差") == ("较差", "有一票否决情形")


def test_an_unknown_cap_is_refused():
    with pytest.raises(GradingInputError, match="一票否决最高等级“五星”不是评定方案的等级"):
        grade_branches(vetoed("五星"), JIGUAN)
