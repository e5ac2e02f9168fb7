"""(Re)create application.docx, the docxtpl template of the application form (附件4 申报表).

    .venv/bin/python chuangyou/assessments/docx/build_template.py

The template is written with python-docx rather than by hand in Word, so that:
  * every Jinja tag sits in exactly one run (Word splits typed text into runs, which breaks docxtpl);
  * every run carries its East-Asian font in rPr/rFonts w:eastAsia (run.font.name alone does not
    change Chinese text): 方正小标宋简体 for the title, 仿宋_GB2312 for the rest. Word and WPS
    substitute a font that is not installed;
  * the output is byte-for-byte reproducible (fixed zip timestamps and document properties), so
    tests/application checks that the committed file is what this script builds.

The context it expects is `chuangyou.assessments.application.application_context`.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

TEMPLATE_PATH = Path(__file__).resolve().with_name("application.docx")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
META_SIZE = Pt(12)  # 小四
BODY_SIZE = Pt(12)  # 小四

# A4 with the usual form margins; the table fills the text width (15.6 cm).
PAGE = {
    "width": Cm(21),
    "height": Cm(29.7),
    "top": Cm(2.5),
    "bottom": Cm(2.2),
    "left": Cm(2.7),
    "right": Cm(2.7),
}
COLUMNS = (Cm(3.4), Cm(4.4), Cm(3.4), Cm(4.4))
ROW_HEIGHT = Cm(1.0)

# The three opinion boxes, each with a place to sign, a seal and a date.
OPINIONS = (
    ("党支部意见", "党支部书记（签字）："),
    ("乡镇（街道）党（工）委意见", "负责人（签字）："),
    ("县委组织部意见", "负责人（签字）："),
)
FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def set_fonts(run, east_asia: str = BODY_FONT, size=BODY_SIZE, bold: bool = False) -> None:
    run.font.size = size
    run.font.bold = bold or None
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def add_text(paragraph, text: str, **font) -> None:
    """One run per call: a Jinja tag passed here is never split."""
    set_fonts(paragraph.add_run(text), **font)


def insert_in_order(parent, child, successors: tuple[str, ...]) -> None:
    """Insert `child` before the first of its schema successors present in `parent`."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def set_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "6")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    insert_in_order(table._tbl.tblPr, borders, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))


def write(cell, text: str = "", align=WD_ALIGN_PARAGRAPH.CENTER, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER):
    cell.vertical_alignment = valign
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    if text:
        add_text(paragraph, text)
    return paragraph


def add_row(table, height=ROW_HEIGHT):
    row = table.add_row()
    row.height = height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    # A row never breaks across pages (real rubrics have 7-8 categories, so the form takes two pages).
    insert_in_order(
        row._tr.get_or_add_trPr(),
        OxmlElement("w:cantSplit"),
        ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"),
    )
    for cell, width in zip(row.cells, COLUMNS, strict=True):
        cell.width = width
    return row


def pair_row(table, left_label: str, left_value: str, right_label: str, right_value: str) -> None:
    cells = add_row(table).cells
    write(cells[0], left_label)
    write(cells[1], left_value)
    write(cells[2], right_label)
    write(cells[3], right_value)


def wide_row(table, label: str, height=ROW_HEIGHT):
    """A label and one value cell spanning the three other columns; returns the value cell."""
    row = add_row(table, height)
    write(row.cells[0], label)
    return row.cells[1].merge(row.cells[3])


def text_row(table, label: str, tag: str, height) -> None:
    cell = wide_row(table, label, height)
    write(cell, tag, align=WD_ALIGN_PARAGRAPH.JUSTIFY, valign=WD_CELL_VERTICAL_ALIGNMENT.TOP)


def opinion_row(table, label: str, signer: str) -> None:
    cell = wide_row(table, label, Cm(3.6))
    # The space above is left for the handwritten opinion; signature, seal and date sit at the bottom.
    write(cell, "", align=WD_ALIGN_PARAGRAPH.LEFT, valign=WD_CELL_VERTICAL_ALIGNMENT.BOTTOM)
    sign = cell.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_text(sign, f"{signer}\u3000\u3000\u3000\u3000\u3000\u3000（盖章）")
    date = cell.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_text(date, "年\u3000\u3000月\u3000\u3000日\u3000\u3000")


def category_rows(table) -> None:
    """各类型得分: a header row, then one row per category via {%tr for %}. The label cell of the
    header is vertically merged with the looped rows (restart here, continue in each copy)."""
    header = add_row(table, Cm(0.8)).cells
    write(header[0], "各类型得分")
    header[0]._tc.vMerge = "restart"
    write(header[1], "评定类型")
    write(header[2], "分值")
    write(header[3], "自评得分")

    write(add_row(table, Cm(0.3)).cells[0], "{%tr for c in categories %}")
    looped = add_row(table, Cm(0.8)).cells
    write(looped[0])
    looped[0]._tc.vMerge = "continue"
    write(looped[1], "{{ c.name }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    write(looped[2], "{{ c.points }}")
    write(looped[3], "{{ c.score }}")
    write(add_row(table, Cm(0.3)).cells[0], "{%tr endfor %}")


def set_defaults(document, *, subject: str, source: str, body_size=BODY_SIZE, body_font=BODY_FONT) -> None:
    normal = document.styles["Normal"]
    normal.font.size = body_size
    normal.font.name = LATIN_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_font)
    props = document.core_properties
    props.title = "{{ title }}"
    props.subject = subject
    props.author = "创优 Chuangyou"
    props.last_modified_by = "创优 Chuangyou"
    props.keywords = ""
    props.comments = f"由 {source} 生成"
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME


def new_document(page, **defaults):
    """An empty document with the page size and margins, default fonts and fixed properties (the
    bytes must not change from one build to the next)."""
    document = Document()
    set_defaults(document, **defaults)
    section = document.sections[0]
    section.page_width, section.page_height = page["width"], page["height"]
    section.top_margin, section.bottom_margin = page["top"], page["bottom"]
    section.left_margin, section.right_margin = page["left"], page["right"]
    return document


def build_document():
    document = new_document(
        PAGE, subject="基层党组织争先创优申报表", source="chuangyou/assessments/docx/build_template.py"
    )

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    add_text(title, "{{ title }}", east_asia=TITLE_FONT, size=TITLE_SIZE)

    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    meta.paragraph_format.space_after = Pt(6)
    add_text(meta, "{{ year }}", size=META_SIZE)
    add_text(meta, "年度\u3000", size=META_SIZE)
    add_text(meta, "{{ round }}", size=META_SIZE)
    add_text(meta, "\u3000\u3000填报日期：", size=META_SIZE)
    add_text(meta, "{{ submitted }}", size=META_SIZE)

    table = document.add_table(rows=0, cols=len(COLUMNS))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, COLUMNS, strict=True):
        column.width = width
    set_borders(table)

    pair_row(table, "党组织名称", "{{ org_name }}", "组织代码", "{{ org_code }}")
    pair_row(table, "党组织书记", "{{ secretary }}", "联系电话", "{{ phone }}")
    pair_row(table, "正式党员", "{{ full_members }}名", "预备党员", "{{ probationary_members }}名")
    pair_row(table, "所属领域", "{{ domain }}", "成立时间", "{{ founded }}")
    pair_row(table, "自评得分", "{{ total }}分", "申报等级", "{{ grade }}")
    category_rows(table)
    text_row(table, "民主测评结果", "{{ evaluation }}", Cm(1.2))
    text_row(table, "主要成绩", "{{ achievements }}", Cm(6))
    text_row(table, "自评意见", "{{ self_evaluation }}", Cm(2.5))
    for label, signer in OPINIONS:
        opinion_row(table, label, signer)
    return document


def reproducible(data: bytes) -> bytes:
    """The same bytes on every run: fixed timestamps, same entry order and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def build_bytes() -> bytes:
    buffer = io.BytesIO()
    build_document().save(buffer)
    return reproducible(buffer.getvalue())


def build(path: Path = TEMPLATE_PATH) -> Path:
    path.write_bytes(build_bytes())
    return path


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH)
    print(f"wrote {target}")  # noqa: T201
