"""审核分工: the county assigns township reviewers to branches; unassigned reviewers step aside."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chuangyou.accounts.models import Role
from chuangyou.reviews.models import Review, ReviewerAssignment
from tests.conftest import make_user


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def second_reviewer(tree):
    """Another reviewer of 甲镇."""
    return make_user("p_town2", Role.TOWNSHIP_REVIEWER, tree["town_a"])


def create(client, campaign, reviewer, code):
    return client.post(
        reverse("reviews:assignment_create"), {"campaign": campaign.pk, "reviewer": reviewer.pk, "code": code}
    )


def test_the_county_admin_creates_and_deletes_an_assignment(client_for, campaign, second_reviewer):
    client = client_for("county_admin")
    page = client.get(reverse("reviews:assignments"), {"campaign": campaign.pk}).content.decode()
    assert 'data-testid="assignment-form"' in page and "p_town2" in page and "p_town" in page
    assert "尚未设置审核分工" in page

    response = create(client, campaign, second_reviewer, "TA01")
    assert response.status_code == 302 and "已安排p_town2审核“甲一村党支部”" in texts(response)
    assignment = ReviewerAssignment.objects.get()
    assert assignment.campaign == campaign and assignment.organization.code == "TA01"
    page = client.get(response.url).content.decode()
    assert page.count('data-testid="assignment-row"') == 1 and "甲一村党支部" in page
    assert 'data-confirm="确定取消p_town2对“甲一村党支部”的审核分工吗？"' in page

    assert "p_town2已负责审核“甲一村党支部”" in texts(create(client, campaign, second_reviewer, "TA01"))
    assert "组织代码“ZZ99”不存在或不在您的管辖范围内" in texts(
        create(client, campaign, second_reviewer, "ZZ99")
    )
    assert "不是“乙社区党支部”所在乡镇（街道）的审核员" in "".join(
        texts(create(client, campaign, second_reviewer, "TB01"))
    )
    assert ReviewerAssignment.objects.count() == 1

    response = client.post(reverse("reviews:assignment_delete", args=[assignment.pk]))
    assert response.status_code == 302 and "已取消p_town2对“甲一村党支部”的审核分工" in texts(response)
    assert not ReviewerAssignment.objects.exists()


def test_a_township_reviewer_may_not_assign(client_for, campaign, personas, second_reviewer, tree):
    assignment = ReviewerAssignment.objects.create(
        campaign=campaign, reviewer=second_reviewer, organization=tree["a1"]
    )
    client = client_for("township_reviewer")
    page = client.get(reverse("reviews:assignments")).content.decode()
    assert (
        'data-testid="assignment-form"' not in page and "甲一村党支部" in page and "取消</button>" not in page
    )
    assert create(client, campaign, second_reviewer, "TA02").status_code == 403
    assert client.post(reverse("reviews:assignment_delete", args=[assignment.pk])).status_code == 403
    assert ReviewerAssignment.objects.count() == 1


def test_assignments_outside_the_scope_are_hidden_and_404(client_for, campaign, tree, client):
    reviewer_b = make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])
    assignment = ReviewerAssignment.objects.create(
        campaign=campaign, reviewer=reviewer_b, organization=tree["b1"]
    )
    # An administrator over 甲镇 only: 乙街道's assignment is out of reach.
    client.force_login(make_user("p_admin_a", Role.COUNTY_ADMIN, tree["town_a"]))
    page = client.get(reverse("reviews:assignments")).content.decode()
    assert "乙社区党支部" not in page and "p_town_b" not in page  # neither the row nor the reviewer choice
    assert client.post(reverse("reviews:assignment_delete", args=[assignment.pk])).status_code == 404
    assert "组织代码“TB01”不存在或不在您的管辖范围内" in texts(create(client, campaign, reviewer_b, "TB01"))
    assert client.get(reverse("reviews:assignments"), {"campaign": "999"}).status_code == 404
    assert ReviewerAssignment.objects.count() == 1


def test_an_unassigned_reviewer_can_no_longer_review(
    client_for, submitted, campaign, second_reviewer, client
):
    sheet = submitted["a1"]
    admin = client_for("county_admin")
    create(admin, campaign, second_reviewer, "TA01")

    reviewer = client_for("township_reviewer")
    page = reviewer.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert 'data-testid="start-review"' not in page and "不是该支部的审核人" in page
    assert reviewer.post(reverse("reviews:start", args=[sheet.pk])).status_code == 403
    queue = reviewer.get(reverse("reviews:list")).content.decode()
    first = queue[queue.index('data-org="甲一村党支部"') :]
    second = queue[queue.index('data-org="甲二村党支部"') :]
    assert ">查看</a>" in first[: first.index("</tr>")] and ">审核</a>" in second[: second.index("</tr>")]
    assert not Review.objects.exists()

    client.force_login(second_reviewer)
    response = client.post(reverse("reviews:start", args=[sheet.pk]))
    assert "已开始审核，请逐项打分" in texts(response)
    assert Review.objects.get().reviewer == second_reviewer


def test_the_assignments_page_uses_a_fixed_number_of_queries(client_for, campaign, second_reviewer, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("county_admin")
    url = reverse("reviews:assignments")
    client.get(url)  # warm up: the session and the caches of the first request
    counts = []
    for orgs in (("a1", "a2"), ("b1", "town_a", "town_b")):
        for key in orgs:
            ReviewerAssignment.objects.create(
                campaign=campaign, reviewer=second_reviewer, organization=tree[key]
            )
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        counts.append(len(queries))
    assert body.count('data-testid="assignment-row"') == 5
    assert counts[0] == counts[1] <= 10, counts
