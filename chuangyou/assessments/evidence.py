"""Evidence files (佐证材料) attached to the entries of a score sheet.

Who may do what:
- see and download: anyone whose scope contains the sheet's organization (404 for everyone else);
- upload and delete: the branch secretary of that branch, or a county admin above it, and only
  while the sheet is editable (draft or returned).

A file is checked by its content (`chuangyou.lib.uploads`), never by its name or the type the
browser claims, and the limits below hold before anything is stored. An image is stored as
`uploads` encoded it afresh (upright, no EXIF or GPS position, nothing appended), not as it came.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum

from chuangyou.accounts.scope import scope_of
from chuangyou.assessments import services as sheet_services
from chuangyou.assessments.models import Entry, Evidence, ScoreSheet
from chuangyou.audit.services import record
from chuangyou.lib import uploads

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = uploads.MAX_FILE_BYTES  # 20 MB a file
MAX_SHEET_BYTES = 200 * 1024 * 1024  # all the files of one score sheet
MAX_FILES_PER_ENTRY = 20


class EvidenceError(ValueError):
    """A refused upload or deletion; the message is for the user (Chinese)."""


class EvidenceForbidden(EvidenceError):
    """The actor's role does not allow changing this sheet's evidence (views answer 403)."""


def may_view(user, sheet: ScoreSheet) -> bool:
    return scope_of(user).contains(sheet.organization)


def may_edit(user, sheet: ScoreSheet) -> bool:
    """The branch secretary of the sheet's branch, or a county admin whose scope holds it: the
    same people who fill the sheet in."""
    return sheet_services.may_fill(user, sheet)


def may_change(user, sheet: ScoreSheet) -> bool:
    """Whether pages should offer upload and delete buttons for this sheet now."""
    return sheet.editable and may_edit(user, sheet)


def check_may_change(actor, sheet: ScoreSheet) -> None:
    """Raise `EvidenceForbidden` for a read-only role, `EvidenceError` for a locked sheet."""
    if not may_edit(actor, sheet):
        raise EvidenceForbidden("您的角色对该自查表只有查看权限，不能上传或删除佐证材料。")
    if not sheet.editable:
        raise EvidenceError(
            f"自查表{sheet.get_state_display()}，不能再上传或删除佐证材料；"
            "如需修改，请联系乡镇(街道)党(工)委退回。"
        )


def _locked_sheet(actor, sheet_id: int) -> ScoreSheet:
    """The sheet, locked against a concurrent submit or upload, and checked again under the lock."""
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).select_related("organization").get(pk=sheet_id)
    check_may_change(actor, sheet)
    return sheet


def _summary(evidence: Evidence, kind: str) -> dict:
    return {
        "name": evidence.original_name,
        "size": evidence.size,
        "kind": kind,
        "entry": evidence.entry_id,
        "item": str(evidence.entry.item),
    }


def evidence_upload(*, actor, entry: Entry, upload) -> Evidence:
    """Check and store one uploaded file (a Django `UploadedFile` or anything with `name`, `size`
    and `chunks()`) for `entry`; raises `EvidenceError` with the reason when refused."""
    name = uploads.clean_name(getattr(upload, "name", ""))
    # Cheap refusals first: role and state, then the declared size, before reading anything.
    check_may_change(actor, entry.sheet)
    declared = getattr(upload, "size", None)
    if declared is not None and declared > MAX_FILE_BYTES:
        raise EvidenceError(uploads.too_large_message(declared, MAX_FILE_BYTES))
    try:
        data = uploads.read_limited(upload.chunks(), MAX_FILE_BYTES)
        checked = uploads.check_file(data, name)
    except uploads.UploadError as exc:
        raise EvidenceError(str(exc)) from exc

    stored: list = []
    try:
        with transaction.atomic():
            sheet = _locked_sheet(actor, entry.sheet_id)
            count = Evidence.objects.filter(entry=entry).count()
            if count >= MAX_FILES_PER_ENTRY:
                raise EvidenceError(
                    f"每个项目最多上传 {MAX_FILES_PER_ENTRY} 个佐证材料，"
                    "请先删除不需要的文件，或合并成一个 PDF。"
                )
            used = Evidence.objects.filter(entry__sheet=sheet).aggregate(s=Sum("size"))["s"] or 0
            if used + checked.size > MAX_SHEET_BYTES:
                raise EvidenceError(
                    f"本自查表的佐证材料合计不能超过 {MAX_SHEET_BYTES // 1024 // 1024} MB"
                    f"（已用 {uploads.size_text(used)}，本文件 {uploads.size_text(checked.size)}）。"
                    "请压缩图片或删除不需要的文件。"
                )
            evidence = Evidence(
                entry=entry,
                original_name=name,
                content_type=checked.kind.content_type,
                size=checked.size,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            evidence.file.save(f"file{checked.kind.extension}", ContentFile(checked.data), save=False)
            stored.append(evidence.file)
            if checked.thumbnail:
                evidence.thumbnail.save("thumb.jpg", ContentFile(checked.thumbnail), save=False)
                stored.append(evidence.thumbnail)
            evidence.save()
            record(
                actor=actor,
                verb="evidence.upload",
                target=evidence,
                organization=sheet.organization,
                after=_summary(evidence, checked.kind.code),
            )
    except BaseException:
        # Nothing was committed: the files written above must not stay behind.
        for field_file in stored:
            _delete_file(field_file.storage, field_file.name)
        raise
    return evidence


def evidence_delete(*, actor, evidence: Evidence) -> None:
    """Delete one file; the stored files go once the deletion has committed."""
    with transaction.atomic():
        sheet = _locked_sheet(actor, evidence.entry.sheet_id)
        names = [(f.storage, f.name) for f in (evidence.file, evidence.thumbnail) if f]
        kind = uploads.KINDS_BY_CONTENT_TYPE.get(evidence.content_type)
        before = _summary(evidence, kind.code if kind else evidence.content_type)
        record(
            actor=actor,
            verb="evidence.delete",
            target=evidence,
            organization=sheet.organization,
            before=before,
        )
        evidence.delete()

        def remove_files():
            for storage, name in names:
                _delete_file(storage, name)

        transaction.on_commit(remove_files)


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # the row is gone either way; a leftover file is only disk space
        logger.warning("could not delete evidence file %s", name, exc_info=True)
