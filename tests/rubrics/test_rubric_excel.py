"""Rubrics to and from Excel in the seeds' layout (类型 | 项目 | 分值 | 考核评价标准 | 考评方式)."""

import io
from decimal import Decimal

import openpyxl
import pytest

from chuangyou.rubrics import defaults
from chuangyou.rubrics.excel_io import HEADER, RubricSheetError, category_cell, read_rubric, write_rubric
from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec, VetoSpec, spec_from_dict
from chuangyou.rules.rubric import Rule
from tests.rubrics.conftest import small_spec

SHIPPED = [data for data in defaults.data_files() if data.get("kind", "rubric") == "rubric"]


def written(spec: RubricSpec) -> bytes:
    buffer = io.BytesIO()
    write_rubric(buffer, spec)
    return buffer.getvalue()


def workbook(
    rows, *, merges=(), title="测试评定标准", header=HEADER, properties=None, sheet="评定标准"
) -> bytes:
    """A workbook typed by hand: a title row, the header, then `rows` (row 3 onwards)."""
    book = openpyxl.Workbook()
    table = book.active
    table.title = sheet
    if title is not None:
        table.append([title])
    table.append(list(header))
    for row in rows:
        table.append(list(row))
    for ref in merges:
        table.merge_cells(ref)
    if properties is not None:
        extra = book.create_sheet("属性")
        for row in properties:
            extra.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def errors_of(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(RubricSheetError) as refused:
        read_rubric(data, **kwargs)
    return refused.value.errors


# --- Round trip ----------------------------------------------------------------------------------------


def test_there_are_shipped_rubrics():
    assert {"village", "liangxin", "organ"} <= {data["code"] for data in SHIPPED}


@pytest.mark.parametrize("data", SHIPPED, ids=[d["code"] for d in SHIPPED])
def test_every_shipped_rubric_survives_the_round_trip(data):
    spec = spec_from_dict(data)
    back = read_rubric(written(spec))
    assert back == spec
    # Field by field too, so that a failure names what changed.
    assert back.categories == spec.categories
    assert [i.method for c in back.categories for i in c.items] == [
        i.method for c in spec.categories for i in c.items
    ]
    assert back.errors() == spec.errors()


def test_awkward_text_survives_the_round_trip():
    spec = small_spec(
        name="=测试（评定）标准",
        description="第一段。\n\n第二段：  两个空格，\t制表符。",
        source="-来源",
        scheme="three-class",
        vetoes=(VetoSpec("+班子成员受到党纪处分", "薄弱"), VetoSpec("@其他情形")),
        categories=(
            CategorySpec(
                "工作2",  # a name that ends with a digit
                Decimal("4.5"),
                (
                    ItemSpec(
                        "=SUM(A1)",
                        Decimal("2.25"),
                        ("第一行\n第二行", "中间  有空格  的标准", "-减号开头"),
                        "组织设置不规范不得分；\n未进行摸底排查扣1分。",
                        evidence_hint="=佐证",
                    ),
                    ItemSpec("没有标准的项目", Decimal("2.25"), (), ""),
                ),
            ),
            CategorySpec(
                "附加",  # bonus without 加分 in its name: kept in the 属性 sheet
                Decimal(5),
                (ItemSpec("创新", Decimal(5), ("有创新做法。",), "获县级以上表彰加2分。"),),
                bonus=True,
            ),
        ),
    )
    assert read_rubric(written(spec)) == spec


def test_category_cells_are_written_like_the_seed():
    assert category_cell(CategorySpec("党的组织设置", Decimal("10.00"))) == "党的组织设置10分"
    assert category_cell(CategorySpec("加分项目", Decimal("5"), bonus=True)) == "加分项目5分"
    assert category_cell(CategorySpec("基本保障", Decimal("2.50"))) == "基本保障2.5分"
    assert category_cell(CategorySpec("工作2", Decimal("10"))) == "工作2（10分）"


def test_the_written_table_looks_like_the_seed_table():
    spec = spec_from_dict(next(d for d in SHIPPED if d["code"] == "village"))
    book = openpyxl.load_workbook(io.BytesIO(written(spec)))
    assert book.sheetnames == ["评定标准", "属性"]
    table = book["评定标准"]
    assert table["A1"].value == spec.name and table["A1"].font.b
    assert [c.value for c in table[2]] == list(HEADER)
    merged = {str(r) for r in table.merged_cells.ranges}
    assert "A1:E1" in merged
    first = spec.categories[0]
    rows = sum(max(len(i.criteria), 1) for i in first.items)
    assert table["A3"].value == "党的组织设置10分" and f"A3:A{2 + rows}" in merged
    item = first.items[0]
    assert (table["B3"].value, table["C3"].value, table["E3"].value) == (item.name, 2, item.method)
    assert [table.cell(3 + n, 4).value for n in range(len(item.criteria))] == list(item.criteria)
    assert f"B3:B{2 + len(item.criteria)}" in merged and f"E3:E{2 + len(item.criteria)}" in merged
    assert table.page_setup.orientation == "landscape"
    assert table.print_title_rows == "$2:$2"
    assert table.sheet_properties.pageSetUpPr.fitToPage
    assert table["D3"].alignment.wrap_text and table["D3"].border.left.style == "thin"
    properties = {row[0]: row[1:] for row in book["属性"].iter_rows(min_row=2, values_only=True)}
    assert properties["代码"][0] == "village" and properties["适用领域"][0] == "村、社区"
    assert properties["总分"][0] == 100 and properties["评定方案"][0] == "seed2020"


def test_a_bonus_category_is_written_with_its_name_and_points():
    spec = spec_from_dict(next(d for d in SHIPPED if d["code"] == "organ"))
    bonus = next(c for c in spec.categories if c.bonus)
    table = openpyxl.load_workbook(io.BytesIO(written(spec)))["评定标准"]
    assert category_cell(bonus) in [c.value for c in table["A"]]


# --- Layouts -------------------------------------------------------------------------------------------


SMALL_ROWS = [
    [
        "党的组织设置4分",
        "设置合理",
        2,
        "组织设置合理，每年摸底1次。",
        "组织设置不规范不得分；未进行摸底排查扣1分。",
    ],
    ["党的组织设置4分", "纪检机构", 2, "设纪检委员。", "未设纪检委员扣2分。"],
    ["党内组织生活6分", "三会一课", 4, "按期开展、记录规范。", "根据记录材料内容酌情给分。"],
    ["党内组织生活6分", "主题党日", 2, "每月开展1次。", "每少开1次扣0.5分。"],
]
SMALL_PROPERTIES = [
    ["属性", "内容", "补充"],
    ["代码", "small"],
    ["适用领域", "村、community"],
    ["总分", 10],
    ["一票否决", "班子成员受到党纪处分", "一般"],
]


def test_repeated_and_merged_layouts_read_the_same():
    two_criteria = [
        ["党的组织设置4分", "设置合理", 2, "组织设置合理。", "组织设置不规范不得分；未进行摸底排查扣1分。"],
        ["党的组织设置4分", "设置合理", 2, "每年摸底1次。", "组织设置不规范不得分；未进行摸底排查扣1分。"],
        ["党的组织设置4分", "纪检机构", "2分", "设纪检委员。", "未设纪检委员扣2分。"],
        ["加分项目2分", "创新", 2, "有创新做法。", "获县级表彰加2分。"],
    ]
    repeated = read_rubric(workbook(two_criteria), code="small")
    merged_rows = [
        two_criteria[0],
        [None, None, None, two_criteria[1][3], None],
        two_criteria[2],
        two_criteria[3],
    ]
    merged = read_rubric(workbook(merged_rows, merges=("A3:A5", "B3:B4", "C3:C4", "E3:E4")), code="small")
    assert repeated == merged
    assert merged.categories[0].items[0] == ItemSpec(
        "设置合理",
        Decimal(2),
        ("组织设置合理。", "每年摸底1次。"),
        "组织设置不规范不得分；未进行摸底排查扣1分。",
    )
    assert merged.categories[1].bonus and merged.total == 4 and merged.code == "small"


def test_the_properties_sheet_gives_what_the_table_cannot():
    spec = read_rubric(workbook(SMALL_ROWS, properties=SMALL_PROPERTIES))
    assert spec == small_spec()


def test_the_code_argument_overrides_the_file():
    assert read_rubric(workbook(SMALL_ROWS, properties=SMALL_PROPERTIES), code="other").code == "other"


def test_without_properties_the_total_is_the_sum_of_the_categories():
    spec = read_rubric(workbook(SMALL_ROWS), code="small")
    assert spec.total == 10 and spec.domains == () and spec.vetoes == () and spec.name == "测试评定标准"


def test_a_category_may_have_a_row_of_its_own():
    rows = [row("党的组织设置4分"), row(None, *GOOD[1:]), row(None, *NEXT[1:])]
    spec = read_rubric(workbook(rows), code="small")
    assert [i.name for i in spec.categories[0].items] == ["设置合理", "纪检机构"]


def test_extra_columns_beside_the_table_are_ignored():
    rows = [[1, *GOOD, "备注", None], [None, None, None, None, "第二条标准。", None, None, None], [2, *NEXT]]
    header = ["序号", *HEADER, "备注", None]
    data = workbook(rows, header=header, merges=("A3:A4", "B3:B5", "C3:C4", "D3:D4", "F3:F4", "G3:H3"))
    spec = read_rubric(data, code="small")
    assert spec.categories[0].items[0].criteria == ("组织设置合理。", "第二条标准。")
    assert [i.name for i in spec.categories[0].items] == ["设置合理", "纪检机构"]


def test_the_header_may_be_lower_down_and_use_an_alias():
    rows = [
        ["附件1"],
        ["村(社区)党组织创先争优活动评定标准"],
        [],
        ["类型", "项目", "分值", "考评标准", "考评方式"],
    ]
    book = openpyxl.Workbook()
    for row in rows + SMALL_ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    spec = read_rubric(buffer.getvalue(), code="seed")
    assert spec.name == "附件1"  # the first text above the header
    assert [c.name for c in spec.categories] == ["党的组织设置", "党内组织生活"]


def test_the_seed_attachment_imports_with_its_rules():
    """The first rows of seed 001 附件1, as printed (criteria continue on rows of their own)."""
    method_1 = (
        "正式党员人数超过3名、不足50名的成立党支部,党员人数超过50名、不足100名的可设立党总支,党员人数达100名以上"
        "的可设立党委。组织设置不规范不得分;未进行摸底排查扣1分;未进行兜底管理等相应措施扣1分。"
    )
    method_2 = (
        "班子长期不健全不得分;班子健全但未吸纳驻区单位党组织负责同志担任社区党组织委员会兼职委员得1分。"
    )
    rows = [
        [
            "党的组织设置10分",
            "设置合理",
            2,
            "组织设置合理,每年对党组织设置情况进行1次摸底,做到设置规范、调整及时。",
            method_1,
        ],
        [
            None,
            None,
            None,
            "村(社区)党组织对辖区内非公经济组织和社会组织党建工作实行兜底管理,动态调整。",
            None,
        ],
        [None, "探索创新", 2, "…………", "…………"],
        [None, "纪检机构", 2, "…………", "…………"],
        [None, "健全社区组织体系", 4, "…………", "…………"],
        ["班子队伍建设6分", "班子职数", 2, "严格按照职数,选优配强领导班子。", method_2],
        [None, "班子任期", 2, "…………", "…………"],
        [None, "自身建设", 2, "…………", "…………"],
    ]
    data = workbook(
        rows,
        merges=("A3:A7", "B3:B4", "C3:C4", "E3:E4", "A8:A10"),
        title="村(社区)党组织创先争优活动评定标准",
    )
    spec = read_rubric(data, code="seed")
    assert [(c.name, c.points) for c in spec.categories] == [("党的组织设置", 10), ("班子队伍建设", 6)]
    first = spec.categories[0].items[0]
    assert (
        first.name == "设置合理"
        and first.points == 2
        and len(first.criteria) == 2
        and first.method == method_1
    )
    items = {item.name: item for _, _, item, _ in spec.parsed()}
    assert items["设置合理"].zero_out == ("组织设置不规范",)
    assert items["设置合理"].rules == (
        Rule("未进行摸底排查", Decimal(1)),
        Rule("未进行兜底管理等相应措施", Decimal(1)),
    )
    assert items["班子职数"].zero_out == ("班子长期不健全",)
    assert items["班子职数"].rules[0].points == 1
    assert items["探索创新"].kind == "discretionary"  # “…………”: nothing recognised
    assert spec.errors() == []  # 2+2+2+4 and 2+2+2 add up; the total is their sum


# --- Refusals ------------------------------------------------------------------------------------------


def row(*cells):
    return list(cells)


GOOD = row("党的组织设置4分", "设置合理", 2, "组织设置合理。", "组织设置不规范不得分。")
NEXT = row("党的组织设置4分", "纪检机构", 2, "设纪检委员。", "未设纪检委员扣2分。")

BAD_FILES = {
    "missing column": (
        lambda: workbook([GOOD[:4]], header=HEADER[:4]),
        "第2行 表头：缺少“考评方式”列",
    ),
    "no header": (lambda: workbook([GOOD], header=["甲", "乙"]), "表头：前10行中没有找到表头"),
    "non-numeric points": (
        lambda: workbook([row("党的组织设置4分", "设置合理", "两分", "标准", "扣1分")]),
        "第3行 分值：“两分”不是数字",
    ),
    "negative points": (
        lambda: workbook([row("党的组织设置4分", "设置合理", -1, "标准", "方式")]),
        "第3行 分值：不能为负数（当前为-1）",
    ),
    "points differ within an item": (
        lambda: workbook([GOOD, row("党的组织设置4分", "设置合理", 3, "又一条标准。", "")]),
        "第4行 分值：项目“设置合理”的分值3与第3行的2不一致",
    ),
    "category without items": (
        lambda: workbook([GOOD, NEXT, row("班子队伍建设6分")]),
        "第5行 项目：类型“班子队伍建设”下没有项目",
    ),
    "criteria without an item": (
        lambda: workbook([row("党的组织设置4分", None, 2, "标准", "方式")]),
        "第3行 项目：不能为空（类型“党的组织设置”的第一行须填写项目名称）",
    ),
    "duplicate item": (
        lambda: workbook([GOOD, NEXT, row("党内组织生活6分", "设置合理", 2, "标准", "方式")]),
        "第5行 项目：项目“设置合理”与第3行重复",
    ),
    "duplicate category": (
        lambda: workbook([GOOD, row("党内组织生活6分", "三会一课", 6, "标准", "方式"), NEXT]),
        "第5行 类型：类型“党的组织设置”与第3行重复",
    ),
    "category without points": (
        lambda: workbook([row("党的组织设置", "设置合理", 2, "标准", "方式")]),
        "第3行 类型：“党的组织设置”缺少分值",
    ),
    "formula": (
        lambda: workbook([row("党的组织设置4分", "设置合理", "=1+1", "标准", "方式")]),
        "第3行 分值：不接受公式，请粘贴为数值",
    ),
    "old excel format": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "请另存为 .xlsx 格式（当前文件为 .xls/.et/.wps 等旧格式）",
    ),
    "not a spreadsheet": (lambda: "类型,项目\n".encode(), "文件内容不是 Excel（.xlsx）格式"),
    "empty": (lambda: b"", "文件为空"),
    "merge across two categories": (
        lambda: workbook([GOOD, row("党内组织生活6分", None, None, "标准", "方式")], merges=("B3:B4",)),
        "第3行 项目：合并单元格（B3:B4）跨越了两个类型（“党的组织设置”和“党内组织生活”）",
    ),
    "merge across two items": (
        lambda: workbook([GOOD, NEXT], merges=("E3:E4",)),
        "第3行 考评方式：合并单元格（E3:E4）跨越了两个项目（“设置合理”和“纪检机构”）",
    ),
    "horizontal merge": (
        lambda: workbook([GOOD, NEXT], merges=("D4:E4",)),
        "第4行 考核评价标准：不能横向合并单元格（D4:E4）",
    ),
    "unknown domain": (
        lambda: workbook([GOOD], properties=[["代码", "small"], ["适用领域", "村、火星"]]),
        "“属性”表第2行 内容：未知的适用领域“火星”",
    ),
    "bad code": (
        lambda: workbook([GOOD], properties=[["代码", "村 标准"]]),
        "“属性”表第1行 代码：“村 标准”格式不正确",
    ),
    "evidence for an unknown item": (
        lambda: workbook([GOOD], properties=[["代码", "small"], ["佐证材料", "没有这项", "记录"]]),
        "“属性”表第2行 内容：没有名为“没有这项”的项目",
    ),
}


@pytest.mark.parametrize("make, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_each_bad_file_is_refused_with_a_named_reason(make, message):
    errors = errors_of(make(), code="small") if "属性" not in message else errors_of(make())
    assert any(message in error for error in errors), errors


def test_without_a_code_a_file_without_properties_is_refused():
    assert errors_of(workbook([GOOD, NEXT])) == [
        "代码：文件中没有“属性”工作表，请指定评定标准代码（如 village）"
    ]


def test_every_problem_is_reported_at_once():
    errors = errors_of(
        workbook(
            [
                row("党的组织设置4分", "设置合理", "两分", "标准", "方式"),
                row("党内组织生活", "三会一课", -2, "标准", "方式"),
                row("党内组织生活6分", "设置合理", 2, "标准", "方式"),
            ]
        ),
        code="small",
    )
    assert len(errors) >= 4
    assert errors[0].startswith("第3行 分值") and any(e.startswith("第4行 类型") for e in errors)
    assert any(e.startswith("第5行 项目") for e in errors)


def test_points_that_do_not_add_up_are_no_import_error():
    spec = read_rubric(workbook([GOOD, NEXT], properties=[["代码", "small"], ["总分", 100]]))
    assert spec.total == 100
    assert "各类型分值合计4分，与总分100分不符" in spec.errors()
