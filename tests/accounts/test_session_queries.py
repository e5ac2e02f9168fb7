"""The idle timeout's session write: at most once a minute, never later than 30 idle minutes."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts import sessions


def session_writes(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q for q in captured if q["sql"].startswith('UPDATE "django_session"')]


def test_a_second_request_within_a_minute_does_not_rewrite_the_session(client_for):
    client = client_for("branch_secretary")
    client.get(reverse("workbench"))
    assert session_writes(client, reverse("workbench")) == []


def test_a_minute_later_the_idle_timeout_moves_on(client_for, monkeypatch):
    client = client_for("branch_secretary")
    client.get(reverse("workbench"))
    later = sessions.time.time() + sessions.TOUCH_EVERY + 1
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    before = Session.objects.get().expire_date
    assert len(session_writes(client, reverse("workbench"))) == 1
    assert Session.objects.get().expire_date > before


def test_the_session_never_outlives_thirty_idle_minutes(client_for):
    client = client_for("branch_secretary")
    for _ in range(3):
        asked = timezone.now()
        client.get(reverse("workbench"))
        assert Session.objects.get().expire_date <= asked + dt.timedelta(minutes=30, seconds=1)


def test_changed_data_is_saved_at_once(db):
    store = sessions.SessionStore()
    store["kept"] = 1
    store.save()
    again = sessions.SessionStore(store.session_key)
    again["kept"]  # noqa: B018 - read, as a request does
    with CaptureQueriesContext(connection) as unchanged:
        again.save()
    again["kept"] = 2
    with CaptureQueriesContext(connection) as changed:
        again.save()
    assert len(unchanged) == 0 and len(changed) >= 1
    assert sessions.SessionStore(store.session_key)["kept"] == 2
