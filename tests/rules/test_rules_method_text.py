"""The 考评方式 (method text) parser: seed 001 sentences, domain phrasings and properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangyou.rules.method_text import ParsedMethod, item_from_method, parse_method, split_clauses
from chuangyou.rules.rubric import Category, ItemEntry, Rubric, Rule, score_item, validate_rubric

P = Decimal


def R(text: str, points: str | int, per: bool = False) -> Rule:
    return Rule(text, P(points), per_occurrence=per)


def M(
    kind: str,
    rules: tuple[Rule, ...] = (),
    zero_out: tuple[str, ...] = (),
    dd: bool = False,
    unparsed: tuple[str, ...] = (),
) -> ParsedMethod:
    return ParsedMethod(kind, rules, zero_out, dd, unparsed)  # type: ignore[arg-type]


# Every 考评方式 of seed 001 that is not "…………", as printed (half-width ",;" as in the seed file):
# (附件, 项目, 分值, method, expected parse).
SEED_METHODS = [
    (
        "附件1",
        "设置合理",
        2,
        "正式党员人数超过3名、不足50名的成立党支部,党员人数超过50名、不足100名的可设立党总支,"
        "党员人数达100名以上的可设立党委。组织设置不规范不得分;未进行摸底排查扣1分;"
        "未进行兜底管理等相应措施扣1分。",
        M(
            "deduction",
            (R("未进行摸底排查", 1), R("未进行兜底管理等相应措施", 1)),
            ("组织设置不规范",),
            unparsed=(
                "正式党员人数超过3名、不足50名的成立党支部,党员人数超过50名、不足100名的可设立党总支,"
                "党员人数达100名以上的可设立党委",
            ),
        ),
    ),
    (
        "附件1",
        "班子职数",
        2,
        "班子长期不健全不得分;班子健全但未吸纳驻区单位党组织负责同志担任社区党组织委员会兼职委员得1分。",
        M(
            "deduction",
            (R("班子健全但未吸纳驻区单位党组织负责同志担任社区党组织委员会兼职委员", 1),),
            ("班子长期不健全",),
        ),
    ),
    (
        "附件1",
        "党员教育培训",
        3,
        "党员每年集中学习培训时间不足扣1分;基层党组织班子成员每年集中学习培训时间不足扣1分,"
        "没有集中培训的扣2分;远程教育站点未配备管理员或设备不齐全扣1分。",
        M(
            "deduction",
            (
                R("党员每年集中学习培训时间不足", 1),
                R("基层党组织班子成员每年集中学习培训时间不足", 1),
                R("没有集中培训", 2),
                R("远程教育站点未配备管理员或设备不齐全", 1),
            ),
        ),
    ),
    (
        "附件1",
        "党内激励关怀",
        3,
        "未建立困难党员台账扣1分;未开展党内表彰活动扣1分,帮扶活动成效根据帮扶活动开展相关记录情况酌情给分。",
        M("deduction", (R("未建立困难党员台账", 1), R("未开展党内表彰活动", 1)), dd=True),
    ),
    (
        "附件1",
        "管理手段创新",
        4,
        "根据日常活动及工作开展相关记录的规范性、完整性酌情给分。",
        M("discretionary"),
    ),
    (
        "附件1",
        "三会一课",
        5,
        "根据记录材料内容酌情给分,重点对活动开展频次、程序规范性等内容进行检查。",
        M("discretionary", unparsed=("重点对活动开展频次、程序规范性等内容进行检查",)),
    ),
    (
        "附件1",
        "党员活动日",
        3,
        "根据记录材料内容酌情给分,重点对活动开展频次、程序规范性等内容进行检查。",
        M("discretionary", unparsed=("重点对活动开展频次、程序规范性等内容进行检查",)),
    ),
    (
        "附件1",
        "建设标准",
        5,
        "社区用房不达标扣2分;社区功能室设置未达到“18室1厅1站6栏”要求扣2分;"
        "新时代“三新”大讲堂未依据“6有”标准建设,每少1项扣1分。",
        M(
            "deduction",
            (
                R("社区用房不达标", 2),
                R("社区功能室设置未达到“18室1厅1站6栏”要求", 2),
                R("新时代“三新”大讲堂未依据“6有”标准建设,每少1项", 1, per=True),
            ),
        ),
    ),
    (
        "附件1",
        "管理维护",
        3,
        "严格按照标准执行得3分,缺少设施设备登记或登记不及时、不完整扣1分,"
        "无管理维护制度或制度不健全、执行不严格扣1分,其他情况酌情扣分。",
        M(
            "deduction",
            (R("缺少设施设备登记或登记不及时、不完整", 1), R("无管理维护制度或制度不健全、执行不严格", 1)),
            dd=True,
        ),
    ),
    (
        "附件1",
        "服务体系",
        6,
        "上述评定项目如未落实则不得分,具体作用发挥情况结合相关记录规范性、服务群众实效性、活动开展经常性等酌情给分。",
        M("discretionary", zero_out=("上述评定项目如未落实",)),
    ),
    (
        "附件1",
        "统筹协调机制",
        5,
        "根据相关工作开展的经常性、实效性以及制度机制、活动记录等资料完整性酌情给分。",
        M("discretionary"),
    ),
    (
        "附件1",
        "联系群众机制",
        4,
        "根据相关工作落实情况及制度机制、工作记录等资料完整性、规范性情况酌情给分。",
        M("discretionary"),
    ),
    (
        "附件1",
        "党建经费",
        3,
        "村(社区)党组织服务群众专项经费和办公经费未落实到位不得分,存在其他不明确、不规范现象酌情扣分,"
        "存在重大财务纰漏情况另行处理。",
        M(
            "discretionary",
            zero_out=("村(社区)党组织服务群众专项经费和办公经费未落实到位",),
            unparsed=("存在重大财务纰漏情况另行处理",),
        ),
    ),
    ("附件3", "组织覆盖", 10, "应建未建党组织的不得分。", M("deduction", zero_out=("应建未建党组织",))),
    (
        "附件3",
        "纪检机构",
        5,
        "未设立纪检机构、未指定专人负责纪检工作的不得分。",
        M("deduction", zero_out=("未设立纪检机构、未指定专人负责纪检工作",)),
    ),
    (
        "附件3",
        "党员教育培训",
        4,
        "党员每年集中学习培训时间少于32学时的扣2分。基层党组织书记和班子成员每年集中学习培训时间少于56学时的扣2分。"
        "全年无培训的不得分。",
        M(
            "deduction",
            (
                R("党员每年集中学习培训时间少于32学时", 2),
                R("基层党组织书记和班子成员每年集中学习培训时间少于56学时", 2),
            ),
            ("全年无培训",),
        ),
    ),
    (
        "附件3",
        "党员作用发挥",
        3,
        "党员干部没有发挥表率作用的有1名扣1分,扣完为止。",
        M("deduction", (R("党员干部没有发挥表率作用的有1名", 1, per=True),)),
    ),
    (
        "附件3",
        "“三会一课”",
        4,
        "党员大会、支委会、党小组会、党课有一项不符合规定的扣1分。",
        M("deduction", (R("党员大会、支委会、党小组会、党课有一项不符合规定", 1, per=True),)),
    ),
    (
        "附件3",
        "民主评议党员",
        4,
        "民主评议党员工作不符合要求的扣2分,未开展的不得分。",
        M("deduction", (R("民主评议党员工作不符合要求", 2),), ("未开展",)),
    ),
    (
        "附件3",
        "党员活动日",
        4,
        "“主题党日”活动记录不全的扣2分,未组织的不得分。",
        M("deduction", (R("“主题党日”活动记录不全", 2),), ("未组织",)),
    ),
    ("附件3", "组织生活创新", 4, "根据组织生活的吸引力酌情给分。", M("discretionary")),
    (
        "附件3",
        "服务“两新”组织健康发展开展活动",
        5,
        "根据党组织的x核心作用发挥程度酌情给分,作用发挥不明显的不得分。",
        M("discretionary", zero_out=("作用发挥不明显",)),
    ),
    (
        "附件3",
        "突出非公企业特点服务职工群众",
        5,
        "非公企业、社会组织结合自身特点组织活动,根据活动开展的频率、收到的成效酌情给分。",
        M("discretionary"),
    ),
    (
        "附件3",
        "民主议事机制",
        3,
        "未建立民主议事机制的不得分。",
        M("deduction", zero_out=("未建立民主议事机制",)),
    ),
    (
        "附件3",
        "责任落实机制",
        3,
        "未建立责任落实机制的不得分。",
        M("deduction", zero_out=("未建立责任落实机制",)),
    ),
    (
        "附件3",
        "激励关怀机制",
        3,
        "未开展谈心谈话的扣1分。未开展困难党员帮扶活动的扣1分。",
        M("deduction", (R("未开展谈心谈话", 1), R("未开展困难党员帮扶活动", 1))),
    ),
    (
        "附件3",
        "政策保障",
        3,
        "上述制度有一项未建立的扣1分,建立的有其他保障党建工作开展的可给1分,否则该项不得分。",
        M(
            "deduction",
            (R("上述制度有一项未建立", 1, per=True),),
            unparsed=("建立的有其他保障党建工作开展的可给1分", "否则该项不得分"),
        ),
    ),
    (
        "附件3",
        "经费保障",
        3,
        "根据党建经费保障程度酌情给分,没有党建经费的不得分。",
        M("discretionary", zero_out=("没有党建经费",)),
    ),
]


@pytest.mark.parametrize(
    ("points", "method", "expected"),
    [row[2:] for row in SEED_METHODS],
    ids=[f"{row[0]}-{row[1]}" for row in SEED_METHODS],
)
def test_it_parses_every_seed_001_method(points, method, expected):
    assert parse_method(method, max_points=P(points)) == expected


def test_it_covers_all_28_seed_methods():
    assert len(SEED_METHODS) == 28
    assert sum(1 for row in SEED_METHODS if row[0] == "附件1") == 13


@pytest.mark.parametrize(("points", "method", "expected"), [row[2:] for row in SEED_METHODS])
def test_it_parses_full_width_punctuation_like_the_half_width_seed(points, method, expected):
    full = method.replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）")
    parsed = parse_method(full, max_points=P(points))
    assert [(r.points, r.per_occurrence) for r in parsed.rules] == [
        (r.points, r.per_occurrence) for r in expected.rules
    ]
    assert (parsed.kind, len(parsed.zero_out), parsed.discretionary_deduction, len(parsed.unparsed)) == (
        expected.kind,
        len(expected.zero_out),
        expected.discretionary_deduction,
        len(expected.unparsed),
    )


@pytest.mark.parametrize(("name", "points", "method", "expected"), [row[1:] for row in SEED_METHODS])
def test_it_builds_seed_items_that_validate(name, points, method, expected):
    item, parsed = item_from_method(name, P(points), method, criteria=["标准"], evidence_hint="台账")
    assert parsed == expected
    assert (item.kind, item.rules, item.zero_out) == (expected.kind, expected.rules, expected.zero_out)
    assert (item.method, item.criteria, item.evidence_hint) == (method, ("标准",), "台账")
    rubric = Rubric("单项", (Category("类型", P(points), (item,)),), total=P(points))
    assert validate_rubric(rubric) == []


# --------------------------------------------------------------------------- domain-rules.md §1 phrasings

DOMAIN_METHODS = [
    (
        15,
        "不按期换届扣5分；班子不健全扣5分；半年以上不开展党的活动扣5分；其他酌情扣分",
        M(
            "deduction",
            (R("不按期换届", 5), R("班子不健全", 5), R("半年以上不开展党的活动", 5)),
            dd=True,
        ),
    ),
    (
        10,
        "没有年度工作计划扣5分；没有工作总结扣5分；落实不好扣5分",
        M("deduction", (R("没有年度工作计划", 5), R("没有工作总结", 5), R("落实不好", 5))),
    ),
    (
        10,
        "“三会一课”、民主评议党员、党务公开不落实，每项扣2分；不开展党组织书记述职和评议扣5分；"
        "1名班子成员年教育培训少于40学时扣3分，1名普通党员少于24学时扣2分，多于1名酌情加扣",
        M(
            "deduction",
            (
                R("“三会一课”、民主评议党员、党务公开不落实，每项", 2, per=True),
                R("不开展党组织书记述职和评议", 5),
                R("1名班子成员年教育培训少于40学时", 3),
                R("1名普通党员少于24学时", 2),
            ),
            dd=True,
        ),
    ),
    (
        10,
        "无党员活动场所不得分；有场所无教育设施扣5分",
        M("deduction", (R("有场所无教育设施", 5),), ("无党员活动场所",)),
    ),
    (
        10,
        "机关党员50人以上不配备专职党务干部扣5分；没有党组织工作经费扣5分；经费不能满足需要扣3分",
        M(
            "deduction",
            (
                R("机关党员50人以上不配备专职党务干部", 5),
                R("没有党组织工作经费", 5),
                R("经费不能满足需要", 3),
            ),
        ),
    ),
    (5, "党员大会每少开1次扣1.25分", M("deduction", (R("党员大会每少开1次", "1.25", per=True),))),
    (
        4,
        "支委会每少开1次扣0.5分，扣完为止",
        M("deduction", (R("支委会每少开1次", "0.5", per=True),)),
    ),
    (12, "三会一课每缺1次扣0.2分", M("deduction", (R("三会一课每缺1次", "0.2", per=True),))),
    (2, "党小组会缺1次扣0.2分", M("deduction", (R("党小组会缺1次", "0.2", per=True),))),
    (4, "每1名不达标扣0.5分", M("deduction", (R("每1名不达标", "0.5", per=True),))),
    (3, "年初计划、年终总结缺1项扣1.5分", M("deduction", (R("年初计划、年终总结缺1项", "1.5", per=True),))),
    (2, "制度每缺1项扣0.5分", M("deduction", (R("制度每缺1项", "0.5", per=True),))),
    (
        10,
        "满意率低于90%的，每低1个百分点扣0.5分",
        M("deduction", (R("满意率低于90%的，每低1个百分点", "0.5", per=True),)),
    ),
    (3, "党员违纪违法每起扣1分", M("deduction", (R("党员违纪违法每起", 1, per=True),))),
    (
        10,
        "工青妇每缺1项扣1分；无专兼职党务人员扣2分",
        M("deduction", (R("工青妇每缺1项", 1, per=True), R("无专兼职党务人员", 2))),
    ),
    (
        10,
        "电教设备、资料柜、档案橱每少1项扣3分，不能用的扣2分",
        M("deduction", (R("电教设备、资料柜、档案橱每少1项", 3, per=True), R("不能用", 2))),
    ),
    (3, "应建未建超过半年扣3分", M("deduction", (R("应建未建超过半年", 3),))),
    (4, "未开展扣3分；无测评记录扣1分", M("deduction", (R("未开展", 3), R("无测评记录", 1)))),
]


@pytest.mark.parametrize(("points", "method", "expected"), DOMAIN_METHODS)
def test_it_parses_the_domain_rules_phrasings(points, method, expected):
    assert parse_method(method, max_points=P(points)) == expected


# --------------------------------------------------------------------------- clauses


def test_it_splits_clauses_on_semicolons_full_stops_and_line_breaks():
    assert split_clauses(" 甲扣1分；乙扣1分;丙扣1分。\n丁扣1分\r\n；；  。") == (
        "甲扣1分",
        "乙扣1分",
        "丙扣1分",
        "丁扣1分",
    )
    parsed = parse_method("甲扣1分；乙扣1分;丙扣1分。\n丁扣1分", max_points=P(5))
    assert [r.text for r in parsed.rules] == ["甲", "乙", "丙", "丁"]


def test_it_splits_one_clause_at_every_deduction():
    parsed = parse_method("未培训扣1分，没有集中培训的扣2分，未考核的扣0.5分", max_points=P(5))
    assert parsed.rules == (R("未培训", 1), R("没有集中培训", 2), R("未考核", "0.5"))


def test_it_removes_trailing_particles_from_conditions():
    parsed = parse_method(
        "应建未建党组织的不得分；如未落实则不得分；未建立的该项不得分；未开展的一律不得分；未报送的，扣1分",
        max_points=P(5),
    )
    assert parsed.zero_out == ("应建未建党组织", "如未落实", "未建立", "未开展")
    assert parsed.rules == (R("未报送", 1),)


def test_it_treats_other_zero_out_phrasings_alike():
    parsed = parse_method("未开展的不给分；未建立的得0分；未报送的计0分", max_points=P(3))
    assert parsed == M("deduction", zero_out=("未开展", "未建立", "未报送"))


# --------------------------------------------------------------------------- per occurrence


@pytest.mark.parametrize(
    "condition",
    [
        "每项",
        "不落实每项",
        "每人",
        "每次",
        "每名党员学时不足",
        "每个网格未配网格员",
        "每1名不达标",
        "每少1次",
        "每少开1次",
        "每缺1项",
        "每缺一项",
        "每少1项",
        "每发现1起",
        "每低1个百分点",
        "每月少开1次",
        "有1名不达标",
        "有一项不符合规定",
        "缺1次",
        "少报1次",
    ],
)
def test_it_detects_per_occurrence_conditions(condition):
    assert parse_method(f"{condition}扣1分", max_points=P(5)).rules == (R(condition, 1, per=True),)


@pytest.mark.parametrize(
    "condition",
    [
        "每年未召开组织生活会",
        "党员每年集中学习培训时间不足",
        "每月未开展主题党日",
        "每季度未上党课",
        "每个工作日未安排接访",
        "每半年未报告",
        "每学期未开展",
        "每学年少于2次",
        "没有1名专职党务干部",
        "少于32学时",
        "未做到至少1次",
        "缺2次",
        "未开展",
    ],
)
def test_it_does_not_count_periods_or_plain_conditions(condition):
    assert parse_method(f"{condition}扣1分", max_points=P(5)).rules == (R(condition, 1),)


def test_it_counts_each_and_unit_suffixes():
    parsed = parse_method("未建立台账、未开展活动的各扣1分；未落实双重组织生活扣1分/人次", max_points=P(5))
    assert parsed.rules == (R("未建立台账、未开展活动", 1, per=True), R("未落实双重组织生活", 1, per=True))


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("written", "points"),
    [
        ("扣1分", "1"),
        ("扣0.5分", "0.5"),
        ("扣1.25分", "1.25"),
        ("扣 2 分", "2"),
        ("扣１分", "1"),
        ("扣２．５分", "2.5"),
        ("扣一分", "1"),
        ("扣两分", "2"),
        ("扣二分", "2"),
        ("扣半分", "0.5"),
        ("扣一点五分", "1.5"),
        ("扣零点五分", "0.5"),
        ("扣十分", "10"),
        ("扣十五分", "15"),
        ("扣二十分", "20"),
        ("扣除3分", "3"),
        ("扣减3分", "3"),
    ],
)
def test_it_reads_ascii_full_width_and_chinese_numbers(written, points):
    parsed = parse_method(f"未开展{written}", max_points=P(20))
    assert parsed.rules == (R("未开展", points),)
    assert isinstance(parsed.rules[0].points, Decimal)


def test_it_ignores_numbers_that_are_ranges_or_thresholds():
    parsed = parse_method("测评得60分以下的扣3分", max_points=P(5))
    assert parsed.rules == (R("测评得60分以下", 3),)
    assert parse_method("酌情扣1-3分", max_points=P(5)).unparsed == ("酌情扣1-3分",)


# --------------------------------------------------------------------------- 得n分


def test_it_turns_a_partial_score_into_a_deduction_of_the_rest():
    parsed = parse_method("严格执行得5分；基本执行得3分；执行较差得0.5分；未执行得0分", max_points=P(5))
    assert parsed == M("deduction", (R("基本执行", 2), R("执行较差", "4.5")), ("未执行",))


def test_it_keeps_a_partial_score_above_the_maximum_as_unparsed():
    parsed = parse_method("未吸纳兼职委员得3分；未换届扣1分", max_points=P(2))
    assert parsed == M("deduction", (R("未换届", 1),), unparsed=("未吸纳兼职委员得3分",))


# --------------------------------------------------------------------------- 为止 and 酌情


@pytest.mark.parametrize(
    "cap",
    [
        "扣完为止",
        "，扣完为止",
        "分值扣完为止",
        "扣完本项分值为止",
        "扣满为止",
        "扣至0分为止",
        "直至本项减完为止",
    ],
)
def test_it_recognises_until_used_up_phrases(cap):
    parsed = parse_method(f"每少1次扣1分{cap}", max_points=P(3))
    assert parsed == M("deduction", (R("每少1次", 1, per=True),))
    assert parse_method(cap, max_points=P(3)) == M("discretionary")


@pytest.mark.parametrize(
    "method",
    [
        "根据记录材料内容酌情给分",
        "酌情给分",
        "根据工作开展情况酌情扣分",
        "根据作用发挥情况酌情评分",
        "其他酌情",
    ],
)
def test_it_makes_a_method_with_only_a_discretionary_part_discretionary(method):
    assert parse_method(method, max_points=P(5)) == M("discretionary")


def test_it_flags_a_discretionary_deduction_next_to_deductions():
    parsed = parse_method("未建立台账扣1分，其他情况酌情扣分", max_points=P(3))
    assert parsed == M("deduction", (R("未建立台账", 1),), dd=True)
    assert parse_method("未建立台账扣1分；根据记录酌情给分", max_points=P(3)).discretionary_deduction


def test_it_keeps_zero_outs_on_a_discretionary_item():
    parsed = parse_method("根据经费保障程度酌情给分，没有党建经费的不得分", max_points=P(3))
    assert parsed == M("discretionary", zero_out=("没有党建经费",))
    item, _ = item_from_method("经费保障", P(3), "根据经费保障程度酌情给分，没有党建经费的不得分")
    assert score_item(item, ItemEntry("经费保障", zero_out=("没有党建经费",))).score == 0
    assert score_item(item, ItemEntry("经费保障", score=P("2.5"), reason="部分")).score == P("2.5")


def test_it_scores_a_parsed_item_with_the_rubric_core():
    item, _ = item_from_method("党员作用发挥", P(3), "党员干部没有发挥表率作用的有1名扣1分,扣完为止。")
    entry = ItemEntry("党员作用发挥", counts={"党员干部没有发挥表率作用的有1名": 2})
    assert score_item(item, entry).score == 1
    entry = ItemEntry("党员作用发挥", counts={"党员干部没有发挥表率作用的有1名": 5})
    assert score_item(item, entry).score == 0


# --------------------------------------------------------------------------- bonus


def test_it_reads_awards_in_bonus_items():
    parsed = parse_method(
        "获得县级以上表彰的加2分；每组织1次志愿服务加0.5分；经验被推广得1分；受到通报批评的扣1分；"
        "其他酌情加分；被通报批评的不得分",
        max_points=P(5),
        bonus=True,
    )
    assert parsed == M(
        "bonus",
        (R("获得县级以上表彰", 2), R("每组织1次志愿服务", "0.5", per=True), R("经验被推广", 1)),
        ("被通报批评",),
        unparsed=("受到通报批评的扣1分", "其他酌情加分"),
    )


def test_it_keeps_a_bonus_item_a_bonus_item_when_nothing_is_recognised():
    assert parse_method("经验做法被推广", max_points=P(5), bonus=True) == M(
        "bonus", unparsed=("经验做法被推广",)
    )


def test_it_does_not_award_points_outside_bonus_items():
    parsed = parse_method("获得表彰的加2分；未建立扣1分", max_points=P(5))
    assert parsed == M("deduction", (R("未建立", 1),), unparsed=("获得表彰的加2分",))


# --------------------------------------------------------------------------- unparsed


def test_it_lists_descriptive_sentences_but_still_parses_the_rules():
    method = "正式党员人数超过3名、不足50名的成立党支部。组织设置不规范不得分；未进行摸底排查扣1分"
    parsed = parse_method(method, max_points=P(2))
    assert parsed == M(
        "deduction",
        (R("未进行摸底排查", 1),),
        ("组织设置不规范",),
        unparsed=("正式党员人数超过3名、不足50名的成立党支部",),
    )


def test_it_keeps_an_unrecognised_method_as_a_discretionary_item():
    parsed = parse_method("按有关规定执行。具体见附件", max_points=P(3))
    assert parsed == M("discretionary", unparsed=("按有关规定执行", "具体见附件"))
    assert parse_method("", max_points=P(3)) == M("discretionary")


@pytest.mark.parametrize(
    ("method", "unparsed"),
    [
        ("扣2分", ("扣2分",)),
        ("未开展扣0分", ("未开展扣0分",)),
        ("不得分", ("不得分",)),
        ("否则该项不得分", ("否则该项不得分",)),
        ("建立的可给1分", ("建立的可给1分",)),
        ("酌情处理", ("酌情处理",)),
    ],
)
def test_it_lists_parts_whose_pattern_cannot_be_used(method, unparsed):
    assert parse_method(method, max_points=P(3)).unparsed == unparsed


def test_it_rejects_invalid_maxima():
    with pytest.raises(TypeError):
        parse_method("扣1分", max_points=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        parse_method("扣1分", max_points=P("NaN"))
    # a negative maximum is for validate_rubric to report; the parse still works
    assert parse_method("未开展扣1分；基本执行得1分", max_points=P(-1)) == M(
        "deduction", (R("未开展", 1),), unparsed=("基本执行得1分",)
    )
    assert parse_method("未开展扣1分", max_points=3).rules == (R("未开展", 1),)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

PIECES = [
    "未建立台账",
    "每少1次",
    "每年",
    "有1名",
    "的",
    "，",
    ",",
    "、",
    "；",
    ";",
    "。",
    "\n",
    "扣",
    "扣1分",
    "扣0.5分",
    "扣一分",
    "扣半分",
    "扣0分",
    "得",
    "得1分",
    "得9分",
    "不得分",
    "加2分",
    "给1分",
    "酌情",
    "酌情给分",
    "酌情扣分",
    "扣完为止",
    "为止",
    "否则",
    "各",
    "/人次",
    "分",
    "1",
    "一",
    "十",
    "点",
    "以上",
]
method_texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=20).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=15).map("".join),
)
maxima = st.integers(min_value=0, max_value=40).map(lambda halves: Decimal(halves) / 2)


@settings(max_examples=400, deadline=None)
@given(method_texts, maxima, st.booleans())
def test_it_never_raises_and_keeps_its_invariants(text, max_points, bonus):
    parsed = parse_method(text, max_points=max_points, bonus=bonus)
    assert parse_method(text, max_points=max_points, bonus=bonus) == parsed  # deterministic
    for rule in parsed.rules:
        assert isinstance(rule.points, Decimal)
        assert rule.points > 0
        assert rule.text and rule.text == rule.text.strip()
    assert all(parsed.zero_out) and all(parsed.unparsed)
    if bonus:
        assert parsed.kind == "bonus" and not parsed.discretionary_deduction
    else:
        if not parsed.rules and not parsed.zero_out:
            assert parsed.kind == "discretionary"
        if parsed.kind == "discretionary":
            assert parsed.rules == () and not parsed.discretionary_deduction
        if parsed.discretionary_deduction:
            assert parsed.rules
    if not split_clauses(text):
        assert parsed.rules == parsed.zero_out == parsed.unparsed == ()


@settings(max_examples=300, deadline=None)
@given(method_texts, method_texts, maxima, st.booleans())
def test_it_parses_clauses_independently(first, second, max_points, bonus):
    a = parse_method(first, max_points=max_points, bonus=bonus)
    b = parse_method(second, max_points=max_points, bonus=bonus)
    both = parse_method(f"{first}；{second}", max_points=max_points, bonus=bonus)
    assert both.rules == a.rules + b.rules
    assert both.zero_out == a.zero_out + b.zero_out
    assert both.unparsed == a.unparsed + b.unparsed


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([row[3] for row in SEED_METHODS]), min_size=1, max_size=4))
def test_it_parses_joined_seed_methods_as_the_union_of_their_rules(methods):
    joined = parse_method("\n".join(methods), max_points=P(10))
    parts = [parse_method(m, max_points=P(10)) for m in methods]
    assert joined.rules == tuple(rule for part in parts for rule in part.rules)
    assert joined.zero_out == tuple(c for part in parts for c in part.zero_out)
