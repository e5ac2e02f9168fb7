"""evidence_upload / evidence_delete: who, when, how much; files on disk follow the rows."""

import io

import pytest
from PIL import Image

from chuangyou.assessments import evidence as services
from chuangyou.assessments.models import Evidence
from chuangyou.audit.models import AuditEvent
from tests.evidence.conftest import (
    docx_bytes,
    image_bytes,
    lock,
    ole2_bytes,
    pdf_bytes,
    stored_files,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "make", "content_type", "thumb"),
    [
        ("活动照片.jpg", lambda: image_bytes("JPEG"), "image/jpeg", True),
        ("截图.png", lambda: image_bytes("PNG"), "image/png", True),
        ("会议记录.pdf", pdf_bytes, "application/pdf", False),
        (
            "三会一课.docx",
            docx_bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        ("台账.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ],
)
def test_upload_stores_the_file_with_the_sniffed_type(
    personas, entry, media, name, make, content_type, thumb
):
    data = make()
    # The browser's claim is ignored: the type comes from the content.
    evidence = services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload(name, data, "text/html")
    )
    evidence.refresh_from_db()
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.uploaded_by == personas["branch_secretary"]
    assert evidence.file.name.startswith(f"evidence/{entry.sheet_id}/")
    assert name not in evidence.file.name  # never the user's name on disk
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert evidence.size == len(stored)
    # Documents are kept as they came; images are encoded afresh (see test_upload_checks).
    assert stored == data or (thumb and stored[:4] == data[:4])
    assert bool(evidence.thumbnail) is thumb
    assert len(stored_files(media)) == (2 if thumb else 1)
    assert all(str(path).startswith(str(media)) for path in stored_files(media))


def test_a_photo_is_stored_without_its_gps_position_and_a_page_behind_it(personas, entry, media):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)})
    page = b"<html><script>alert(1)</script></html>"
    data = image_bytes("JPEG", exif=exif.tobytes()) + page
    evidence = services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("活动照片.jpg", data)
    )
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert page not in stored and b"<script" not in stored and evidence.size == len(stored)


def test_a_pdf_with_a_page_behind_it_is_refused_and_nothing_is_stored(personas, entry, media):
    with pytest.raises(services.EvidenceError, match="文件内容与类型不符，请重新导出后上传"):
        services.evidence_upload(
            actor=personas["branch_secretary"],
            entry=entry,
            upload=upload("会议记录.pdf", pdf_bytes() + b"<html><script>alert(1)</script></html>"),
        )
    assert not Evidence.objects.exists() and not stored_files(media)


def test_upload_is_audited(personas, entry):
    evidence = services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("照片.jpg", image_bytes())
    )
    event = AuditEvent.objects.get(verb="evidence.upload")
    assert event.actor == personas["branch_secretary"]
    assert event.target_id == str(evidence.pk)
    assert event.organization_id == entry.sheet.organization_id
    assert event.after["name"] == "照片.jpg"
    assert event.after["size"] == evidence.size
    assert event.after["kind"] == "jpeg"


def test_the_county_admin_may_upload_too(personas, entry):
    services.evidence_upload(actor=personas["county_admin"], entry=entry, upload=upload("a.pdf", pdf_bytes()))
    assert entry.evidence.count() == 1


@pytest.mark.parametrize("persona", ["township_reviewer", "leading_group", "auditor", "outsider"])
def test_other_roles_may_not_upload(personas, entry, media, persona):
    with pytest.raises(services.EvidenceForbidden, match="只有查看权限"):
        services.evidence_upload(actor=personas[persona], entry=entry, upload=upload("a.pdf", pdf_bytes()))
    assert not Evidence.objects.exists() and not stored_files(media)


def test_the_secretary_of_another_branch_may_not_upload(outsiders, entry):
    with pytest.raises(services.EvidenceForbidden):
        services.evidence_upload(
            actor=outsiders["other_branch_secretary"], entry=entry, upload=upload("a.pdf", pdf_bytes())
        )


@pytest.mark.parametrize("state", ["submitted", "under_review"])
def test_upload_is_refused_once_the_sheet_is_submitted(personas, entry, media, state):
    lock(entry.sheet, state)
    with pytest.raises(services.EvidenceError, match="不能再上传或删除佐证材料"):
        services.evidence_upload(
            actor=personas["branch_secretary"], entry=entry, upload=upload("a.pdf", pdf_bytes())
        )
    assert not Evidence.objects.exists() and not stored_files(media)


def test_a_returned_sheet_takes_uploads_again(personas, entry):
    lock(entry.sheet, "returned")
    services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("a.pdf", pdf_bytes())
    )
    assert entry.evidence.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("照片.jpg", "会议纪要".encode(), "文件内容不是图片（扩展名为 .jpg，但内容不是 JPEG）"),
        ("旧文档.doc", ole2_bytes(), "另存为"),
        ("脚本.html", b"<script></script>", "不支持的文件类型"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(personas, entry, media, name, data, message):
    with pytest.raises(services.EvidenceError, match=message):
        services.evidence_upload(actor=personas["branch_secretary"], entry=entry, upload=upload(name, data))
    assert not Evidence.objects.exists() and not stored_files(media)
    assert not AuditEvent.objects.filter(verb="evidence.upload").exists()


def test_a_25_mb_file_is_refused_before_it_is_read(personas, entry, media):
    big = upload("扫描件.pdf", b"%PDF-1.4\n" + b"\0" * (25 * 1024 * 1024))
    big.chunks = None  # the declared size is enough: not one chunk is read
    with pytest.raises(services.EvidenceError, match=r"文件过大（25.0 MB），单个文件不能超过 20 MB"):
        services.evidence_upload(actor=personas["branch_secretary"], entry=entry, upload=big)
    assert not stored_files(media)


def test_a_file_that_lies_about_its_size_is_cut_off_while_reading(personas, entry):
    class Lying:
        name = "扫描件.pdf"
        size = 100

        def chunks(self):
            yield b"%PDF-1.4\n"
            while True:
                yield b"\0" * (1024 * 1024)

    with pytest.raises(services.EvidenceError, match="文件过大"):
        services.evidence_upload(actor=personas["branch_secretary"], entry=entry, upload=Lying())


def test_at_most_twenty_files_per_entry(personas, entry):
    small = image_bytes("PNG", size=(8, 8))
    for number in range(services.MAX_FILES_PER_ENTRY):
        services.evidence_upload(
            actor=personas["branch_secretary"], entry=entry, upload=upload(f"{number}.png", small)
        )
    with pytest.raises(services.EvidenceError, match="每个项目最多上传 20 个"):
        services.evidence_upload(
            actor=personas["branch_secretary"], entry=entry, upload=upload("21.png", small)
        )
    assert entry.evidence.count() == 20


def test_the_files_of_one_sheet_stay_under_200_mb(personas, entry, media):
    mb = 1024 * 1024
    # Rows standing for 199 MB already uploaded (no need to write them to disk).
    sizes = [19 * mb] * 10 + [9 * mb]
    for number, size in enumerate(sizes):
        Evidence.objects.create(
            entry=entry,
            file=f"evidence/x/{number}.pdf",
            original_name=f"{number}.pdf",
            content_type="application/pdf",
            size=size,
        )
    big_enough = b"%PDF-1.4\n" + b"\0" * (2 * mb) + b"\n%%EOF\n"
    with pytest.raises(services.EvidenceError, match=r"合计不能超过 200 MB（已用 199.0 MB，本文件 2.0 MB）"):
        services.evidence_upload(
            actor=personas["branch_secretary"], entry=entry, upload=upload("a.pdf", big_enough)
        )
    assert not stored_files(media)
    # What still fits is taken.
    services.evidence_upload(
        actor=personas["branch_secretary"],
        entry=entry,
        upload=upload("b.pdf", b"%PDF-1.4\n" + b"\0" * (mb // 2) + b"\n%%EOF\n"),
    )


def test_stored_files_are_removed_when_the_transaction_fails(personas, entry, media, monkeypatch):
    def broken_record(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.evidence_upload(
            actor=personas["branch_secretary"], entry=entry, upload=upload("照片.jpg", image_bytes())
        )
    assert not Evidence.objects.exists()
    assert not stored_files(media)


def _uploaded(personas, entry):
    return services.evidence_upload(
        actor=personas["branch_secretary"], entry=entry, upload=upload("照片.jpg", image_bytes())
    )


def test_delete_removes_the_files_after_commit(personas, entry, media, django_capture_on_commit_callbacks):
    evidence = _uploaded(personas, entry)
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_delete(actor=personas["branch_secretary"], evidence=evidence)
    assert not Evidence.objects.exists()
    assert len(stored_files(media)) == 2  # still there until the deletion commits
    for callback in callbacks:
        callback()
    assert stored_files(media) == []
    event = AuditEvent.objects.get(verb="evidence.delete")
    assert event.before["name"] == "照片.jpg" and event.before["kind"] == "jpeg"
    assert event.organization_id == entry.sheet.organization_id


def test_delete_with_the_callbacks_run(personas, entry, media, django_capture_on_commit_callbacks):
    evidence = _uploaded(personas, entry)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=personas["county_admin"], evidence=evidence)
    assert stored_files(media) == []


def test_delete_is_refused_on_a_submitted_sheet(personas, entry, media):
    evidence = _uploaded(personas, entry)
    lock(entry.sheet)
    with pytest.raises(services.EvidenceError, match="已提交"):
        services.evidence_delete(actor=personas["branch_secretary"], evidence=evidence)
    assert Evidence.objects.count() == 1 and len(stored_files(media)) == 2
    assert not AuditEvent.objects.filter(verb="evidence.delete").exists()


def test_delete_is_refused_for_a_reviewer(personas, entry):
    evidence = _uploaded(personas, entry)
    with pytest.raises(services.EvidenceForbidden):
        services.evidence_delete(actor=personas["township_reviewer"], evidence=evidence)
    assert Evidence.objects.count() == 1


def test_a_missing_file_does_not_block_deletion(personas, entry, media, django_capture_on_commit_callbacks):
    evidence = _uploaded(personas, entry)
    for path in stored_files(media):
        path.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=personas["branch_secretary"], evidence=evidence)
    assert not Evidence.objects.exists()
