"""Importing the organization tree from an Excel file, in three steps that never mix:

1. `tree_sheet.parse_sheet` turns the cells of the first sheet into rows, checking each cell.
2. `tree_plan.plan_import` checks the whole file against a `Snapshot` of the stored organizations
   and sorts the rows into creates, changes, moves and unchanged rows.
3. `apply_plan` (here) writes a valid plan in one transaction: paths of new organizations are
   computed in memory and inserted in batches (never `add_child` per row), changed rows are
   written with `bulk_update`, the rare parent changes go through treebeard's `move`, and one audit
   event is written per created, changed or moved organization, plus one `org.import` summary.

`check_file` chains the first two and `tree_import` all three; nothing is written unless every row is
valid, and a file that matches the database writes nothing at all (so a repeated submission is
harmless). The web page writes large files in a background job (`orgs.import_jobs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from chuangyou.accounts.scope import Scope
from chuangyou.audit.services import EventData, record, record_many
from chuangyou.lib.bulk_sql import chunks, insert_rows
from chuangyou.lib.excel import Limits, SpreadsheetError, read_first_sheet
from chuangyou.lib.masking import mask_phone
from chuangyou.orgs.models import Organization, Status
from chuangyou.orgs.tree_plan import Move, Plan, Snapshot, plan_import
from chuangyou.orgs.tree_sheet import DATA_DEFAULTS, DATA_FIELDS, WEB_LIMITS, Issue, OrgRow, parse_sheet

# The operator's tools act as the system: the whole tree, no login.
SYSTEM_SCOPE = Scope(grants=(), is_superuser=True)
MAX_STEP = len(Organization.alphabet) ** Organization.steplen - 1
AUDIT_NOTE = "Excel导入"
ISSUE_CONFLICT = "导入期间组织架构已被他人修改，未做任何修改，请重新导入。"


class ImportConflict(RuntimeError):
    """The database changed between checking the file and writing it."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.moved + self.unchanged

    @classmethod
    def of(cls, plan: Plan, *, dry_run: bool = False) -> ImportResult:
        counts = {"created": len(plan.creates), "updated": len(plan.changes), "moved": len(plan.moves)}
        return cls(**counts, unchanged=plan.unchanged, dry_run=dry_run)


@dataclass
class CheckedFile:
    """A whole file checked against the stored tree; writable when there are no errors."""

    errors: list[Issue]
    plan: Plan | None = None
    snapshot: Snapshot | None = None
    rows: int = 0  # data rows of the sheet

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_writes(self) -> bool:
        return self.ok and self.plan.has_writes

    def result(self, *, dry_run: bool = False) -> ImportResult:
        if self.errors:
            return ImportResult(errors=self.errors, dry_run=dry_run)
        return ImportResult.of(self.plan, dry_run=dry_run)


def check_file(data: bytes, scope: Scope, limits: Limits = WEB_LIMITS) -> CheckedFile:
    """Steps 1 and 2: read every cell and check every row against the stored tree; writes nothing."""
    try:
        cells = read_first_sheet(data, limits)
    except SpreadsheetError as exc:
        return CheckedFile(errors=[Issue(None, "文件", str(exc))])
    sheet = parse_sheet(cells)
    del cells
    if sheet.fatal:
        return CheckedFile(errors=sheet.issues)
    snapshot = Snapshot.load()
    plan = plan_import(sheet, snapshot, scope)
    return CheckedFile(errors=plan.issues, plan=plan, snapshot=snapshot, rows=len(sheet.rows))


def tree_import(
    *,
    actor,
    scope: Scope,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    limits: Limits = WEB_LIMITS,
) -> ImportResult:
    """Check a whole .xlsx file and, when every row is valid, apply it in one transaction."""
    checked = check_file(data, scope, limits)
    result = checked.result(dry_run=dry_run)
    if dry_run or not checked.has_writes:
        return result
    try:
        apply_plan(
            checked.plan,
            checked.snapshot,
            actor=actor,
            sha256=hashlib.sha256(data).hexdigest(),
            filename=filename,
        )
    except (ImportConflict, IntegrityError):
        return ImportResult(errors=[Issue(None, "文件", ISSUE_CONFLICT)])
    return result


def apply_plan(plan: Plan, snapshot: Snapshot, *, actor, sha256: str, filename: str) -> None:
    with transaction.atomic():
        _lock_and_verify(plan, snapshot)
        now = timezone.now()
        _write_changes(plan, now)
        created = _insert_new(plan.creates, snapshot, now)
        _move(plan.moves)
        record_many(_org_events(plan, created, snapshot), actor=actor)
        first_pk = created[0][1] if created else [*plan.changes, *plan.moves][0].org.pk
        _record_summary(plan, first_pk, actor=actor, sha256=sha256, filename=filename)


# --- Writing the organizations ---------------------------------------------------------------------


def _lock_and_verify(plan: Plan, snapshot: Snapshot) -> None:
    """Lock the stored rows this plan relies on and make sure they are as they were when checked."""
    relied_on = {c.org.pk: c.org for c in plan.changes}
    relied_on.update((m.org.pk, m.org) for m in plan.moves)
    for row in [*plan.creates, *(m.row for m in plan.moves)]:
        if (parent := snapshot.by_code.get(row.parent_code)) is not None:
            relied_on[parent.pk] = parent
    for chunk in chunks(sorted(relied_on), 2000):
        current = Organization.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        rows = {
            pk: (path, numchild, version)
            for pk, path, numchild, version in current.values_list("pk", "path", "numchild", "version")
        }
        for pk in chunk:
            org = relied_on[pk]
            if rows.get(pk) != (org.path, org.numchild, org.version):
                raise ImportConflict(pk)


def _write_changes(plan: Plan, now: dt.datetime) -> None:
    """Changed fields with `bulk_update`, grouped by the set of fields; moved rows get a new version too."""
    groups: dict[tuple[str, ...], list[Organization]] = defaultdict(list)
    touched = {c.org.pk: (c.org, c.fields) for c in plan.changes}
    for move in plan.moves:
        touched.setdefault(move.org.pk, (move.org, {}))
    for pk, (org, fields) in touched.items():
        groups[tuple(sorted(fields))].append(
            Organization(pk=pk, version=org.version + 1, updated_at=now, **fields)
        )
    for names, objs in groups.items():
        Organization.objects.bulk_update(objs, [*names, "version", "updated_at"], batch_size=1000)


def _new_paths(creates: list[OrgRow], snapshot: Snapshot) -> tuple[dict[str, str], Counter[str]]:
    """Treebeard paths for new organizations (parents come first in `creates`) and child counts by path."""
    steplen = Organization.steplen
    new_codes = {row.code for row in creates}
    stored_parents = {
        snapshot.by_code[row.parent_code].path if row.parent_code else ""
        for row in creates
        if row.parent_code not in new_codes
    }
    next_step = snapshot.last_steps(stored_parents)
    paths: dict[str, str] = {}
    children: Counter[str] = Counter()
    for row in creates:
        parent = row.parent_code
        parent_path = paths.get(parent) or (snapshot.by_code[parent].path if parent else "")
        step = next_step.get(parent_path, 0) + 1
        if step > MAX_STEP:
            raise ImportConflict(f"too many children under {parent}")
        next_step[parent_path] = step
        paths[row.code] = Organization._get_path(parent_path, len(parent_path) // steplen + 1, step)
        children[parent_path] += 1
    return paths, children


INSERT_FIELDS = ("path", "depth", "numchild", "code", *DATA_FIELDS, "status", "version", "updated_at")


def _insert_new(creates: list[OrgRow], snapshot: Snapshot, now: dt.datetime) -> list[tuple[OrgRow, int]]:
    """Insert new organizations with their computed paths; returns their rows with the new pks.

    Plain `INSERT`s (`lib.bulk_sql`): `bulk_create` would prepare every value through its field,
    which costs far more than the database itself for a whole province."""
    if not creates:
        return []
    paths, children = _new_paths(creates, snapshot)
    ops = connection.ops
    updated_at = ops.adapt_datetimefield_value(now)

    def values(row: OrgRow) -> tuple:
        path = paths[row.code]
        data = {**DATA_DEFAULTS, **row.values}
        data["founded"] = ops.adapt_datefield_value(data["founded"])
        depth = len(path) // Organization.steplen
        return (path, depth, children[path], row.code, *data.values(), Status.ACTIVE.value, 1, updated_at)

    insert_rows(Organization, INSERT_FIELDS, (values(row) for row in creates))
    _count_new_children(children, new_paths=set(paths.values()))
    pks = _pks_by_code(paths)
    return [(row, pks[row.code]) for row in creates]


def _count_new_children(children: Counter[str], *, new_paths: set[str]) -> None:
    """Add the new children to the `numchild` of their stored parents, one `UPDATE` per increment."""
    by_increment: dict[int, list[str]] = defaultdict(list)
    for path, count in children.items():
        if path and path not in new_paths:  # a stored parent
            by_increment[count].append(path)
    for count, parent_paths in by_increment.items():
        for chunk in chunks(parent_paths, 2000):
            Organization.objects.filter(path__in=chunk).update(numchild=F("numchild") + count)


def _pks_by_code(paths: dict[str, str]) -> dict[str, int]:
    if len(paths) > 2000:  # most of the table: one scan beats thousands of parameters
        return {c: pk for c, pk in Organization.objects.order_by().values_list("code", "pk") if c in paths}
    return dict(Organization.objects.order_by().filter(code__in=list(paths)).values_list("code", "pk"))


def _move(moves: list[Move]) -> None:
    """Parent changes through treebeard, each once its target is no longer below the moved node."""
    pending = list(moves)
    while pending:
        waiting = []
        for move in pending:
            node = Organization.objects.get(pk=move.org.pk)
            target = Organization.objects.get(code=move.row.parent_code)
            if target.path.startswith(node.path):
                waiting.append(move)
            else:
                Organization.objects.move(node, target, "last-child")
        if len(waiting) == len(pending):
            raise ImportConflict("moves cannot be ordered")
        pending = waiting


# --- Audit events ----------------------------------------------------------------------------------


ORGANIZATION_TYPE = Organization._meta.label_lower


def _org_events(plan: Plan, created: list[tuple[OrgRow, int]], snapshot: Snapshot) -> Iterator[EventData]:
    """One event per created, changed and moved organization, about itself and under its new name."""
    new_names = {r.code: r.values["name"] for r in plan.creates}
    new_names.update((c.row.code, c.fields["name"]) for c in plan.changes if "name" in c.fields)

    def name_of(code: str) -> str | None:
        if code in new_names:
            return new_names[code]
        org = snapshot.by_code.get(code)
        return org.name if org else None

    def event(verb: str, pk: int, code: str, before, after) -> EventData:
        return EventData(verb, ORGANIZATION_TYPE, pk, name_of(code) or "", pk, before, after, AUDIT_NOTE)

    def parent(code: str) -> dict[str, Any]:
        return {"parent_code": code or None, "parent_name": name_of(code)}

    for row, pk in created:
        yield event("org.create", pk, row.code, None, _created_after(row))
    for c in plan.changes:
        before = _audit_values({name: c.org.values[name] for name in c.fields})
        yield event("org.update", c.org.pk, c.row.code, before, _audit_values(c.fields))
    for m in plan.moves:
        yield event("org.move", m.org.pk, m.row.code, parent(m.old_parent), parent(m.row.parent_code))


def _created_after(row: OrgRow) -> dict[str, Any]:
    """The keys of `Organization.snapshot()`, as `org_create` records them, plus the parent's code."""
    values = {"code": row.code, **DATA_DEFAULTS, **row.values, "status": Status.ACTIVE.value}
    return {**_audit_values(values), "parent_code": row.parent_code or None}


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    shown = dict(values)
    if "secretary_phone" in shown:
        shown["secretary_phone"] = mask_phone(shown["secretary_phone"])
    if isinstance(shown.get("founded"), dt.date):
        shown["founded"] = shown["founded"].isoformat()
    return shown


def _record_summary(plan: Plan, first_pk: int, *, actor, sha256: str, filename: str) -> None:
    """The `org.import` event, on the root above the first organization the file touched."""
    path = Organization.objects.values_list("path", flat=True).get(pk=first_pk)
    root = Organization.objects.get(path=path[: Organization.steplen])
    counts = {
        "created": len(plan.creates),
        "updated": len(plan.changes),
        "moved": len(plan.moves),
        "unchanged": plan.unchanged,
    }
    after = {**counts, "file": filename[:200], "sha256": sha256}
    note = f"{AUDIT_NOTE}：{filename}"[:500]
    record(actor=actor, verb="org.import", target=root, organization=root, after=after, note=note)
