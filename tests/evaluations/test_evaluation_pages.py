"""Branch pages: issue, results, print, close — inside the scope only."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.evaluations.models import Audience, Code, Evaluation
from tests.conftest import make_user
from tests.evaluations.conftest import answer, codes_of, issue


def _url(name, sheet):
    return reverse(f"evaluations:{name}", kwargs={"sheet_pk": sheet.pk})


def _closes(days=7):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_the_secretary_issues_codes_from_the_page(client_for, sheet):
    client = client_for("branch_secretary")
    page = client.get(_url("manage", sheet))
    assert page.status_code == 200 and "生成测评码" in page.text
    assert f'href="{reverse("sheets:detail", args=[sheet.pk])}"' in page.text  # back to the sheet
    assert 'value="11"' in page.text  # members default to the branch's 10 + 1
    response = client.post(_url("manage", sheet), {"members": 11, "public": 3, "closes_at": _closes()})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(sheet=sheet)
    assert (evaluation.members_issued, evaluation.public_issued) == (11, 3)
    page = client.get(_url("manage", sheet))
    assert "测评进行中" in page.text and "打印测评卡" in page.text and "领导班子好" in page.text


def test_bad_numbers_get_a_message_and_change_nothing(client_for, sheet):
    client = client_for("branch_secretary")
    response = client.post(
        _url("manage", sheet), {"members": 11, "public": 3, "closes_at": "2020-01-01T10:00"}
    )
    assert response.status_code == 200 and "截止时间应晚于当前时间" in response.text
    response = client.post(_url("manage", sheet), {"members": "many", "public": 3, "closes_at": _closes()})
    assert response.status_code == 200 and "应为整数" in response.text
    assert not Evaluation.objects.exists()


def test_the_township_reviewer_reads_but_cannot_issue_print_or_close(client_for, personas, sheet):
    client = client_for("township_reviewer")
    page = client.get(_url("manage", sheet))
    assert page.status_code == 200 and "尚未开展民主测评" in page.text
    assert (
        client.post(_url("manage", sheet), {"members": 1, "public": 1, "closes_at": _closes()}).status_code
        == 403
    )
    evaluation = issue(sheet, personas["branch_secretary"])
    page = client.get(_url("manage", sheet))
    assert page.status_code == 200 and 'data-testid="evaluation-results"' in page.text
    assert "打印测评卡" not in page.text and "结束测评" not in page.text
    assert client.get(_url("print", sheet)).status_code == 403
    assert client.post(_url("close", sheet)).status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.closed_at is None


def test_the_county_closes_the_evaluation(client_for, personas, sheet):
    evaluation = issue(sheet, personas["branch_secretary"])
    client = client_for("county_admin")
    assert client.post(_url("close", sheet)).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.closed_at is not None
    assert "测评已结束" in client.get(_url("manage", sheet)).text
    response = client.post(_url("close", sheet), follow=True)
    assert "民主测评已经结束" in response.text


@pytest.fixture
def outsiders(tree):
    return {
        "reviewer_b": make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"]),
        "secretary_a2": make_user("p_a2", Role.BRANCH_SECRETARY, tree["a2"]),
    }


@pytest.mark.parametrize("who", ["reviewer_b", "secretary_a2"])
@pytest.mark.parametrize("name", ["manage", "print", "close"])
def test_other_scopes_get_404(client, personas, outsiders, sheet, who, name):
    issue(sheet, personas["branch_secretary"])
    client.force_login(outsiders[who], backend="django.contrib.auth.backends.ModelBackend")
    statuses = set()
    for method in ("get", "post"):
        response = getattr(client, method)(_url(name, sheet))
        statuses.add(response.status_code)
        assert sheet.organization.name not in response.text
    # A view answers a method it does not take with 405 before looking at the id.
    assert statuses <= {404, 405} and 404 in statuses


def test_an_unknown_sheet_is_404(client_for):
    assert client_for("county_admin").get("/evaluations/sheet/999999/").status_code == 404


@pytest.mark.parametrize("name", ["manage", "print", "close"])
def test_anonymous_users_are_sent_to_login(client, sheet, name):
    for method in ("get", "post"):
        response = getattr(client, method)(_url(name, sheet))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_print_page_has_one_qr_code_per_card(client_for, personas, sheet):
    evaluation = issue(sheet, personas["branch_secretary"], members=7, public=3)
    client = client_for("branch_secretary")
    page = client.get(_url("print", sheet))
    assert page.status_code == 200
    assert page.text.count("<svg") == 10 and page.text.count('data-testid="code-card"') == 10
    for code in Code.objects.filter(evaluation=evaluation):
        assert code.code in page.text
    assert "http://testserver/evaluations/a/" in page.text and "扫码或访问" in page.text
    assert not re.search(r"\sstyle=", page.text)  # the CSP forbids inline styles
    assert "<script>" not in page.text
    public = client.get(_url("print", sheet), {"audience": "public"})
    assert public.text.count("<svg") == 3
    assert all(c in public.text for c in codes_of(evaluation, Audience.PUBLIC))
    assert not any(c in public.text for c in codes_of(evaluation, Audience.MEMBER))


def test_the_print_page_is_paged(client_for, personas, sheet):
    issue(sheet, personas["branch_secretary"], members=100, public=0)
    client = client_for("branch_secretary")
    assert client.get(_url("print", sheet)).text.count("<svg") == 96
    assert client.get(_url("print", sheet), {"page": 2}).text.count("<svg") == 4


def test_the_print_page_before_codes_leads_back(client_for, sheet):
    response = client_for("branch_secretary").get(_url("print", sheet))
    assert response.status_code == 302 and response["Location"] == _url("manage", sheet)


@pytest.mark.parametrize("members", [10, 500])
def test_the_manage_page_has_a_fixed_number_of_queries(
    client_for, personas, sheet, members, django_assert_max_num_queries
):
    evaluation = issue(sheet, personas["branch_secretary"], members=members, public=members // 10)
    for code in codes_of(evaluation)[: members // 2]:
        answer(code)
    client = client_for("branch_secretary")
    client.get(_url("manage", sheet))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url("manage", sheet)).status_code == 200
    assert len(queries) <= 8, [q["sql"] for q in queries]
    with django_assert_max_num_queries(8):
        client.get(_url("manage", sheet))


def test_the_summary_partial_renders(personas, sheet):
    from django.template import Context, Template

    template = Template("{% load evaluation_tags %}{% evaluation_summary sheet %}")
    assert "尚未开展民主测评" in template.render(Context({"sheet": sheet}))
    evaluation = issue(sheet, personas["branch_secretary"], members=2, public=0)
    answer(codes_of(evaluation)[0], "满意")
    answer(codes_of(evaluation)[1], "基本满意")
    sheet.refresh_from_db()
    html = template.render(Context({"sheet": sheet}))
    assert "100.00%" in html and "50.00%" in html and "测评有效" in html and "87.50" in html
