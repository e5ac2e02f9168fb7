"""Rubrics (评定标准) as Excel workbooks in the seeds' layout, both ways.

Sheet “评定标准”: a title row (the rubric's name), the header 类型 | 项目 | 分值 | 考核评价标准 | 考评方式,
then one row per criterion. The category cell reads “党的组织设置10分” and is merged over the
category's rows; an item's name, 分值 and 考评方式 are merged over the item's rows. Sheet “属性”
holds what the table cannot show: code, domains, total, grade scheme, description, source, vetoes
(一票否决) and evidence hints (佐证材料), one key per row.

`read_rubric` accepts the merged layout (calamine gives the value only in a merge's top-left cell,
so an empty cell continues the category or item above) and the repeated one (the same category or
item text on consecutive rows is the same category or item). It reports every problem at once,
each as “第N行 列名：原因”, and returns nothing unless the whole file is usable. Points that do not
add up are no import error (a draft may be unfinished): `RubricSpec.errors()` reports them.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from chuangyou.lib.excel import (
    FORMULA_PREFIXES,
    Limits,
    SpreadsheetError,
    cell_text,
    check_xlsx_upload,
    escape_formula,
)
from chuangyou.orgs.models import Domain
from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec, VetoSpec
from chuangyou.rules.grade_scheme import PRESETS, format_number

SHEET_NAME = "评定标准"
PROPERTIES_SHEET = "属性"
HEADER = ("类型", "项目", "分值", "考核评价标准", "考评方式")
# Header cells accepted for each column (whitespace inside a header cell is ignored).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "类型": ("类型",),
    "项目": ("项目",),
    "分值": ("分值",),
    "考核评价标准": ("考核评价标准", "考评标准", "评价标准", "考核标准"),
    "考评方式": ("考评方式",),
}
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 2000
MAX_COLUMNS = 50
# A rubric is a few dozen rows; anything much larger is not a rubric (and openpyxl reads it all).
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_uncompressed=40 * 1024 * 1024)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CATEGORY_CELL = re.compile(r"^(?P<name>.+?)\s*[（(]?\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*[）)]?$", re.S)
POINTS_TEXT = re.compile(r"^[+]?\d+(?:\.\d+)?\s*分?$")
DOMAIN_SEPARATORS = re.compile(r"[、,，;；/／\s]+")

# Keys of the 属性 sheet.
K_CODE, K_NAME, K_DOMAINS, K_TOTAL, K_SCHEME = "代码", "名称", "适用领域", "总分", "评定方案"
K_DESCRIPTION, K_SOURCE, K_VETO, K_EVIDENCE, K_BONUS = "说明", "来源", "一票否决", "佐证材料", "加分类型"
SINGLE_KEYS = (K_CODE, K_NAME, K_DOMAINS, K_TOTAL, K_SCHEME, K_DESCRIPTION, K_SOURCE)
PROPERTY_KEYS = (*SINGLE_KEYS, K_VETO, K_EVIDENCE, K_BONUS)
PROPERTIES_HEADER = ("属性", "内容", "补充")

# Lengths of the database columns (chuangyou/rubrics/models.py).
MAX_NAME = 100
MAX_HINT = 300
MAX_VETO = 300
MAX_GRADE = 20
MAX_POINTS = Decimal(10_000)

# Layout of the written sheet.
WIDTHS = (12, 14, 6, 50, 50)
FONT = "宋体"
LINE_HEIGHT = 14.0  # points per line of 10.5 pt text
MAX_ROW_HEIGHT = 409.0


class RubricSheetError(ValueError):
    """A workbook that cannot be imported; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("；".join(self.errors))


# --- Writing -------------------------------------------------------------------------------------------


def category_cell(category: CategorySpec) -> str:
    """“党的组织设置10分”; “工作2（10分）” when the name itself ends with a digit."""
    points = format_number(category.points)
    if category.name[-1:].isdigit():
        return f"{category.name}（{points}分）"
    return f"{category.name}{points}分"


def write_rubric(target: str | Path | IO[bytes], spec: RubricSpec) -> None:
    """Write `spec` as an .xlsx workbook (a path or a binary file object)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    formats = _formats(workbook)
    _write_table(workbook.add_worksheet(SHEET_NAME), spec, formats)
    _write_properties(workbook.add_worksheet(PROPERTIES_SHEET), spec, formats)
    workbook.close()


def _formats(workbook) -> dict[str, Any]:
    base = {"font_name": FONT, "font_size": 10.5, "text_wrap": True, "valign": "vcenter"}
    return {
        "title": workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "header": workbook.add_format(
            {**base, "bold": True, "align": "center", "border": 1, "bg_color": "#F2F2F2"}
        ),
        "centre": workbook.add_format({**base, "align": "center", "border": 1}),
        "text": workbook.add_format({**base, "align": "left", "border": 1}),
        "plain": workbook.add_format({**base, "align": "left"}),
        "bold": workbook.add_format({**base, "bold": True, "align": "left"}),
    }


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _lines(text: str, width: int) -> int:
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(_display_width(line) / usable)) for line in text.split("\n"))


def _put(sheet, row: int, col: int, last_row: int, value: Any, fmt) -> None:
    """A cell, merged downwards to `last_row` when that is below `row`."""
    if last_row > row:
        sheet.merge_range(row, col, last_row, col, "", fmt)
    if isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, escape_formula(value), fmt)


def _write_table(sheet, spec: RubricSpec, formats) -> None:
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "", formats["title"])
    sheet.write_string(0, 0, escape_formula(spec.name), formats["title"])
    sheet.set_row(0, max(30.0, 22.0 * _lines(spec.name, sum(WIDTHS) // 2)))
    for col, title in enumerate(HEADER):
        sheet.write_string(1, col, title, formats["header"])
    sheet.set_row(1, 20)
    heights: list[float] = []
    row = 2
    for category in spec.categories:
        first_row = row
        blocks = category.items or (None,)
        for item in blocks:
            criteria = (item.criteria if item else ()) or ("",)
            last = row + len(criteria) - 1
            item_heights = [LINE_HEIGHT * _lines(text, WIDTHS[3]) + 4 for text in criteria]
            if item is not None:
                _put(sheet, row, 1, last, item.name, formats["centre"])
                _put(sheet, row, 2, last, item.points, formats["centre"])
                _put(sheet, row, 4, last, item.method, formats["text"])
                needed = LINE_HEIGHT * max(_lines(item.name, WIDTHS[1]), _lines(item.method, WIDTHS[4])) + 4
                _spread(item_heights, needed)
            else:
                for col in (1, 2, 4):
                    sheet.write_blank(row, col, None, formats["text"])
            for offset, text in enumerate(criteria):
                sheet.write_string(row + offset, 3, escape_formula(text), formats["text"])
            heights.extend(item_heights)
            row = last + 1
        text = category_cell(category)
        _put(sheet, first_row, 0, row - 1, text, formats["centre"])
        category_heights = heights[first_row - 2 :]
        _spread(category_heights, LINE_HEIGHT * _lines(text, WIDTHS[0]) + 4)
        heights[first_row - 2 :] = category_heights
    for offset, height in enumerate(heights):
        sheet.set_row(2 + offset, min(height, MAX_ROW_HEIGHT))
    sheet.freeze_panes(2, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.repeat_rows(1)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _spread(heights: list[float], needed: float) -> None:
    """Grow the rows of a merged block evenly until together they are `needed` high."""
    missing = needed - sum(heights)
    if missing > 0 and heights:
        for n in range(len(heights)):
            heights[n] += missing / len(heights)


def _write_properties(sheet, spec: RubricSpec, formats) -> None:
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 2, 40)
    rows: list[tuple[str, Any, str]] = [
        (K_CODE, spec.code, ""),
        (K_NAME, spec.name, ""),
        (K_DOMAINS, "、".join(_domain_label(d) for d in spec.domains), ""),
        (K_TOTAL, spec.total, ""),
        (K_SCHEME, spec.scheme, ""),
        (K_DESCRIPTION, spec.description, ""),
        (K_SOURCE, spec.source, ""),
    ]
    rows += [(K_VETO, veto.text, veto.max_grade) for veto in spec.vetoes]
    rows += [(K_BONUS, c.name, "") for c in spec.categories if c.bonus]
    rows += [
        (K_EVIDENCE, i.name, i.evidence_hint) for c in spec.categories for i in c.items if i.evidence_hint
    ]
    for col, title in enumerate(PROPERTIES_HEADER):
        sheet.write_string(0, col, title, formats["bold"])
    for n, (key, value, extra) in enumerate(rows, start=1):
        sheet.write_string(n, 0, key, formats["plain"])
        if isinstance(value, Decimal):
            sheet.write_number(n, 1, float(value), formats["plain"])
        elif value:
            sheet.write_string(n, 1, escape_formula(value), formats["plain"])
        if extra:
            sheet.write_string(n, 2, escape_formula(extra), formats["plain"])
    sheet.freeze_panes(1, 0)


def _domain_label(code: str) -> str:
    return Domain(code).label if code in Domain.values else code


# --- Reading -------------------------------------------------------------------------------------------


def _at(row: int | None, column: str, reason: str, sheet: str = "") -> str:
    where = f"“{sheet}”表" if sheet else ""
    if row is None:
        return f"{where}{column}：{reason}"
    return f"{where}第{row}行 {column}：{reason}"


def _unescape(text: str) -> str:
    """Exports put an apostrophe before text that looks like a formula; take it off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _text(value: Any) -> str:
    return _unescape(cell_text(value))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class PointsError(ValueError):
    pass


def parse_points(value: Any) -> Decimal:
    """A 分值 cell: 2, 1.5, “10分”; never negative, at most two decimals."""
    if isinstance(value, bool):
        raise PointsError("应为数字")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise PointsError("应为数字")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        text = format_number(number)
    else:
        text = (
            _text(value).replace("＋", "+").translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
        )
        if text.startswith(("-", "－")):
            raise PointsError(f"不能为负数（当前为{text}）")
        if not POINTS_TEXT.match(text):
            raise PointsError(f"“{text}”不是数字")
        try:
            number = Decimal(text.rstrip("分").strip())
        except InvalidOperation:
            raise PointsError(f"“{text}”不是数字") from None
    if number < 0:
        raise PointsError(f"不能为负数（当前为{text}）")
    if number >= MAX_POINTS:
        raise PointsError(f"分值过大（当前为{text}）")
    if number != number.quantize(Decimal("0.01")):
        raise PointsError(f"最多保留两位小数（当前为{text}）")
    return _plain(number)


def _plain(value: Decimal) -> Decimal:
    """2.00 → 2, 1.50 → 1.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass
class _Item:
    name: str
    line: int
    category: _Category
    points: Decimal | None = None
    points_line: int = 0
    points_bad: bool = False  # a 分值 cell was refused (already reported)
    method: str = ""
    method_line: int = 0
    criteria: list[str] = field(default_factory=list)


@dataclass(eq=False)
class _Category:
    text: str
    name: str
    points: Decimal | None
    line: int
    items: list[_Item] = field(default_factory=list)
    reported_no_item: bool = False


@dataclass(frozen=True)
class _Merge:
    first_row: int  # 1-based, as a user sees them
    last_row: int
    first_col: int  # 0-based
    last_col: int
    ref: str


@dataclass
class _Structure:
    """What only the XML shows: merged ranges and formula cells (row, 0-based column)."""

    merges: list[_Merge] = field(default_factory=list)
    formulas: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Properties:
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    total: Decimal | None = None
    domains: tuple[str, ...] = ()
    vetoes: list[VetoSpec] = field(default_factory=list)
    evidence: list[tuple[int, str, str]] = field(default_factory=list)  # (line, item, hint)
    bonus: list[tuple[int, str]] = field(default_factory=list)  # (line, category)


def read_rubric(data: bytes, *, code: str | None = None, limits: Limits = LIMITS) -> RubricSpec:
    """The rubric in an .xlsx workbook; `code` (required without a 属性 sheet) overrides the file's."""
    if data[:4] == OLE2_MAGIC:
        raise RubricSheetError("请另存为 .xlsx 格式（当前文件为 .xls/.et/.wps 等旧格式）")
    try:
        check_xlsx_upload(data, limits)
    except SpreadsheetError as exc:
        raise RubricSheetError(str(exc)) from exc
    table_name, rows, properties_rows = _read_values(data)
    if len(rows) > MAX_ROWS:
        raise RubricSheetError(
            f"“{table_name}”表共{len(rows)}行，超过评定标准的上限{MAX_ROWS}行，请确认文件是否正确"
        )
    structures = _read_structure(
        data, [table_name] + ([PROPERTIES_SHEET] if properties_rows is not None else [])
    )
    errors: list[str] = []
    spec = _parse(rows, properties_rows, structures, code, errors)
    if errors or spec is None:
        raise RubricSheetError(errors)
    return spec


def _read_values(data: bytes) -> tuple[str, list[list[Any]], list[list[Any]] | None]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        table_name = SHEET_NAME if SHEET_NAME in names else names[0]
        rows = workbook.get_sheet_by_name(table_name).to_python(skip_empty_area=False)
        properties = None
        if PROPERTIES_SHEET in names and table_name != PROPERTIES_SHEET:
            properties = workbook.get_sheet_by_name(PROPERTIES_SHEET).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken XML
        raise RubricSheetError("文件内容无法解析，请确认是用 Excel 或 WPS 保存的 .xlsx 文件。") from exc
    return table_name, rows, properties


def _read_structure(data: bytes, sheets: list[str]) -> dict[str, _Structure]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on odd files
        raise RubricSheetError("文件内容无法解析，请确认是用 Excel 或 WPS 保存的 .xlsx 文件。") from exc
    result: dict[str, _Structure] = {}
    for name in sheets:
        sheet = workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]
        structure = _Structure()
        for merged in sheet.merged_cells.ranges:
            structure.merges.append(
                _Merge(merged.min_row, merged.max_row, merged.min_col - 1, merged.max_col - 1, merged.coord)
            )
        # Bounded: calamine has already refused sheets with too many rows, and columns this far right
        # are never read.
        for row in sheet.iter_rows(
            max_row=min(sheet.max_row, MAX_ROWS), max_col=min(sheet.max_column, MAX_COLUMNS)
        ):
            for cell in row:
                if cell.data_type == "f":
                    structure.formulas.append((cell.row, cell.column - 1))
        result[name] = structure
    workbook.close()
    return result


def _find_header(rows: list[list[Any]], errors: list[str]) -> tuple[int, dict[str, int]] | None:
    """The 0-based index of the header row and the position of each column."""
    best: tuple[int, int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        duplicates: list[str] = []
        for col, value in enumerate(row):
            text = re.sub(r"\s+", "", cell_text(value))
            for column, aliases in HEADER_ALIASES.items():
                if text in aliases:
                    if column in positions:
                        duplicates.append(column)
                    positions.setdefault(column, col)
        if len(positions) == len(HEADER):
            for column in duplicates:
                errors.append(_at(index + 1, column, "该列出现了多次"))
            return index, positions
        if len(positions) >= 2 and (best is None or len(positions) > best[1]):
            best = (index, len(positions), positions)
    if best is None:
        errors.append(_at(None, "表头", f"前{HEADER_SEARCH_ROWS}行中没有找到表头（{' | '.join(HEADER)}）"))
    else:
        missing = "、".join(f"“{c}”" for c in HEADER if c not in best[2])
        errors.append(_at(best[0] + 1, "表头", f"缺少{missing}列，表头应为：{' | '.join(HEADER)}"))
    return None


def _parse(rows, properties_rows, structures, code, errors) -> RubricSpec | None:
    table_structure = next(iter(structures.values()))
    found = _find_header(rows, errors)
    properties = _parse_properties(properties_rows, errors) if properties_rows is not None else None
    if found is None:
        return None
    header_index, positions = found
    header_line = header_index + 1
    columns = [positions[c] for c in HEADER]
    column_names = {positions[c]: c for c in HEADER}

    def column_name(col: int) -> str:
        return column_names.get(col, f"{_column_letter(col)}列")

    formulas = set(table_structure.formulas)
    for line, col in table_structure.formulas:
        errors.append(_at(line, column_name(col), "不接受公式，请粘贴为数值"))
    if properties is not None:
        for line, col in structures.get(PROPERTIES_SHEET, _Structure()).formulas:
            name = PROPERTIES_HEADER[col] if col < len(PROPERTIES_HEADER) else f"{_column_letter(col)}列"
            errors.append(_at(line, name, "不接受公式，请粘贴为数值", PROPERTIES_SHEET))

    # Cells hidden inside a merge (not its top-left cell) continue the cell above.
    hidden: dict[tuple[int, int], _Merge] = {}
    for merge in table_structure.merges:
        for line in range(merge.first_row, merge.last_row + 1):
            for col in range(merge.first_col, merge.last_col + 1):
                if (line, col) != (merge.first_row, merge.first_col):
                    hidden[(line, col)] = merge

    title = next((t for row in rows[:header_index] for t in (_text(v) for v in row) if t), "")
    categories: list[_Category] = []
    row_items: dict[int, _Item | None] = {}
    row_categories: dict[int, _Category | None] = {}
    category: _Category | None = None
    item: _Item | None = None
    for index in range(header_index + 1, len(rows)):
        line = index + 1
        row = rows[index]
        cells = [row[col] if col < len(row) else None for col in columns]
        visible = [
            None if (line, col) in hidden else value for col, value in zip(columns, cells, strict=True)
        ]
        texts = [_text(v) for v in visible]
        if not any(texts):
            row_items[line], row_categories[line] = item, category
            continue
        started = False
        if texts[0] and (category is None or texts[0] != category.text):
            category = _new_category(texts[0], line, errors)
            categories.append(category)
            item, started = None, True
        elif category is None:
            category = _Category("", "", None, line)
            categories.append(category)
            errors.append(_at(line, "类型", "不能为空（第一个项目之前须填写类型，如“党的组织设置10分”）"))
            started = True
        item_hidden = (line, columns[1]) in hidden
        if texts[1] and (item is None or texts[1] != item.name or started):
            item = _Item(texts[1], line, category)
            category.items.append(item)
            if len(item.name) > MAX_NAME:
                errors.append(_at(line, "项目", f"不能超过{MAX_NAME}个字（当前{len(item.name)}个字）"))
        elif item is None and any(texts[2:]):
            if not category.reported_no_item and not item_hidden:
                reason = f"不能为空（类型“{category.name or category.text}”的第一行须填写项目名称）"
                errors.append(_at(line, "项目", reason))
            category.reported_no_item = True
        row_items[line], row_categories[line] = item, category
        if item is None:
            continue
        if (line, columns[2]) in formulas:
            item.points_bad = True
        elif texts[2]:
            try:
                points = parse_points(visible[2])
            except PointsError as exc:
                errors.append(_at(line, "分值", str(exc)))
                item.points_bad = True
            else:
                if item.points is None:
                    item.points, item.points_line = points, line
                elif points != item.points:
                    earlier = f"第{item.points_line}行的{format_number(item.points)}"
                    reason = f"项目“{item.name}”的分值{format_number(points)}与{earlier}不一致"
                    errors.append(_at(line, "分值", reason))
        if texts[4]:
            if not item.method:
                item.method, item.method_line = texts[4], line
            elif texts[4] != item.method:
                errors.append(
                    _at(line, "考评方式", f"项目“{item.name}”的考评方式与第{item.method_line}行不一致")
                )
        if texts[3]:
            item.criteria.append(texts[3])

    _check_merges(
        table_structure.merges, header_line, columns, row_items, row_categories, column_name, errors
    )
    if not categories:
        errors.append(_at(None, "文件", "表头下面没有评定内容（每行一条考核评价标准）"))
    _check_names(categories, errors)

    spec_code = (code or "").strip() or (properties.values.get(K_CODE, "") if properties else "")
    if not spec_code:
        if properties is None:
            errors.append(_at(None, "代码", "文件中没有“属性”工作表，请指定评定标准代码（如 village）"))
        else:
            errors.append(
                _at(
                    None,
                    "代码",
                    "“属性”表中没有代码，请填写或另行指定评定标准代码",
                )
            )
    elif not CODE.match(spec_code):
        errors.append(
            _at(properties.lines.get(K_CODE) if properties and not code else None, "代码",
                f"“{spec_code}”格式不正确：只能使用小写字母、数字、短横线和下划线，最长40位",
                PROPERTIES_SHEET if properties and not code else "")
        )  # fmt: skip
    name = title or (properties.values.get(K_NAME, "") if properties else "")
    if not name:
        errors.append(_at(1, "标题", "缺少评定标准名称：请在表头上方一行填写名称"))
    elif len(name) > MAX_NAME:
        errors.append(_at(1, "标题", f"名称不能超过{MAX_NAME}个字（当前{len(name)}个字）"))

    bonus_names = set()
    hints: dict[str, str] = {}
    if properties is not None:
        known_categories = {c.name for c in categories}
        for line, category_name in properties.bonus:
            if category_name not in known_categories:
                errors.append(_at(line, "内容", f"没有名为“{category_name}”的类型", PROPERTIES_SHEET))
            bonus_names.add(category_name)
        known_items = {i.name for c in categories for i in c.items}
        for line, item_name, hint in properties.evidence:
            if item_name not in known_items:
                errors.append(_at(line, "内容", f"没有名为“{item_name}”的项目", PROPERTIES_SHEET))
            elif item_name in hints:
                errors.append(_at(line, "内容", f"项目“{item_name}”的佐证材料重复填写", PROPERTIES_SHEET))
            hints[item_name] = hint
    if errors:
        return None

    category_specs = tuple(
        CategorySpec(
            name=c.name,
            points=c.points,
            bonus="加分" in c.name or c.name in bonus_names,
            items=tuple(
                ItemSpec(i.name, i.points, tuple(i.criteria), i.method, hints.get(i.name, ""))
                for i in c.items
            ),
        )
        for c in categories
    )
    total = properties.total if properties and properties.total is not None else None
    if total is None:
        total = _plain(sum((c.points for c in category_specs if not c.bonus), Decimal(0)))
    return RubricSpec(
        code=spec_code,
        name=name,
        categories=category_specs,
        total=total,
        domains=properties.domains if properties else (),
        vetoes=tuple(properties.vetoes) if properties else (),
        description=properties.values.get(K_DESCRIPTION, "") if properties else "",
        source=properties.values.get(K_SOURCE, "") if properties else "",
        scheme=properties.values.get(K_SCHEME, "") if properties else "",
    )


def _new_category(text: str, line: int, errors: list[str]) -> _Category:
    match = CATEGORY_CELL.match(text)
    if match is None:
        errors.append(_at(line, "类型", f"“{text}”缺少分值，应写成“{text}10分”的样式（类型名称后写分值）"))
        return _Category(text, text, None, line)
    name = match["name"].strip()
    try:
        points = parse_points(match["points"])
    except PointsError as exc:
        errors.append(_at(line, "类型", str(exc)))
        points = None
    if len(name) > MAX_NAME:
        errors.append(_at(line, "类型", f"名称不能超过{MAX_NAME}个字（当前{len(name)}个字）"))
    return _Category(text, name, points, line)


def _check_names(categories: list[_Category], errors: list[str]) -> None:
    seen_categories: dict[str, int] = {}
    seen_items: dict[str, int] = {}
    for category in categories:
        if not category.items and not category.reported_no_item:
            errors.append(_at(category.line, "项目", f"类型“{category.name}”下没有项目"))
        if category.name in seen_categories:
            errors.append(
                _at(category.line, "类型", f"类型“{category.name}”与第{seen_categories[category.name]}行重复")
            )
        seen_categories.setdefault(category.name, category.line)
        for item in category.items:
            if item.name in seen_items:
                errors.append(
                    _at(
                        item.line,
                        "项目",
                        f"项目“{item.name}”与第{seen_items[item.name]}行重复（项目名称在整个评定标准中须唯一）",
                    )
                )
            seen_items.setdefault(item.name, item.line)
            if item.points is None and not item.points_bad:
                errors.append(_at(item.line, "分值", f"项目“{item.name}”没有填写分值"))


def _check_merges(
    merges: Iterable[_Merge], header_line, columns, row_items, row_categories, column_name, errors
) -> None:
    for merge in sorted(merges, key=lambda m: (m.first_row, m.first_col)):
        if merge.last_row <= header_line - 1 or (merge.first_row == merge.last_row == header_line):
            continue  # the title (and anything above the header)
        if not any(merge.first_col <= col <= merge.last_col for col in columns):
            continue  # notes beside the table
        where = column_name(next(col for col in columns if merge.first_col <= col <= merge.last_col))
        if merge.first_row <= header_line <= merge.last_row and merge.first_row != merge.last_row:
            errors.append(_at(merge.first_row, where, f"合并单元格（{merge.ref}）跨越了表头，请取消合并"))
            continue
        if merge.first_col != merge.last_col:
            errors.append(_at(merge.first_row, where, f"不能横向合并单元格（{merge.ref}），请取消合并"))
            continue
        if merge.first_col == columns[0] or merge.first_row == merge.last_row:
            continue  # a category merge only continues its category
        lines = range(merge.first_row, merge.last_row + 1)
        categories = _distinct(row_categories.get(line) for line in lines)
        items = _distinct(row_items.get(line) for line in lines)
        if len(categories) > 1:
            names = "”和“".join(c.name for c in categories)
            errors.append(
                _at(
                    merge.first_row,
                    where,
                    f"合并单元格（{merge.ref}）跨越了两个类型（“{names}”），请按类型分别合并",
                )
            )
        elif len(items) > 1:
            names = "”和“".join(i.name for i in items)
            errors.append(
                _at(
                    merge.first_row,
                    where,
                    f"合并单元格（{merge.ref}）跨越了两个项目（“{names}”），请按项目分别合并",
                )
            )


def _distinct(values: Iterable[Any]) -> list[Any]:
    result: list[Any] = []
    for value in values:
        if value is not None and all(value is not seen for seen in result):
            result.append(value)
    return result


def _parse_properties(rows: list[list[Any]], errors: list[str]) -> _Properties:
    properties = _Properties()
    sheet = PROPERTIES_SHEET
    domain_lookup = {**{d.label: d.value for d in Domain}, **{d.value: d.value for d in Domain}}
    for index, row in enumerate(rows):
        line = index + 1
        key, value, extra = (_text(row[n]) if n < len(row) else "" for n in range(3))
        if index == 0 and key == PROPERTIES_HEADER[0]:
            continue
        if not key:
            if value or extra:
                errors.append(_at(line, "属性", "不能为空", sheet))
            continue
        if key not in PROPERTY_KEYS:
            errors.append(
                _at(line, "属性", f"不认识“{key}”，可用的属性为：{'、'.join(PROPERTY_KEYS)}", sheet)
            )
            continue
        if key in SINGLE_KEYS:
            if key in properties.lines:
                errors.append(_at(line, "属性", f"“{key}”与第{properties.lines[key]}行重复", sheet))
                continue
            properties.lines[key] = line
        if key == K_TOTAL:
            if value:
                try:
                    properties.total = parse_points(row[1])
                except PointsError as exc:
                    errors.append(_at(line, "内容", f"总分{exc}", sheet))
        elif key == K_DOMAINS:
            codes = [part for part in DOMAIN_SEPARATORS.split(value) if part]
            unknown = [c for c in codes if c not in domain_lookup]
            if unknown:
                labels = "、".join(d.label for d in Domain)
                errors.append(
                    _at(line, "内容", f"未知的适用领域“{'、'.join(unknown)}”，应为：{labels}", sheet)
                )
            properties.domains = tuple(dict.fromkeys(domain_lookup[c] for c in codes if c in domain_lookup))
        elif key == K_SCHEME:
            properties.values[key] = _scheme(value, line, errors)
        elif key == K_VETO:
            if not value:
                errors.append(_at(line, "内容", "一票否决情形不能为空", sheet))
            elif len(value) > MAX_VETO:
                errors.append(_at(line, "内容", f"不能超过{MAX_VETO}个字（当前{len(value)}个字）", sheet))
            if len(extra) > MAX_GRADE:
                errors.append(_at(line, "补充", f"最高等级不能超过{MAX_GRADE}个字", sheet))
            properties.vetoes.append(VetoSpec(value, extra))
        elif key == K_EVIDENCE:
            if not value:
                errors.append(_at(line, "内容", "须填写项目名称", sheet))
            elif len(extra) > MAX_HINT:
                errors.append(
                    _at(line, "补充", f"佐证材料不能超过{MAX_HINT}个字（当前{len(extra)}个字）", sheet)
                )
            else:
                properties.evidence.append((line, value, extra))
        elif key == K_BONUS:
            if value:
                properties.bonus.append((line, value))
        else:
            properties.values[key] = value
            if key == K_NAME and len(value) > MAX_NAME:
                errors.append(_at(line, "内容", f"名称不能超过{MAX_NAME}个字（当前{len(value)}个字）", sheet))
    return properties


def _scheme(value: str, line: int, errors: list[str]) -> str:
    if not value or value in PRESETS:
        return value
    from chuangyou.rules.grade_scheme import load_scheme

    titles = {load_scheme(name).title: name for name in PRESETS}
    if value in titles:
        return titles[value]
    errors.append(_at(line, "内容", f"未知的评定方案“{value}”，应为：{'、'.join(PRESETS)}", PROPERTIES_SHEET))
    return value
