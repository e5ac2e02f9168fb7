"""Versions, publishing, immutability, bindings and their audit events."""

from decimal import Decimal

import pytest

from chuangyou.audit.models import AuditEvent
from chuangyou.rubrics import services
from chuangyou.rubrics.models import Category, DomainBinding, ImmutableError, Item, Rubric, Status
from chuangyou.rubrics.queries import spec_of, with_content
from chuangyou.rubrics.spec import ItemSpec
from tests.rubrics.conftest import small_spec


def stored_spec(rubric):
    return spec_of(with_content(Rubric.objects.filter(pk=rubric.pk)).get())


def test_it_stores_a_spec_and_gives_it_back(draft):
    assert stored_spec(draft) == small_spec()
    assert draft.version == 1 and draft.status == Status.DRAFT


def test_it_keeps_the_parse_of_each_method(draft):
    item = Item.objects.get(category__rubric=draft, name="设置合理")
    assert item.zero_out == ["组织设置不规范"]
    assert item.rules == [{"text": "未进行摸底排查", "points": "1", "per_occurrence": False}]
    assert Item.objects.get(category__rubric=draft, name="三会一课").kind == "discretionary"
    assert Item.objects.get(category__rubric=draft, name="主题党日").rules[0]["per_occurrence"] is True


def test_publishing_is_refused_with_named_errors_when_points_do_not_add_up(personas):
    spec = small_spec(total=Decimal(12))
    rubric = services.rubric_create(actor=personas["county_admin"], spec=spec)
    with pytest.raises(services.RubricError) as refusal:
        services.rubric_publish(actor=personas["county_admin"], rubric=rubric)
    assert "各类型分值合计10分，与总分12分不符" in refusal.value.errors
    assert Rubric.objects.get(pk=rubric.pk).status == Status.DRAFT


def test_a_published_version_never_changes(published):
    item = Item.objects.filter(category__rubric=published).first()
    item.max_points = Decimal(3)
    with pytest.raises(ImmutableError):
        item.save()
    with pytest.raises(ImmutableError):
        item.delete()
    with pytest.raises(ImmutableError):
        Category.objects.filter(rubric=published).first().save()
    rubric = Rubric.objects.get(pk=published.pk)
    rubric.name = "改名"
    with pytest.raises(ImmutableError):
        rubric.save()


def test_editing_services_refuse_a_published_version(published, personas):
    category = Category.objects.filter(rubric=published).first()
    with pytest.raises(services.RubricError, match="修订为新版本"):
        services.item_save(
            actor=personas["county_admin"],
            category=category,
            item=None,
            data=ItemSpec("新项目", Decimal(1), (), "扣1分"),
        )


def test_a_new_draft_copies_the_published_version(published, personas):
    draft = services.rubric_new_draft(actor=personas["county_admin"], rubric=published)
    assert draft.version == 2 and draft.based_on == published and draft.status == Status.DRAFT
    assert stored_spec(draft) == stored_spec(published)


def test_item_edits_are_audited_with_before_and_after(draft, personas):
    item = Item.objects.get(category__rubric=draft, name="纪检机构")
    services.item_save(
        actor=personas["county_admin"],
        category=item.category,
        item=item,
        data=ItemSpec("纪检机构", Decimal(2), ("设纪检委员。",), "未设纪检委员不得分。"),
    )
    event = AuditEvent.objects.filter(verb="rubric.item_save").get()
    assert event.before["method"] == "未设纪检委员扣2分。"
    assert event.after["method"] == "未设纪检委员不得分。"
    assert Item.objects.get(pk=item.pk).zero_out == ["未设纪检委员"]


def test_duplicate_item_names_are_refused(draft, personas):
    category = Category.objects.get(rubric=draft, name="党内组织生活")
    with pytest.raises(services.RubricError, match="已存在"):
        services.item_save(
            actor=personas["county_admin"],
            category=category,
            item=None,
            data=ItemSpec("设置合理", Decimal(1), (), "扣1分"),
        )


def test_binding_needs_a_published_version(draft, published, personas):
    with pytest.raises(services.RubricError, match="只能绑定已发布的版本"):
        services.domain_bind(actor=personas["county_admin"], domain="village", rubric=draft)
    services.domain_bind(actor=personas["county_admin"], domain="village", rubric=published)
    assert DomainBinding.objects.get(domain="village").rubric == published
    assert AuditEvent.objects.filter(verb="rubric.bind").count() == 1


def test_a_bound_version_cannot_be_retired(published, personas):
    services.domain_bind(actor=personas["county_admin"], domain="village", rubric=published)
    with pytest.raises(services.RubricError, match="村"):
        services.rubric_retire(actor=personas["county_admin"], rubric=published)
    DomainBinding.objects.all().delete()
    services.rubric_retire(actor=personas["county_admin"], rubric=published)
    assert Rubric.objects.get(pk=published.pk).status == Status.RETIRED


def test_a_draft_can_be_discarded_but_a_published_one_cannot(draft, published, personas):
    services.rubric_discard(actor=personas["county_admin"], rubric=draft)
    assert not Rubric.objects.filter(pk=draft.pk).exists()
    with pytest.raises(services.RubricError):
        services.rubric_discard(actor=personas["county_admin"], rubric=published)
    assert AuditEvent.objects.filter(verb="rubric.discard").count() == 1


def test_no_admin_page_can_change_rubric_content():
    from django.contrib.admin.sites import site

    from chuangyou.rubrics import models

    editable = [m for m in (models.Rubric, models.Category, models.Item, models.Veto) if m in site._registry]
    assert editable == []


def test_the_defaults_load_once_and_bind_each_domain(db):
    from chuangyou.rubrics.defaults import load_defaults
    from chuangyou.rubrics.models import Checklist, SituationList

    first = load_defaults()
    assert all(d.created for d in first)
    assert not any(d.created for d in load_defaults())
    assert Rubric.objects.filter(status=Status.PUBLISHED).count() == 4
    bound = dict(DomainBinding.objects.values_list("domain", "rubric__code"))
    assert bound["village"] == bound["community"] == "village"
    assert bound["organ"] == "organ" and bound["school"] == "organ-2012"
    assert bound["private_enterprise"] == "liangxin"
    assert Checklist.objects.get().criteria.count() == 42
    assert SituationList.objects.get().situations.count() == 10
