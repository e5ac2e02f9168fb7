"""The .docx download and the printable page: content, masking and scope."""

import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse
from docx import Document

from chuangyou.assessments.models import ScoreSheet

TITLE = "示范县基层党组织争先创优申报表"


def urls(sheet):
    return [reverse("application:docx", args=[sheet.pk]), reverse("application:print", args=[sheet.pk])]


@pytest.mark.parametrize(
    "persona", ["county_admin", "township_reviewer", "branch_secretary", "leading_group"]
)
def test_the_docx_downloads_within_the_scope(client_for, sheet, persona):
    response = client_for(persona).get(reverse("application:docx", args=[sheet.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == "甲一村党支部_争先创优申报表.docx"
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert document.paragraphs[0].text == TITLE


def test_the_print_page_shows_the_form(client_for, sheet):
    response = client_for("branch_secretary").get(reverse("application:print", args=[sheet.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        TITLE,
        "甲一村党支部",
        "TA01",
        "王建国",
        "13812341234",  # in full for the secretary who signs it
        "8.5分",
        "党的组织设置",
        "3.5",
        "党内组织生活",
        "优秀",
        "建成村级党群服务中心。",
        "未开展",
        "党支部意见",
        "乡镇（街道）党（工）委意见",
        "县委组织部意见",
        "2019年5月4日",
        "2026年12月6日",
    ):
        assert text in body, text
    assert "data-print" in body and "打印" in body
    assert "css/print-application.css" in body
    assert reverse("application:docx", args=[sheet.pk]) in body
    assert "<style" not in body and " style=" not in body and "onclick" not in body


def test_the_print_page_escapes_user_text(client_for, sheet):
    sheet.achievements = "<script>alert(1)</script>"
    sheet.save()
    body = client_for("county_admin").get(reverse("application:print", args=[sheet.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_the_print_page_uses_the_snapshot(client_for, sheet):
    sheet.organization_snapshot = sheet.organization.snapshot() | {"name": "甲一村党支部（提交时）"}
    sheet.save()
    body = client_for("county_admin").get(reverse("application:print", args=[sheet.pk])).content.decode()
    assert "甲一村党支部（提交时）" in body


def test_a_township_reviewer_cannot_open_another_townships_form(client_for, other_sheet):
    client = client_for("township_reviewer")
    for url in urls(other_sheet):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "乙社区党支部" not in response.content.decode()


def test_a_branch_secretary_cannot_open_another_branchs_form(client_for, tree, sheet, rubric):
    neighbour = ScoreSheet.objects.create(
        round=sheet.round, organization=tree["a2"], rubric=rubric, total=Decimal(6)
    )
    client = client_for("branch_secretary")
    for url in urls(neighbour):
        assert client.get(url).status_code == 404, url
    for url in urls(sheet):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["outsider"])
def test_a_user_without_a_role_sees_nothing(client_for, sheet, persona):
    client = client_for(persona)
    for url in urls(sheet):
        assert client.get(url).status_code == 404, url


def test_an_unknown_sheet_answers_404(client_for, db, personas):
    client = client_for("county_admin")
    for url in (reverse("application:docx", args=[999999]), reverse("application:print", args=[999999])):
        assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_login(client, sheet):
    for url in urls(sheet):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_only_get_is_allowed(client_for, sheet):
    client = client_for("county_admin")
    for url in urls(sheet):
        assert client.post(url).status_code == 405


def test_readers_see_the_phone_masked(client_for, sheet):
    body = client_for("leading_group").get(reverse("application:print", args=[sheet.pk])).content.decode()
    assert "138****1234" in body and "13812341234" not in body
