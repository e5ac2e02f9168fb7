"""Rubric structure, validation and item scoring (SPEC §4)."""

from decimal import Decimal

import pytest

from chuangyou.rules.rubric import (
    Category,
    Item,
    ItemEntry,
    Rubric,
    Rule,
    ScoringError,
    score_item,
    score_sheet,
    validate_rubric,
)

P = Decimal

LEADER = Item(
    "党组织带头人",
    P(15),
    rules=(
        Rule("不按期换届", P(5)),
        Rule("班子不健全", P(5)),
        Rule("半年以上不开展党的活动", P(5)),
    ),
    discretionary_deduction=True,
)
MEETINGS = Item("三会一课", P(5), rules=(Rule("每少开1次", P("1.25"), per_occurrence=True),))
SITE = Item("活动阵地", P(10), rules=(Rule("有场所无教育设施", P(5)),), zero_out=("无党员活动场所",))
OPINION = Item("群众反映", P(10), kind="discretionary")
BONUS = Category(
    "加分",
    P(5),
    (
        Item("获县级以上先进", P(5), kind="bonus", rules=(Rule("获县级先进基层党组织", P(3)),)),
        Item("经验推广", P(3), kind="bonus", rules=(Rule("经验被推广", P("1.5"), per_occurrence=True),)),
    ),
    bonus=True,
)
RUBRIC = Rubric(
    "机关测试标准",
    (
        Category("组织建设", P(20), (LEADER, MEETINGS)),
        Category("保障与评价", P(20), (SITE, OPINION)),
        BONUS,
    ),
    total=P(40),
)


def test_a_consistent_rubric_has_no_errors():
    assert validate_rubric(RUBRIC) == []


def test_validation_names_every_problem_in_chinese():
    bad = Rubric(
        "坏标准",
        (
            Category("组织建设", P(10), (Item("甲", P(6)), Item("甲", P(3)))),
            Category("组织建设", P(-2), (Item("乙", P(-2), rules=(Rule("扣", P(-1)), Rule("扣", P(1)))),)),
            Category("加分", P(2), (Item("丙", P(3), kind="bonus"),), bonus=True),
            Category("其他", P(0), (Item("丁", P(0), kind="bonus"),)),
        ),
    )
    errors = validate_rubric(bad)
    expected = [
        "项目“甲”重复（项目名称在整个评定标准中须唯一）",
        "类型“组织建设”各项目分值合计9分，与类型分值10分不符",
        "类型“组织建设”重复",
        "类型“组织建设”的分值不能为负数",
        "项目“乙”的分值不能为负数",
        "项目“乙”的规则“扣”重复",
        "项目“乙”的规则“扣”分值不能为负数",
        "加分项目“丙”的分值3分超过加分上限2分",
        "项目“丁”：加分项目只能放在加分类型中",
        "各类型分值合计8分，与总分100分不符",
    ]
    for message in expected:
        assert message in errors
    assert len(errors) == len(expected)


def score(*entries):
    return score_sheet(RUBRIC, entries)


def item(sheet, name):
    return next(i for c in sheet.categories for i in c.items if i.item == name)


def test_a_sheet_with_only_the_discretionary_item_scored_gets_full_marks():
    sheet = score(ItemEntry("群众反映", score=P(10)))
    assert sheet.total == P(40) and sheet.base_total == P(40) and sheet.bonus_total == 0
    assert sheet.subtotals() == {"组织建设": P(20), "保障与评价": P(20), "加分": P(0)}


def test_deductions_once_and_per_occurrence_with_clamping():
    sheet = score(
        ItemEntry("党组织带头人", counts={"不按期换届": 1, "班子不健全": 1}),
        ItemEntry("三会一课", counts={"每少开1次": 3}),
        ItemEntry("群众反映", score=P(10)),
    )
    assert item(sheet, "党组织带头人").score == P(5)
    assert item(sheet, "党组织带头人").notes == ("不按期换届，扣5分", "班子不健全，扣5分")
    assert item(sheet, "三会一课").score == P("1.25")
    assert sheet.subtotals()["组织建设"] == P("6.25")
    # 扣完为止: 5 misses take 6.25 points from a 5-point item
    clamped = score(ItemEntry("三会一课", counts={"每少开1次": 5}), ItemEntry("群众反映", score=P(10)))
    assert item(clamped, "三会一课").score == 0
    assert item(clamped, "三会一课").raw == P("-1.25")
    assert item(clamped, "三会一课").notes[-1] == "扣完为止"


def test_zero_out_gives_zero_whatever_else():
    sheet = score(
        ItemEntry("活动阵地", counts={"有场所无教育设施": 1}, zero_out=("无党员活动场所",)),
        ItemEntry("群众反映", score=P(10)),
    )
    assert item(sheet, "活动阵地").score == 0
    assert item(sheet, "活动阵地").notes == ("无党员活动场所，不得分",)


def test_discretionary_scores_need_half_steps_and_a_reason_below_max():
    sheet = score(ItemEntry("群众反映", score=P("8.5"), reason="信访投诉2件"))
    assert item(sheet, "群众反映").score == P("8.5")
    assert item(sheet, "群众反映").notes == ("酌情给分8.5分（信访投诉2件）",)
    with pytest.raises(ScoringError, match="应为0.5的整数倍"):
        score(ItemEntry("群众反映", score=P("8.3"), reason="x"))
    with pytest.raises(ScoringError, match="须填写理由"):
        score(ItemEntry("群众反映", score=P("9.5")))
    with pytest.raises(ScoringError, match="应在0至10分之间"):
        score(ItemEntry("群众反映", score=P(11)))
    with pytest.raises(ScoringError, match="未打分"):
        score()


def test_discretionary_deduction_on_a_deduction_item():
    sheet = score(
        ItemEntry("党组织带头人", counts={"不按期换届": 1}, deduction=P("1.5"), reason="书记述职不规范"),
        ItemEntry("群众反映", score=P(10)),
    )
    assert item(sheet, "党组织带头人").score == P("8.5")
    with pytest.raises(ScoringError, match="酌情扣分须填写理由"):
        score(ItemEntry("党组织带头人", deduction=P(1)), ItemEntry("群众反映", score=P(10)))
    with pytest.raises(ScoringError, match="不允许酌情扣分"):
        score(ItemEntry("三会一课", deduction=P(1), reason="x"), ItemEntry("群众反映", score=P(10)))


def test_bonus_is_capped_by_item_and_category():
    sheet = score(
        ItemEntry("群众反映", score=P(10)),
        ItemEntry("获县级以上先进", counts={"获县级先进基层党组织": 1}),
        ItemEntry("经验推广", counts={"经验被推广": 3}),  # 4.5 points, item cap 3
    )
    assert item(sheet, "经验推广").score == P(3)
    assert item(sheet, "经验推广").notes[-1] == "以3分为限"
    assert sheet.bonus_total == P(5)  # 3 + 3 capped by the category's 5
    assert sheet.total == P(45)


def test_every_input_problem_is_listed_at_once():
    with pytest.raises(ScoringError) as info:
        score(
            ItemEntry("不存在的项目"),
            ItemEntry("党组织带头人", counts={"不按期换届": 2, "无此规则": 1}),
            ItemEntry("活动阵地", zero_out=("随便",)),
            ItemEntry("群众反映", score=P(10)),
            ItemEntry("群众反映", score=P(10)),
        )
    assert info.value.errors == [
        "评定标准中没有项目“不存在的项目”",
        "项目“群众反映”填写了两次",
        "项目“党组织带头人”的规则“不按期换届”不按次计算，次数只能是0或1",
        "项目“党组织带头人”没有规则“无此规则”",
        "项目“活动阵地”没有不得分情形“随便”",
    ]
    assert isinstance(info.value, ValueError)


def test_score_item_alone():
    result = score_item(MEETINGS, ItemEntry("三会一课", counts={"每少开1次": 2}), category="组织建设")
    assert result.score == P("2.5")
    with pytest.raises(ScoringError, match="次数应为非负整数"):
        score_item(MEETINGS, ItemEntry("三会一课", counts={"每少开1次": -1}))
