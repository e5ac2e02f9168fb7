"""Excel downloads as a clerk expects them: widths fitted to the content, a header filter, the header
row frozen, and percentages shown with % while the value stays as written (95, not 0.95)."""

import io

import openpyxl

from chuangyou.lib.excel import write_xlsx


def test_a_written_sheet_is_formatted():
    buffer = io.BytesIO()
    rows = [["TA01", "甲镇党委城关社区党支部", 95.5, None], ["TA02", "乙", 88, "良好"]]
    write_xlsx(
        buffer, ["组织代码", "组织名称", "满意率", "等级"], rows, sheet_name="结果", percent=("满意率",)
    )
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    widths = {col: sheet.column_dimensions[col].width for col in "ABCD"}
    assert widths["B"] > widths["A"] >= 8 and widths["B"] >= len("甲镇党委城关社区党支部") * 2
    assert sheet["C2"].value == 95.5 and "%" in sheet["C2"].number_format
    # A whole rate reads 88%: the format has no "0." that Excel would show as "88.%".
    assert sheet["C3"].value == 88 and sheet["C3"].number_format == 'General"%"'
    assert sheet["A1"].font.bold and sheet["A2"].number_format == "General"


def test_an_empty_sheet_still_has_its_header_and_filter():
    buffer = io.BytesIO()
    write_xlsx(buffer, ["组织代码", "组织名称"], [])
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [c.value for c in sheet[1]] == ["组织代码", "组织名称"] and sheet.auto_filter.ref == "A1:B2"
