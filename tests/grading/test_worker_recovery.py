"""A real worker killed with SIGKILL in the middle of a run. The supervisor `chuangyou serve` uses
starts a new worker, whose check stops the dead run with its reason within the (shortened) heartbeat
settings, with no one opening a page; the run is not run again, and the next run, started from the
page, is graded by the new worker. About 10 seconds.

The worker is a subprocess, so it needs a database this test can share: PostgreSQL's test database
as it is, or SQLite's in-memory one copied to a file that this thread then uses too."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chuangyou.audit.models import AuditEvent
from chuangyou.core.supervisor import WorkerSupervisor
from chuangyou.grading import services as grading
from chuangyou.grading.models import GradingRun, RunResult, RunState

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
HEARTBEAT, DEAD = 0.2, 1.5  # seconds; 15 and 60 in production


@contextmanager
def database_for_the_worker(tmp_path):
    """A DATABASE_URL for the worker holding what the test wrote; this thread's ORM uses it meanwhile."""
    memory = connections["default"]
    db = memory.settings_dict
    if memory.vendor == "postgresql":
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        yield f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    shared = type(memory)({**db, "NAME": str(path)}, "default")
    connections["default"] = shared  # the in-memory one stays open, for the teardown's flush
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = memory


def state(run):
    return GradingRun.objects.values_list("state", "step").get(pk=run.pk)


def test_a_killed_worker_is_replaced_and_its_run_stopped_without_anyone_looking(
    three, campaign, personas, settings, tmp_path, client_for
):
    settings.GRADING_INLINE_MAX, settings.GRADING_DEAD_SECONDS = 0, DEAD
    first = grading.run_start(actor=personas["county_admin"], campaign=campaign)
    assert first.state == RunState.QUEUED
    slow = tmp_path / "slow"
    slow.touch()
    log = (tmp_path / "worker.log").open("w")
    with database_for_the_worker(tmp_path) as url:
        env = dict(
            os.environ,
            DATABASE_URL=url,
            CHUANGYOU_VAR_DIR=str(tmp_path / "var"),
            CHUANGYOU_GRADING_HEARTBEAT_SECONDS=str(HEARTBEAT),
            CHUANGYOU_GRADING_DEAD_SECONDS=str(DEAD),
            SLOW_GRADING_FLAG=str(slow),
            SLOW_GRADING_SECONDS="60",
        )
        command = [sys.executable, "-m", "tests.grading.slow_worker"]
        notes = []
        supervisor = WorkerSupervisor(
            lambda: subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT),  # noqa: S603
            log=notes.append,
            backoff=(0.2,),
        )
        supervisor.start()
        try:

            def logs():
                log.flush()
                return (tmp_path / "worker.log").read_text() + "\n".join(notes)

            # The worker claims the run and stays in its long grading step.
            assert supervisor.run(lambda: state(first)[1] == "计算等级", every=0.1, timeout=20), logs()
            killed = supervisor.process
            step_began = time.monotonic()
            supervisor.run(lambda: time.monotonic() - step_began > 2 * DEAD, every=0.1)
            run = GradingRun.objects.get(pk=first.pk)
            assert run.state == RunState.RUNNING and not grading.is_dead(run, timezone.now()), logs()

            os.kill(killed.pid, signal.SIGKILL)
            slow.unlink()
            killed_at = time.monotonic()
            stopped = supervisor.run(lambda: state(first)[0] == RunState.FAILED, every=0.1, timeout=15)
            assert stopped, logs()
            assert time.monotonic() - killed_at < 10
            run.refresh_from_db()
            assert run.interrupted and run.error == "后台任务进程中断，定级已停止，可重新定级"
            assert supervisor.restarts == 1 and supervisor.process.poll() is None
            assert supervisor.process.pid != killed.pid and "已被信号 SIGKILL 终止" in notes[0]
            event = AuditEvent.objects.get(verb="grading.fail")
            assert event.actor_name == "系统" and event.note == grading.INTERRUPTED
            # Its job is not delivered again: the run stays stopped, with no results.
            assert DBTaskResult.objects.get().status == "RUNNING"
            supervisor.run(lambda: False, every=0.1, timeout=1)
            assert state(first) == (RunState.FAILED, "后台进程中断") and not RunResult.objects.exists()

            client = client_for("county_admin")
            body = client.get(reverse("grading:run", args=[first.pk])).content.decode()
            assert "后台任务进程中断，定级已停止，可重新定级" in body and 'data-testid="restart-run"' in body
            client.post(reverse("grading:start", args=[campaign.pk]))
            second = GradingRun.objects.get(number=2)
            finished = AuditEvent.objects.filter(verb="grading.finish")  # written after the state
            graded = supervisor.run(lambda: finished.exists(), every=0.1, timeout=15)
            assert graded, logs()
            assert state(second)[0] == RunState.DONE and finished.get().target_id == str(second.pk)
            assert RunResult.objects.filter(run=second).count() == 3
        finally:
            supervisor.stop(timeout=5)
            log.close()
