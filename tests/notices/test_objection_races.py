"""The flood limits hold under concurrency: 30 objections at once from one new address make 5 (the
burst limit), not 10. PostgreSQL runs them in parallel; SQLite's writers are serialized anyway
(IMMEDIATE transactions), so the race is PostgreSQL's."""

import threading

import pytest
from django.db import connection

from chuangyou.notices import services as notices
from chuangyou.notices.models import Objection
from tests.notices.conftest import IN_PERIOD, entry_of, object_to

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes its writers"),
]


def test_thirty_objections_at_once_from_one_address_make_five(published_notice, on_day):
    on_day(IN_PERIOD)
    entries = [
        entry_of(published_notice, code) for code in ("TA01", "TA02", "TB01", "X0000", "X0001", "X0002")
    ]
    start = threading.Barrier(30)
    outcomes = []

    def submit(n):
        from django.db import connections

        try:
            start.wait()
            object_to(entries[n % len(entries)], address="203.0.113.99")
            outcomes.append("taken")
        except notices.NoticeError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("taken") == 5 and outcomes.count("refused") == 25
    assert Objection.objects.filter(source_hash=notices.source_hash("203.0.113.99")).count() == 5
