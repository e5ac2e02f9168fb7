"""List pages answer with a fixed number of queries, whatever the size of the tree."""

import pytest
from django.urls import reverse

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.orgs.models import Domain, Kind, Organization
from tests.conftest import make_user

DOMAINS = [Domain.VILLAGE, Domain.COMMUNITY, Domain.ORGAN, Domain.PRIVATE_ENTERPRISE, Domain.SCHOOL]


def build_tree(townships: int, branches_per_township: int) -> Organization:
    """A county with townships and branches, paths computed and bulk-inserted."""
    county = Organization.objects.add_root({"code": "Q", "name": "大县委", "kind": Kind.COUNTY})
    rows = []
    for t in range(1, townships + 1):
        town_path = Organization._get_path(county.path, 2, t)
        rows.append(
            Organization(
                path=town_path,
                depth=2,
                numchild=branches_per_township,
                code=f"Q{t:03d}",
                name=f"第{t}镇党委",
                kind=Kind.TOWNSHIP,
            )
        )
        for b in range(1, branches_per_township + 1):
            rows.append(
                Organization(
                    path=Organization._get_path(town_path, 3, b),
                    depth=3,
                    numchild=0,
                    code=f"Q{t:03d}{b:04d}",
                    name=f"第{t}镇第{b}党支部",
                    kind=Kind.BRANCH,
                    domain=DOMAINS[b % len(DOMAINS)],
                    full_members=b % 40,
                )
            )
    Organization.objects.bulk_create(rows, batch_size=2000)
    Organization.objects.filter(pk=county.pk).update(numchild=townships)
    county.refresh_from_db()
    return county


@pytest.fixture(params=[(3, 4), (25, 200)], ids=["small", "5000-nodes"])
def sized_client(request, client, db):
    county = build_tree(*request.param)
    user = make_user("big_admin", Role.COUNTY_ADMIN, county)
    town = Organization.objects.get(code="Q001")
    make_user("big_town", Role.TOWNSHIP_REVIEWER, town)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, county, town


# Session, user, role assignments, the page's own reads (the detail page: its ancestors, children, counts,
# changes and approved grades; the workbench: its campaign progress and notice reminders); the same for
# every size.
MAX_QUERIES = 16


@pytest.mark.parametrize(
    "url_for",
    [
        lambda county, town: reverse("workbench"),
        lambda county, town: reverse("orgs:tree"),
        lambda county, town: reverse("orgs:tree") + "?q=第1镇",
        lambda county, town: reverse("orgs:children", args=[county.pk]),
        lambda county, town: reverse("orgs:children", args=[town.pk]),
        lambda county, town: reverse("orgs:list"),
        lambda county, town: reverse("orgs:list") + "?kind=branch&page=3",
        lambda county, town: reverse("orgs:detail", args=[town.pk]),
        lambda county, town: reverse("audit:list"),
    ],
    ids=[
        "workbench",
        "tree",
        "tree-search",
        "county-children",
        "town-children",
        "list",
        "list-page3",
        "detail",
        "audit",
    ],
)
def test_pages_use_a_fixed_number_of_queries(sized_client, url_for, django_assert_max_num_queries):
    client, county, town = sized_client
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url_for(county, town))
    assert response.status_code == 200


def test_counts_on_a_big_tree_are_right(client, db):
    county = build_tree(25, 200)
    user = make_user("big_admin", Role.COUNTY_ADMIN, county)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get(reverse("orgs:children", args=[county.pk])).content.decode()
    assert body.count('data-testid="tree-node"') == 25
    assert "党支部200" in body
    assert RoleAssignment.objects.count() == 1
