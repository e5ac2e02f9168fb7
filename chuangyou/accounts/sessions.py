"""Database sessions whose idle timeout is pushed forward at most once a minute.

`SESSION_SAVE_EVERY_REQUEST` keeps the 30-minute idle timeout by rewriting the session row on every
request: an UPDATE and a commit for each page and each autosave of an item. Rewriting it only when
its last write is a minute old spares that for all but one request a minute; the session then ends
at most a minute before 30 idle minutes are over, never after. A session whose data changed (login,
messages) is saved at once, as before.
"""

from __future__ import annotations

import time

from django.contrib.sessions.backends import db

TOUCHED = "_touched"  # when the row was last written (seconds since the epoch)
TOUCH_EVERY = 60


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        now = int(time.time())
        data = self._get_session(no_load=must_create)
        only_touched = self.session_key and not must_create and not self.modified
        if only_touched and now - data.get(TOUCHED, 0) < TOUCH_EVERY:
            return  # only the idle timeout would move, by less than a minute
        data[TOUCHED] = now
        super().save(must_create)
