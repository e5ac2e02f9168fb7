"""Exporting the organization tree to Excel: the user's scope and filters, masked phones,
formula-safe text, a constant number of queries, and a file that imports back unchanged."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from chuangyou.accounts.scope import scope_of
from chuangyou.audit.models import AuditEvent
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.orgs.tree_import import tree_import
from chuangyou.orgs.tree_sheet import HEADER
from tests.conftest import make_org

URL = reverse("orgs:export")


def download(client, **filters):
    response = client.get(URL, filters)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def sheet_rows(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["组织架构"]
    return [list(row) for row in workbook.active.values]


def test_the_county_admin_gets_every_organization_parents_first(client_for, tree):
    response, content = download(client_for("county_admin"))
    rows = sheet_rows(content)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["T", "TA", "TA01", "TA02", "TB", "TB01"]
    assert rows[3][:9] == ["TA01", "甲一村党支部", "TA", "党支部", "村", 10, 1, "王建国", "138****1234"]
    assert rows[1][2] is None  # the root has no parent code


def test_the_file_has_a_dated_chinese_filename(client_for, tree, settings):
    response, _ = download(client_for("county_admin"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote("组织架构_") in disposition
    assert disposition.endswith(".xlsx")


def test_founding_dates_are_date_cells(client_for, tree):
    Organization.objects.filter(code="TA01").update(founded=dt.date(2001, 7, 1))
    _, content = download(client_for("county_admin"))
    row = next(r for r in sheet_rows(content) if r[0] == "TA01")
    assert row[9] == dt.datetime(2001, 7, 1)


def test_text_that_looks_like_a_formula_is_escaped(client_for, tree):
    make_org(tree["town_a"], "TA09", "=1+1", Kind.BRANCH, Domain.VILLAGE, secretary_name="@SUM(A1)")
    _, content = download(client_for("county_admin"))
    row = next(r for r in sheet_rows(content) if r[0] == "TA09")
    assert row[1] == "'=1+1"
    assert row[7] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("township_reviewer", ["TA", "TA01", "TA02"]),
        ("branch_secretary", ["TA01"]),
        ("leading_group", ["T", "TA", "TA01", "TA02", "TB", "TB01"]),
        ("outsider", []),
    ],
)
def test_each_role_exports_only_what_it_sees(client_for, persona, codes):
    _, content = download(client_for(persona))
    assert [r[0] for r in sheet_rows(content)[1:]] == codes


def test_the_list_filters_apply(client_for, tree):
    client = client_for("county_admin")
    _, content = download(client, kind="branch", domain="village")
    assert [r[0] for r in sheet_rows(content)[1:]] == ["TA01", "TA02"]
    _, content = download(client, q="乙")
    assert [r[0] for r in sheet_rows(content)[1:]] == ["TB", "TB01"]


def test_anonymous_users_are_sent_to_login(client, tree):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_number_of_queries_does_not_grow_with_rows(client_for, tree, django_assert_max_num_queries):
    client = client_for("township_reviewer")
    with django_assert_max_num_queries(8) as small:
        download(client)
    for n in range(60):
        make_org(tree["town_a"], f"TA1{n:02d}", f"第{n}党支部", Kind.BRANCH, Domain.VILLAGE)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _, content = download(client)
    assert len(sheet_rows(content)) == 1 + 3 + 60


def test_the_web_export_imports_back_unchanged(client_for, personas):
    """Masked phones in the web export mean "keep the stored number"."""
    client = client_for("county_admin")
    _, content = download(client)
    before = (Organization.objects.count(), AuditEvent.objects.count())
    user = personas["county_admin"]
    result = tree_import(actor=user, scope=scope_of(user), data=content, filename="x.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.unchanged == 6
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before
