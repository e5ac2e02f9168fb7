"""The one-tap answer of an item where nothing applies: full marks, or no bonus."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chuangyou.rules.rubric import NOTHING_APPLIES, Item, Rule, nothing_applies, score_item

points = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=1).map(
    lambda d: (d * 2).to_integral_value() / 2
)
rules = st.lists(
    st.builds(Rule, st.text(min_size=1, max_size=8), points, st.booleans()),
    max_size=4,
    unique_by=lambda r: r.text,
)


@given(max_points=points, kind=st.sampled_from(["deduction", "discretionary"]), item_rules=rules)
def test_nothing_applies_scores_full_marks(max_points, kind, item_rules):
    item = Item("项目", max_points, kind, tuple(item_rules) if kind == "deduction" else ())
    result = score_item(item, nothing_applies(item))
    assert result.score == max_points


@given(max_points=points, item_rules=rules)
def test_nothing_applies_to_a_bonus_item_gives_no_bonus(max_points, item_rules):
    item = Item("加分项", max_points, "bonus", tuple(item_rules))
    assert score_item(item, nothing_applies(item)).score == 0


def test_each_kind_names_its_one_tap_answer():
    assert NOTHING_APPLIES == {"deduction": "无扣分", "discretionary": "满分", "bonus": "无加分"}
