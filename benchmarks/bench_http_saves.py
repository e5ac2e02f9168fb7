"""Item saves through the whole web stack, against PostgreSQL on this machine (issue 15: ≥ 300 saves/s).

    .venv/bin/python benchmarks/bench_http_saves.py [--clients 16] [--saves 400] [--workers W]
        [--threads T] [--per-sheet 4] [--profile-saves 100]

Creates a scratch database (save_fixture: a 40-item rubric, one sheet and one secretary per branch),
starts the real server (`chuangyou serve`: gunicorn, gthread workers, the project's settings) on a free
port, signs every secretary in through the login page and, like the browser's htmx, POSTs the item
form with the session cookie and the page's CSRF token, and reads back the item partial. `--saves`
saves one by one on 20 sheets (one client), then `--saves` on 20 other sheets from `--clients` client
threads at once (`--per-sheet` of them on one sheet at a time, so its row lock is contended). Every
answer must be the saved item; afterwards no entry may be lost or duplicated, each save has its audit
event and every sheet's total must equal its entries'.

Prints, per phase: saves/s and latency, CPU milliseconds per save (server, this client, the rest of
the machine) and what PostgreSQL's backends were doing (running SQL, waiting for a lock, idle in a
transaction). Then a profile of one save in-process on the same view (django's test Client): its
queries grouped by table, and the time split of `--profile-saves` saves (session, user, scope check,
lock, entry, totals, audit write, commit, render, queries). Exits non-zero on a lost, refused or
wrong save, not on the target, which depends on the machine (docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import machine_use
import save_fixture
import save_profile
from scratch_pg import ScratchDatabase

TARGET = 300  # saves per second, concurrent
PROJECT_DIR = Path(__file__).resolve().parent.parent  # the code the server runs
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`chuangyou serve` in its own process group, on a free port, until the `with` ends."""

    def __init__(self, db_url: str, workers: int | None, threads: int | None, log: Path):
        self.port, self.log = free_port(), log
        self.argv = [sys.executable, "-m", "chuangyou.cli", "serve", "--bind", f"127.0.0.1:{self.port}"]
        self.argv += ["--no-task-worker"]
        self.argv += ["--workers", str(workers)] if workers else []
        self.argv += ["--threads", str(threads)] if threads else []
        # Static files collected and the secret key kept beside the log, not in the project's var/.
        self.env = dict(os.environ, DATABASE_URL=db_url, CHUANGYOU_VAR_DIR=str(log.parent))

    def __enter__(self) -> Server:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                self.argv,
                env=self.env,
                cwd=PROJECT_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, 15)  # the group started above: gunicorn's master and its workers
        self.process.wait(timeout=30)

    def config(self) -> str:
        """As serve announced it, and the worker class gunicorn logged."""
        text = self.log.read_text()
        shape = re.search(r"(\d+) 个进程 × (\d+) 个线程", text)
        worker = re.search(r"Using worker: (\w+)", text)
        return (
            f"gunicorn {worker.group(1) if worker else '?'}, "
            f"{shape.group(1)} workers × {shape.group(2)} threads"
            if shape
            else "?"
        )


class Browser:
    """One signed-in user: its cookies and the CSRF token its pages carry. Each client thread has its
    own keep-alive connection, as a browser has."""

    local = threading.local()

    def __init__(self, port: int, username: str):
        self.port, self.username, self.cookies = port, username, {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection before reading the request: send again
            # on a new one (a save that did run twice would be refused as stale, and counted).
            conn.close()
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, sheet_pk: int) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": self.username, "password": save_fixture.PASSWORD}
        status, _ = self.request("POST", "/accounts/login/", form, {"Referer": "http://127.0.0.1/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{self.username} could not sign in ({status})")
        status, page = self.request("GET", f"/sheets/{sheet_pk}/")
        self.sheet_page, self.csrf = f"/sheets/{sheet_pk}/", CSRF_HEADER.search(page).group(1)

    def save(self, sheet, item) -> tuple[float, str | None]:
        """The htmx POST of one item form; returns (seconds, None or what was wrong with the answer)."""
        form = {"csrfmiddlewaretoken": self.csrf, **save_profile.post_form(item, version=0)}
        headers = {
            "HX-Request": "true",
            "HX-Target": f"item-{item.pk}",
            "HX-Current-URL": f"http://127.0.0.1{self.sheet_page}",
            "X-CSRFToken": self.csrf,
        }
        started = time.perf_counter()
        status, body = self.request("POST", f"/sheets/{sheet.pk}/items/{item.pk}/", form, headers)
        elapsed = time.perf_counter() - started
        if status != 200 or "data-saved" not in body or 'hx-swap-oob="true"' not in body:
            return elapsed, f"{status} {' '.join(body.split())[:200]}"
        return elapsed, None


def run_phase(title, jobs, browsers, clients, server, database) -> tuple[bool, float]:
    """Saves `jobs` from `clients` threads; prints the rate, latency, CPU and PostgreSQL lines.
    Returns (every answer was the saved item, saves per second)."""
    latencies, problems = [], []

    def save(job):
        sheet, item = job
        elapsed, problem = browsers[sheet.pk].save(sheet, item)
        latencies.append(elapsed)
        if problem:
            problems.append(problem)

    with (
        machine_use.Meter(server.process.pid) as meter,
        machine_use.PgSampler(database) as pg,
        ThreadPoolExecutor(max_workers=clients) as pool,
    ):
        list(pool.map(save, jobs))
    usage, saves = meter.usage, len(jobs)
    q = statistics.quantiles(latencies, n=20)
    print(
        f"{title:<22}{saves} saves in {usage.wall:.2f} s — {saves / usage.wall:.0f} saves/s; latency ms "
        f"median {1000 * q[9]:.1f}, p95 {1000 * q[18]:.1f}, max {1000 * max(latencies):.1f}"
    )
    print(f"{'':<22}{usage.per_save_line(saves)}")
    print(f"{'':<22}{pg.per_save_line(saves)}")
    if problems:
        print(f"{'':<22}{len(problems)} answers were not the saved item; the first ones:")
    for problem in problems[:3]:
        print(f"{'':<22}  {problem}")
    return not problems, saves / usage.wall


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16, help="client threads of the concurrent phase")
    parser.add_argument("--per-sheet", type=int, default=4, help="clients on one sheet at a time")
    parser.add_argument("--saves", type=int, default=400, help="saves per phase (at most 800)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: serve's)")
    parser.add_argument("--profile-saves", type=int, default=100, help="saves timed in-process (0: none)")
    args = parser.parse_args()
    print(f"machine: {machine_use.describe()}")
    db = ScratchDatabase()
    with db, tempfile.TemporaryDirectory() as tmp:
        from django.db import connection

        fixture = save_fixture.build(branches=51, items=40, secretaries=True)
        serial, concurrent, warm, profiled = (
            fixture.sheets[:20],
            fixture.sheets[20:40],
            fixture.sheets[40:41],
            fixture.sheets[41:],
        )
        phases = [  # title, jobs, client threads
            ("warm-up", save_fixture.jobs_for(warm, fixture.items, 16), 16),
            ("HTTP, one by one", save_fixture.jobs_for(serial, fixture.items, args.saves), 1),
            (
                f"HTTP, {args.clients} clients",
                save_fixture.jobs_for(concurrent, fixture.items, args.saves, args.per_sheet),
                args.clients,
            ),
        ]
        with Server(db.url, args.workers, args.threads, Path(tmp) / "server.log") as server:
            browsers = {}
            for sheet in serial + concurrent + warm:
                browsers[sheet.pk] = Browser(server.port, fixture.secretaries[sheet.pk])
                browsers[sheet.pk].sign_in(sheet.pk)
            print(
                f"server: {server.config()}, PostgreSQL {connection.pg_version // 10000}; "
                f"{len(browsers)} secretaries signed in on the login page; {args.per_sheet} clients "
                f"on one sheet at a time in the concurrent phase"
            )
            results = [run_phase(title, jobs, browsers, n, server, db.name) for title, jobs, n in phases]
        rate, serial_rate = results[2][1], results[1][1]
        verdict = "met" if rate >= TARGET else "NOT met"
        print(
            f"ratio concurrent/one by one {rate / serial_rate:.2f}; {rate / (os.cpu_count() or 1):.0f} "
            f"saves/s per CPU; target ≥ {TARGET}/s: {verdict}"
        )
        saved = sum(len(jobs) for _, jobs, _ in phases)
        if args.profile_saves:
            print("\nprofile of one save, in-process on the same view (django test Client):")
            client = save_profile.client_for(fixture.secretaries[profiled[0].pk])
            first = fixture.items[-1]
            # The second save changes the note: a save of the values already stored writes nothing.
            for title, version, note in (("a new entry", 0, ""), ("the same entry changed", 1, "已核实")):
                save_profile.print_queries(
                    title, save_profile.queries_of_one_save(client, profiled[0], first, version, note)
                )
            jobs = save_fixture.jobs_for(profiled, fixture.items[:-1], args.profile_saves)
            save_profile.print_split(*save_profile.time_split(jobs, fixture.secretaries), len(jobs))
            saved += len(jobs) + 1
        result = save_fixture.check(expected=saved, audit_expected=saved + bool(args.profile_saves))
        print(result.line())
        return 0 if all(ok for ok, _ in results) and result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
