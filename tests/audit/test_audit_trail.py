"""The audit trail is append-only, scoped, and readable by the county admin and the auditor."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from chuangyou.audit.models import AppendOnlyError, AuditEvent
from chuangyou.orgs import services


@pytest.fixture
def event(tree, personas):
    org = tree["a1"]
    services.org_update(
        actor=personas["county_admin"], org=org, data={"full_members": 15}, version=org.version
    )
    return AuditEvent.objects.get(verb="org.update")


def test_an_event_says_who_when_where_before_and_after(client_for, tree):
    client = client_for("county_admin")
    org = tree["a1"]
    data = {
        "code": org.code,
        "name": "甲一村新党支部",
        "kind": org.kind,
        "domain": org.domain,
        "full_members": "10",
        "probationary_members": "1",
        "secretary_name": "王建国",
        "secretary_phone": "13812341234",
        "founded": "",
        "version": org.version,
    }
    client.post(reverse("orgs:edit", args=[org.pk]), data, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(verb="org.update")
    assert event.actor.username == "p_admin"
    assert event.ip == "10.1.2.3"
    assert event.before == {"name": "甲一村党支部"} and event.after == {"name": "甲一村新党支部"}
    assert event.created_at is not None


def test_the_orm_refuses_to_change_or_delete_an_event(event):
    event.note = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_behind_the_orm(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET note = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite refuses deletes in the ORM only (see migration)"
)
def test_postgresql_refuses_a_delete_behind_the_orm(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("county_admin", 200),
        ("auditor", 200),
        ("leading_group", 403),
        ("township_reviewer", 403),
        ("branch_secretary", 403),
    ],
)
def test_only_the_admin_and_the_auditor_read_the_trail(client_for, event, persona, status):
    response = client_for(persona).get(reverse("audit:list"))
    assert response.status_code == status
    if status == 200:
        assert "甲一村党支部" in response.content.decode()


def test_the_trail_filters_by_verb_actor_and_target(client_for, event):
    client = client_for("auditor")
    assert "甲一村党支部" in client.get(reverse("audit:list"), {"verb": "org.update"}).content.decode()
    assert "没有符合条件的记录" in client.get(reverse("audit:list"), {"verb": "org.move"}).content.decode()
    assert "没有符合条件的记录" in client.get(reverse("audit:list"), {"actor": "nobody"}).content.decode()
    assert "甲一村党支部" in client.get(reverse("audit:list"), {"target": "甲一"}).content.decode()


def test_the_admin_site_cannot_change_events(event, personas):
    from django.contrib.admin.sites import site

    admin = site._registry[AuditEvent]

    class Request:
        user = personas["county_admin"]

    assert not admin.has_change_permission(Request(), event)
    assert not admin.has_delete_permission(Request(), event)
    assert not admin.has_add_permission(Request())


def test_the_trail_reads_in_chinese(client_for, tree, personas):
    """Each key by its field's Chinese name, each state by its label, yes/no and lists written out."""
    from chuangyou.audit.services import record

    record(
        actor=personas["county_admin"],
        verb="sheet.submit",
        target=tree["a1"],
        organization=tree["a1"],
        before={"status": "active", "kind": "branch", "proposed": ["甲一村党支部"]},
        after={"status": "dissolved", "full_members": 12, "secretary_name": "", "quota_breaches": []},
    )
    body = client_for("auditor").get(reverse("audit:list")).content.decode()
    assert "状态：正常<br>" in body and "组织类别：党支部<br>" in body and "推荐优秀：甲一村党支部" in body
    assert "状态：已撤销<br>" in body and "正式党员数：12" in body and "书记姓名：（空）" in body
    assert "突破名额：（无）" in body and "status:" not in body


def test_an_item_save_reads_field_by_field(client_for, december, tree, personas, on_day):
    """An item's save shows each changed input by its name on the sheet, counts as 情形×次数; the
    counts of a grading run keep their own name."""
    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.assessments.scoring import EntryData
    from chuangyou.assessments.services import entry_save
    from chuangyou.audit.services import record

    sheet = ScoreSheet.objects.get(round=december, organization=tree["a1"])
    item = sheet.rubric.categories.get(items__name="主题党日").items.get(name="主题党日")
    data = EntryData(counts={"每少开1次": 2}, reason="少开主题党日", note="见会议记录")
    entry_save(actor=personas["branch_secretary"], sheet=sheet, item=item, data=data, version=0)
    record(
        actor=None,
        verb="grading.finish",
        target=sheet,
        organization=tree["a1"],
        after={"counts": {"优秀": 1}},
    )
    body = client_for("auditor").get(reverse("audit:list")).content.decode()
    before = "评分项：主题党日<br>扣分情况：（无）<br>理由：（空）<br>说明：（空）<br>得分：（空）<br>"
    after = (
        "评分项：主题党日<br>扣分情况：每少开1次×2<br>理由：少开主题党日<br>说明：见会议记录<br>得分：1<br>"
    )
    assert before in body and after in body and "计分说明：每少开1次2次，扣1分" in body
    assert "各等级个数：优秀：1" in body
    assert "item：" not in body and "counts：" not in body and "note：" not in body
