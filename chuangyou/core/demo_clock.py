"""A stopped clock for writing last year's campaign of the demo county.

The services stamp their rows and audit events with `timezone.now()` and check some dates against it:
a democratic evaluation must close after "now" (`evaluations.services.evaluation_issue`), an answer
counts only while it is open, a notice is reported after its period. Last year's campaign is written
through those same services with the clock set to the day each step would have happened, by patching
`django.utils.timezone.now` (which `timezone.localdate()` and the models' `auto_now` fields read too)
inside `stopped_clock()` only: nothing outside the block sees the patched clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


class StoppedClock:
    def __init__(self, day: dt.date, hour: int = 9):
        self.moment = self._at(day, hour)

    @staticmethod
    def _at(day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def set(self, day: dt.date, hour: int = 9) -> None:
        self.moment = self._at(day, hour)

    def now(self) -> dt.datetime:
        return self.moment


@contextmanager
def stopped_clock(day: dt.date, hour: int = 9) -> Iterator[StoppedClock]:
    """`timezone.now()` answers the clock's moment inside the block; `clock.set(day)` moves it."""
    clock = StoppedClock(day, hour)
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock
