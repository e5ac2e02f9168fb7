"""The layout of the organization-tree sheet and the first step of an import: reading its cells.

`COLUMNS` is the table of columns (header, field, one parser per column); `parse_sheet` turns the
cells of the first sheet into `OrgRow`s and reports every cell that does not parse as an `Issue`
(row, column, reason). Nothing here looks at the database: the whole-file checks are in
`tree_plan`, the writes in `tree_import`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chuangyou.lib.excel import FORMULA_PREFIXES, Limits, cell_text, iter_rows_with_numbers
from chuangyou.orgs.forms import CODE, PHONE
from chuangyou.orgs.models import Domain, Kind

SHEET_NAME = "组织架构"
# Uploads through the web page.
WEB_LIMITS = Limits()
# Files given on the server's command line may be larger than uploads; zip bombs are still refused.
CLI_LIMITS = Limits(max_bytes=200 * 1024 * 1024, max_uncompressed=2048 * 1024 * 1024)
MAX_ROWS = 300_000
MASKED_PHONE = re.compile(r"^[0-9+]{3}\*+[0-9]{4}$")
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


# --- Issues --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with the file: spreadsheet row (None for the whole file), column, reason."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}：{self.reason}"
        return f"第{self.row}行 {self.column}：{self.reason}"


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


# --- Columns and cell parsers ----------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Exports put an apostrophe before text that looks like a formula; take it off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _text(value: Any, *, max_length: int, required: bool = False) -> str:
    text = _unescape(cell_text(value))
    if required and not text:
        raise CellError("不能为空")
    if len(text) > max_length:
        raise CellError(f"不能超过{max_length}个字（当前{len(text)}个字）")
    return text


def parse_code(value: Any) -> str:
    text = _text(value, max_length=32, required=True)
    if not CODE.match(text):
        raise CellError(f"“{text}”格式不正确：只能包含字母、数字、短横线、下划线和点，最长32位")
    return text


def parse_parent_code(value: Any) -> str:
    return _text(value, max_length=32)


def parse_name(value: Any) -> str:
    return _text(value, max_length=100, required=True)


def parse_person_name(value: Any) -> str:
    return _text(value, max_length=50)


def _choice_parser(choices: type, noun: str, *, required: bool) -> Callable[[Any], str]:
    lookup = {**{c.label: c.value for c in choices}, **{c.value: c.value for c in choices}}
    labels = "、".join(c.label for c in choices)

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not text and not required:
            return ""
        if not text:
            raise CellError("不能为空")
        if text not in lookup:
            raise CellError(f"“{text}”不是有效的{noun}，应为：{labels}")
        return lookup[text]

    return parse


parse_kind = _choice_parser(Kind, "组织类别", required=True)
parse_domain = _choice_parser(Domain, "所属领域", required=False)


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int | float):
        number = value
    else:
        text = cell_text(value)
        if not text:
            return 0
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"“{text}”不是数字，应为不小于0的整数") from None
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise CellError(f"“{cell_text(value)}”应为整数")
    if number < 0:
        raise CellError(f"不能为负数（当前为{int(number)}）")
    if number > 1_000_000:
        raise CellError(f"数值过大（当前为{int(number)}）")
    return int(number)


def parse_phone(value: Any) -> str:
    text = _unescape(cell_text(value))
    if text and not PHONE.match(text) and not MASKED_PHONE.match(text):
        raise CellError(f"“{text}”不是有效的电话号码")
    return text


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value)
        if not text:
            return None
        match = DATE_TEXT.match(text)
        try:
            day = dt.date(*(int(part) for part in match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            raise CellError(f"“{text}”不是有效日期，应为 YYYY-MM-DD 格式，如 2001-07-01")
    return day


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file (a cell may still be blank)


COLUMNS = (
    Column("组织代码", "code", parse_code, required=True),
    Column("组织名称", "name", parse_name, required=True),
    Column("上级组织代码", "parent_code", parse_parent_code, required=True),
    Column("组织类别", "kind", parse_kind, required=True),
    Column("所属领域", "domain", parse_domain),
    Column("正式党员数", "full_members", parse_count),
    Column("预备党员数", "probationary_members", parse_count),
    Column("书记姓名", "secretary_name", parse_person_name),
    Column("书记电话", "secretary_phone", parse_phone),
    Column("成立日期", "founded", parse_date),
)
HEADER = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}
# Fields an import may set on an organization, with the value a new one gets when a column is absent.
DATA_DEFAULTS: dict[str, Any] = {
    "name": "",
    "kind": "",
    "domain": "",
    "full_members": 0,
    "probationary_members": 0,
    "secretary_name": "",
    "secretary_phone": "",
    "founded": None,
}
DATA_FIELDS = tuple(DATA_DEFAULTS)


# --- Parsing the sheet ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One data row: the values that parsed (a field that failed is absent from `values`)."""

    line: int
    code: str
    parent_code: str
    values: dict[str, Any]


@dataclass
class ParsedSheet:
    rows: list[OrgRow] = field(default_factory=list)
    fields: frozenset[str] = frozenset()  # data fields whose column is in the file
    issues: list[Issue] = field(default_factory=list)
    fatal: bool = False  # the header is unusable: no row was read


def _header_index(header: list[Any]) -> tuple[dict[str, int], list[Issue]]:
    positions: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(header):
        positions[cell_text(cell)].append(index)
    issues = [Issue(1, h, "该列出现了多次") for h in HEADER if len(positions.get(h, ())) > 1]
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if missing:
        issues.append(
            Issue(1, "表头", f"缺少必填列：{'、'.join(missing)}。请下载导入模板，第一行须为模板中的列名")
        )
    return {c.field: positions[c.header][0] for c in COLUMNS if c.header in positions}, issues


def parse_sheet(cells: list[list[Any]]) -> ParsedSheet:
    """Rows of the first sheet (header first) → parsed rows and every cell-level issue."""
    if not cells:
        return ParsedSheet(issues=[Issue(None, "文件", "工作表是空的，请使用导入模板填写")], fatal=True)
    index, issues = _header_index(cells[0])
    if issues:
        return ParsedSheet(issues=issues, fatal=True)
    data_rows = len(cells) - 1
    if data_rows > MAX_ROWS:
        reason = f"共{data_rows}行，超过单次导入上限{MAX_ROWS}行，请分批导入"
        return ParsedSheet(issues=[Issue(None, "文件", reason)], fatal=True)
    columns = [(c, index[c.field]) for c in COLUMNS if c.field in index]
    sheet = ParsedSheet(fields=frozenset(index) & frozenset(DATA_FIELDS))
    for line, cells_of_row in iter_rows_with_numbers(cells[1:]):
        values: dict[str, Any] = {}
        for column, position in columns:
            value = cells_of_row[position] if position < len(cells_of_row) else None
            try:
                values[column.field] = column.parse(value)
            except CellError as exc:
                sheet.issues.append(Issue(line, column.header, str(exc)))
        code = values.pop("code", "")
        parent_code = values.pop("parent_code", "")
        sheet.rows.append(OrgRow(line, code, parent_code, values))
    if not sheet.rows:
        sheet.issues.append(Issue(None, "文件", "文件中没有数据行（第一行为表头，从第二行起每行一个组织）"))
        sheet.fatal = True
    return sheet
