"""Limits on public code look-ups (民主测评码, 异议查询码) per client address.

Both codes are long random strings, but a public page that says "found" or "not found" invites
guessing. From one address, within a window of `PUBLIC_LOOKUP_WINDOW_MINUTES`, at most
`PUBLIC_LOOKUP_FAILURE_LIMIT` look-ups may find nothing and at most `PUBLIC_LOOKUP_LIMIT` may be
made; past either, every look-up from that address is refused, a right code too, until the window
passes. The limit on all look-ups is high because a meeting room's phones share one address.

A code found once is remembered in the visitor's session: going on with it (answering the
questionnaire, the thanks page after an objection) is not a look-up, so a voter who already has
the questionnaire open is not stopped by someone else guessing on the same network.

Concurrency: each look-up is counted as a failure *before* it is made, by one conditional UPDATE
(atomic on PostgreSQL and SQLite), and given back when it finds its code. So 30 wrong guesses at
once make at most the limit, never 30. Only a keyed hash of the address is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chuangyou.core.middleware import client_ip
from chuangyou.core.models import LookupCounter

STALE_AFTER = dt.timedelta(days=1)  # counters not used for this long are deleted
REMEMBERED_MAX = 50  # codes kept in one session


def message() -> str:
    return f"查询过于频繁，请{settings.PUBLIC_LOOKUP_WINDOW_MINUTES}分钟后再试"


class Throttled(Exception):
    """Too many look-ups from this address: refuse without looking the code up."""

    def __init__(self):
        super().__init__(message())


def address_hash(address: str) -> str:
    """A keyed hash of a client address: counts without keeping the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


@dataclass
class Lookup:
    """One look-up allowed and counted as a failure until `found` says otherwise."""

    request: object
    page: str
    counter_pk: int

    def found(self, code: str) -> None:
        """The code exists: the look-up is not a failure, and the session may go on with it."""
        LookupCounter.objects.filter(pk=self.counter_pk, failures__gt=0).update(failures=F("failures") - 1)
        remember(self.request, self.page, code)


def start(request, page: str) -> Lookup:
    """Count a look-up from the request's address on `page`, or raise `Throttled`."""
    now = timezone.now()
    window = dt.timedelta(minutes=settings.PUBLIC_LOOKUP_WINDOW_MINUTES)
    pk = _counter(page, address_hash(client_ip(request) or ""), now)
    counters = LookupCounter.objects.filter(pk=pk)
    # A window that has passed starts again; concurrent requests reset it once (the condition is
    # evaluated again once the row lock is obtained).
    counters.filter(window_start__lte=now - window).update(window_start=now, lookups=0, failures=0)
    taken = counters.filter(
        lookups__lt=settings.PUBLIC_LOOKUP_LIMIT, failures__lt=settings.PUBLIC_LOOKUP_FAILURE_LIMIT
    ).update(lookups=F("lookups") + 1, failures=F("failures") + 1)
    if not taken:
        raise Throttled
    return Lookup(request, page, pk)


def _counter(page: str, source: str, now) -> int:
    found = LookupCounter.objects.filter(page=page, source_hash=source).values_list("pk", flat=True).first()
    if found:
        return found
    LookupCounter.objects.filter(window_start__lt=now - STALE_AFTER).delete()
    try:
        with transaction.atomic():
            return LookupCounter.objects.create(page=page, source_hash=source, window_start=now).pk
    except IntegrityError:  # created meanwhile by a concurrent look-up from the same address
        return LookupCounter.objects.get(page=page, source_hash=source).pk


def _session_key(page: str) -> str:
    return f"lookup_found_{page}"


def remember(request, page: str, code: str) -> None:
    codes = [c for c in request.session.get(_session_key(page), []) if c != code]
    request.session[_session_key(page)] = [*codes, code][-REMEMBERED_MAX:]


def remembered(request, page: str, code: str) -> bool:
    """Found before in this session (a look-up of it is not counted again)."""
    return code in request.session.get(_session_key(page), [])
