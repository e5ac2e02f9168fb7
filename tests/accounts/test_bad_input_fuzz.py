"""No 5xx on bad bytes: every URL, as the county admin (who may open them all), with hostile query
and form values — NUL bytes, overlong text, wrong types, huge numbers — answers below 500."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.accounts.test_url_auth import ROUTES, fill, ids_for, world  # noqa: F401 (world: a fixture)

NAMES = (
    "q",
    "page",
    "sort",
    "campaign",
    "round",
    "state",
    "grade",
    "domain",
    "township",
    "code",
    "year",
    "kind",
    "next",
    "version",
    "score",
    "reason",
    "note",
    "name",
    "count-0",
    "deduction",
    "starts",
    "days",
    "opens",
    "closes",
    "rubric",
    "run",
    "organization",
    "method",
    "content",
    "phone",
)
VALUES = {
    "nul": "a\x00b",
    "overlong": "长" * 5000,
    "huge": "9" * 40,
    "wrong type": "[]{}<script>",
    "negative": "-1e309",
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_hostile_values_never_give_a_server_error(client_for, tree, world, kind):  # noqa: F811
    client = client_for("county_admin")
    client.raise_request_exception = False
    data = dict.fromkeys(NAMES, VALUES[kind])
    failures = []
    for name, route in ROUTES:
        url = fill(route, ids_for(route, tree["a1"], world))
        for method in ("get", "post"):
            response = getattr(client, method)(url, data)
            if response.status_code >= 500:
                failures.append((method, name, url, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "url", ["/orgs/%00/", "/gs/%00/", "/gs/status/?code=%00", "/orgs/?q=a%00b", "/sheets/1%00/"]
)
def test_a_nul_byte_answers_400_with_a_chinese_page(client, client_for, url):
    for who in (client, client_for("county_admin")):
        response = who.get(url)
        assert response.status_code == 400 and "链接或提交的内容中含有无效字符" in response.content.decode()


def test_a_nul_byte_in_a_posted_form_answers_400(client_for, tree):
    url = reverse("orgs:edit", args=[tree["a1"].pk])
    client = client_for("county_admin")
    form = urlencode({"name": "甲\x00村"})
    assert client.post(url, form, content_type="application/x-www-form-urlencoded").status_code == 400
    response = client.post(url, {"name": "甲\x00村"})  # multipart: the form refuses it beside the field
    assert response.status_code == 200 and "不允许" in response.content.decode()
    tree["a1"].refresh_from_db()
    assert tree["a1"].name == "甲一村党支部"
