import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "收集静态文件并以 gunicorn 启动网站（默认 http://127.0.0.1:8000）"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("CHUANGYOU_BIND", "127.0.0.1:8000"))
        # One process per CPU (a process runs Python on one CPU at a time), threads for the requests
        # that wait on the database meanwhile; benchmarks/bench_http_saves.py measures the two.
        workers = os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1)
        parser.add_argument("--workers", type=int, default=int(workers))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CHUANGYOU_THREADS", "4")))
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="不启动后台任务进程（生产环境由 systemd 单独运行 chuangyou db_worker 时使用）",
        )

    def handle(self, *args, bind, workers, threads, no_task_worker, **options):
        # The server uses hashed static names; collect them under the same settings it will run with.
        env = dict(os.environ, CHUANGYOU_STATIC_MANIFEST="1", DJANGO_SETTINGS_MODULE="chuangyou.settings")
        collect = [sys.executable, "-m", "chuangyou.cli", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(collect, env=env, check=True)  # noqa: S603 - our own interpreter and fixed arguments
        # Notices whose working days are over end now; in production a daily timer runs the same command.
        subprocess.run([sys.executable, "-m", "chuangyou.cli", "notices", "end"], env=env, check=False)  # noqa: S603
        if not no_task_worker:
            # Background jobs (large grading runs); in the same process group, so Ctrl+C stops it too.
            worker = [sys.executable, "-m", "chuangyou.cli", "db_worker", "--verbosity", "0"]
            subprocess.Popen(worker, env=env)  # noqa: S603 - our own interpreter and fixed arguments
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
        os.execve(gunicorn, argv, env)  # noqa: S606 - replace this process with the server
