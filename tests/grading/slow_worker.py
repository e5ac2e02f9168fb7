"""`chuangyou worker` whose grading step takes SLOW_GRADING_SECONDS while the file SLOW_GRADING_FLAG
exists: a run that is still working when the test kills the worker (test_worker_recovery.py).

Run as `python -m tests.grading.slow_worker` from the repository, with DATABASE_URL set."""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangyou.settings")
    django.setup()
    from chuangyou.cli import main as cli
    from chuangyou.grading import services

    real = services.grade_in_groups

    def slow(*args, **kwargs):
        if os.path.exists(os.environ["SLOW_GRADING_FLAG"]):
            time.sleep(float(os.environ["SLOW_GRADING_SECONDS"]))
        return real(*args, **kwargs)

    services.grade_in_groups = slow
    sys.exit(cli(["chuangyou", "worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"]))


if __name__ == "__main__":
    main()
