"""What one item save costs (its queries), and saves from several threads of one server process at once,
as gunicorn's threaded workers serve them (benchmarks/bench_http_saves.py measures the rate)."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuangyou.assessments.models import Entry, ScoreSheet
from chuangyou.audit.models import AuditEvent
from tests.assessments.conftest import item

# Session, user, scope, sheet, item; the transaction: lock the sheet, lock the entry, write it, the
# totals, the sheet, the audit event; the evidence of the partial (the session's expiry is rewritten
# at most once a minute: accounts/sessions.py). Counted with BEGIN/COMMIT (PostgreSQL) or the test
# transaction's savepoints (SQLite).
SAVE_QUERIES = 14


def save(client, sheet, target, **form):
    return client.post(
        reverse("sheets:entry_save", args=[sheet.pk, target.pk]),
        {"version": "0", **form},
        HTTP_HX_REQUEST="true",
    )


def test_a_new_entry_costs_a_fixed_number_of_queries(client_for, sheet, django_assert_max_num_queries):
    client, target = client_for("branch_secretary"), item(sheet, "设置合理")
    with django_assert_max_num_queries(SAVE_QUERIES):
        body = save(client, sheet, target, **{"count-0": "on"}).content.decode()
    assert "data-saved" in body and "1/4 项" in body


def test_a_changed_entry_costs_the_same(client_for, sheet, django_assert_max_num_queries):
    client = client_for("branch_secretary")
    target = item(sheet, "设置合理")
    save(client, sheet, target)
    with django_assert_max_num_queries(SAVE_QUERIES):
        body = save(client, sheet, target, version="1", **{"count-0": "on"}).content.decode()
    assert "data-saved" in body and "得分 1" in body


def test_a_save_reads_the_sheet_twice_and_writes_a_new_entry_once(client_for, sheet):
    """The view's scope check, then the service's locked read: the partial shows the locked row's new
    totals instead of reading the sheet a third time, the campaign that names the sheet in the audit
    event comes with the lock, and a new entry is one INSERT (not an INSERT, then an UPDATE)."""
    client, target = client_for("branch_secretary"), item(sheet, "设置合理")
    with CaptureQueriesContext(connection) as captured:
        save(client, sheet, target, **{"count-0": "on"})
    sql = [q["sql"] for q in captured]
    assert len([q for q in sql if q.startswith('SELECT "assessments_scoresheet"')]) == 2
    assert not [q for q in sql if 'FROM "campaigns_campaign"' in q]
    assert [q.split()[0] for q in sql if q.split()[:3][-1] == '"assessments_entry"'] == ["INSERT"]


@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="the in-memory SQLite test database locks whole tables between threads (servers run PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_threads_saving_at_once_all_succeed_and_add_up(sheet, personas):
    """One thread per item of every sheet of the round (twelve), each saving its item ten times, version
    after version, the sheets' rows contended: every answer is the saved item, each entry ends at
    version 10 and every sheet's total and count are its entries'. (The view once reloaded the sheet
    with refresh_from_db(), which django-fsm makes unsafe between threads: a save stored its entry and
    still answered 500.)"""
    sheets = list(ScoreSheet.objects.filter(round=sheet.round_id))
    targets = [i for c in sheet.rubric.categories.all() for i in c.items.all()]
    jobs = [(s, t) for s in sheets for t in targets]
    failures = []

    def work(one, target):
        client = Client()
        client.force_login(personas["county_admin"], backend="django.contrib.auth.backends.ModelBackend")
        form = {"score": str(target.max_points)} if target.kind == "discretionary" else {}
        try:
            for version in range(10):
                response = save(client, one, target, version=str(version), note=f"第{version}次", **form)
                if response.status_code != 200 or "data-saved" not in response.content.decode():
                    failures.append((target.name, version, response.status_code))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append((target.name, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    for one in sheets:
        one.refresh_from_db()
        entries = list(Entry.objects.filter(sheet=one))
        assert sorted(e.version for e in entries) == [10] * len(targets)
        assert one.items_done == len(targets) and one.total == sum(e.result for e in entries)
    assert AuditEvent.objects.filter(verb="sheet.entry_save").count() == 10 * len(jobs)
