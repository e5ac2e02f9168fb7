"""The documents of an approved notice: the naming document (.docx from the Word template) and the
plaque list (.xlsx): content, grouping, East-Asian fonts, escaping and the template itself."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from chuangyou.notices import documents, services
from chuangyou.notices.docx import build_template
from chuangyou.notices.models import NoticeEntry
from tests.notices.conftest import AFTER, IN_PERIOD, entry_of, object_to

TITLE = "关于命名2026年度基层党组织争先创优评定等级的通知"
NUMBER = "X组通〔2026〕12号"
EVEN = [f"第{i}党支部" for i in range(0, 11, 2)]  # 一般, under 甲镇
ODD = [f"第{i}党支部" for i in range(1, 11, 2)]  # 一般, under 乙街道


@pytest.fixture
def approved(published_notice, personas, on_day):
    """The county notice approved with TB01 held back (an objection needing more checks)."""
    admin = personas["county_admin"]
    on_day(IN_PERIOD)
    objection = object_to(entry_of(published_notice, "TB01"))
    services.objection_answer(
        actor=admin, objection=objection, state="further", answer="需调阅原始记录", version=objection.version
    )
    (ended,) = services.notices_end(AFTER)
    services.notice_report(actor=admin, batch=ended)
    return services.notice_approve(actor=admin, batch=ended, document_number=NUMBER)


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def test_the_naming_document_lists_the_grades_best_first_grouped_by_township(approved):
    document = open_docx(documents.render_naming(approved))
    lines = texts(document)
    assert lines[0] == NUMBER
    assert lines[1] == TITLE
    assert lines[2] == "各乡镇（街道）党（工）委，县直各党（工）委："
    assert lines[3].startswith("根据2026年度基层党组织争先创优活动安排")
    assert "2026年12月14日至2026年12月18日通过网站进行公示" in lines[3]
    assert "决定命名14个基层党组织" in lines[3] and "优秀1个、良好1个、一般11个、软弱涣散1个" in lines[3]
    assert lines[4:-2] == [
        "一、优秀（1个）",
        "（一）甲镇党委（1个）",
        "甲一村党支部",
        "二、良好（1个）",
        "（一）甲镇党委（1个）",
        "甲二村党支部",
        "三、一般（11个）",
        "（一）甲镇党委（6个）",
        "、".join(EVEN),
        "（二）乙街道党工委（5个）",
        "、".join(ODD),
        "四、软弱涣散（1个）",
        "（一）乙街道党工委（1个）",
        "第11党支部",
    ]
    assert lines[-2:] == ["中共示范县委组织部", documents.chinese_date(approved.approved_at)]
    assert "乙社区党支部" not in "\n".join(lines)  # held back by its open check
    assert document.core_properties.title == TITLE


def test_the_naming_document_sets_east_asian_fonts(approved):
    document = open_docx(documents.render_naming(approved))
    fonts = {p.text: {east_asia(r) for r in p.runs} for p in document.paragraphs if p.text}
    assert fonts[TITLE] == {"方正小标宋简体"}
    assert fonts["一、优秀（1个）"] == {"黑体"}
    assert fonts["（一）甲镇党委（1个）"] == {"楷体_GB2312"}
    for text in (NUMBER, "甲一村党支部", "中共示范县委组织部", texts(document)[3]):
        assert fonts[text] == {"仿宋_GB2312"}, text
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    assert all(r._element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman" for r in runs)
    assert {round(r.font.size.pt) for r in runs} == {16, 22}
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_names_are_escaped_in_the_document(approved):
    NoticeEntry.objects.filter(batch=approved, organization__code="TA01").update(name="<甲一村&党支部>")
    data = documents.render_naming(approved)
    assert "<甲一村&党支部>" in texts(open_docx(data))
    assert "&lt;甲一村&amp;党支部&gt;" in all_xml(data)


def test_the_plaque_list_has_one_row_per_named_organization(approved):
    NoticeEntry.objects.filter(batch=approved, organization__code="X0000").update(name="=HYPERLINK(1)")
    buffer = io.BytesIO()
    documents.write_plaques(buffer, approved)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert sheet.title == "挂牌名单"
    assert rows[0] == ["序号", "组织名称", "所属党委", "等级", "年度", "文号"]
    assert rows[1] == [1, "甲一村党支部", "甲镇党委", "优秀", 2026, NUMBER]
    assert rows[2] == [2, "甲二村党支部", "甲镇党委", "良好", 2026, NUMBER]
    assert rows[3] == [3, "'=HYPERLINK(1)", "甲镇党委", "一般", 2026, NUMBER]
    assert [r[1] for r in rows[4:9]] == EVEN[1:]
    assert [r[1] for r in rows[9:14]] == ODD
    assert rows[14] == [14, "第11党支部", "乙街道党工委", "软弱涣散", 2026, NUMBER]
    assert len(rows) == 15 and "乙社区党支部" not in {r[1] for r in rows}


def test_the_downloads_are_named_and_limited_to_the_scope(client_for, approved, other_reviewer):
    client = client_for("county_admin")
    response = client.get(reverse("notices:naming", args=[approved.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert open_docx(b"".join(response.streaming_content)).paragraphs[0].text == NUMBER
    response = client.get(reverse("notices:plaques", args=[approved.pk]))
    assert response["Content-Type"] == documents.XLSX_CONTENT_TYPE
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row == 15
    # The documents name every organization of the county: a township reads its own branches on the
    # notice page; a branch secretary does not read notices on the staff pages.
    for who, status in (("township_reviewer", 403), ("branch_secretary", 404)):
        client = client_for(who)
        for name in ("naming", "plaques"):
            assert client.get(reverse(f"notices:{name}", args=[approved.pk])).status_code == status


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三")]
)
def test_headings_are_numbered_in_chinese(n, text):
    assert documents.chinese_number(n) == text


def test_the_committed_template_is_what_the_script_builds():
    assert build_template.build_bytes() == build_template.TEMPLATE_PATH.read_bytes(), (
        "naming.docx is stale: run .venv/bin/python chuangyou/notices/docx/build_template.py"
    )


def test_every_template_tag_sits_in_one_run():
    document = Document(str(build_template.TEMPLATE_PATH))
    tag = re.compile(r"{{.*?}}|{%.*?%}")
    found = []
    for paragraph in document.paragraphs:
        in_runs = [t for run in paragraph.runs for t in tag.findall(run.text)]
        assert tag.findall(paragraph.text) == in_runs, paragraph.text
        found += in_runs
    assert "{%p for g in grades %}" in found and "{{ t.names }}" in found


def test_the_template_and_the_context_agree(approved):
    xml = all_xml(build_template.TEMPLATE_PATH.read_bytes())
    names = set(re.findall(r"{{ (\w+)", xml)) - {"g", "t"}
    assert names <= set(documents.naming_context(approved))


def test_the_document_says_recheck_only_where_it_happened(approved, personas):
    lines = texts(open_docx(documents.render_naming(approved)))
    assert "乡镇（街道）党（工）委审核、县委组织部定级，并于" in lines[3] and "复核" not in lines[3]


def test_a_recheck_is_named_with_its_count(published_notice, personas, submitted_run):
    from chuangyou.grading.models import Proposal

    admin = personas["county_admin"]
    ta01 = entry_of(published_notice, "TA01").organization
    Proposal.objects.create(
        campaign=submitted_run.campaign, organization=ta01, proposed_by=admin, state="accepted", note="同意"
    )
    (ended,) = services.notices_end(AFTER)
    services.notice_report(actor=admin, batch=ended)
    approved = services.notice_approve(actor=admin, batch=ended, document_number=NUMBER)
    lines = texts(open_docx(documents.render_naming(approved)))
    assert "乡镇（街道）党（工）委审核、县委组织部复核（1个）并定级，并于" in lines[3]
