"""Imports of the tree from the web page, as jobs (`ImportJob`) that can be followed on a page.

The request checks the whole file (`tree_import.check_file`): errors, a dry run and a file with
nothing to change are answered at once and leave no job. A writable file becomes a job: written at
once when it has at most `ORG_IMPORT_INLINE_MAX` rows, otherwise queued for `chuangyou worker`,
which checks the file again against the tree as it is then and writes it in one transaction.

A job is claimed by one `UPDATE` from queued to running, so a job delivered twice (or taken by a
second worker) runs once. Its outcome goes to the audit trail: the import's own events when it
succeeds, `org.import_fail` when it fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangyou.accounts.scope import scope_of
from chuangyou.audit.services import record
from chuangyou.orgs.models import (
    ACTIVE_IMPORT_STATES,
    STEP_CHECK,
    STEP_DONE,
    STEP_WRITE,
    ImportJob,
    ImportState,
    Organization,
)
from chuangyou.orgs.queries import common_prefix
from chuangyou.orgs.tree_import import (
    ISSUE_CONFLICT,
    CheckedFile,
    ImportConflict,
    ImportResult,
    apply_plan,
    check_file,
)
from chuangyou.orgs.tree_plan import Plan, Snapshot
from chuangyou.orgs.tree_sheet import Issue

logger = logging.getLogger(__name__)

MAX_KEPT_ERRORS = 200  # as many as the page lists
SYSTEM_ERROR = "导入时发生系统错误，未写入任何数据，请联系管理员"


@dataclass
class Started:
    """What an upload led to: a result to show at once, or a job to follow (or both, when small)."""

    result: ImportResult | None = None
    job: ImportJob | None = None

    @property
    def queued(self) -> bool:
        return self.job is not None and self.job.active


def import_start(*, actor, data: bytes, filename: str, dry_run: bool = False) -> Started:
    """Check an uploaded file and, when it is writable, import it at once or queue it."""
    scope = scope_of(actor)
    if not scope.can_manage_tree:
        raise PermissionDenied("您的角色不能导入组织架构")
    checked = check_file(data, scope)
    if dry_run or not checked.has_writes:
        return Started(result=checked.result(dry_run=dry_run))
    _fail_stale(actor)
    inline = checked.rows <= settings.ORG_IMPORT_INLINE_MAX
    job = ImportJob.objects.create(
        created_by=actor,
        organization_id=_common_ancestor(checked.plan, checked.snapshot),
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        rows_total=checked.rows,
        data=b"" if inline else data,  # written now from the check just made: not kept
    )
    if inline:
        import_execute(job.pk, checked=checked)
        job = ImportJob.objects.defer("data").get(pk=job.pk)
        return Started(result=job_result(job), job=job)
    from chuangyou.orgs.tasks import execute_import  # the task module imports this one

    execute_import.enqueue(job.pk)
    return Started(job=job)


def _common_ancestor(plan: Plan, snapshot: Snapshot) -> int | None:
    """The smallest stored subtree holding every organization the plan creates, changes or moves."""
    paths = [c.org.path for c in plan.changes] + [m.org.path for m in plan.moves]
    for row in [*plan.creates, *(m.row for m in plan.moves)]:
        if not row.parent_code:
            return None  # a new top-level organization
        if (parent := snapshot.by_code.get(row.parent_code)) is not None:
            paths.append(parent.path)
    # Parents new in the file hang, in the end, under a stored parent listed above.
    shared = common_prefix(paths)
    prefix = shared[: len(shared) - len(shared) % Organization.steplen]
    code = snapshot.code_by_path.get(prefix)
    return snapshot.by_code[code].pk if code else None


def job_result(job: ImportJob) -> ImportResult:
    """A finished job as the page shows an import made in the request."""
    if job.state == ImportState.FAILED:
        issues = [Issue(e["row"], e["column"], e["reason"]) for e in job.errors]
        return ImportResult(errors=issues or [Issue(None, "文件", job.error)])
    counts = {k: job.summary.get(k, 0) for k in ("created", "updated", "moved", "unchanged")}
    return ImportResult(**counts)


# --- Running a job ---------------------------------------------------------------------------------


class _Abandoned(Exception):
    """The job was ended by someone else (taken as stale) while it worked."""


class _Refused(Exception):
    """The second check found problems; nothing is written."""

    def __init__(self, checked: CheckedFile):
        count = len(checked.errors)
        super().__init__(
            f"重新检查文件时发现 {count} 处问题（上传后组织架构或您的权限已有变化），未导入任何数据"
        )
        self.errors = checked.errors


def _progress(job_id: int, **fields) -> None:
    """Record progress of a running job; stop when it is no longer running."""
    if not ImportJob.objects.filter(pk=job_id, state=ImportState.RUNNING).update(
        heartbeat=timezone.now(), **fields
    ):
        raise _Abandoned


def import_execute(job_id: int, *, checked: CheckedFile | None = None) -> None:
    """Check the stored file again (unless `checked` was just made) and write it in one transaction,
    marking the job done in the same transaction."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, step=STEP_CHECK, heartbeat=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        if checked is None:
            checked = check_file(bytes(job.data), scope_of(job.created_by))
        if not checked.ok:
            raise _Refused(checked)
        _progress(job_id, step=STEP_WRITE, rows_total=checked.rows)
        with transaction.atomic():
            if checked.has_writes:  # someone may have imported the same changes meanwhile
                plan = checked.plan
                apply_plan(
                    plan, checked.snapshot, actor=job.created_by, sha256=job.sha256, filename=job.filename
                )
            _progress(
                job_id,
                state=ImportState.DONE,
                step=STEP_DONE,
                rows_done=checked.rows,
                summary=_counts(checked.result()),
                finished_at=timezone.now(),
                data=b"",
            )
    except _Abandoned:
        return
    except _Refused as refused:
        _fail(job, str(refused), refused.errors)
    except (ImportConflict, IntegrityError):
        _fail(job, ISSUE_CONFLICT, [])
    except Exception:  # the job must end, whatever went wrong; the reason is shown on its page
        logger.exception("organization import job %s failed", job_id)
        _fail(job, SYSTEM_ERROR, [])


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "created": result.created,
        "updated": result.updated,
        "moved": result.moved,
        "unchanged": result.unchanged,
    }


def _fail(job: ImportJob, message: str, issues: list[Issue]) -> None:
    kept = [{"row": i.row, "column": i.column, "reason": i.reason} for i in issues[:MAX_KEPT_ERRORS]]
    ended = ImportJob.objects.filter(pk=job.pk, state=ImportState.RUNNING).update(
        state=ImportState.FAILED,
        error=message,
        errors=kept,
        summary={"errors": len(issues)} if issues else {},
        finished_at=timezone.now(),
        data=b"",
    )
    if ended:
        _record_failure(job, message, actor=job.created_by)


def _record_failure(job: ImportJob, message: str, *, actor) -> None:
    record(
        actor=actor,
        verb="org.import_fail",
        target=job,
        organization=job.organization,
        after={"file": job.filename, "rows": job.rows_total},
        note=message,
    )


def _fail_stale(actor) -> None:
    """End the actor's jobs that have shown no sign of life for long: their transaction, if any, was
    rolled back with their worker, and a late delivery can no longer claim them."""
    limit = timezone.now() - dt.timedelta(minutes=settings.ORG_IMPORT_STALE_MINUTES)
    message = (
        f"超过{settings.ORG_IMPORT_STALE_MINUTES}分钟没有进展（后台任务可能已中断），已终止，未写入任何数据"
    )
    stale = ImportJob.objects.visible_to(actor).filter(state__in=ACTIVE_IMPORT_STATES, heartbeat__lt=limit)
    for job in stale.defer("data").select_related("organization"):
        ended = ImportJob.objects.filter(pk=job.pk, state=job.state, heartbeat=job.heartbeat).update(
            state=ImportState.FAILED, error=message, finished_at=timezone.now(), data=b""
        )
        if ended:
            _record_failure(job, message, actor=actor)
