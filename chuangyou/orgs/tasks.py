"""Background jobs of the organization tree (worked by `chuangyou worker`)."""

from django_tasks import task

from chuangyou.orgs.import_jobs import import_execute


@task()
def execute_import(job_id: int) -> None:
    import_execute(job_id)
