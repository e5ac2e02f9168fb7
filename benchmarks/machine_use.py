"""What a benchmark phase costs the machine: CPU seconds of a process tree, of this process and of the
whole machine (from /proc), and what PostgreSQL's backends of one database were doing (sampled from
pg_stat_activity: running SQL, waiting for a lock, idle inside a transaction).

Linux only, as the servers are.
"""

from __future__ import annotations

import contextlib
import os
import platform
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def describe() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return f"{os.cpu_count()} CPUs ({model}), load average {os.getloadavg()[0]:.2f} at the start"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            found += [int(p) for p in task.read_text().split()]
    return found


def tree_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants still alive."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        todo += _children(current)
    return total


def self_seconds() -> float:
    return time.process_time()


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK


@dataclass
class Usage:
    wall: float
    server: float
    client: float
    machine: float

    def per_save_line(self, saves: int) -> str:
        rest = self.machine - self.server - self.client
        cpus = os.cpu_count() or 1

        def ms(seconds: float) -> str:
            return f"{1000 * seconds / saves:.2f}"

        return (
            f"CPU ms per save: server {ms(self.server)}, this client {ms(self.client)}, "
            f"rest of the machine {ms(rest)} (PostgreSQL, the other users); "
            f"all {ms(self.machine)} — machine {100 * self.machine / (cpus * self.wall):.0f} % busy"
        )


class Meter:
    """CPU used during a `with` block: by the server's process tree, this process, the machine."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def __enter__(self) -> Meter:
        self._start = self._now()
        return self

    def _now(self) -> tuple[float, ...]:
        return (time.perf_counter(), tree_seconds(self.server_pid), self_seconds(), machine_busy_seconds())

    def __exit__(self, *exc) -> None:
        self.usage = Usage(*(b - a for a, b in zip(self._start, self._now(), strict=True)))


STATES = """
SELECT count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'),
       count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock'),
       count(*) FILTER (WHERE state LIKE 'idle in transaction%%')
FROM pg_stat_activity
WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()
"""


class PgSampler:
    """Samples every `interval` seconds how many backends of `database` run SQL, wait for a lock or
    sit idle in a transaction; the sums times the interval are backend-seconds in each state, so
    divided by the saves they are the mean milliseconds a save spends there (Little's law)."""

    def __init__(self, database: str, interval: float = 0.005):
        self.database, self.interval = database, interval
        self.seconds = {"running SQL": 0.0, "waiting for a lock": 0.0, "idle in transaction": 0.0}

    def __enter__(self) -> PgSampler:
        import psycopg

        self._conn = psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{self.database}", autocommit=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.wait(self.interval):
            waiting, running, idle = self._conn.execute(STATES, [self.database]).fetchone()
            now = time.perf_counter()
            step, last = now - last, now
            self.seconds["waiting for a lock"] += waiting * step
            self.seconds["running SQL"] += running * step
            self.seconds["idle in transaction"] += idle * step

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()

    def per_save_line(self, saves: int) -> str:
        parts = ", ".join(f"{name} {1000 * s / saves:.2f}" for name, s in self.seconds.items())
        return f"PostgreSQL backends, ms per save (sampled): {parts}"
