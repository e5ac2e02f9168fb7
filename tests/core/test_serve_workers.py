"""`chuangyou serve` sizes gunicorn for the machine (a process per CPU, four threads each), and its
threads keep their database connections."""

import pytest
from django.core.management import call_command

from chuangyou.core.management.commands import serve


@pytest.fixture
def launched(monkeypatch):
    """The gunicorn command line serve would run (nothing is started)."""
    argv = []
    monkeypatch.setattr("subprocess.run", lambda *a, **k: None)
    monkeypatch.setattr("os.execve", lambda path, args, env: argv.extend(args))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("CHUANGYOU_THREADS", raising=False)

    def run(*args):
        argv.clear()
        call_command("serve", "--no-task-worker", *args)
        return {argv[i]: argv[i + 1] for i in range(1, len(argv) - 1) if argv[i].startswith("--")}

    return run


def test_one_worker_per_cpu_with_four_threads(launched, monkeypatch):
    monkeypatch.setattr(serve, "usable_cpus", lambda: 6)
    options = launched()
    assert options["--workers"] == "6" and options["--threads"] == "4"
    assert options["--worker-class"] == "gthread"


def test_at_least_two_workers_and_the_environment_or_options_decide(launched, monkeypatch):
    monkeypatch.setattr(serve, "usable_cpus", lambda: 1)
    assert launched()["--workers"] == "2"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("CHUANGYOU_THREADS", "8")
    assert (launched()["--workers"], launched()["--threads"]) == ("3", "8")
    assert launched("--workers", "5", "--threads", "2")["--threads"] == "2"


def test_each_server_thread_keeps_its_database_connection_checked():
    """A new PostgreSQL backend per request cost more than the save itself (benchmarks/)."""
    from chuangyou import settings as project_settings

    database = project_settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] >= 60 and database["CONN_HEALTH_CHECKS"] is True
