"""Evidence pages: htmx upload, delete, file and thumbnail downloads, and the scope rule.

Policy (documented in chuangyou/assessments/views_evidence.py): outside the scope every evidence
URL answers 404; inside it, roles that may only look get the files but 403 on upload and delete.
"""

import re

import pytest
from django.urls import reverse

from chuangyou.assessments import evidence as services
from chuangyou.assessments.models import Evidence
from chuangyou.audit.models import AuditEvent
from chuangyou.lib import uploads
from tests.evidence.conftest import docx_bytes, image_bytes, lock, pdf_bytes, stored_files, upload

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/sheets/1/?tab=2"}


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload_url(entry):
    return reverse("evidence:upload", args=[entry.pk])


@pytest.fixture
def photo(personas, entry):
    return services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("支部活动.jpg", image_bytes())
    )


@pytest.fixture
def word(personas, entry):
    return services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("三会一课记录.docx", docx_bytes())
    )


def test_htmx_upload_returns_the_refreshed_list(client_for, entry):
    client = client_for("branch_secretary")
    response = client.post(upload_url(entry), {"file": upload("支部活动.jpg", image_bytes())}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="evidence-{entry.pk}"' in html
    assert "支部活动.jpg" in html and "已上传" in html
    evidence = Evidence.objects.get()
    assert reverse("evidence:thumbnail", args=[evidence.pk]) in html
    assert reverse("evidence:delete", args=[evidence.pk]) in html
    # A fresh upload form replaces the used one out of band (clears the file input).
    assert f'<form id="evidence-upload-{entry.pk}" hx-swap-oob="true"' in html
    # Delete forms go back to the page the panel is on.
    assert 'name="next" value="/sheets/1/?tab=2"' in html
    assert AuditEvent.objects.filter(verb="evidence.upload").count() == 1


def test_several_files_at_once_each_get_an_answer(client_for, entry):
    client = client_for("branch_secretary")
    files = [upload("会议记录.pdf", pdf_bytes()), upload("假照片.jpg", b"not an image at all")]
    response = client.post(upload_url(entry), {"file": files}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "已上传“会议记录.pdf”" in html
    assert "假照片.jpg：文件内容不是图片（扩展名为 .jpg，但内容不是 JPEG）" in html
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["会议记录.pdf"]
    assert AuditEvent.objects.filter(verb="evidence.upload").count() == 1


def test_a_plain_form_post_redirects_back_with_a_message(client_for, entry):
    client = client_for("branch_secretary")
    response = client.post(upload_url(entry), {"file": upload("a.pdf", pdf_bytes()), "next": "/sheets/7/"})
    assert response.status_code == 302 and response["Location"] == "/sheets/7/"
    response = client.post(
        upload_url(entry), {"file": upload("a.pdf", pdf_bytes()), "next": "https://evil.example/"}
    )
    assert response["Location"] == upload_url(entry)
    page = client.get(upload_url(entry))
    assert page.status_code == 200
    assert "已上传“a.pdf”" in page.content.decode()
    assert "设置合理" in page.content.decode()  # the full page names the item


def test_nothing_chosen(client_for, entry):
    response = client_for("branch_secretary").post(upload_url(entry), {}, **HTMX)
    assert response.status_code == 200 and "请选择要上传的文件" in response.content.decode()


def test_a_25_mb_upload_gets_a_chinese_message_not_an_error_page(client_for, entry, media):
    big = upload("扫描件.pdf", b"%PDF-1.4\n" + b"\0" * (25 * 1024 * 1024))
    response = client_for("branch_secretary").post(upload_url(entry), {"file": big}, **HTMX)
    assert response.status_code == 200
    assert "扫描件.pdf：文件过大（25.0 MB）" in response.content.decode()
    assert "20 MB" in response.content.decode()
    # The guard stopped passing the data on at the limit: the rest was never written to a temp file.
    assert response.wsgi_request.FILES["file"].size <= 20 * 1024 * 1024
    assert not Evidence.objects.exists() and not stored_files(media)


def test_a_big_file_beside_a_small_one(client_for, entry):
    files = [upload("小.pdf", pdf_bytes()), upload("大.pdf", b"%PDF-1.4\n" + b"\0" * (21 * 1024 * 1024))]
    response = client_for("branch_secretary").post(upload_url(entry), {"file": files}, **HTMX)
    html = response.content.decode()
    assert "已上传“小.pdf”" in html and "大.pdf：文件过大" in html
    assert Evidence.objects.count() == 1


def test_a_bomb_png_through_the_view(client_for, entry):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    response = client_for("branch_secretary").post(
        upload_url(entry), {"file": upload("图.png", out.getvalue())}, **HTMX
    )
    assert response.status_code == 200 and "像素过多" in response.content.decode()
    assert not Evidence.objects.exists()


def test_upload_on_a_submitted_sheet_is_refused_with_a_message(client_for, entry, media):
    lock(entry.sheet)
    response = client_for("branch_secretary").post(
        upload_url(entry), {"file": upload("a.pdf", pdf_bytes())}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "自查表已提交，不能再上传或删除佐证材料" in html
    assert 'hx-encoding="multipart/form-data"' not in html  # no upload form on a locked sheet
    assert not Evidence.objects.exists() and not stored_files(media)


def test_a_locked_sheet_shows_no_delete_buttons(client_for, entry, photo):
    lock(entry.sheet)
    html = client_for("branch_secretary").get(upload_url(entry), **HTMX).content.decode()
    assert "支部活动.jpg" in html
    assert reverse("evidence:delete", args=[photo.pk]) not in html


def test_delete_via_form_removes_row_and_files(
    client_for, entry, photo, media, django_capture_on_commit_callbacks
):
    client = client_for("branch_secretary")
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:delete", args=[photo.pk]), {"next": "/sheets/3/"})
    assert response.status_code == 302 and response["Location"] == "/sheets/3/"
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert AuditEvent.objects.filter(verb="evidence.delete", target_id=str(photo.pk)).count() == 1


def test_delete_without_next_goes_back_to_the_referring_page(client_for, photo):
    client = client_for("branch_secretary")
    url = reverse("evidence:delete", args=[photo.pk])
    response = client.post(url, HTTP_REFERER="http://testserver/sheets/5/")
    assert response.status_code == 302 and response["Location"] == "/sheets/5/"


def test_a_foreign_referer_is_not_followed(client_for, entry, photo):
    response = client_for("branch_secretary").post(
        reverse("evidence:delete", args=[photo.pk]), HTTP_REFERER="https://evil.example/x"
    )
    assert response["Location"] == upload_url(entry)


def test_delete_via_htmx_returns_the_list(client_for, entry, photo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("county_admin").post(reverse("evidence:delete", args=[photo.pk]), **HTMX)
    assert response.status_code == 200
    assert "已删除“支部活动.jpg”" in response.content.decode()
    assert "尚未上传佐证材料" in response.content.decode()


def test_delete_button_asks_for_confirmation(client_for, entry, photo):
    html = client_for("branch_secretary").get(upload_url(entry), **HTMX).content.decode()
    assert 'data-confirm="确定删除佐证材料“支部活动.jpg”吗？"' in html
    # The strict CSP allows no inline script, handler or style.
    assert "<script" not in html and "style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_image_and_pdf_open_inline_documents_download(client_for, entry, photo, word, personas):
    client = client_for("branch_secretary")
    response = client.get(reverse("evidence:file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()

    response = client.get(reverse("evidence:file", args=[word.pk]))
    assert response["Content-Type"] == uploads.KINDS["docx"].content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" in disposition  # the Chinese name survives, encoded
    assert response["X-Content-Type-Options"] == "nosniff"

    pdf = services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("会议记录.pdf", pdf_bytes())
    )
    response = client.get(reverse("evidence:file", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    # Chrome's PDF viewer is an <embed>: the site's object-src 'none' must not reach this response.
    assert "object-src" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_thumbnail(client_for, photo, word):
    client = client_for("branch_secretary")
    response = client.get(reverse("evidence:thumbnail", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert client.get(reverse("evidence:thumbnail", args=[word.pk])).status_code == 404


def test_a_file_missing_on_disk_is_404_not_500(client_for, photo, media):
    for path in stored_files(media):
        path.unlink()
    assert client_for("branch_secretary").get(reverse("evidence:file", args=[photo.pk])).status_code == 404


def _all_requests(entry, evidence):
    return [
        ("get", reverse("evidence:file", args=[evidence.pk]), {}),
        ("get", reverse("evidence:thumbnail", args=[evidence.pk]), {}),
        ("get", upload_url(entry), {}),
        ("post", upload_url(entry), {"file": upload("a.pdf", pdf_bytes())}),
        ("post", reverse("evidence:delete", args=[evidence.pk]), {}),
    ]


@pytest.mark.parametrize("outsider", ["other_branch_secretary", "other_township_reviewer", "outsider"])
def test_outside_the_scope_everything_is_404(client, personas, outsiders, entry, photo, media, outsider):
    login(client, {**personas, **outsiders}[outsider])
    before = stored_files(media)
    for method, url, data in _all_requests(entry, photo):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert "甲一村".encode() not in response.content
        assert "支部活动".encode() not in response.content
    assert Evidence.objects.count() == 1 and stored_files(media) == before


def test_a_reviewer_of_the_same_township_can_look_but_not_change(client_for, entry, photo, media):
    client = client_for("township_reviewer")
    assert client.get(reverse("evidence:file", args=[photo.pk])).status_code == 200
    assert client.get(reverse("evidence:thumbnail", args=[photo.pk])).status_code == 200
    panel = client.get(upload_url(entry), **HTMX)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "支部活动.jpg" in html
    assert "hx-post" not in html and reverse("evidence:delete", args=[photo.pk]) not in html
    # Crafted posts: 403, nothing changes.
    assert client.post(upload_url(entry), {"file": upload("a.pdf", pdf_bytes())}, **HTMX).status_code == 403
    assert client.post(reverse("evidence:delete", args=[photo.pk])).status_code == 403
    assert Evidence.objects.count() == 1 and len(stored_files(media)) == 2


@pytest.mark.parametrize("persona", ["leading_group", "auditor"])
def test_county_read_only_roles_can_look_but_not_change(client_for, entry, photo, persona):
    client = client_for(persona)
    assert client.get(reverse("evidence:file", args=[photo.pk])).status_code == 200
    assert client.post(upload_url(entry), {"file": upload("a.pdf", pdf_bytes())}).status_code == 403
    assert client.post(reverse("evidence:delete", args=[photo.pk])).status_code == 403


def test_anonymous_users_go_to_login(client, entry, photo):
    for method, url, data in _all_requests(entry, photo):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_methods(client_for, entry, photo):
    client = client_for("branch_secretary")
    assert client.get(reverse("evidence:delete", args=[photo.pk])).status_code == 405
    assert client.post(reverse("evidence:file", args=[photo.pk])).status_code == 405
    assert client.head(reverse("evidence:file", args=[photo.pk])).status_code == 200
    assert client.get("/sheets/evidence/999999/").status_code == 404


def test_the_upload_form_accepts_what_the_server_accepts(client_for, entry):
    html = client_for("branch_secretary").get(upload_url(entry), **HTMX).content.decode()
    assert f'accept="{uploads.ACCEPT}"' in html


def test_csrf_is_still_checked_on_upload(entry, personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, personas["branch_secretary"])
    response = client.post(upload_url(entry), {"file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_csrf_checked_and_the_size_guard_still_in_place(entry, personas, media):
    """The upload view installs its size guard before the CSRF check reads the body."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, personas["branch_secretary"])
    client.get(upload_url(entry))
    token = client.cookies["csrftoken"].value
    big = upload("扫描件.pdf", b"%PDF-1.4\n" + b"\0" * (25 * 1024 * 1024))
    response = client.post(upload_url(entry), {"file": big, "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 200
    assert "扫描件.pdf：文件过大（25.0 MB）" in response.content.decode()
    response = client.post(
        upload_url(entry), {"file": upload("a.pdf", pdf_bytes()), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and Evidence.objects.count() == 1


def test_at_most_twenty_files_in_one_request(client_for, entry):
    small = image_bytes("PNG", size=(8, 8))
    files = [upload(f"{n}.png", small) for n in range(21)]
    response = client_for("branch_secretary").post(upload_url(entry), {"file": files}, **HTMX)
    assert "20.png：一次最多上传 20 个文件" in response.content.decode()
    assert Evidence.objects.count() == 20


def test_the_embedding_contract_of_the_sheet_page(rf, personas, entry, photo):
    """sheets/_item.html includes the list with `editable` and the upload form beside it."""
    from django.template import Context, Template

    request = rf.get("/sheets/1/")
    request.user = personas["branch_secretary"]
    template = Template(
        '{% include "evidence/_list.html" with entry=entry editable=editable %}'
        '{% if editable %}{% include "evidence/_upload.html" with entry=entry %}{% endif %}'
    )
    html = template.render(Context({"entry": entry, "editable": True, "request": request}))
    assert f'id="evidence-{entry.pk}"' in html and f'id="evidence-upload-{entry.pk}"' in html
    assert reverse("evidence:delete", args=[photo.pk]) in html
    assert "hx-swap-oob" not in html and "（已有 1 个）" in html
    html = template.render(Context({"entry": entry, "editable": False, "request": request}))
    assert "支部活动.jpg" in html
    assert reverse("evidence:delete", args=[photo.pk]) not in html and "evidence-upload" not in html
