"""Deny by default, proved by walking every URL pattern with every persona."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open without logging in.
PUBLIC = {"login", "healthz"}
# Django's own back office has its own login; it is tested by Django.
SKIP_NAMESPACES = {"admin"}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


def fill(route: str, ids: dict[str, int]) -> str:
    for key, value in ids.items():
        route = route.replace(f"<int:{key}>", str(value))
    assert "<" not in route, f"this test does not know how to fill {route}"
    return "/" + route


@pytest.fixture
def hidden_draft(personas):
    """A draft rubric: only county roles may see it."""
    from chuangyou.rubrics import services
    from tests.rubrics.conftest import small_spec

    return services.rubric_create(actor=personas["county_admin"], spec=small_spec(code="hidden"))


def ids_for(route: str, org, draft) -> dict[str, int]:
    """Ids that the persona must not reach: an organization outside its scope, or a draft rubric."""
    if route.startswith("rubrics/"):
        category = draft.categories.first()
        return {"pk": draft.pk, "category_pk": category.pk, "item_pk": category.items.first().pk}
    return {"pk": org.pk, "parent_pk": org.pk}


ROUTES = sorted(set(iter_patterns()))


def test_it_knows_every_route():
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_anonymous_users_are_sent_to_login(client, tree, hidden_draft, name, route):
    url = fill(route, ids_for(route, tree["a1"], hidden_draft))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name in PUBLIC:
            assert response.status_code in (200, 302, 405), (method, url)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), (method, url)


# Each persona with an organization just outside its scope.
OUTSIDE = {
    "township_reviewer": "b1",
    "branch_secretary": "a2",
    "outsider": "a1",
}


@pytest.mark.parametrize("persona", sorted(OUTSIDE))
@pytest.mark.parametrize(("name", "route"), [r for r in ROUTES if "<" in r[1]])
def test_ids_outside_the_scope_answer_404(client_for, tree, hidden_draft, persona, name, route):
    client = client_for(persona)
    url = fill(route, ids_for(route, tree[OUTSIDE[persona]], hidden_draft))
    statuses = set()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        statuses.add(response.status_code)
        assert tree[OUTSIDE[persona]].name.encode() not in response.content
        assert hidden_draft.name.encode() not in response.content
    # A view answers a method it does not take with 405 before looking at the id; the other one is 404.
    assert statuses <= {404, 405} and 404 in statuses, (persona, url, statuses)


@pytest.mark.parametrize("persona", ["leading_group", "auditor", "branch_secretary"])
@pytest.mark.parametrize("view", ["orgs:edit", "orgs:move", "orgs:dissolve"])
def test_read_only_roles_cannot_change_what_they_see(client_for, tree, persona, view):
    from django.urls import reverse

    target = tree["a1"]
    client = client_for(persona)
    response = client.post(reverse(view, args=[target.pk]), {"name": "改名"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name == "甲一村党支部"


def test_a_nonexistent_id_answers_404_not_500(client_for):
    client = client_for("county_admin")
    assert client.get("/orgs/999999/").status_code == 404
