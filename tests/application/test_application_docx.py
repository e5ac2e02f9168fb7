"""The application form (附件4 申报表) as .docx: content, fonts, escaping and the template itself."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from chuangyou.assessments import application
from chuangyou.assessments.docx import build_template
from tests.application.conftest import ACHIEVEMENTS, SELF_EVALUATION

TITLE = "示范县基层党组织争先创优申报表"


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def rows_of(document) -> list[list[str]]:
    (table,) = document.tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_text(document) -> str:
    return "\n".join("|".join(row) for row in rows_of(document))


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def test_the_title_names_the_county_and_uses_the_title_font(sheet):
    document = open_docx(application.render_application(sheet))
    title = document.paragraphs[0]
    assert title.text == TITLE
    (run,) = title.runs
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert document.core_properties.title == TITLE


def test_body_text_is_set_in_fangsong(sheet):
    document = open_docx(application.render_application(sheet))
    runs = [
        run
        for row in document.tables[0].rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert runs
    assert {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs} == {"仿宋_GB2312"}


def test_the_page_is_a4(sheet):
    section = open_docx(application.render_application(sheet)).sections[0]
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7


def test_the_table_holds_the_organization_scores_and_texts(sheet):
    data = application.render_application(sheet)
    document = open_docx(data)
    rows = rows_of(document)
    assert rows[0] == ["党组织名称", "甲一村党支部", "组织代码", "TA01"]
    assert rows[1] == ["党组织书记", "王建国", "联系电话", "138****1234"]
    assert rows[2] == ["正式党员", "10名", "预备党员", "1名"]
    assert rows[3] == ["所属领域", "村", "成立时间", "2019年5月4日"]
    assert rows[4] == ["自评得分", "8.5分", "申报等级", "优秀"]
    # One row per category, the label cell merged down over them.
    assert rows[5] == ["各类型得分", "评定类型", "分值", "自评得分"]
    assert rows[6] == ["各类型得分", "党的组织设置", "4", "3.5"]
    assert rows[7] == ["各类型得分", "党内组织生活", "6", "5"]
    assert rows[8][0] == "民主测评结果"
    assert rows[9] == ["主要成绩", *[ACHIEVEMENTS] * 3]
    assert rows[10] == ["自评意见", *[SELF_EVALUATION] * 3]
    assert "13812341234" not in all_xml(data)
    assert "2026年度" in document.paragraphs[1].text and "12月自查" in document.paragraphs[1].text
    assert "填报日期：2026年12月6日" in document.paragraphs[1].text  # 18:30 UTC is the 6th in Beijing


def test_the_three_opinion_boxes_have_signature_and_date_lines(sheet):
    rows = rows_of(open_docx(application.render_application(sheet)))
    labels = [row[0] for row in rows[-3:]]
    assert labels == ["党支部意见", "乡镇（街道）党（工）委意见", "县委组织部意见"]
    for row in rows[-3:]:
        assert "（盖章）" in row[1] and "年\u3000\u3000月\u3000\u3000日" in row[1]
    assert "党支部书记（签字）" in rows[-3][1]


def test_no_category_rows_when_the_rubric_has_none_scored(sheet):
    sheet.subtotals = {}
    rows = rows_of(open_docx(application.render_application(sheet)))
    assert rows[6][1:] == ["党的组织设置", "4", "—"]


def test_the_democratic_evaluation_reads_not_held_without_a_result(sheet):
    rows = rows_of(open_docx(application.render_application(sheet)))
    assert rows[8][1] == "未开展"


def test_the_democratic_evaluation_result_is_shown(sheet, monkeypatch):
    summary = {
        "satisfaction_rate": Decimal("92.50"),
        "satisfied_rate": Decimal("80.00"),
        "weighted_score": Decimal("91.25"),
        "answered": 35,
        "issued": 40,
        "valid": True,
    }
    monkeypatch.setattr(application, "evaluation_summary", lambda s: summary)
    rows = rows_of(open_docx(application.render_application(sheet)))
    assert rows[8][1] == "满意率92.5%（其中满意80%）；综合得分91.25分；发放40份，收回35份，测评有效"


def test_the_real_evaluation_summary_is_used(sheet):
    """Against chuangyou.evaluations (built directly with its models: 3 of 4 codes answered)."""
    from chuangyou.evaluations.models import Answer, Audience, Evaluation

    past = timezone.now() - dt.timedelta(days=1)
    evaluation = Evaluation.objects.create(sheet=sheet, members_issued=4, closes_at=past, closed_at=past)
    for choice in ("satisfied", "satisfied", "basically_satisfied"):
        Answer.objects.create(
            evaluation=evaluation,
            audience=Audience.MEMBER,
            answered_on=past.date(),
            **dict.fromkeys(
                ["overall", "leadership", "membership", "mechanism", "performance", "reputation"], choice
            ),
        )
    sheet.refresh_from_db()
    assert application.application_context(sheet)["evaluation"] == (
        "满意率100%（其中满意66.67%）；综合得分91.67分；发放4份，收回3份，超过半数，测评有效"
    )


def test_the_evaluation_text_says_when_the_round_is_invalid():
    text = application.evaluation_text(
        {"satisfaction_rate": Decimal(100), "answered": 3, "issued": 10, "valid": False}
    )
    assert text == "满意率100%；发放10份，收回3份，测评无效"
    assert application.evaluation_text(None) == "未开展"


def test_the_snapshot_taken_at_submission_wins_over_the_live_record(sheet):
    sheet.organization_snapshot = sheet.organization.snapshot() | {
        "name": "甲一村党支部（提交时）",
        "secretary_name": "李四",
        "full_members": 12,
    }
    org = sheet.organization
    org.name, org.secretary_name, org.secretary_phone = "甲一村新名党支部", "赵六", "13900001111"
    org.save()
    data = application.render_application(sheet)
    rows = rows_of(open_docx(data))
    assert rows[0][1] == "甲一村党支部（提交时）"
    assert rows[1][1:] == ["李四", "联系电话", "138****1234"]
    assert rows[2][1] == "12名"
    assert "甲一村新名党支部" not in all_xml(data) and "赵六" not in all_xml(data)


def test_a_snapshot_with_a_full_phone_is_still_masked(sheet):
    sheet.organization_snapshot = {"secretary_phone": "13955556666"}
    context = application.application_context(sheet)
    assert context["phone"] == "139****6666"
    assert context["org_name"] == "甲一村党支部"  # the rest comes from the live record


def test_user_text_is_escaped_and_cleaned(sheet):
    sheet.achievements = 'A&B <w:p> "引号" \x07响铃\x0c\r\n第二行'
    data = application.render_application(sheet)
    rows = rows_of(open_docx(data))
    assert rows[9][1] == 'A&B <w:p> "引号" 响铃\n第二行'


def test_the_download_name_is_safe():
    assert (
        application.application_filename({"org_name": "甲/乙:村*党支部"})
        == "甲_乙_村_党支部_争先创优申报表.docx"
    )


@pytest.mark.parametrize(
    ("root", "county"),
    [
        ("示范县委", "示范县"),
        ("中共示范县委员会", "示范县"),
        ("中国共产党示范县委员会", "示范县"),
        ("示范县", "示范县"),
        ("乙街道党工委", "乙街道"),
        ("甲镇党委", "甲镇"),
    ],
)
def test_the_county_name_comes_from_the_campaign_root(root, county):
    assert application.county_name(root) == county


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("8.50"), "8.5"),
        (Decimal("10.00"), "10"),
        ("3.50", "3.5"),
        (0, "0"),
        (Decimal("-0.00"), "0"),
        (None, ""),
    ],
)
def test_numbers_have_no_trailing_zeros(value, text):
    assert application.number(value) == text


def test_the_committed_template_is_what_the_script_builds():
    assert build_template.build_bytes() == build_template.TEMPLATE_PATH.read_bytes(), (
        "application.docx is stale: run .venv/bin/python chuangyou/assessments/docx/build_template.py"
    )


def test_every_template_tag_sits_in_one_run():
    document = Document(str(build_template.TEMPLATE_PATH))
    paragraphs = list(document.paragraphs)
    paragraphs += [p for row in document.tables[0].rows for cell in row.cells for p in cell.paragraphs]
    tag = re.compile(r"{{.*?}}|{%.*?%}")
    found = []
    for paragraph in paragraphs:
        in_runs = [t for run in paragraph.runs for t in tag.findall(run.text)]
        assert tag.findall(paragraph.text) == in_runs, paragraph.text
        found += in_runs
    assert "{%tr for c in categories %}" in found and "{{ achievements }}" in found


def test_the_template_and_the_context_agree(sheet):
    """Every variable the template names is in the context (rendering uses StrictUndefined too)."""
    xml = all_xml(build_template.TEMPLATE_PATH.read_bytes())
    names = set(re.findall(r"{{ (\w+)", xml)) - {"c"}
    assert names <= set(application.application_context(sheet))
