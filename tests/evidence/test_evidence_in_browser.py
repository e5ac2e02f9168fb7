"""The evidence panel in a real browser: htmx multipart upload, thumbnails, refusals, a second
upload through the fresh form, delete with confirmation, and no CSP violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import browser_context_args, browser_type_launch_args, page, shot  # noqa: F401
from tests.evidence.conftest import image_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console(page):  # noqa: F811 - the harness's page fixture
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    return messages


def log_in(page, base, username):  # noqa: F811
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_upload_view_and_delete(page, live_server, personas, entry, tmp_path, console, shot):  # noqa: F811
    photo = tmp_path / "支部主题党日.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(1200, 900)))
    fake = tmp_path / "假照片.jpg"
    fake.write_bytes("这是一段文字".encode())
    minutes = tmp_path / "会议记录.pdf"
    minutes.write_bytes(pdf_bytes())

    log_in(page, live_server.url, "p_branch")
    page.goto(live_server.url + reverse("evidence:upload", args=[entry.pk]))
    panel = page.get_by_test_id("evidence-panel")
    expect(panel).to_contain_text("尚未上传佐证材料")

    page.locator("input[name=file]").set_input_files([str(photo), str(fake)])
    page.get_by_role("button", name="上传").click()
    expect(panel).to_contain_text("已上传“支部主题党日.jpg”")
    expect(panel.get_by_test_id("evidence-error")).to_contain_text(
        "假照片.jpg：文件内容不是图片（扩展名为 .jpg，但内容不是 JPEG）"
    )
    thumbnail = panel.locator("img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumbnail.element_handle())
    shot(page, "uploaded")

    # The form came back fresh (out of band): a second upload works without reloading.
    page.locator("input[name=file]").set_input_files(str(minutes))
    page.get_by_role("button", name="上传").click()
    expect(panel.get_by_test_id("evidence-item")).to_have_count(2)
    expect(panel).to_contain_text("PDF")

    # Delete asks first; dismissing keeps the file.
    page.once("dialog", lambda dialog: dialog.dismiss())
    panel.get_by_test_id("evidence-delete").first.click()
    expect(panel.get_by_test_id("evidence-item")).to_have_count(2)
    page.reload()
    panel = page.get_by_test_id("evidence-panel")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        panel.get_by_test_id("evidence-delete").first.click()
    expect(page.get_by_role("alert").first).to_contain_text("已删除“支部主题党日.jpg”")
    expect(page.get_by_test_id("evidence-item")).to_have_count(1)
    shot(page, "deleted")

    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console


def test_a_reviewer_sees_files_but_no_buttons(page, live_server, personas, entry, console):  # noqa: F811
    from chuangyou.assessments import evidence as services
    from tests.evidence.conftest import upload

    evidence = services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("照片.png", image_bytes("PNG"))
    )
    log_in(page, live_server.url, "p_town")
    page.goto(live_server.url + reverse("evidence:upload", args=[entry.pk]))
    panel = page.get_by_test_id("evidence-panel")
    expect(panel).to_contain_text("照片.png")
    expect(page.locator("input[name=file]")).to_have_count(0)
    expect(panel.get_by_test_id("evidence-delete")).to_have_count(0)
    with page.expect_popup() as popup:
        panel.get_by_role("link", name="照片.png", exact=True).click()
    assert popup.value.url == live_server.url + reverse("evidence:file", args=[evidence.pk])
