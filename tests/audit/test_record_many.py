"""`record_many`: the bulk writer for imports writes the same events as `record`, with plain INSERTs."""

import datetime as dt

import pytest

from chuangyou.audit.models import AppendOnlyError, AuditEvent
from chuangyou.audit.services import EventData, record, record_many
from chuangyou.core import request_context

COMPARED = (
    "actor_id", "actor_name", "verb", "target_type", "target_id", "target_label",
    "organization_id", "before", "after", "note", "ip",
)  # fmt: skip


@pytest.fixture
def client_ip():
    token = request_context.set_ip("10.1.2.3")
    yield "10.1.2.3"
    request_context.reset(token)


def fields(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in COMPARED}


def test_it_writes_what_record_writes(tree, personas, client_ip):
    org, user = tree["a1"], personas["county_admin"]
    details = {"before": {"full_members": 10}, "after": {"full_members": 15}, "note": "Excel导入"}
    by_record = record(actor=user, verb="org.update", target=org, organization=org, **details)
    event = EventData.about(org, "org.update", organization_id=org.pk, **details)
    assert record_many([event], actor=user) == 1
    by_record_many = AuditEvent.objects.latest("id")
    assert by_record_many.pk != by_record.pk
    assert fields(by_record_many) == fields(AuditEvent.objects.get(pk=by_record.pk))
    assert fields(by_record_many) == {
        "actor_id": user.pk,
        "actor_name": "p_admin",
        "verb": "org.update",
        "target_type": "orgs.organization",
        "target_id": str(org.pk),
        "target_label": "甲一村党支部",
        "organization_id": org.pk,
        "before": {"full_members": 10},
        "after": {"full_members": 15},
        "note": "Excel导入",
        "ip": "10.1.2.3",
    }


def test_events_of_one_call_share_actor_address_and_time(tree):
    org_id = tree["a1"].pk
    events = (EventData("org.create", "orgs.organization", n, f"第{n}党支部", org_id) for n in range(5))
    assert record_many(events, actor=None, batch_size=2) == 5
    written = AuditEvent.objects.order_by("id")
    assert [e.target_id for e in written] == ["0", "1", "2", "3", "4"]
    assert {(e.actor_id, e.actor_name, e.ip, e.created_at) for e in written} == {
        (None, "系统", None, written[0].created_at)
    }
    assert written[0].created_at is not None and written[0].before is None and written[0].after is None


def test_values_are_cut_to_their_columns_and_dates_stored_as_json(db):
    event = EventData(
        "org.update",
        "orgs.organization",
        7,
        "名" * 300,
        before={"founded": dt.date(2001, 7, 1)},
        note="说" * 600,
    )
    record_many([event], actor=None)
    stored = AuditEvent.objects.get()
    assert (len(stored.target_label), len(stored.note)) == (200, 500)
    assert stored.before == {"founded": "2001-07-01"} and stored.organization_id is None


def test_nothing_to_write_writes_nothing(db):
    assert record_many([], actor=None) == 0
    assert not AuditEvent.objects.exists()


def test_events_written_in_bulk_are_append_only_too(tree):
    record_many([EventData.about(tree["a1"], "org.create")], actor=None)
    event = AuditEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="篡改")
