"""Doing something every few seconds in a background thread while the main thread works (a grading
run's heartbeat during a long step, the worker's check for interrupted runs)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger(__name__)


class Ticker:
    """Calls `action` every `interval` seconds until the `with` block ends or `action` returns False.

    A failing call is logged and the next one tried: a heartbeat must not end the work it reports on.
    The thread's own database connection is closed when it stops."""

    def __init__(self, action: Callable[[], bool | None], interval: float, name: str = "ticker"):
        self.action, self.interval = action, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        # A call stuck on a locked database must not hold up the work that has ended.
        self._thread.join(timeout=max(self.interval, 1.0))

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if self.action() is False:
                        return
                except Exception:
                    logger.exception("%s failed", self._thread.name)
        finally:
            connections.close_all()  # this thread's connections only
