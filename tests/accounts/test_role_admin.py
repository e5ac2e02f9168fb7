"""The role grant in the admin finds its organization by name or code, and the admin never edits
the tree."""

from django.urls import reverse

from chuangyou.orgs.models import Organization


def test_the_grant_form_searches_organizations_by_name(admin_client, tree):
    form = admin_client.get(reverse("admin:accounts_roleassignment_add")).content.decode()
    assert "admin-autocomplete" in form
    query = {"app_label": "accounts", "model_name": "roleassignment", "field_name": "organization"}
    found = admin_client.get(reverse("admin:autocomplete"), {"term": "甲镇", **query}).json()
    assert [r["text"] for r in found["results"]] == [str(tree["town_a"])]


def test_the_admin_does_not_change_organizations(admin_client, tree):
    org = tree["town_a"]
    assert admin_client.get(reverse("admin:orgs_organization_change", args=[org.pk])).status_code == 200
    response = admin_client.post(reverse("admin:orgs_organization_change", args=[org.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=org.pk).name == org.name
    assert admin_client.get(reverse("admin:orgs_organization_add")).status_code == 403
