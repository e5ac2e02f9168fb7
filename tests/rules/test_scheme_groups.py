"""A scheme per domain (issue: 机关/学校/医院 under the 2012 scheme, 村/社区/两新 under seed 000's): each
group is graded alone, its quotas shares of its own branches."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import SchemeError, load_scheme
from chuangyou.rules.grading import BranchScore, Policy, grade_branches
from chuangyou.rules.scheme_groups import (
    MAIN,
    domain_scheme_errors,
    grade_in_groups,
    group_key,
    group_policy,
    groups_policy_errors,
    scheme_groups,
)

SEED, JIGUAN = load_scheme("seed2020"), load_scheme("jiguan2012")
DOMAIN_NAMES = {"village": "村", "organ": "机关", "school": "学校", "hospital": "医院"}


def branch(code, score, satisfaction=None, township="甲镇"):
    return BranchScore(
        code=code,
        name=code,
        township=township,
        score=Decimal(score),
        satisfaction=None if satisfaction is None else Decimal(satisfaction),
    )


def test_the_worked_example_grades_each_domain_group_under_its_scheme():
    """20 村 at 99…80 under seed 000 (优秀 ⌊20×7%⌋=1, 良好 20×10%=2); 10 机关 at 95…86 under the 2012
    scheme, no quotas, 好 from 90 unless 满意率 < 90 %."""
    villages = [branch(f"V{i:02d}", 99 - i, 95) for i in range(20)]
    organs = [branch(f"O{i:02d}", 95 - i, 95 if i != 1 else 85) for i in range(10)]
    groups = scheme_groups(SEED, {"organ": "jiguan2012", "school": "jiguan2012"})
    result = grade_in_groups(
        villages + organs, ["village"] * 20 + ["organ"] * 10, groups, "county", policy=Policy()
    )
    grades = {r.code: r.grade for r in result.results}
    assert [grades[f"V{i:02d}"] for i in range(4)] == ["优秀", "良好", "良好", "一般"]
    assert [grades[f"O{i:02d}"] for i in range(7)] == ["好", "一般", "好", "好", "好", "好", "较好"]
    assert result.keys == (MAIN,) * 20 + ("jiguan2012",) * 10
    (main, seed), (organ, jiguan) = result.summaries
    assert (main.key, seed.total, seed.base, seed.counts["优秀"]) == (MAIN, 20, 20, 1)
    assert (organ.domains, jiguan.total, jiguan.quotas) == (frozenset({"organ", "school"}), 10, ())
    assert {q.grade: q.limit for q in seed.quotas} == {"优秀": 1, "良好": 2}
    o00 = result.by_code()["O00"]
    assert (o00.rank, o00.rank_total) == (1, 10)  # ranks run within the group
    assert result.holds


def test_a_domain_set_to_the_main_scheme_or_to_nothing_stays_in_the_main_group():
    groups = scheme_groups(SEED, {"organ": "seed2020", "school": "", "hospital": "jiguan2012"})
    assert [(g.key, g.domains) for g in groups] == [
        (MAIN, frozenset()),
        ("jiguan2012", frozenset({"hospital"})),
    ]
    assert (group_key(groups, "organ"), group_key(groups, "hospital")) == (MAIN, "jiguan2012")


def test_settings_that_cannot_be_graded_name_the_domain():
    assert domain_scheme_errors({"organ": "jiguan2013", "moon": "jiguan2012"}, DOMAIN_NAMES, "seed2020") == [
        "机关：评定方案“jiguan2013”无效",
        "领域“moon”无效",
    ]
    assert domain_scheme_errors({"organ": "jiguan2012", "school": ""}, DOMAIN_NAMES, "seed2020") == []


def test_proposals_and_a_tolerance_apply_only_where_the_scheme_has_them():
    policy = Policy(proposals=True, tolerance=Decimal(2), pass_unused=True, cap_at_declared=True)
    groups = main, organ = scheme_groups(SEED, {"organ": "jiguan2012"})
    assert group_policy(policy, main, groups) == policy
    assert group_policy(policy, organ, groups) == Policy(cap_at_declared=True)
    # The campaign's own scheme has no target quota, 村 are graded under seed 000's: 良好 may float.
    groups = scheme_groups(JIGUAN, {"village": "seed2020"})
    assert groups_policy_errors(groups, Policy(tolerance=Decimal(2))) == []
    assert groups_policy_errors(
        scheme_groups(JIGUAN, {"organ": "three-class"}), Policy(tolerance=Decimal(2))
    ) == [f"评定方案“{JIGUAN.title}”没有可浮动的名额（如“10%左右”），不能设置名额浮动"]


def test_a_scheme_that_is_not_a_preset_is_refused():
    with pytest.raises(SchemeError, match="分领域评定方案“/etc/passwd”无效"):
        scheme_groups(SEED, {"organ": "/etc/passwd"})


def test_a_bad_input_names_the_group_it_is_in():
    groups = scheme_groups(SEED, {"organ": "jiguan2012"})
    declared = BranchScore(code="O1", name="O1", township="甲镇", score=Decimal(91), declared="优秀")
    try:
        grade_in_groups(
            [branch("V1", 90), declared], ["village", "organ"], groups, policy=Policy(cap_at_declared=True)
        )
    except ValueError as exc:
        assert str(exc).startswith(
            "按“机关事业单位分类定级（好/较好/一般/较差，2012参考标准）”评定的党支部：申报等级“优秀”"
        )
    else:
        raise AssertionError("a grade of another scheme must be refused")


domains = st.sampled_from(("village", "organ", "school"))
scores = st.decimals(min_value=50, max_value=100, places=1)
satisfactions = st.one_of(st.none(), st.decimals(min_value=70, max_value=100, places=1))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(domains, scores, satisfactions, st.booleans()), min_size=1, max_size=60),
    mapping=st.dictionaries(
        st.sampled_from(("organ", "school")), st.sampled_from(("jiguan2012", "three-class"))
    ),
    scope=st.sampled_from(("county", "township")),
)
def test_each_group_grades_exactly_as_it_would_alone(rows, mapping, scope):
    branches = [
        branch(f"B{i:03d}", score, satisfaction, "甲镇" if town else "乙街道")
        for i, (_, score, satisfaction, town) in enumerate(rows)
    ]
    domain_of = [d for d, *_ in rows]
    groups = scheme_groups(SEED, mapping)
    result = grade_in_groups(branches, domain_of, groups, scope)
    for group, summary in result.summaries:
        mine = [i for i, k in enumerate(result.keys) if k == group.key]
        alone = grade_branches([branches[i] for i in mine], group.scheme, scope)
        assert [result.results[i] for i in mine] == list(alone.results)
        assert summary == alone.summary and summary.holds
    if not mapping:  # one scheme: exactly today's grading
        assert result.results == grade_branches(branches, SEED, scope).results
