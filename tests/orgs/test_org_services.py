"""Creating, editing, moving and dissolving organizations: rules, audit, and concurrency."""

import pytest

from chuangyou.audit.models import AuditEvent
from chuangyou.orgs import services
from chuangyou.orgs.models import Domain, Kind, Organization, Status

NEW_BRANCH = {
    "code": "TA03",
    "name": "甲三村党支部",
    "kind": Kind.BRANCH,
    "domain": Domain.VILLAGE,
    "full_members": 12,
    "probationary_members": 1,
    "secretary_name": "李秀英",
    "secretary_phone": "13900001111",
    "founded": None,
}


def events(verb):
    return AuditEvent.objects.filter(verb=verb)


def test_it_creates_a_branch_and_records_who_did_it(tree, personas):
    org = services.org_create(actor=personas["county_admin"], parent=tree["town_a"], data=NEW_BRANCH)
    assert Organization.objects.get_parent(org).pk == tree["town_a"].pk
    event = events("org.create").get()
    assert event.actor == personas["county_admin"]
    assert event.after["name"] == "甲三村党支部"
    assert event.after["secretary_phone"] == "139****1111"


def test_a_branch_under_a_branch_is_refused(tree, personas):
    with pytest.raises(services.OrgError, match="党支部下不能再设党支部"):
        services.org_create(actor=personas["county_admin"], parent=tree["a1"], data=NEW_BRANCH)
    assert not Organization.objects.filter(code="TA03").exists()
    assert not events("org.create").exists()


def test_a_used_code_is_refused_naming_its_holder(tree, personas):
    with pytest.raises(services.OrgError, match="甲一村党支部"):
        services.org_create(
            actor=personas["county_admin"], parent=tree["town_a"], data={**NEW_BRANCH, "code": "TA01"}
        )


def test_an_edit_records_only_what_changed(tree, personas):
    org = tree["a1"]
    services.org_update(
        actor=personas["county_admin"], org=org, data={"full_members": 15}, version=org.version
    )
    event = events("org.update").get()
    assert event.before == {"full_members": 10}
    assert event.after == {"full_members": 15}
    org.refresh_from_db()
    assert org.version == 2


def test_an_edit_that_changes_nothing_writes_nothing(tree, personas):
    org = tree["a1"]
    services.org_update(actor=personas["county_admin"], org=org, data={"name": org.name}, version=org.version)
    assert not events("org.update").exists()


def test_an_edit_from_a_stale_page_is_refused(tree, personas):
    org = tree["a1"]
    stale = org.version
    services.org_update(actor=personas["county_admin"], org=org, data={"full_members": 15}, version=stale)
    with pytest.raises(services.OrgError, match="已被他人修改"):
        services.org_update(actor=personas["county_admin"], org=org, data={"full_members": 20}, version=stale)
    org.refresh_from_db()
    assert org.full_members == 15


def test_a_kind_change_that_breaks_the_children_is_refused(tree, personas):
    town = tree["town_a"]
    with pytest.raises(services.OrgError, match="党支部下不能再设党支部"):
        services.org_update(
            actor=personas["county_admin"], org=town, data={"kind": Kind.BRANCH}, version=town.version
        )


def test_a_move_is_recorded_explicitly(tree, personas):
    services.org_move(actor=personas["county_admin"], org=tree["a2"], new_parent=tree["town_b"])
    moved = Organization.objects.get(pk=tree["a2"].pk)
    assert Organization.objects.get_parent(moved).pk == tree["town_b"].pk
    event = events("org.move").get()
    assert event.before["parent_code"] == "TA"
    assert event.after["parent_code"] == "TB"
    assert Organization.objects.get(pk=tree["town_a"].pk).numchild == 1
    assert Organization.objects.get(pk=tree["town_b"].pk).numchild == 2


def test_a_move_under_its_own_descendant_is_refused(tree, personas):
    with pytest.raises(services.OrgError, match="自身或其下级"):
        services.org_move(actor=personas["county_admin"], org=tree["town_a"], new_parent=tree["a1"])


def test_a_move_to_the_same_parent_is_refused(tree, personas):
    with pytest.raises(services.OrgError, match="已隶属于"):
        services.org_move(actor=personas["county_admin"], org=tree["a1"], new_parent=tree["town_a"])


def test_dissolving_keeps_the_record_and_needs_a_reason(tree, personas):
    with pytest.raises(services.OrgError, match="原因"):
        services.org_dissolve(
            actor=personas["county_admin"], org=tree["a1"], status=Status.DISSOLVED, reason=" "
        )
    services.org_dissolve(
        actor=personas["county_admin"], org=tree["a1"], status=Status.DISSOLVED, reason="村庄撤并"
    )
    org = Organization.objects.get(pk=tree["a1"].pk)
    assert org.status == Status.DISSOLVED
    assert events("org.dissolve").get().note == "村庄撤并"


def test_dissolving_twice_says_so(tree, personas):
    services.org_dissolve(
        actor=personas["county_admin"], org=tree["a1"], status=Status.DISSOLVED, reason="撤并"
    )
    with pytest.raises(services.OrgError, match="无需重复操作"):
        services.org_dissolve(
            actor=personas["county_admin"], org=tree["a1"], status=Status.DISSOLVED, reason="撤并"
        )
    assert events("org.dissolve").count() == 1


def test_an_org_with_active_children_cannot_be_dissolved(tree, personas):
    with pytest.raises(services.OrgError, match="2个正常状态的下级组织"):
        services.org_dissolve(
            actor=personas["county_admin"], org=tree["town_a"], status=Status.DISSOLVED, reason="x"
        )


def test_nothing_can_be_created_under_a_dissolved_org(tree, personas):
    services.org_dissolve(
        actor=personas["county_admin"], org=tree["b1"], status=Status.DISSOLVED, reason="撤并"
    )
    committee = services.org_create(
        actor=personas["county_admin"],
        parent=tree["town_b"],
        data={**NEW_BRANCH, "code": "TB02", "kind": Kind.GENERAL_BRANCH},
    )
    services.org_dissolve(
        actor=personas["county_admin"], org=committee, status=Status.DISSOLVED, reason="撤并"
    )
    with pytest.raises(services.OrgError, match="”已撤销，不能在其下设立组织"):
        services.org_create(
            actor=personas["county_admin"], parent=Organization.objects.get(pk=committee.pk), data=NEW_BRANCH
        )


def test_a_phone_change_in_the_masked_digits_is_saved(tree, personas):
    org = tree["a1"]
    services.org_update(
        actor=personas["county_admin"], org=org, data={"secretary_phone": "13899991234"}, version=org.version
    )
    org.refresh_from_db()
    assert org.secretary_phone == "13899991234"
    event = events("org.update").get()
    # The trail never holds a full phone number; it still shows that the number changed.
    assert event.before == event.after == {"secretary_phone": "138****1234"}
