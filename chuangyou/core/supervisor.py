"""Keeping the background worker alive beside the web server (`chuangyou serve`).

The supervisor starts the worker, restarts it when it dies (after a pause that grows while it keeps
dying soon after starting, so a worker that cannot start does not spin), and stops it at the end.
It only manages the process; the runs a dead worker left behind are ended by the next worker's check
(`grading.services.stop_dead_runs`)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Protocol

# Seconds to wait before each restart while the worker keeps dying young; the last one repeats.
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
# A worker that ran this long was healthy: its next death starts the backoff over.
HEALTHY_SECONDS = 60.0
# How long the worker may take to stop (it finishes its current task) before it is killed.
STOP_SECONDS = 10.0


class Process(Protocol):
    pid: int

    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


def exit_text(code: int) -> str:
    """How a process ended, in words: a negative code is the signal that killed it."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"被信号 {name} 终止"
    return f"退出（退出码 {code}）"


class WorkerSupervisor:
    def __init__(
        self,
        spawn: Callable[[], Process],
        *,
        log: Callable[[str], None],
        backoff: tuple[float, ...] | None = None,
        healthy_after: float = HEALTHY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.spawn, self.log, self.healthy_after = spawn, log, healthy_after
        self.backoff = backoff or BACKOFF
        self.clock, self.sleep = clock, sleep
        self.process: Process | None = None
        self.restarts = 0
        self._started_at = 0.0
        self._young_deaths = 0  # deaths in a row, each soon after its start
        self._restart_at: float | None = None
        self._stopped = False

    def start(self) -> None:
        self.process = self.spawn()
        self._started_at = self.clock()

    def check(self) -> None:
        """One look at the worker: note its death, restart it once its pause is over."""
        if self._stopped:
            return
        now = self.clock()
        if self.process is not None:
            code = self.process.poll()
            if code is None:
                return
            young = now - self._started_at < self.healthy_after
            self._young_deaths = self._young_deaths + 1 if young else 0
            delay = self.backoff[min(max(self._young_deaths - 1, 0), len(self.backoff) - 1)]
            self.log(f"后台任务进程（进程号 {self.process.pid}）已{exit_text(code)}，{delay:g} 秒后重新启动")
            self.process, self._restart_at = None, now + delay
        if self._restart_at is not None and now >= self._restart_at:
            self._restart_at = None
            self.start()
            self.restarts += 1
            self.log(f"后台任务进程已重新启动（进程号 {self.process.pid}，第 {self.restarts} 次）")

    def run(self, until: Callable[[], bool], *, every: float = 0.5, timeout: float | None = None) -> bool:
        """Check every `every` seconds until `until()` is true (True) or `timeout` has passed (False)."""
        deadline = None if timeout is None else self.clock() + timeout
        while not until():
            if deadline is not None and self.clock() >= deadline:
                return False
            self.check()
            self.sleep(every)
        return True

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop the worker and restart it no more: asked first, killed if it does not stop in time."""
        self._stopped = True
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.log(f"后台任务进程（进程号 {process.pid}）{timeout:g} 秒内没有停止，已强制结束")
            process.kill()
            process.wait()
