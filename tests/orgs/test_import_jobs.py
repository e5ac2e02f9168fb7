"""Large imports from the web page run as background jobs: checked in the request, queued, written by
the worker in one transaction with progress in steps, followed on a page that polls, kept to the
user's scope, and imported once however often the job is delivered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.audit.models import AuditEvent
from chuangyou.orgs import import_jobs
from chuangyou.orgs.models import ImportJob, ImportState, Organization, Status
from chuangyou.orgs.tasks import execute_import
from chuangyou.orgs.tree_import import SYSTEM_SCOPE, tree_import
from tests.conftest import make_user
from tests.orgs.test_tree_import import URL, book, branch, state, upload

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NEW_BRANCHES = book(
    branch("TA03", "甲三村党支部", "TA"),
    branch("TA04", "甲四村党支部", "TA"),
    branch("TA01", "甲一村党支部（更名）", "TA"),
)


@pytest.fixture
def background(settings):
    """Every file with more than one row goes to the worker, which does not run by itself."""
    settings.TASKS, settings.ORG_IMPORT_INLINE_MAX = DUMMY, 1


def queue(client, data=NEW_BRANCHES) -> ImportJob:
    response = upload(client, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orgs:import_job", args=[job.pk])
    return job


def progress(client, job):
    return client.get(reverse("orgs:import_job_progress", args=[job.pk]))


# --- Queued, then written by the worker ------------------------------------------------------------


def test_a_file_over_the_threshold_is_checked_then_queued_and_nothing_is_written(
    client_for, background, settings
):
    client = client_for("county_admin")
    before = state()
    job = queue(client)
    assert (job.state, job.step, job.rows_total, job.rows_done) == (ImportState.QUEUED, "等待后台处理", 3, 0)
    assert bytes(job.data) == NEW_BRANCHES and job.filename == "组织.xlsx"
    assert job.created_by.username == "p_admin" and job.organization.code == "TA"
    assert state() == before and not Organization.objects.filter(code="TA03").exists()
    from django_tasks import default_task_backend

    assert [(r.task.func, r.args) for r in default_task_backend.results] == [(execute_import.func, [job.pk])]
    page = client.get(reverse("orgs:import_job", args=[job.pk])).content.decode()
    assert "文件检查通过（共3行），正在后台导入" in page and "排队中" in page


def test_a_file_with_errors_is_answered_in_the_request_and_queues_nothing(client_for, background):
    client = client_for("county_admin")
    page = upload(client, book(branch("TA03", "甲三村党支部", "TA", full=-1), branch("TA04", "", "TA")))
    text = page.content.decode()
    assert page.status_code == 200 and "文件有 2 处问题，未导入任何数据" in text
    assert "不能为负数（当前为-1）" in text and "不能为空" in text
    assert not ImportJob.objects.exists()


def test_a_dry_run_or_an_unchanged_file_queues_nothing(client_for, background):
    client = client_for("county_admin")
    assert "检查通过，未写入任何数据" in upload(client, NEW_BRANCHES, dry_run="on").content.decode()
    same = book(
        branch("TA01", "甲一村党支部", "TA"), branch("TA02", "甲二村党支部", "TA", full=2, probationary=0)
    )
    assert "没有需要修改的内容" in upload(client, same).content.decode()
    assert not ImportJob.objects.exists()


def test_executing_the_task_writes_the_file_and_records_progress_in_steps(
    client_for, background, monkeypatch
):
    client = client_for("county_admin")
    job = queue(client)
    seen = []

    def watch(step_function):
        def watched(*args, **kwargs):
            current = ImportJob.objects.get(pk=job.pk)
            seen.append((current.state, current.step, current.percent))
            return step_function(*args, **kwargs)

        return watched

    monkeypatch.setattr(import_jobs, "check_file", watch(import_jobs.check_file))
    monkeypatch.setattr(import_jobs, "apply_plan", watch(import_jobs.apply_plan))
    execute_import.call(job.pk)
    assert seen == [(ImportState.RUNNING, "检查文件", 10), (ImportState.RUNNING, "写入数据", 40)]
    job.refresh_from_db()
    assert (job.state, job.step, job.percent, job.rows_done, job.rows_total) == (
        ImportState.DONE,
        "完成",
        100,
        3,
        3,
    )
    assert job.summary == {"created": 2, "updated": 1, "moved": 0, "unchanged": 0}
    assert bytes(job.data) == b"" and job.finished_at is not None  # the file is not kept
    assert Organization.objects.get(code="TA03").name == "甲三村党支部"
    assert Organization.objects.get(code="TA01").name == "甲一村党支部（更名）"
    summary = AuditEvent.objects.get(verb="org.import")
    assert summary.actor.username == "p_admin" and summary.after["created"] == 2
    assert summary.after["file"] == "组织.xlsx"
    assert AuditEvent.objects.filter(verb__in=["org.create", "org.update"]).count() == 3
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    text = progress(client, job).content.decode()
    assert "导入完成：新建 2 个组织，修改 1 个" in text and "hx-get" not in text


def test_the_immediate_backend_runs_the_job_during_the_upload(client_for, settings):
    settings.TASKS, settings.ORG_IMPORT_INLINE_MAX = IMMEDIATE, 1
    job = queue(client_for("county_admin"))
    job.refresh_from_db()
    assert (
        job.state == ImportState.DONE and Organization.objects.filter(code__in=["TA03", "TA04"]).count() == 2
    )


def test_a_small_file_is_imported_in_the_request_and_listed_as_a_job(client_for, settings):
    settings.TASKS = DUMMY
    client = client_for("county_admin")
    page = upload(client, NEW_BRANCHES).content.decode()
    assert page.count("导入完成") == 1 and "新建 2 个组织，修改 1 个" in page
    job = ImportJob.objects.get()
    assert job.state == ImportState.DONE and bytes(job.data) == b""
    listed = client.get(URL).content.decode()
    assert (
        "最近的导入" in listed and reverse("orgs:import_job", args=[job.pk]) in listed and "已完成" in listed
    )


# --- Failures write nothing ------------------------------------------------------------------------


def test_a_tree_changed_while_queued_fails_the_job_with_the_rows_named(client_for, background):
    client = client_for("county_admin")
    job = queue(client)
    Organization.objects.filter(code="TA").update(status=Status.DISSOLVED)
    before = state()
    execute_import.call(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and bytes(job.data) == b""
    assert job.error == "重新检查文件时发现 2 处问题（上传后组织架构或您的权限已有变化），未导入任何数据"
    assert {(e["row"], e["column"]) for e in job.errors} == {(2, "上级组织代码"), (3, "上级组织代码")}
    assert "甲镇党委”已撤销，不能在其下设立或调入组织" in job.errors[0]["reason"]
    assert Organization.objects.count() == before[0]
    assert Organization.objects.get(code="TA01").name == "甲一村党支部"
    failure = AuditEvent.objects.get(verb="org.import_fail")
    assert failure.actor.username == "p_admin" and failure.organization.code == "TA"
    assert failure.note == job.error
    text = progress(client, job).content.decode()
    assert "导入失败：重新检查文件时发现 2 处问题" in text and "文件有 2 处问题，未导入任何数据" in text
    assert "hx-get" not in text


def test_an_error_while_writing_rolls_back_every_row(client_for, background, monkeypatch):
    import chuangyou.orgs.tree_import as importer

    def broken_summary(*args, **kwargs):
        raise RuntimeError("disk full")

    client = client_for("county_admin")
    job = queue(client)
    monkeypatch.setattr(importer, "_record_summary", broken_summary)
    before = state()
    execute_import.call(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.error == "导入时发生系统错误，未写入任何数据，请联系管理员"
    assert Organization.objects.count() == before[0] and not Organization.objects.filter(code="TA03").exists()
    assert Organization.objects.get(code="TA01").name == "甲一村党支部"
    assert AuditEvent.objects.count() == before[1] + 1  # only the failure


def test_a_conflict_while_writing_fails_the_job_with_the_usual_message(client_for, background, monkeypatch):
    client = client_for("county_admin")
    job = queue(client)
    check_file = import_jobs.check_file

    def check_then_someone_edits(*args):
        checked = check_file(*args)
        Organization.objects.filter(code="TA01").update(version=9)
        return checked

    monkeypatch.setattr(import_jobs, "check_file", check_then_someone_edits)
    execute_import.call(job.pk)
    job.refresh_from_db()
    assert (
        job.state == ImportState.FAILED
        and job.error == "导入期间组织架构已被他人修改，未做任何修改，请重新导入。"
    )
    assert not Organization.objects.filter(code="TA03").exists()


# --- Delivered twice, or never -------------------------------------------------------------------


def test_a_job_delivered_twice_imports_once(client_for, background):
    job = queue(client_for("county_admin"))
    execute_import.call(job.pk)
    after_first = state()
    execute_import.call(job.pk)
    assert state() == after_first
    assert AuditEvent.objects.filter(verb="org.import").count() == 1
    assert Organization.objects.filter(code="TA03").count() == 1


def test_a_running_job_is_not_claimed_again(client_for, background):
    job = queue(client_for("county_admin"))
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    execute_import.call(job.pk)
    assert not Organization.objects.filter(code="TA03").exists()
    assert ImportJob.objects.get(pk=job.pk).state == ImportState.RUNNING


def test_a_job_whose_changes_were_imported_meanwhile_writes_nothing(client_for, background):
    job = queue(client_for("county_admin"))
    assert tree_import(actor=None, scope=SYSTEM_SCOPE, data=NEW_BRANCHES).ok  # e.g. from the command line
    before = state()
    execute_import.call(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.summary == {
        "created": 0,
        "updated": 0,
        "moved": 0,
        "unchanged": 3,
    }
    assert state() == before
    assert "没有需要修改的内容" in progress(client_for("county_admin"), job).content.decode()


def test_a_silent_job_is_ended_by_the_next_upload_and_never_runs(client_for, background):
    client = client_for("county_admin")
    old = queue(client)
    ImportJob.objects.filter(pk=old.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=31))
    assert "超过30分钟没有进展" in progress(client, old).content.decode()
    upload(client, NEW_BRANCHES)
    old.refresh_from_db()
    assert old.state == ImportState.FAILED
    assert old.error == "超过30分钟没有进展（后台任务可能已中断），已终止，未写入任何数据"
    assert AuditEvent.objects.filter(verb="org.import_fail", target_id=str(old.pk)).count() == 1
    execute_import.call(old.pk)  # delivered late
    assert not Organization.objects.filter(code="TA03").exists()
    fresh = ImportJob.objects.exclude(pk=old.pk).get()
    assert fresh.state == ImportState.QUEUED


# --- The pages -------------------------------------------------------------------------------------


def test_the_progress_partial_renders_each_state(client_for, background):
    client = client_for("county_admin")
    job = queue(client)
    queued = progress(client, job).content.decode()
    assert "排队中" in queued and "hx-get" in queued and 'hx-trigger="every 2s"' in queued
    assert 'value="0"' in queued and "正在排队等待后台处理" in queued
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, step="写入数据")
    running = progress(client, job).content.decode()
    assert "进行中" in running and "写入数据" in running and 'value="40"' in running and "hx-get" in running
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.DONE, step="完成", summary={"created": 2, "updated": 1, "moved": 0, "unchanged": 0}
    )
    done = progress(client, job).content.decode()
    assert "已完成" in done and 'value="100"' in done and "hx-get" not in done
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.FAILED, error="导入期间组织架构已被他人修改")
    failed = progress(client, job).content.decode()
    assert "失败" in failed and "导入失败：导入期间组织架构已被他人修改" in failed and "hx-get" not in failed


def test_jobs_are_kept_to_the_scope(client_for, personas, tree, background, client):
    reviewer = client_for("township_reviewer")  # 甲镇
    job = queue(reviewer, book(branch("TA03", "甲三村党支部", "TA"), branch("TA04", "甲四村党支部", "TA")))
    assert job.organization.code == "TA"
    other = make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])
    client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    for name in ("orgs:import_job", "orgs:import_job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.get(reverse(name, args=[job.pk + 100])).status_code == 404
    assert reverse("orgs:import_job", args=[job.pk]) not in client.get(URL).content.decode()
    county = client_for("county_admin")
    assert county.get(reverse("orgs:import_job", args=[job.pk])).status_code == 200
    assert reverse("orgs:import_job", args=[job.pk]) in county.get(URL).content.decode()
    for persona in ("branch_secretary", "auditor", "leading_group"):  # they see 甲镇, but manage nothing
        assert client_for(persona).get(reverse("orgs:import_job_progress", args=[job.pk])).status_code == 404


def test_a_job_across_two_townships_belongs_to_the_county(client_for, background):
    job = queue(
        client_for("county_admin"),
        book(branch("TA03", "甲三村党支部", "TA"), branch("TB02", "乙二社区党支部", "TB", domain="社区")),
    )
    assert job.organization.code == "T"
