"""A large organization-tree import in a real browser: the county admin uploads a file over the
(lowered) threshold, lands on the job's page with its bar at 排队中, the database worker takes the
job, and the page, polling, shows 已完成 without a reload; the import page then lists the job."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from chuangyou.orgs.models import ImportJob, ImportState, Organization
from tests.e2e.test_self_assessment_in_browser import alert
from tests.orgs.test_tree_import import book, branch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def work_the_queue() -> None:
    """What `chuangyou worker` does, once over the queue, in this process (the test database)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    ).run()


def test_a_large_import_runs_in_the_background_and_its_bar_reaches_done(
    page, server, demo, log_in, shot, settings
):
    settings.ORG_IMPORT_INLINE_MAX = 1
    township = Organization.objects.get(code="SFX02")
    data = book(
        branch("SFX02E2E1", "青山镇新建一村党支部", township.code),
        branch("SFX02E2E2", "青山镇新建二村党支部", township.code),
    )
    log_in("admin")
    page.goto(f"{server}/orgs/import/")
    page.locator("#id_file").set_input_files({"name": "新建支部.xlsx", "mimeType": XLSX, "buffer": data})
    page.get_by_role("button", name="上传并导入").click()

    job = ImportJob.objects.get()
    expect(page).to_have_url(f"{server}/orgs/import/jobs/{job.pk}/")
    expect(alert(page, "文件检查通过（共2行），正在后台导入")).to_have_count(1)
    card = page.get_by_test_id("import-job")
    expect(card.get_by_test_id("job-state")).to_have_text("排队中")
    expect(card.get_by_role("progressbar", name="导入进度")).to_have_attribute("value", "0")
    shot(page, "queued")
    assert not Organization.objects.filter(code__startswith="SFX02E2E").exists()

    work_the_queue()
    assert ImportJob.objects.get().state == ImportState.DONE
    expect(card.get_by_test_id("job-state")).to_have_text("已完成")  # by polling, no reload
    expect(card.get_by_role("progressbar", name="导入进度")).to_have_attribute("value", "100")
    expect(card.get_by_test_id("job-result")).to_contain_text("导入完成：新建 2 个组织")
    shot(page, "done")
    created = Organization.objects.filter(code__startswith="SFX02E2E", path__startswith=township.path)
    assert created.count() == 2

    page.get_by_role("link", name="返回导入导出").click()
    listed = page.get_by_test_id("import-jobs").locator("tbody tr").first
    expect(listed).to_contain_text("新建支部.xlsx")
    expect(listed).to_contain_text("已完成")
    shot(page, "listed")
