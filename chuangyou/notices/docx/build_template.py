"""(Re)create naming.docx, the docxtpl template of the naming document (命名文件).

    .venv/bin/python chuangyou/notices/docx/build_template.py

Built with python-docx like the application form (chuangyou/assessments/docx/build_template.py):
every Jinja tag sits in one run, every run carries its East-Asian font in rPr/rFonts w:eastAsia,
and the bytes are reproducible, so tests/notices checks the committed file is what this script
builds. The layout follows the usual official-document format (GB/T 9704): A4, 方正小标宋简体 二号
title, 仿宋_GB2312 三号 body on a 28-point line, 黑体 for the first-level headings (one per grade),
楷体_GB2312 for the second-level ones (one per township).

The context it expects is `chuangyou.notices.documents.naming_context`.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Cm, Pt

from chuangyou.assessments.docx.build_template import add_text, new_document, reproducible

TEMPLATE_PATH = Path(__file__).resolve().with_name("naming.docx")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)
TITLE_LINE = Pt(36)
INDENT = Pt(32)  # two characters of 三号

PAGE = {
    "width": Cm(21),
    "height": Cm(29.7),
    "top": Cm(3.7),
    "bottom": Cm(3.5),
    "left": Cm(2.8),
    "right": Cm(2.6),
}


def paragraph(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=None, line=LINE, right=None):
    p = document.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)
    if indent is not None:
        fmt.first_line_indent = indent
    if right is not None:
        fmt.right_indent = right
    return p


def line(document, text: str, east_asia: str = BODY_FONT, size=BODY_SIZE, **layout) -> None:
    add_text(paragraph(document, **layout), text, east_asia=east_asia, size=size)


def tag(document, text: str) -> None:
    """A {%p %} paragraph: docxtpl drops the whole paragraph when it renders."""
    line(document, text, align=WD_ALIGN_PARAGRAPH.LEFT)


def build_document():
    document = new_document(
        PAGE,
        subject="基层党组织争先创优命名文件",
        source="chuangyou/notices/docx/build_template.py",
        body_size=BODY_SIZE,
        body_font=BODY_FONT,
    )

    line(document, "{{ document_number }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    line(document, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    line(
        document,
        "{{ title }}",
        east_asia=TITLE_FONT,
        size=TITLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=TITLE_LINE,
    )
    line(document, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    line(document, "{{ addressee }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    line(document, "{{ body }}", indent=INDENT)
    tag(document, "{%p for g in grades %}")
    line(document, "{{ g.heading }}", east_asia=HEADING_FONT, indent=INDENT)
    tag(document, "{%p for t in g.townships %}")
    line(document, "{{ t.heading }}", east_asia=SUBHEADING_FONT, indent=INDENT)
    line(document, "{{ t.names }}", indent=INDENT)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")
    line(document, "", align=WD_ALIGN_PARAGRAPH.LEFT)
    line(document, "", align=WD_ALIGN_PARAGRAPH.LEFT)
    line(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT)
    line(document, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT)
    return document


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
