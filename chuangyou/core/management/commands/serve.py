import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from chuangyou.core.supervisor import WorkerSupervisor, exit_text

# How often the worker and the server are looked at; how long the server may take to stop.
POLL_SECONDS = 0.5
SERVER_STOP_SECONDS = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def usable_cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Command(BaseCommand):
    help = "收集静态文件并以 gunicorn 启动网站（默认 http://127.0.0.1:8000），同时运行并看护后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("CHUANGYOU_BIND", "127.0.0.1:8000"))
        # One process per CPU (a process runs Python on one CPU at a time), threads for the requests
        # that wait on the database meanwhile; benchmarks/bench_http_saves.py measures the two.
        workers = os.environ.get("WEB_CONCURRENCY") or max(2, usable_cpus())
        parser.add_argument("--workers", type=int, default=int(workers))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CHUANGYOU_THREADS", "4")))
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="不启动后台任务进程（生产环境由 systemd 单独运行 chuangyou worker 时使用）",
        )

    def handle(self, *args, bind, workers, threads, no_task_worker, **options):
        # The server uses hashed static names; collect them under the same settings it will run with.
        env = dict(os.environ, CHUANGYOU_STATIC_MANIFEST="1", DJANGO_SETTINGS_MODULE="chuangyou.settings")
        collect = [sys.executable, "-m", "chuangyou.cli", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(collect, env=env, check=True)  # noqa: S603 - our own interpreter and fixed arguments
        # Notices whose working days are over end now; in production a daily timer runs the same command.
        subprocess.run([sys.executable, "-m", "chuangyou.cli", "notices", "end"], env=env, check=False)  # noqa: S603
        shape = f"{workers} 个进程 × {threads} 个线程"
        self.stdout.write(f"创优已启动：http://{bind}/ （{shape}，按 Ctrl+C 停止）")
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "chuangyou.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--chdir",
            str(settings.PROJECT_DIR),
        ]
        if no_task_worker:
            os.execve(gunicorn, argv, env)  # noqa: S606 - replace this process with the server
        else:
            sys.exit(self.serve_with_worker(argv, env))

    def serve_with_worker(self, server_argv: list[str], env: dict[str, str]) -> int:
        """Run the server and the background worker side by side until the server ends or this
        process is told to stop; restart the worker whenever it dies. Returns the exit code."""
        worker_argv = [sys.executable, "-m", "chuangyou.cli", "worker", "--verbosity", "0"]
        supervisor = WorkerSupervisor(
            lambda: subprocess.Popen(worker_argv, env=env),  # noqa: S603 - our own interpreter and fixed arguments
            log=self.stderr.write,
        )
        told_to_stop: list[int] = []

        def stop(signum, frame):
            told_to_stop.append(signum)

        previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
        # In the same process group as this one: Ctrl+C reaches the server and the worker too.
        server = subprocess.Popen(server_argv, env=env)  # noqa: S603 - our own gunicorn and fixed arguments
        try:
            supervisor.start()
            supervisor.run(until=lambda: bool(told_to_stop) or server.poll() is not None, every=POLL_SECONDS)
        finally:
            supervisor.stop()
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=SERVER_STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        code = server.returncode
        if not told_to_stop and code != 0:
            self.stderr.write(f"网站进程已{exit_text(code)}，创优已停止")
        return code if code >= 0 else 128 - code
