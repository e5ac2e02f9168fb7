"""Excel export and import through the web pages."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangyou.rubrics import excel_io
from chuangyou.rubrics.models import Rubric, Status
from chuangyou.rubrics.queries import stored_spec


def xlsx_upload(data: bytes, name="评定标准.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def exported(client, rubric) -> bytes:
    response = client.get(reverse("rubrics:export", args=[rubric.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_the_export_is_the_seed_layout(client_for, published):
    data = exported(client_for("county_admin"), published)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A1"].value == "测试评定标准"
    assert [c.value for c in sheet[2]][:5] == ["类型", "项目", "分值", "考核评价标准", "考评方式"]
    assert sheet["A3"].value == "党的组织设置4分"


def test_a_township_reviewer_may_export_what_it_reads(client_for, published):
    assert exported(client_for("township_reviewer"), published)


def test_an_exported_file_imports_as_the_next_draft_version(client_for, published):
    client = client_for("county_admin")
    data = exported(client, published)
    response = client.post(reverse("rubrics:import"), {"file": xlsx_upload(data)})
    draft = Rubric.objects.get(code="small", version=2)
    assert response["Location"] == reverse("rubrics:detail", args=[draft.pk])
    assert draft.status == Status.DRAFT
    assert stored_spec(draft.pk) == stored_spec(published.pk)


def test_an_old_format_file_is_refused_by_name(client_for, published):
    client = client_for("county_admin")
    old_format = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000
    response = client.post(reverse("rubrics:import"), {"file": xlsx_upload(old_format, "标准.xls")})
    body = response.content.decode()
    assert "未导入任何内容" in body and ".xlsx" in body
    assert Rubric.objects.count() == 1


def test_a_file_without_properties_needs_a_code(client_for, published):
    client = client_for("county_admin")
    workbook = openpyxl.load_workbook(io.BytesIO(exported(client, published)))
    del workbook["属性"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(reverse("rubrics:import"), {"file": xlsx_upload(buffer.getvalue())})
    assert "代码" in response.content.decode()
    assert Rubric.objects.count() == 1
    client.post(reverse("rubrics:import"), {"file": xlsx_upload(buffer.getvalue()), "code": "copy"})
    assert Rubric.objects.get(code="copy").version == 1


def test_only_the_county_admin_imports(client_for, published):
    assert client_for("township_reviewer").get(reverse("rubrics:import")).status_code == 403


def test_the_reader_and_writer_agree(published):
    buffer = io.BytesIO()
    excel_io.write_rubric(buffer, stored_spec(published.pk))
    assert excel_io.read_rubric(buffer.getvalue()) == stored_spec(published.pk)
