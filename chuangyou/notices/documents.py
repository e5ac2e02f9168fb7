"""The documents of an approved notice: the naming document (命名文件, .docx from the Word template
built by docx/build_template.py) and the plaque list (挂牌名单, .xlsx).

Both list the organizations the approval named (`queries.named_rows`): by grade, best first, and
within a grade by township in tree order. `naming_context` gives plain strings only, so the tests
read the same values the template does.
"""

from __future__ import annotations

import io
from itertools import groupby
from pathlib import Path
from typing import IO, Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from chuangyou.assessments.application import chinese_date, clean
from chuangyou.lib.excel import write_xlsx
from chuangyou.notices import queries
from chuangyou.notices.issuer import department_of
from chuangyou.notices.models import NoticeBatch
from chuangyou.orgs.models import Kind

TEMPLATE_PATH = Path(__file__).resolve().parent / "docx" / "naming.docx"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAQUE_HEADER = ("序号", "组织名称", "所属党委", "等级", "年度", "文号")
PLAQUE_SHEET = "挂牌名单"
NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 23 -> 二十三 (headings never reach a hundred)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else NUMERALS[tens - 1]}十{NUMERALS[ones - 1] if ones else ''}"


def naming_title(batch: NoticeBatch) -> str:
    return f"关于命名{batch.campaign.year}年度基层党组织争先创优评定等级的通知"


def _issuer(root) -> tuple[str, str]:
    """(addressee, issuer) for a county-wide campaign, or one rooted in a township."""
    if root.kind == Kind.COUNTY:
        return "各乡镇（街道）党（工）委，县直各党（工）委：", department_of(root)
    return "各党支部：", department_of(root)


def grouped(rows: list[queries.Named]) -> list[dict[str, Any]]:
    """[{grade, heading, count, townships: [{name, heading, names}]}] in the order of `rows`."""
    grades = []
    for index, (grade, in_grade) in enumerate(groupby(rows, key=lambda r: r.grade), start=1):
        townships: dict[str, list[str]] = {}
        for row in in_grade:
            townships.setdefault(row.township, []).append(clean(row.name))
        count = sum(len(names) for names in townships.values())
        grades.append(
            {
                "grade": grade,
                "count": count,
                "heading": f"{chinese_number(index)}、{clean(grade)}（{count}个）",
                "townships": [
                    {
                        "name": clean(township) or "其他",
                        "heading": f"（{chinese_number(i)}）{clean(township) or '其他'}（{len(names)}个）",
                        "names": "、".join(names),
                    }
                    for i, (township, names) in enumerate(townships.items(), start=1)
                ],
            }
        )
    return grades


def naming_context(
    batch: NoticeBatch, rows: list[queries.Named] | None = None, number: str | None = None
) -> dict[str, Any]:
    """The naming document of the batch's approval (or of a later one under `number`)."""
    number = batch.document_number if number is None else number
    rows = queries.named_rows(batch, number) if rows is None else rows
    campaign = batch.campaign
    year = campaign.year
    addressee, issuer = _issuer(campaign.root)
    grades = grouped(rows)
    summary = "、".join(f"{g['grade']}{g['count']}个" for g in grades)
    rechecked = queries.rechecked_count(batch, number)
    steps = "县委组织部定级" if not rechecked else f"县委组织部复核（{rechecked}个）并定级"
    body = (
        f"根据{year}年度基层党组织争先创优活动安排，经党支部自评、乡镇（街道）党（工）委审核、"
        f"{steps}，并于{chinese_date(batch.starts)}至{chinese_date(batch.ends)}"
        f"通过{batch.get_channel_display()}进行公示，经研究，决定命名{len(rows)}个基层党组织"
        f"{year}年度争先创优评定等级（{summary or '无'}）。希望受到命名的党组织珍惜荣誉、再接再厉，"
        "充分发挥示范带动作用；各级党组织要以先进为榜样，对标找差、晋位升级。现将名单通知如下："
    )
    return {
        "document_number": clean(number),
        "title": naming_title(batch),
        "addressee": addressee,
        "body": body,
        "grades": grades,
        "issuer": issuer,
        "date": chinese_date(queries.approved_on(batch, number)),
        "year": str(year),
    }


def render_naming(batch: NoticeBatch, context: dict[str, Any] | None = None) -> bytes:
    """The filled-in .docx. Text is XML-escaped (autoescape); a missing key is an error."""
    template = DocxTemplate(TEMPLATE_PATH)
    template.render(
        context if context is not None else naming_context(batch),
        jinja_env=Environment(autoescape=True, undefined=StrictUndefined),  # noqa: S701 (autoescape is on)
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def naming_filename(batch: NoticeBatch, number: str | None = None) -> str:
    later = f"（{number}）" if number and number != batch.document_number else ""
    return f"{batch.campaign.year}年度争先创优命名文件{later}.docx"


def plaque_rows(batch: NoticeBatch, rows: list[queries.Named] | None = None):
    rows = queries.named_rows(batch) if rows is None else rows
    for number, row in enumerate(rows, start=1):
        yield [number, row.name, row.township, row.grade, batch.campaign.year, row.document_number]


def write_plaques(target: IO[bytes], batch: NoticeBatch) -> None:
    """序号, 组织名称, 所属党委, 等级, 年度, 文号 (text escaped against formulas by write_xlsx)."""
    write_xlsx(target, PLAQUE_HEADER, plaque_rows(batch), sheet_name=PLAQUE_SHEET)


def plaques_filename(batch: NoticeBatch) -> str:
    return f"{batch.campaign.year}年度争先创优挂牌名单.xlsx"
