"""The rubric pages: who reads what, the draft editor, publish, diff and bindings."""

import pytest
from django.urls import reverse

from chuangyou.rubrics import services
from chuangyou.rubrics.models import Item, Rubric, Status
from tests.rubrics.conftest import small_spec


def test_the_list_shows_versions_and_bindings(client_for, published):
    body = client_for("county_admin").get(reverse("rubrics:list")).content.decode()
    assert "测试评定标准" in body and "第1版" in body and "已发布" in body
    assert "各领域适用的评定标准" in body


def test_the_detail_looks_like_the_seed_table(client_for, published):
    body = client_for("county_admin").get(reverse("rubrics:detail", args=[published.pk])).content.decode()
    assert "党的组织设置4分" in body
    assert 'rowspan="2"' in body  # the category spans its two items' rows
    assert "组织设置不规范：不得分" in body and "未进行摸底排查：扣1分" in body
    assert "班子成员受到党纪处分" in body


@pytest.mark.parametrize(
    ("persona", "sees"), [("township_reviewer", True), ("branch_secretary", True), ("outsider", False)]
)
def test_roles_read_the_published_rubric_of_their_domains(client_for, published, persona, sees):
    response = client_for(persona).get(reverse("rubrics:detail", args=[published.pk]))
    assert response.status_code == (200 if sees else 404)


def test_a_draft_is_hidden_from_township_and_branch_roles(client_for, draft):
    for persona in ("township_reviewer", "branch_secretary"):
        assert client_for(persona).get(reverse("rubrics:detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["township_reviewer", "leading_group", "auditor"])
def test_only_the_county_admin_edits(client_for, draft, published, persona):
    client = client_for(persona)
    if persona == "township_reviewer":
        assert client.post(reverse("rubrics:new_draft", args=[published.pk])).status_code == 403
    else:
        assert client.get(reverse("rubrics:edit", args=[draft.pk])).status_code == 403
        assert client.post(reverse("rubrics:publish", args=[draft.pk])).status_code == 403
    assert Rubric.objects.count() == 2


ITEM = {
    "name": "纪检机构",
    "points": "2",
    "criteria": "设纪检委员。\n纪检委员履职。",
    "method": "未设纪检委员不得分。",
    "evidence_hint": "任命文件",
}


def test_the_editor_saves_an_item_inline(client_for, draft):
    client = client_for("county_admin")
    item = Item.objects.get(category__rubric=draft, name="纪检机构")
    form = client.get(reverse("rubrics:item_edit", args=[draft.pk, item.pk]), HTTP_HX_REQUEST="true")
    assert "考评方式" in form.content.decode()
    row = client.post(
        reverse("rubrics:item_edit", args=[draft.pk, item.pk]),
        {**ITEM, "points": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert "未设纪检委员：不得分" in row.content.decode()
    # The publish check at the top of the editor is refreshed with the row.
    assert (
        'hx-swap-oob="true"' in row.content.decode() and "合计5分，与类型分值4分不符" in row.content.decode()
    )
    item.refresh_from_db()
    assert item.criteria == ["设纪检委员。", "纪检委员履职。"] and item.evidence_hint == "任命文件"


def test_a_bad_item_keeps_the_form_with_a_message(client_for, draft):
    client = client_for("county_admin")
    item = Item.objects.get(category__rubric=draft, name="纪检机构")
    response = client.post(
        reverse("rubrics:item_edit", args=[draft.pk, item.pk]),
        {**ITEM, "points": "很多"},
        HTTP_HX_REQUEST="true",
    )
    assert "输入一个数字" in response.content.decode()
    item.refresh_from_db()
    assert item.method == "未设纪检委员扣2分。"


def test_the_method_preview_shows_the_parse(client_for, draft):
    response = client_for("county_admin").post(
        reverse("rubrics:preview", args=[draft.pk]),
        {"points": "3", "method": "每缺1次扣0.5分；根据情况酌情给分"},
    )
    body = response.content.decode()
    assert "每次扣0.5分" in body and "可酌情扣分" in body


def test_publish_refusal_names_the_errors(client_for, personas):
    rubric = services.rubric_create(actor=personas["county_admin"], spec=small_spec(total=12))
    client = client_for("county_admin")
    response = client.post(reverse("rubrics:publish", args=[rubric.pk]), follow=True)
    body = response.content.decode()
    assert "未能发布" in body
    assert body.count("各类型分值合计10分，与总分12分不符") == 1
    assert Rubric.objects.get(pk=rubric.pk).status == Status.DRAFT


def test_revise_edit_diff_publish(client_for, published):
    client = client_for("county_admin")
    response = client.post(reverse("rubrics:new_draft", args=[published.pk]))
    draft = Rubric.objects.get(code="small", version=2)
    assert response["Location"] == reverse("rubrics:edit", args=[draft.pk])
    item = Item.objects.get(category__rubric=draft, name="纪检机构")
    client.post(reverse("rubrics:item_edit", args=[draft.pk, item.pk]), ITEM)
    diff = client.get(reverse("rubrics:diff", args=[draft.pk]), {"against": published.pk}).content.decode()
    assert "纪检机构 · 考评方式" in diff and "未设纪检委员扣2分。" in diff and "未设纪检委员不得分。" in diff
    client.post(reverse("rubrics:publish", args=[draft.pk]))
    assert Rubric.objects.get(pk=draft.pk).status == Status.PUBLISHED
    assert Rubric.objects.get(pk=published.pk).status == Status.PUBLISHED


def test_a_published_version_has_no_edit_page(client_for, published):
    response = client_for("county_admin").get(reverse("rubrics:edit", args=[published.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "rubrics:detail", args=[published.pk]
    )


def test_binding_from_the_list(client_for, published):
    client = client_for("county_admin")
    client.post(reverse("rubrics:bind"), {"domain": "village", "rubric": published.pk})
    assert published.bindings.get().domain == "village"
    response = client.post(
        reverse("rubrics:bind"), {"domain": "nowhere", "rubric": published.pk}, follow=True
    )
    assert "请选择领域" in response.content.decode()


def test_the_editor_changes_the_attributes_of_a_draft(client_for, draft):
    client = client_for("county_admin")
    data = {
        "name": "新名称",
        "total": "10",
        "scheme": "three-class",
        "domains": ["organ"],
        "description": "说明",
    }
    assert client.post(reverse("rubrics:edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.scheme, draft.domains) == ("新名称", "three-class", ["organ"])
    bad = client.post(reverse("rubrics:edit", args=[draft.pk]), {**data, "domains": ["nowhere"]})
    assert "适用领域：选择一个有效的选项" in bad.content.decode()
    draft.refresh_from_db()
    assert draft.domains == ["organ"]
