"""chuangyou.lib.throttle: public code look-ups per address, counted before they are made."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from chuangyou.core.models import LookupCounter
from chuangyou.lib import throttle

pytestmark = pytest.mark.django_db


def request_from(address="203.0.113.7", session=None, **meta):
    request = RequestFactory().get("/", REMOTE_ADDR=address, **meta)
    request.session = session if session is not None else SessionStore()
    return request


def miss(request, page="evaluation"):
    throttle.start(request, page)  # counted as a failure unless found


def test_ten_misses_then_every_look_up_is_refused_in_chinese(settings):
    request = request_from()
    for _ in range(settings.PUBLIC_LOOKUP_FAILURE_LIMIT):
        miss(request)
    with pytest.raises(throttle.Throttled) as refused:
        throttle.start(request, "evaluation")
    assert str(refused.value) == "查询过于频繁，请15分钟后再试"
    assert LookupCounter.objects.get().failures == 10  # refusals are not counted


def test_a_found_code_is_not_a_failure(settings):
    request = request_from()
    for n in range(30):
        throttle.start(request, "evaluation").found(f"CODE{n}")
    counter = LookupCounter.objects.get()
    assert (counter.lookups, counter.failures) == (30, 0)


def test_all_look_ups_are_limited_too(settings):
    settings.PUBLIC_LOOKUP_LIMIT = 5
    request = request_from()
    for n in range(5):
        throttle.start(request, "objection").found(f"CODE{n}")
    with pytest.raises(throttle.Throttled):
        throttle.start(request, "objection")


def test_the_limit_holds_per_address_and_per_page(settings):
    for _ in range(10):
        miss(request_from("203.0.113.7"))
    with pytest.raises(throttle.Throttled):
        miss(request_from("203.0.113.7"))
    miss(request_from("203.0.113.8"))  # another address
    miss(request_from("203.0.113.7"), page="objection")  # another page


def test_the_address_is_the_client_s_behind_a_trusted_proxy(settings):
    settings.PROXY_COUNT = 1
    for n in range(10):
        miss(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.23"))
    with pytest.raises(throttle.Throttled):
        miss(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.23"))
    miss(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.24"))
    # Only a keyed hash of the address is kept.
    assert not LookupCounter.objects.filter(source_hash__contains="198.51").exists()
    assert LookupCounter.objects.filter(source_hash=throttle.address_hash("198.51.100.23")).exists()


def test_the_window_passes(monkeypatch):
    start = timezone.now()
    monkeypatch.setattr(throttle.timezone, "now", lambda: start)
    for _ in range(10):
        miss(request_from())
    monkeypatch.setattr(throttle.timezone, "now", lambda: start + dt.timedelta(minutes=14))
    with pytest.raises(throttle.Throttled):
        miss(request_from())
    monkeypatch.setattr(throttle.timezone, "now", lambda: start + dt.timedelta(minutes=15))
    miss(request_from())
    counter = LookupCounter.objects.get()
    assert (counter.lookups, counter.failures) == (1, 1)


def test_counters_unused_for_a_day_are_deleted(monkeypatch):
    start = timezone.now()
    monkeypatch.setattr(throttle.timezone, "now", lambda: start)
    miss(request_from("203.0.113.7"))
    monkeypatch.setattr(throttle.timezone, "now", lambda: start + dt.timedelta(days=2))
    miss(request_from("203.0.113.8"))
    assert list(LookupCounter.objects.values_list("source_hash", flat=True)) == [
        throttle.address_hash("203.0.113.8")
    ]


def test_a_code_found_is_remembered_in_the_session_only():
    session = SessionStore()
    throttle.start(request_from(session=session), "evaluation").found("7K3M9QXR")
    assert throttle.remembered(request_from(session=session), "evaluation", "7K3M9QXR")
    assert not throttle.remembered(request_from(session=session), "objection", "7K3M9QXR")
    assert not throttle.remembered(request_from(), "evaluation", "7K3M9QXR")
