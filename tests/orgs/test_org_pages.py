"""The tree, list and detail pages, and the forms behind create / edit / move / dissolve."""

import pytest
from django.urls import reverse

from chuangyou.audit.models import AuditEvent
from chuangyou.orgs.models import Domain, Kind, Organization, Status
from tests.conftest import make_org


def test_the_tree_shows_counts_per_kind_and_domain(client_for, tree):
    body = client_for("county_admin").get(reverse("orgs:tree")).content.decode()
    assert "示范县委" in body
    assert "党支部3" in body
    assert "村2" in body and "社区1" in body


def test_a_township_reviewer_sees_only_its_township(client_for, tree):
    client = client_for("township_reviewer")
    body = client.get(reverse("orgs:tree")).content.decode()
    assert "甲镇党委" in body and "乙街道" not in body
    children = client.get(reverse("orgs:children", args=[tree["town_a"].pk])).content.decode()
    assert "甲一村党支部" in children and "甲二村党支部" in children


def test_search_finds_by_name_and_code_within_scope(client_for, tree):
    client = client_for("township_reviewer")
    assert "甲二村党支部" in client.get(reverse("orgs:tree"), {"q": "TA02"}).content.decode()
    assert "没有找到匹配的组织" in client.get(reverse("orgs:tree"), {"q": "乙社区"}).content.decode()


def test_the_list_filters_and_masks_phones(client_for, tree):
    body = client_for("county_admin").get(reverse("orgs:list"), {"domain": Domain.VILLAGE}).content.decode()
    assert "甲一村党支部" in body and "乙社区党支部" not in body
    assert "138****1234" in body and "13812341234" not in body


def test_the_detail_page_warns_about_setup(client_for, tree):
    body = client_for("county_admin").get(reverse("orgs:detail", args=[tree["a2"].pk])).content.decode()
    assert "正式党员2名，不足3名" in body
    assert "138****1234" in body and "13812341234" not in body
    # A branch has no organizations under it: no counts that would count the branch itself.
    assert "无下级组织" in body and 'data-testid="subtree-counts"' not in body
    body = client_for("county_admin").get(reverse("orgs:detail", args=[tree["town_a"].pk])).content.decode()
    assert 'data-testid="subtree-counts"' in body


FORM = {
    "code": "TA03",
    "name": "甲三村党支部",
    "kind": Kind.BRANCH,
    "domain": Domain.VILLAGE,
    "full_members": "9",
    "probationary_members": "0",
    "secretary_name": "李秀英",
    "secretary_phone": "13900001111",
    "founded": "2001-07-01",
}


def test_a_township_reviewer_creates_a_branch_in_its_township(client_for, tree):
    response = client_for("township_reviewer").post(reverse("orgs:create", args=[tree["town_a"].pk]), FORM)
    org = Organization.objects.get(code="TA03")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert Organization.objects.get_parent(org).pk == tree["town_a"].pk


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"full_members": "-1"}, "确保该值大于或等于0"),
        ({"full_members": "很多"}, "输入整数"),
        ({"secretary_phone": "电话"}, "电话号码格式不正确"),
        ({"code": "=cmd|x"}, "组织代码只能包含"),
        ({"domain": ""}, "基层党组织须选择所属领域"),
        ({"code": "TA01"}, "已被“甲一村党支部”使用"),
        ({"kind": Kind.COUNTY}, "乡镇党委下不能设立县委"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(client_for, tree, change, message):
    before = (Organization.objects.count(), AuditEvent.objects.count())
    response = client_for("county_admin").post(
        reverse("orgs:create", args=[tree["town_a"].pk]), {**FORM, **change}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before


def test_submitting_the_same_create_form_twice_creates_one_org(client_for, tree):
    client = client_for("county_admin")
    url = reverse("orgs:create", args=[tree["town_a"].pk])
    client.post(url, FORM)
    second = client.post(url, FORM)
    assert "已被“甲三村党支部”使用" in second.content.decode()
    assert Organization.objects.filter(code="TA03").count() == 1


def test_an_edit_from_a_second_tab_does_not_overwrite(client_for, tree):
    client = client_for("county_admin")
    org = tree["a1"]
    url = reverse("orgs:edit", args=[org.pk])
    data = {**FORM, "code": org.code, "name": org.name, "version": org.version}
    assert client.post(url, {**data, "full_members": "11"}).status_code == 302
    stale = client.post(url, {**data, "full_members": "30"})
    assert "已被他人修改" in stale.content.decode()
    org.refresh_from_db()
    assert org.full_members == 11


def test_a_township_reviewer_cannot_edit_its_own_township(client_for, tree):
    assert (
        client_for("township_reviewer").get(reverse("orgs:edit", args=[tree["town_a"].pk])).status_code == 403
    )


def test_a_move_by_code_stays_inside_the_scope(client_for, tree):
    client = client_for("township_reviewer")
    response = client.post(reverse("orgs:move", args=[tree["a2"].pk]), {"parent_code": "TB"})
    assert "找不到代码为“TB”的组织" in response.content.decode()
    total = make_org(tree["town_a"], "TA10", "甲镇联合党总支", Kind.GENERAL_BRANCH, Domain.PRIVATE_ENTERPRISE)
    response = client.post(reverse("orgs:move", args=[tree["a2"].pk]), {"parent_code": total.code})
    assert response.status_code == 302
    assert Organization.objects.get_parent(Organization.objects.get(pk=tree["a2"].pk)).pk == total.pk


def test_dissolve_needs_the_confirmation_box(client_for, tree):
    client = client_for("county_admin")
    url = reverse("orgs:dissolve", args=[tree["a1"].pk])
    response = client.post(url, {"status": Status.DISSOLVED, "reason": "撤并"})
    assert response.status_code == 200
    assert Organization.objects.get(pk=tree["a1"].pk).status == Status.ACTIVE
    client.post(url, {"status": Status.DISSOLVED, "reason": "撤并", "confirm": "on"})
    assert Organization.objects.get(pk=tree["a1"].pk).status == Status.DISSOLVED


def test_a_dissolve_refusal_is_shown_not_raised(client_for, tree):
    response = client_for("county_admin").post(
        reverse("orgs:dissolve", args=[tree["town_a"].pk]),
        {"status": Status.DISSOLVED, "reason": "x", "confirm": "on"},
    )
    assert "请先调整或撤销" in response.content.decode()
