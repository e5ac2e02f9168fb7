"""Reading and writing spreadsheets safely.

Reads go through python-calamine (fast, values only) after `check_xlsx_upload` has checked the
container: real .xlsx content (not just the name), size limits, and the declared uncompressed size
of every zip entry, so a zip bomb is refused before any XML is parsed. Writes go through XlsxWriter
and escape text that a spreadsheet would take for a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 150 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_UPLOAD_BYTES
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES
    max_ratio: int = MAX_COMPRESSION_RATIO
    max_entries: int = MAX_ZIP_ENTRIES


def check_xlsx_upload(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook."""
    if not data:
        raise SpreadsheetError("文件为空，请选择填写好的 Excel（.xlsx）文件。")
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {limits.max_bytes // 1024 // 1024} MB。"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError("文件内容不是 Excel（.xlsx）格式，请另存为 .xlsx 后重新上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError("文件已损坏，无法作为 Excel（.xlsx）读取。") from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise SpreadsheetError("文件内容不是 Excel（.xlsx）工作簿，请另存为 .xlsx 后重新上传。")
    if "xl/vbaProject.bin" in names:
        raise SpreadsheetError("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后重新上传。")
    if len(entries) > limits.max_entries:
        raise SpreadsheetError("文件结构异常（压缩包内文件过多），已拒绝读取。")
    total = 0
    for entry in entries:
        if entry.filename.startswith("/") or ".." in entry.filename.split("/"):
            raise SpreadsheetError("文件结构异常（含非法路径），已拒绝读取。")
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > limits.max_uncompressed or (entry.file_size > 1024 * 1024 and ratio > limits.max_ratio):
            raise SpreadsheetError("文件解压后体积异常（疑似压缩炸弹），已拒绝读取。")


def read_first_sheet(source: bytes | str | Path, limits: Limits = Limits()) -> list[list[Any]]:
    """All rows of the first sheet as Python values (checked first when given bytes or a path)."""
    from python_calamine import CalamineWorkbook

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    check_xlsx_upload(data, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken XML
        raise SpreadsheetError("文件内容无法解析，请确认是用 Excel 或 WPS 保存的 .xlsx 文件。") from exc


def cell_text(value: Any) -> str:
    """A cell as trimmed text; integral floats (how Excel stores codes) lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def escape_formula(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


SAMPLE_ROWS = 200  # rows read ahead to size the columns (the rest streams)


def display_width(value: Any) -> int:
    """Columns a value takes in a spreadsheet: a Chinese character two, anything else one."""
    text = value.strftime("%Y-%m-%d") if isinstance(value, dt.date) else cell_text(value)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def write_xlsx(
    target: str | Path | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    percent: Sequence[str] = (),
) -> None:
    """Write one sheet as a clerk expects it: a bold header row that stays in view and filters, columns
    as wide as their content (read from the first rows), numbers of the `percent` columns shown with %
    (the value stays 95, not 0.95, so the file reads back as it was written). Text is formula-escaped
    and written as strings."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    # General, not 0.##: Excel shows 95 under 0.## as "95." (a trailing point).
    percent_format = workbook.add_format({"num_format": 'General"%"'})
    percent_columns = {col for col, title in enumerate(header) if title in percent}
    rows = iter(rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    for col, title in enumerate(header):
        widest = max([display_width(title), *(display_width(r[col]) for r in sample if col < len(r))])
        sheet.set_column(col, col, min(max(widest + 2, 8), 60))
    sheet.write_row(0, 0, list(header), bold)
    sheet.freeze_panes(1, 0)
    last = 0
    for row_index, row in enumerate(itertools.chain(sample, rows), start=1):
        last = row_index
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(row_index, col, escape_formula(value))
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row_index, col, value.replace(tzinfo=None), date_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row_index, col, dt.datetime.combine(value, dt.time()), date_format)
            elif col in percent_columns:
                sheet.write_number(row_index, col, value, percent_format)
            else:
                sheet.write_number(row_index, col, value)
    if header:
        sheet.autofilter(0, 0, max(last, 1), len(header) - 1)
    workbook.close()


def iter_rows_with_numbers(rows: list[list[Any]], start: int = 2) -> Iterator[tuple[int, list[Any]]]:
    """Data rows with the spreadsheet row number a user sees (header is row 1)."""
    for offset, row in enumerate(rows):
        if any(cell_text(v) for v in row):
            yield start + offset, row
