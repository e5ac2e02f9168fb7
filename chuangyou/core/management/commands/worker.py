from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from chuangyou.grading.services import stop_dead_runs
from chuangyou.lib.ticker import Ticker


class Command(DatabaseWorker):
    help = "后台任务进程：执行数据库队列中的任务（大范围定级），并定时结束后台进程中断的定级"

    def handle(self, *args, **options):
        # Each worker also looks for runs whose process died (no heartbeat): a run left behind by a
        # killed worker is stopped within a minute, with no one opening its page.
        with Ticker(stop_dead_runs, settings.GRADING_HEARTBEAT_SECONDS, name="dead-run-check"):
            super().handle(*args, **options)
