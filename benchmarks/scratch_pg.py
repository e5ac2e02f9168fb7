"""A scratch PostgreSQL database for one benchmark run on 127.0.0.1:5432, dropped afterwards.

    from scratch_pg import ScratchDatabase  # benchmarks/ is the script's folder, so on sys.path

    with ScratchDatabase() as db:   # creates it, points DATABASE_URL at it, runs django.setup + migrate
        ...                         # db.url for a server started in a subprocess

Import this module before anything that reads the settings: `DATABASE_URL` is set on construction.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, from any folder

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class ScratchDatabase:
    def __init__(self, prefix: str = "chuangyou_bench"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.url = f"postgres://postgres@127.0.0.1:5432/{self.name}"
        os.environ["DATABASE_URL"] = self.url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangyou.settings")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> ScratchDatabase:
        self._admin(f'CREATE DATABASE "{self.name}"')
        try:
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connections

        connections.close_all()
        self.drop()

    def drop(self) -> None:
        # WITH (FORCE) ends the connections still open: worker threads', a server's.
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
