"""`chuangyou serve` keeps the background worker alive: a dead worker is restarted after a pause that
grows while it keeps dying young, and stopped with the server. Fake processes and a fake clock for
the loop; one real process killed with SIGKILL; the command itself with fake processes."""

import os
import signal
import subprocess
import sys

import pytest

from chuangyou.core import supervisor as supervision
from chuangyou.core.management.commands import serve
from chuangyou.core.supervisor import WorkerSupervisor, exit_text


class FakeProcess:
    """A process that lives until it is killed (or told to stop, unless `stubborn`)."""

    next_pid = 1000

    def __init__(self, argv=(), stubborn=False, **kwargs):
        FakeProcess.next_pid += 1
        self.pid, self.argv, self.stubborn = FakeProcess.next_pid, list(argv), stubborn
        self.returncode = None
        self.signals = []

    def poll(self):
        return self.returncode

    def die(self, code=-signal.SIGKILL):
        self.returncode = code

    def terminate(self):
        self.signals.append("TERM")
        if not self.stubborn:
            self.die(0)

    def kill(self):
        self.signals.append("KILL")
        self.die()

    def wait(self, timeout=None):
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.argv, timeout)
        return self.returncode


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def made():
    return []


@pytest.fixture
def supervisor(clock, made):
    logs = []

    def spawn():
        made.append(FakeProcess())
        return made[-1]

    sup = WorkerSupervisor(
        spawn, log=logs.append, backoff=(1, 5, 30), healthy_after=60, clock=clock, sleep=clock.sleep
    )
    sup.logs = logs
    return sup


def test_a_killed_worker_is_restarted_after_the_pause_and_it_is_logged(supervisor, clock, made):
    supervisor.start()
    supervisor.check()
    assert len(made) == 1 and supervisor.process is made[0]
    clock.now = 10
    made[0].die()  # SIGKILL
    supervisor.check()
    assert supervisor.process is None and supervisor.logs == [
        f"后台任务进程（进程号 {made[0].pid}）已被信号 SIGKILL 终止，1 秒后重新启动"
    ]
    clock.now = 10.5
    supervisor.check()
    assert len(made) == 1  # still pausing
    clock.now = 11
    supervisor.check()
    assert len(made) == 2 and supervisor.process is made[1] and supervisor.restarts == 1
    assert supervisor.logs[-1] == f"后台任务进程已重新启动（进程号 {made[1].pid}，第 1 次）"


def test_the_pause_grows_while_it_dies_young_and_starts_over_after_a_healthy_run(supervisor, clock, made):
    supervisor.start()
    pauses = []
    for lived in (2, 2, 2, 2, 120, 2):
        clock.now += lived
        made[-1].die(1)
        supervisor.check()
        pauses.append(supervisor.logs[-1].split("，")[-1])
        supervisor.run(until=lambda: len(made) > len(pauses), every=0.5)
    assert pauses == ["1 秒后重新启动", "5 秒后重新启动", "30 秒后重新启动", "30 秒后重新启动"] + [
        "1 秒后重新启动",  # it had run 2 minutes: healthy
        "1 秒后重新启动",
    ]
    assert "已退出（退出码 1），1 秒后重新启动" in supervisor.logs[0]


def test_stop_asks_then_kills_and_nothing_restarts_after(clock, made):
    logs = []

    def spawn():
        made.append(FakeProcess(stubborn=True))
        return made[-1]

    sup = WorkerSupervisor(spawn, log=logs.append, clock=clock, sleep=clock.sleep)
    sup.start()
    sup.stop(timeout=0.1)
    assert made[0].signals == ["TERM", "KILL"] and "0.1 秒内没有停止，已强制结束" in logs[-1]
    clock.now = 1000
    sup.check()
    assert len(made) == 1 and sup.process is None


def test_run_gives_up_after_its_timeout(supervisor, clock):
    supervisor.start()
    assert supervisor.run(until=lambda: False, every=1, timeout=5) is False
    assert clock.now == 5
    assert supervisor.run(until=lambda: True) is True


def test_exit_texts():
    assert exit_text(0) == "退出（退出码 0）" and exit_text(3) == "退出（退出码 3）"
    assert exit_text(-9) == "被信号 SIGKILL 终止" and exit_text(-15) == "被信号 SIGTERM 终止"


def test_a_real_worker_process_killed_is_replaced_by_a_new_one():
    logs = []

    def spawn():
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603

    sup = WorkerSupervisor(spawn, log=logs.append, backoff=(0.1,))
    sup.start()
    try:
        first = sup.process
        os.kill(first.pid, signal.SIGKILL)
        assert sup.run(
            until=lambda: sup.process is not None and sup.process is not first, every=0.05, timeout=5
        )
        second = sup.process
        assert second.poll() is None and first.wait(1) == -signal.SIGKILL
        assert "已被信号 SIGKILL 终止" in logs[0] and "第 1 次" in logs[1]
    finally:
        sup.stop(timeout=5)
    assert second.wait(1) == -signal.SIGTERM


# --- The serve command ----------------------------------------------------------------------------


@pytest.fixture
def fake_popen(monkeypatch):
    """serve's Popen gives fake processes: the server (gunicorn) and each worker."""
    made = []

    def popen(argv, **kwargs):
        made.append(FakeProcess(argv))
        return made[-1]

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(supervision, "BACKOFF", (0.01,))
    return made


def workers(made):
    return [p for p in made if p.argv[-3:] == ["worker", "--verbosity", "0"]]


def test_serve_restarts_the_worker_and_stops_it_with_the_server(fake_popen, monkeypatch, capsys):
    command = serve.Command()
    ticks = iter(range(1000))
    real_check = WorkerSupervisor.check

    def check(self):
        n = next(ticks)
        if n == 3:
            self.process.die()  # the worker is killed
        if n == 30:
            fake_popen[0].die(0)  # the server ends (as after a stop by its own signal)
        real_check(self)

    monkeypatch.setattr(WorkerSupervisor, "check", check)
    code = command.serve_with_worker(["gunicorn", "chuangyou.wsgi:application"], {})
    server, started = fake_popen[0], workers(fake_popen)
    assert server.argv[0] == "gunicorn" and len(started) == 2
    assert started[0].returncode == -signal.SIGKILL and started[1].signals == ["TERM"]
    assert code == 0
    assert "已被信号 SIGKILL 终止" in capsys.readouterr().err


def test_serve_stops_both_when_it_is_told_to(fake_popen, monkeypatch):
    command = serve.Command()
    real_check, ticks = WorkerSupervisor.check, iter(range(1000))

    def check(self):
        if next(ticks) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # systemctl stop
        real_check(self)

    monkeypatch.setattr(WorkerSupervisor, "check", check)
    before = signal.getsignal(signal.SIGTERM)
    code = command.serve_with_worker(["gunicorn"], {})
    server, (worker,) = fake_popen[0], workers(fake_popen)
    assert server.signals == ["TERM"] and worker.signals == ["TERM"] and code == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_serve_ends_with_the_code_of_a_server_that_died(fake_popen, monkeypatch, capsys):
    real_check = WorkerSupervisor.check

    def check(self):
        fake_popen[0].die(3)
        real_check(self)

    monkeypatch.setattr(WorkerSupervisor, "check", check)
    assert serve.Command().serve_with_worker(["gunicorn"], {}) == 3
    assert "网站进程已退出（退出码 3），创优已停止" in capsys.readouterr().err
    assert workers(fake_popen)[0].signals == ["TERM"]


def test_no_task_worker_runs_the_server_alone(monkeypatch):
    calls = []
    monkeypatch.setattr(serve.subprocess, "run", lambda argv, **kw: calls.append(argv))
    monkeypatch.setattr(serve.subprocess, "Popen", lambda argv, **kw: pytest.fail("no worker"))

    class Replaced(Exception):
        pass

    def execve(path, argv, env):
        calls.append(argv)
        raise Replaced

    monkeypatch.setattr(serve.os, "execve", execve)
    with pytest.raises(Replaced):
        serve.Command().handle(bind="127.0.0.1:8765", workers=1, threads=4, no_task_worker=True)
    assert calls[-1][1] == "chuangyou.wsgi:application" and "127.0.0.1:8765" in calls[-1]
