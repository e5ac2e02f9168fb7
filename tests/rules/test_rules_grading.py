"""Worked cases for grade schemes and grading under quotas (SPEC §8, seed 000)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from chuangyou.rules.grade_scheme import (
    PRESETS,
    Floor,
    Grade,
    GradeScheme,
    Quota,
    SchemeError,
    format_number,
    load_scheme,
    scheme_from_dict,
)
from chuangyou.rules.grading import BranchScore, GradingInputError, apportion, grade_branches

SEED = load_scheme("seed2020")
JIGUAN = load_scheme("jiguan2012")
THREE = load_scheme("three-class")


def branch(code, score, township="甲镇", sat=None, veto="", weak=""):
    return BranchScore(
        code=code,
        name=f"{code}支部",
        township=township,
        score=Decimal(str(score)),
        satisfaction=None if sat is None else Decimal(str(sat)),
        veto=veto,
        weak=weak,
    )


def grades_of(result):
    return {r.code: r.grade for r in result.results}


def floor_scheme(percent=30, quotas=()):
    """A custom four-level scheme whose floor binds (the seed quotas never let it bind)."""
    return GradeScheme(
        name="floor-test",
        title="下限测试",
        grades=SEED.grades,
        veto_max_grade="一般",
        weak_grade="软弱涣散",
        quotas=quotas,
        floor=Floor(grades=("一般", "软弱涣散"), min_percent=Decimal(percent), rounding="ceil"),
    )


# --------------------------------------------------------------------------- presets


def test_it_ships_three_presets():
    assert PRESETS == ("seed2020", "jiguan2012", "three-class")
    assert SEED.labels == ("优秀", "良好", "一般", "软弱涣散")
    assert [g.min_score for g in SEED.grades] == [90, 80, 60, 0]
    assert JIGUAN.labels == ("好", "较好", "一般", "较差")
    assert THREE.labels == ("先进", "合格", "薄弱")
    assert THREE.quotas == () and THREE.floor is None and JIGUAN.quotas == ()


@pytest.mark.parametrize(
    ("n", "excellent", "good", "floor"),
    [
        (1, 0, 0, 1),
        (4, 0, 0, 1),
        (5, 0, 1, 1),  # 10 % of 5 = 0.5 rounds half up to 1
        (14, 0, 1, 2),  # 7 % of 14 = 0.98 rounds down to 0
        (15, 1, 2, 2),  # 1.05 -> 1; 1.5 -> 2; ceil 1.5 -> 2
        (25, 1, 3, 3),  # 2.5 -> 3 (half up)
        (100, 7, 10, 10),
        (118, 8, 12, 12),  # the worked example of docs/规则说明.md
        (144, 10, 14, 15),  # 14.4 -> 14 but the floor is ⌈14.4⌉ = 15
        (145, 10, 15, 15),  # 14.5 -> 15
        (2000, 140, 200, 200),
    ],
)
def test_seed2020_quotas_use_exact_integer_rounding(n, excellent, good, floor):
    assert SEED.quotas[0].limit(n) == excellent == 7 * n // 100
    assert SEED.quotas[1].limit(n) == good == (10 * n + 50) // 100
    assert SEED.floor.minimum(n) == floor == -(-10 * n // 100)


# --------------------------------------------------------------------------- county fill


def ladder(n, top=Decimal(100), step=Decimal("0.5")):
    return [branch(f"B{i:03d}", top - step * i) for i in range(n)]


def test_it_fills_excellent_in_rank_order_then_good_then_thresholds():
    result = grade_branches(ladder(118), SEED)
    ranked = sorted(result.results, key=lambda r: r.rank)
    assert [r.grade for r in ranked[:8]] == ["优秀"] * 8
    assert [r.grade for r in ranked[8:20]] == ["良好"] * 12
    # B020 scores 90 but both quotas are full
    assert ranked[20].grade == "一般"
    assert ranked[20].reason == "得分90，排名21/118，优秀名额8个已满，良好名额12个已满，评为一般"
    assert ranked[0].reason == "得分100，排名1/118，达到优秀标准（≥90分），占优秀名额第1个（共8个），评为优秀"
    # score 60 is 一般, 59.5 is 软弱涣散
    by_code = result.by_code()
    assert by_code["B080"].grade == "一般"
    assert by_code["B080"].reason == "得分60，排名81/118，达到一般标准（≥60分），评为一般"
    assert by_code["B081"].grade == "软弱涣散"
    assert by_code["B081"].reason == "得分59.5，排名82/118，低于一般标准（60分），评为软弱涣散"
    assert result.summary.counts == {"优秀": 8, "良好": 12, "一般": 61, "软弱涣散": 37}
    assert result.summary.holds


def test_the_reason_names_the_full_quota_like_the_issue_example():
    branches = [branch(f"A{i:02d}", 99 - i) for i in range(8)]  # 99 … 92
    branches.append(branch("A08", "91.5"))
    branches += [branch(f"C{i:03d}", 70) for i in range(109)]
    result = grade_branches(branches, SEED).by_code()
    assert result["A08"].grade == "良好"
    assert result["A08"].reason == "得分91.5，排名9/118，优秀名额8个已满，评为良好"


def test_a_good_branch_without_excellent_score_takes_a_good_seat():
    branches = [branch("A", 85)] + [branch(f"C{i:02d}", 70) for i in range(19)]
    result = grade_branches(branches, SEED).by_code()
    assert result["A"].grade == "良好"
    assert result["A"].reason == "得分85，排名1/20，达到良好标准（≥80分），占良好名额第1个（共2个），评为良好"


def test_results_come_back_in_input_order_with_rank_totals():
    branches = [branch("Z", 70), branch("A", 95), branch("M", 85)]
    result = grade_branches(branches, SEED)
    assert [r.code for r in result.results] == ["Z", "A", "M"]
    assert [(r.rank, r.rank_total) for r in result.results] == [(3, 3), (1, 3), (2, 3)]


def test_small_n_rounds_the_excellent_quota_to_zero():
    branches = [branch("A", 99), branch("B", 98), branch("C", 70), branch("D", 70), branch("E", 70)]
    result = grade_branches(branches, SEED).by_code()
    assert result["A"].grade == "良好"
    assert result["A"].reason == "得分99，排名1/5，无优秀名额，评为良好"
    assert result["B"].grade == "一般"
    assert result["B"].reason == "得分98，排名2/5，无优秀名额，良好名额1个已满，评为一般"


def test_ties_break_on_satisfaction_then_missing_then_code():
    # N = 15: one 优秀 seat, two 良好 seats.
    branches = [
        branch("K3", 95, sat=None),
        branch("K2", 95, sat=88),
        branch("K1", 95, sat=None),
        branch("K4", 95, sat=96),
    ] + [branch(f"Z{i:02d}", 70) for i in range(11)]
    result = grade_branches(branches, SEED).by_code()
    assert [result[c].rank for c in ("K4", "K2", "K1", "K3")] == [1, 2, 3, 4]
    assert [result[c].grade for c in ("K4", "K2", "K1", "K3")] == ["优秀", "良好", "良好", "一般"]


def test_codes_compare_as_plain_strings():
    branches = [branch("10", 95), branch("9", 95), branch("100", 95)] + [
        branch(f"Z{i}", 70) for i in range(12)
    ]
    result = grade_branches(branches, SEED).by_code()
    assert [result[c].rank for c in ("10", "100", "9")] == [1, 2, 3]


def test_all_tied_branches_are_ordered_by_code():
    branches = [branch(f"T{i:02d}", 90) for i in reversed(range(20))]
    result = grade_branches(branches, SEED).by_code()
    assert result["T00"].grade == "优秀"
    assert [result[f"T{i:02d}"].grade for i in (1, 2)] == ["良好", "良好"]
    assert {result[f"T{i:02d}"].grade for i in range(3, 20)} == {"一般"}


def test_a_weak_flag_gives_weak_whatever_the_score():
    branches = [branch("A", 99, weak="班子不团结、内耗严重")] + [branch(f"Z{i:02d}", 70) for i in range(19)]
    result = grade_branches(branches, SEED).by_code()
    assert result["A"].grade == "软弱涣散"
    assert (
        result["A"].reason == "存在软弱涣散情形（班子不团结、内耗严重），得分99，排名1/20，直接评为软弱涣散"
    )


def test_a_veto_caps_at_general_and_gives_the_seat_to_the_next():
    branches = [branch("A", 99, veto="发生重大安全生产事故"), branch("B", 91)]
    branches += [branch(f"Z{i:02d}", 70) for i in range(13)]
    result = grade_branches(branches, SEED).by_code()
    assert result["A"].grade == "一般"
    assert result["A"].reason == "一票否决（发生重大安全生产事故），最高评为一般，得分99，排名1/15，评为一般"
    assert result["B"].grade == "优秀"


def test_a_vetoed_branch_below_sixty_is_weak():
    result = grade_branches([branch("A", "55.5", veto="违纪")], SEED).by_code()
    assert result["A"].grade == "软弱涣散"
    assert (
        result["A"].reason
        == "一票否决（违纪），最高评为一般，得分55.5，排名1/1，低于一般标准（60分），评为软弱涣散"
    )


def test_all_vetoed():
    branches = [branch(f"V{i:02d}", 60 + i * 2, veto="违纪") for i in range(20)]
    result = grade_branches(branches, SEED)
    assert set(grades_of(result).values()) == {"一般"}
    assert result.summary.counts["优秀"] == result.summary.counts["良好"] == 0


def test_an_empty_list_grades_nothing():
    result = grade_branches([], SEED)
    assert result.results == ()
    assert result.summary.total == 0 and result.summary.holds


# --------------------------------------------------------------------------- floor


def test_the_floor_binds_under_a_custom_scheme_from_the_bottom_of_the_ranking():
    scheme = floor_scheme(percent=30)  # no quotas; at least ⌈30 % · 10⌉ = 3 in 一般 and below
    branches = [branch(f"F{i}", 95 - i) for i in range(9)] + [branch("W", 50)]
    result = grade_branches(branches, scheme).by_code()
    # W is already 软弱涣散; two more are needed: the two lowest-ranked of the top grades.
    assert result["F8"].grade == result["F7"].grade == "一般"
    assert result["F8"].fill_grade == "良好" and result["F8"].floor_adjusted
    assert result["F6"].grade == "良好"
    assert result["F8"].reason == (
        "得分87，排名9/10，按名额可评为良好，因一般及以下比例不低于30%（至少3个），由良好调整为一般"
    )
    status = grade_branches(branches, scheme).summary.floor
    assert (status.minimum, status.before, status.after, status.demoted) == (3, 1, 3, 2)


def test_the_floor_never_binds_under_seed2020_because_the_quotas_leave_room():
    excellent, good = SEED.quotas
    for n in range(1, 5001):
        assert n - excellent.limit(n) - good.limit(n) >= SEED.floor.minimum(n)
    for n in (1, 2, 3, 5, 10, 20, 118):
        result = grade_branches([branch(f"X{i:03d}", 100) for i in range(n)], SEED)
        assert result.summary.floor.demoted == 0


def test_the_township_floor_uses_the_county_ranking():
    scheme = floor_scheme(percent=50, quotas=(Quota("优秀", Decimal(50), "floor"),))
    branches = [
        branch("A1", 99, township="甲"),
        branch("A2", 98, township="甲"),
        branch("B1", 97, township="乙"),
        branch("B2", 91, township="乙"),
    ]
    result = grade_branches(branches, scheme, "township").by_code()
    # Each township gets one 优秀 seat; the floor needs 2 of 4 in 一般 and below.
    assert {c: r.fill_grade for c, r in result.items()} == {
        "A1": "优秀",
        "A2": "良好",
        "B1": "优秀",
        "B2": "良好",
    }
    assert result["B2"].grade == "一般" and result["B1"].grade == "一般"
    assert result["A2"].grade == "良好" and result["A1"].grade == "优秀"
    assert result["B1"].reason == (
        "得分97，党委内排名1/2，全县排名3/4，按名额可评为优秀，因一般及以下比例不低于50%（至少2个），由优秀调整为一般"
    )


# --------------------------------------------------------------------------- township scope


def test_it_apportions_by_largest_remainder_with_name_ties():
    sizes = {"A镇": 30, "B镇": 25, "C镇": 24, "D镇": 21, "E镇": 18}
    assert apportion(8, sizes) == {"A镇": 2, "B镇": 2, "C镇": 2, "D镇": 1, "E镇": 1}
    assert apportion(12, sizes) == {"A镇": 3, "B镇": 3, "C镇": 2, "D镇": 2, "E镇": 2}
    assert apportion(1, {"b": 1, "a": 1}) == {"a": 1, "b": 0}
    assert apportion(0, {"a": 3}) == {"a": 0}
    assert apportion(3, {}) == {}


def test_township_scope_fills_each_township_with_its_own_seats():
    sizes = {"A镇": 30, "B镇": 25, "C镇": 24, "D镇": 21, "E镇": 18}
    branches = []
    for township, size in sizes.items():
        branches += [branch(f"{township}{i:02d}", 100 - i, township=township) for i in range(size)]
    result = grade_branches(branches, SEED, "township")
    table = {t.township: t for t in result.summary.apportionment}
    assert {t: table[t].seats["优秀"] for t in sizes} == {"A镇": 2, "B镇": 2, "C镇": 2, "D镇": 1, "E镇": 1}
    assert {t: table[t].seats["良好"] for t in sizes} == {"A镇": 3, "B镇": 3, "C镇": 2, "D镇": 2, "E镇": 2}
    assert table["A镇"].shares["优秀"] == Fraction(240, 118)
    by_code = result.by_code()
    assert by_code["E镇00"].grade == "优秀"
    assert by_code["E镇01"].grade == "良好"
    assert by_code["E镇01"].reason == "得分99，党委内排名2/18，本党委优秀名额1个已满，评为良好"
    assert (by_code["E镇01"].rank, by_code["E镇01"].rank_total) == (2, 18)
    assert result.summary.counts["优秀"] == 8 and result.summary.counts["良好"] == 12
    assert result.summary.holds


def test_unused_township_seats_are_not_moved():
    branches = [branch("A1", 85, township="甲")] + [branch(f"A{i}", 70, township="甲") for i in range(2, 51)]
    branches += [branch(f"B{i:02d}", 99, township="乙") for i in range(50)]
    result = grade_branches(branches, SEED, "township")
    table = {t.township: t for t in result.summary.apportionment}
    # 7 seats, shares 3.5 and 3.5: the tied remainder goes to the name first in string order ("乙" < "甲").
    assert table["甲"].seats["优秀"] == 3 and table["甲"].used["优秀"] == 0
    assert table["乙"].seats["优秀"] == 4 and table["乙"].used["优秀"] == 4
    assert result.summary.counts["优秀"] == 4  # below the county quota of 7


# --------------------------------------------------------------------------- other presets


@pytest.mark.parametrize(
    ("score", "sat", "grade", "reason_part"),
    [
        (92, None, "好", "达到好标准（≥90分）"),
        (92, 90, "好", "达到好标准（≥90分）"),
        (92, "89.9", "一般", "满意率89.9%低于90%，最高评为一般"),
        (85, 85, "一般", "满意率85%低于90%，最高评为一般"),
        (85, 95, "较好", "达到较好标准（≥80分）"),
        (55, 50, "较差", "低于一般标准（60分）"),
        (60, None, "一般", "达到一般标准（≥60分）"),
    ],
)
def test_jiguan2012_bands_and_satisfaction_gate(score, sat, grade, reason_part):
    result = grade_branches([branch("J", score, sat=sat)], JIGUAN).results[0]
    assert result.grade == grade
    assert reason_part in result.reason


def test_jiguan2012_has_no_quotas_and_caps_veto_and_flag():
    branches = [branch(f"J{i:02d}", 95) for i in range(20)]
    branches += [branch("V", 95, veto="书记严重违纪"), branch("W", 95, weak="不开展组织活动")]
    result = grade_branches(branches, JIGUAN).by_code()
    assert all(result[f"J{i:02d}"].grade == "好" for i in range(20))
    assert result["V"].grade == "一般"
    assert result["W"].grade == "较差"


@pytest.mark.parametrize(
    ("score", "veto", "weak", "grade"),
    [
        (90, "", "", "先进"),
        ("89.5", "", "", "合格"),
        (70, "", "", "合格"),
        ("69.5", "", "", "薄弱"),
        (98, "违纪", "", "合格"),
        (50, "违纪", "", "薄弱"),
        (98, "", "班子不健全", "薄弱"),
    ],
)
def test_three_class(score, veto, weak, grade):
    assert grade_branches([branch("T", score, veto=veto, weak=weak)], THREE).results[0].grade == grade


# --------------------------------------------------------------------------- schemes as data


def test_a_user_scheme_file_loads(tmp_path):
    path = tmp_path / "stars.toml"
    path.write_text(
        """
title = "星级"
grades = [
  { label = "五星", min_score = 90 },
  { label = "四星", min_score = 80 },
  { label = "三星", min_score = 70 },
  { label = "二星", min_score = 0 },
]
quotas = [{ grade = "五星", max_percent = 10 }, { grade = "四星", max_percent = 40, rounding = "half_up" }]
gates = [{ min_satisfaction = 60, max_grade = "二星" }]
veto_max_grade = "三星"
weak_grade = "二星"
""",
        encoding="utf-8",
    )
    scheme = load_scheme(path)
    assert scheme.name == "stars"
    assert scheme.tie_break == ("satisfaction", "code")
    assert scheme.quotas[0].rounding == "floor"
    result = grade_branches([branch("S", 95, sat=55)], scheme).results[0]
    assert result.grade == "二星"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"veto_max_grade": "特等"}, "一票否决最高等级“特等”不是本方案的等级"),
        ({"quotas": [{"grade": "软弱涣散", "max_percent": 5}]}, "最低等级“软弱涣散”不能设名额上限"),
        ({"quotas": [{"grade": "优秀", "max_percent": 7, "rounding": "up"}]}, "取整方式“up”无效"),
        ({"floor": {"grades": ["良好"], "min_percent": 10}}, "比例下限的等级须是最低的若干个等级"),
        ({"floor": {"grades": ["软弱涣散", "一般"], "min_percent": 10}}, "请按从高到低的顺序列出"),
        (
            {"grades": [{"label": "优秀", "min_score": 80}, {"label": "良好", "min_score": 90}]},
            "等级“良好”的最低分应低于“优秀”的最低分",
        ),
        ({"tie_break": ["age"]}, "排序依据“age”无效"),
        ({"tie_break": ["code", "satisfaction"]}, "组织代码须为最后一个排序依据"),
        ({"quotas": [{"grade": "优秀", "max_percent": "七"}]}, "名额比例（max_percent）应为数字"),
    ],
)
def test_scheme_errors_are_named_in_chinese(change, message):
    data = {
        "name": "bad",
        "grades": [
            {"label": "优秀", "min_score": 90},
            {"label": "良好", "min_score": 80},
            {"label": "一般", "min_score": 60},
            {"label": "软弱涣散", "min_score": 0},
        ],
        "veto_max_grade": "一般",
        "weak_grade": "软弱涣散",
    } | change
    with pytest.raises(SchemeError, match=message):
        scheme_from_dict(data)


def test_unknown_scheme_and_broken_toml(tmp_path):
    with pytest.raises(SchemeError, match="找不到评定方案“nope”"):
        load_scheme("nope")
    broken = tmp_path / "broken.toml"
    broken.write_text("grades = [", encoding="utf-8")
    with pytest.raises(SchemeError, match="格式错误"):
        load_scheme(broken)


def test_a_scheme_rejects_a_nonzero_bottom_threshold():
    with pytest.raises(SchemeError, match="最低分应为0"):
        GradeScheme(
            name="x",
            title="x",
            grades=(Grade("好", Decimal(90)), Grade("差", Decimal(10))),
            veto_max_grade="差",
            weak_grade="差",
        )


# --------------------------------------------------------------------------- input checks


def test_duplicate_codes_and_bad_values_are_refused():
    with pytest.raises(GradingInputError, match="组织代码“A”重复"):
        grade_branches([branch("A", 90), branch("A", 80)], SEED)
    with pytest.raises(GradingInputError, match="满意率"):
        grade_branches([branch("A", 90, sat=120)], SEED)
    with pytest.raises(ValueError, match="名额范围"):
        grade_branches([branch("A", 90)], SEED, "province")


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("91.50"), "91.5"), (Decimal(100), "100"), (Decimal("1E+2"), "100"), (Fraction(1, 4), "0.25")],
)
def test_numbers_print_without_trailing_zeros(value, text):
    assert format_number(value) == text


def test_the_cap_of_a_branch_is_the_lowest_of_its_flags():
    seed, jiguan = load_scheme("seed2020"), load_scheme("jiguan2012")
    assert seed.cap() is None
    assert seed.cap(veto="违纪") == ("一般", "有一票否决情形")
    assert seed.cap(veto="违纪", weak="书记缺职") == ("软弱涣散", "存在软弱涣散情形")
    assert jiguan.cap(satisfaction=Decimal("95")) is None
    assert jiguan.cap(satisfaction=Decimal("89.5")) == ("一般", "满意率89.5%低于90%")
