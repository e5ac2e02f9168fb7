"""Background jobs of grading (worked by `chuangyou worker`)."""

from django_tasks import task

from chuangyou.grading.services import run_execute


@task()
def execute_run(run_id: int) -> None:
    run_execute(run_id)
