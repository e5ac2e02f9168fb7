"""The look-up limit holds under concurrency: 30 wrong codes at once from one address make 10
look-ups, the rest are refused. PostgreSQL runs them in parallel; SQLite serializes its writers."""

import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory

from chuangyou.core.models import LookupCounter
from chuangyou.lib import throttle

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes its writers"),
]


def test_thirty_wrong_codes_at_once_from_one_address_make_ten_look_ups():
    start = threading.Barrier(30)
    outcomes = []

    def look_up():
        from django.db import connections

        request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.99")
        request.session = SessionStore()
        try:
            start.wait()
            throttle.start(request, "evaluation")  # never found: a guess that misses
            outcomes.append("looked")
        except throttle.Throttled:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=look_up) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("looked") == 10 and outcomes.count("refused") == 20
    counter = LookupCounter.objects.get()
    assert (counter.lookups, counter.failures) == (10, 10)
