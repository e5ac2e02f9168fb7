"""Excel import and export of the organization tree.

An import runs in three steps that never mix:

1. `parse_sheet` turns the cells of the first sheet into `OrgRow`s, checking each cell against the
   column table `COLUMNS` (one parser per column).
2. `plan_import` checks the whole file against a `Snapshot` of the organizations already stored
   (duplicate codes, unknown parents, cycles, placement rules, scope) and sorts the rows into
   creates, changes, moves and unchanged rows. Both are plain functions over plain data.
3. `apply_plan` writes a valid plan in one transaction: paths of new organizations are computed in
   memory and inserted in batches (never `add_child` per row), changed rows are written with
   `bulk_update`, the rare parent changes go through treebeard's `move`, and one audit event is
   written per created, changed or moved organization, plus one `org.import` summary.

`tree_import` chains the three; nothing is written unless every row is valid, and a file that
matches the database writes nothing at all (so a repeated submission is harmless).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone

from chuangyou.accounts.scope import Scope
from chuangyou.audit.models import AuditEvent
from chuangyou.audit.services import _event_fields, record
from chuangyou.lib.excel import (
    FORMULA_PREFIXES,
    Limits,
    SpreadsheetError,
    cell_text,
    iter_rows_with_numbers,
    read_first_sheet,
    write_xlsx,
)
from chuangyou.lib.masking import mask_phone
from chuangyou.orgs.forms import CODE, PHONE
from chuangyou.orgs.models import Domain, Kind, Organization, Status
from chuangyou.rules import org_setup

# The operator's tools act as the system: the whole tree, no login.
SYSTEM_SCOPE = Scope(grants=(), is_superuser=True)
# Uploads through the web page.
WEB_LIMITS = Limits()
# Files given on the server's command line may be larger than uploads; zip bombs are still refused.
CLI_LIMITS = Limits(max_bytes=200 * 1024 * 1024, max_uncompressed=2048 * 1024 * 1024)
MAX_ROWS = 300_000
MAX_DEPTH = Organization._meta.get_field("path").max_length // Organization.steplen
MAX_STEP = len(Organization.alphabet) ** Organization.steplen - 1
BATCH_SIZE = 5000
SHEET_NAME = "组织架构"
AUDIT_NOTE = "Excel导入"
FORMULA_CHECKED = ("name", "secretary_name")
BASIC_KINDS = frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH})
MASKED_PHONE = re.compile(r"^[0-9+]{3}\*+[0-9]{4}$")
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
ISSUE_CONFLICT = "导入期间组织架构已被他人修改，未做任何修改，请重新导入。"


# --- Issues --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with the file: spreadsheet row (None for the whole file), column, reason."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}：{self.reason}"
        return f"第{self.row}行 {self.column}：{self.reason}"


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


class ImportConflict(RuntimeError):
    """The database changed between checking the file and writing it."""


# --- Columns and cell parsers ----------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Exports put an apostrophe before text that looks like a formula; take it off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _text(value: Any, *, max_length: int, required: bool = False) -> str:
    text = _unescape(cell_text(value))
    if required and not text:
        raise CellError("不能为空")
    if len(text) > max_length:
        raise CellError(f"不能超过{max_length}个字（当前{len(text)}个字）")
    return text


def parse_code(value: Any) -> str:
    text = _text(value, max_length=32, required=True)
    if not CODE.match(text):
        raise CellError(f"“{text}”格式不正确：只能包含字母、数字、短横线、下划线和点，最长32位")
    return text


def parse_parent_code(value: Any) -> str:
    return _text(value, max_length=32)


def parse_name(value: Any) -> str:
    return _text(value, max_length=100, required=True)


def parse_person_name(value: Any) -> str:
    return _text(value, max_length=50)


def _choice_parser(choices: type, noun: str, *, required: bool) -> Callable[[Any], str]:
    lookup = {**{c.label: c.value for c in choices}, **{c.value: c.value for c in choices}}
    labels = "、".join(c.label for c in choices)

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not text and not required:
            return ""
        if not text:
            raise CellError("不能为空")
        if text not in lookup:
            raise CellError(f"“{text}”不是有效的{noun}，应为：{labels}")
        return lookup[text]

    return parse


parse_kind = _choice_parser(Kind, "组织类别", required=True)
parse_domain = _choice_parser(Domain, "所属领域", required=False)


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int | float):
        number = value
    else:
        text = cell_text(value)
        if not text:
            return 0
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"“{text}”不是数字，应为不小于0的整数") from None
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise CellError(f"“{cell_text(value)}”应为整数")
    if number < 0:
        raise CellError(f"不能为负数（当前为{int(number)}）")
    if number > 1_000_000:
        raise CellError(f"数值过大（当前为{int(number)}）")
    return int(number)


def parse_phone(value: Any) -> str:
    text = _unescape(cell_text(value))
    if text and not PHONE.match(text) and not MASKED_PHONE.match(text):
        raise CellError(f"“{text}”不是有效的电话号码")
    return text


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value)
        if not text:
            return None
        match = DATE_TEXT.match(text)
        try:
            day = dt.date(*(int(part) for part in match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            raise CellError(f"“{text}”不是有效日期，应为 YYYY-MM-DD 格式，如 2001-07-01")
    return day


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file (a cell may still be blank)


COLUMNS = (
    Column("组织代码", "code", parse_code, required=True),
    Column("组织名称", "name", parse_name, required=True),
    Column("上级组织代码", "parent_code", parse_parent_code, required=True),
    Column("组织类别", "kind", parse_kind, required=True),
    Column("所属领域", "domain", parse_domain),
    Column("正式党员数", "full_members", parse_count),
    Column("预备党员数", "probationary_members", parse_count),
    Column("书记姓名", "secretary_name", parse_person_name),
    Column("书记电话", "secretary_phone", parse_phone),
    Column("成立日期", "founded", parse_date),
)
HEADER = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}
# Fields an import may set on an organization, with the value a new one gets when a column is absent.
DATA_DEFAULTS: dict[str, Any] = {
    "name": "",
    "kind": "",
    "domain": "",
    "full_members": 0,
    "probationary_members": 0,
    "secretary_name": "",
    "secretary_phone": "",
    "founded": None,
}
DATA_FIELDS = tuple(DATA_DEFAULTS)


# --- Parsing the sheet ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One data row: the values that parsed (a field that failed is absent from `values`)."""

    line: int
    code: str
    parent_code: str
    values: dict[str, Any]


@dataclass
class ParsedSheet:
    rows: list[OrgRow] = field(default_factory=list)
    fields: frozenset[str] = frozenset()  # data fields whose column is in the file
    issues: list[Issue] = field(default_factory=list)
    fatal: bool = False  # the header is unusable: no row was read


def _header_index(header: list[Any]) -> tuple[dict[str, int], list[Issue]]:
    positions: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(header):
        positions[cell_text(cell)].append(index)
    issues = [Issue(1, h, "该列出现了多次") for h in HEADER if len(positions.get(h, ())) > 1]
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if missing:
        issues.append(
            Issue(1, "表头", f"缺少必填列：{'、'.join(missing)}。请下载导入模板，第一行须为模板中的列名")
        )
    return {c.field: positions[c.header][0] for c in COLUMNS if c.header in positions}, issues


def parse_sheet(cells: list[list[Any]]) -> ParsedSheet:
    """Rows of the first sheet (header first) → parsed rows and every cell-level issue."""
    if not cells:
        return ParsedSheet(issues=[Issue(None, "文件", "工作表是空的，请使用导入模板填写")], fatal=True)
    index, issues = _header_index(cells[0])
    if issues:
        return ParsedSheet(issues=issues, fatal=True)
    data_rows = len(cells) - 1
    if data_rows > MAX_ROWS:
        reason = f"共{data_rows}行，超过单次导入上限{MAX_ROWS}行，请分批导入"
        return ParsedSheet(issues=[Issue(None, "文件", reason)], fatal=True)
    columns = [(c, index[c.field]) for c in COLUMNS if c.field in index]
    sheet = ParsedSheet(fields=frozenset(index) & frozenset(DATA_FIELDS))
    for line, cells_of_row in iter_rows_with_numbers(cells[1:]):
        values: dict[str, Any] = {}
        for column, position in columns:
            value = cells_of_row[position] if position < len(cells_of_row) else None
            try:
                values[column.field] = column.parse(value)
            except CellError as exc:
                sheet.issues.append(Issue(line, column.header, str(exc)))
        code = values.pop("code", "")
        parent_code = values.pop("parent_code", "")
        sheet.rows.append(OrgRow(line, code, parent_code, values))
    if not sheet.rows:
        sheet.issues.append(Issue(None, "文件", "文件中没有数据行（第一行为表头，从第二行起每行一个组织）"))
        sheet.fatal = True
    return sheet


# --- What is stored already ------------------------------------------------------------------------


@dataclass(slots=True)
class Existing:
    """A stored organization as plain data (enough for scope checks: it has a `path`)."""

    pk: int
    path: str
    depth: int
    numchild: int
    status: str
    version: int
    values: dict[str, Any]

    @property
    def name(self) -> str:
        return self.values["name"]

    @property
    def kind(self) -> str:
        return self.values["kind"]


SNAPSHOT_FIELDS = ("pk", "path", "depth", "numchild", "status", "version", "code", *DATA_FIELDS)


@dataclass
class Snapshot:
    by_code: dict[str, Existing] = field(default_factory=dict)
    code_by_path: dict[str, str] = field(default_factory=dict)
    _children: dict[str, list[str]] | None = None

    @classmethod
    def load(cls) -> Snapshot:
        """Every stored organization, in one query."""
        snapshot = cls()
        rows = Organization.objects.order_by().values_list(*SNAPSHOT_FIELDS).iterator(chunk_size=10_000)
        for pk, path, depth, numchild, status, version, code, *data in rows:
            values = dict(zip(DATA_FIELDS, data, strict=True))
            snapshot.add(code, Existing(pk, path, depth, numchild, status, version, values))
        return snapshot

    def add(self, code: str, org: Existing) -> None:
        self.by_code[code] = org
        self.code_by_path[org.path] = code

    def parent_code(self, org: Existing) -> str:
        return self.code_by_path.get(org.path[: -Organization.steplen], "")

    def children_of(self, org: Existing) -> list[tuple[str, Existing]]:
        if self._children is None:  # built on first use: only a change of kind needs it
            self._children = defaultdict(list)
            for path, code in self.code_by_path.items():
                self._children[path[: -Organization.steplen]].append(code)
        return [(code, self.by_code[code]) for code in self._children.get(org.path, ())]

    def last_steps(self, parent_paths: set[str]) -> dict[str, int]:
        """The highest child step in use under each of these paths ("" for the roots)."""
        last: dict[str, str] = {}
        for path in self.code_by_path:
            parent = path[: -Organization.steplen]
            if parent in parent_paths and path > last.get(parent, ""):
                last[parent] = path
        return {p: Organization._str2int(path[-Organization.steplen :]) for p, path in last.items()}


# --- Checking the whole file -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    row: OrgRow
    org: Existing
    fields: dict[str, Any]  # the new values of the fields that differ


@dataclass(frozen=True, slots=True)
class Move:
    row: OrgRow
    org: Existing
    old_parent: str


@dataclass
class Plan:
    creates: list[OrgRow] = field(default_factory=list)  # parents before children
    changes: list[Change] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_writes(self) -> bool:
        return bool(self.creates or self.changes or self.moves)


def _kind_label(kind: str) -> str:
    return org_setup.KIND_LABELS.get(kind, kind)


class _Planner:
    """The whole-file checks of `plan_import`, one method per rule."""

    def __init__(self, sheet: ParsedSheet, snapshot: Snapshot, scope: Scope):
        self.snapshot = snapshot
        self.scope = scope
        self.today = timezone.localdate()
        self.plan = Plan(issues=list(sheet.issues))
        self.fields = sheet.fields
        self.rows: dict[str, OrgRow] = {}
        self.depth: dict[str, int] = {}  # final depth; -1 when the chain runs into a loop
        for row in sheet.rows:
            if not row.code:
                continue  # its code cell is already reported
            if first := self.rows.get(row.code):
                self.issue(row, "code", f"“{row.code}”与第{first.line}行重复")
            else:
                self.rows[row.code] = row

    def issue(self, row: OrgRow, field_name: str, reason: str) -> None:
        self.plan.issues.append(Issue(row.line, HEADER_OF[field_name], reason))

    # The tree as it will be once the file is applied.
    def final_parent(self, code: str) -> str:
        if (row := self.rows.get(code)) is not None:
            return row.parent_code
        org = self.snapshot.by_code.get(code)
        return self.snapshot.parent_code(org) if org else ""

    def final_kind(self, code: str) -> str | None:
        row = self.rows.get(code)
        if row is not None:
            return row.values.get("kind")
        org = self.snapshot.by_code.get(code)
        return org.kind if org else None

    def run(self) -> Plan:
        self.check_loops()
        kind_changed = {
            code
            for code, row in self.rows.items()
            if (org := self.snapshot.by_code.get(code)) and row.values.get("kind", org.kind) != org.kind
        }
        for row in self.rows.values():
            self.check_row(row, kind_changed)
        self.plan.creates.sort(key=lambda r: self.depth[r.code])
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        self.plan.issues.sort(key=lambda i: (i.row or 0, order.get(i.column, -1)))
        return self.plan

    def check_loops(self) -> None:
        """Walk up from every row once (memoized), giving final depths and reporting loops."""
        for start in self.rows:
            trail: list[str] = []
            position: dict[str, int] = {}
            code = start
            while code and code not in self.depth and code not in position:
                position[code] = len(trail)
                trail.append(code)
                code = self.final_parent(code)
            if code in position:
                self.report_loop(trail[position[code] :])
                self.depth.update(dict.fromkeys(trail, -1))
                continue
            depth = self.depth[code] if code else 0
            for member in reversed(trail):
                depth = -1 if depth < 0 else depth + 1
                self.depth[member] = depth

    def report_loop(self, loop: list[str]) -> None:
        if len(loop) == 1:
            self.issue(self.rows[loop[0]], "parent_code", "不能是本组织自己的代码")
            return
        shown = loop if len(loop) <= 8 else [*loop[:7], "…"]
        text = " → ".join([*shown, loop[0]])
        for code in loop:
            if code in self.rows:
                self.issue(self.rows[code], "parent_code", f"上下级关系形成循环：{text}")

    def check_row(self, row: OrgRow, kind_changed: set[str]) -> None:
        org = self.snapshot.by_code.get(row.code)
        if org is not None and not self.scope.contains(org):
            self.issue(row, "code", f"“{row.code}”已被您管辖范围以外的组织使用")
            return
        if self.depth[row.code] < 0 or not self.check_parent_known(row):
            return
        changes = self.changed_fields(row, org) if org is not None else {}
        moving = org is not None and row.parent_code != self.snapshot.parent_code(org)
        placing = org is None or moving
        if placing:
            self.check_placing(row, org)
        if placing or row.code in kind_changed or row.parent_code in kind_changed:
            self.check_kinds(row, kind_changed)
        if org is not None and (changes or moving):
            self.check_may_change(row, org)
        if placing or changes:
            self.check_domain(row, org)
            self.check_new_values(row, changes if org is not None else row.values)
        if org is None:
            self.plan.creates.append(row)
            return
        if changes:
            self.plan.changes.append(Change(row, org, changes))
        if moving:
            self.plan.moves.append(Move(row, org, self.snapshot.parent_code(org)))
        if not changes and not moving:
            self.plan.unchanged += 1

    def check_parent_known(self, row: OrgRow) -> bool:
        parent = row.parent_code
        if parent and parent not in self.rows and parent not in self.snapshot.by_code:
            self.issue(row, "parent_code", f"“{parent}”在文件和系统中都不存在")
            return False
        return True

    def check_placing(self, row: OrgRow, org: Existing | None) -> None:
        """A new organization, or one that changes parent: the parent must accept it."""
        parent_code = row.parent_code
        if not parent_code:
            if org is not None:
                self.issue(row, "parent_code", "已有组织不能通过导入调整为顶层组织，请填写上级组织代码")
            elif not self.scope.is_superuser:
                self.issue(row, "parent_code", "只有系统管理员可以导入顶层组织，请填写上级组织代码")
            return
        if self.depth[row.code] > MAX_DEPTH:
            self.issue(row, "parent_code", f"组织层级超过{MAX_DEPTH}级")
        parent = self.snapshot.by_code.get(parent_code)
        if parent is None:
            return  # a new organization of this file: its own row is checked the same way
        if not self.scope.can_add_child(parent):
            self.issue(row, "parent_code", "上级组织不在您的管辖范围内")
        elif parent.status != Status.ACTIVE:
            status = Status(parent.status).label  # 已撤销 / 已合并
            self.issue(row, "parent_code", f"上级组织“{parent.name}”{status}，不能在其下设立或调入组织")

    def check_kinds(self, row: OrgRow, kind_changed: set[str]) -> None:
        kind = row.values.get("kind")
        if kind is None:
            return
        column = "kind" if row.code in kind_changed else "parent_code"
        parent_kind = self.final_kind(row.parent_code) if row.parent_code else None
        if row.parent_code and parent_kind is None:
            return  # the parent's own kind cell is already reported
        if error := org_setup.placement_error(parent_kind, kind):
            self.issue(row, column, error)
        org = self.snapshot.by_code.get(row.code)
        if row.code in kind_changed and org is not None:
            for child_code, child in self.snapshot.children_of(org):
                if child_code not in self.rows and (error := org_setup.placement_error(kind, child.kind)):
                    self.issue(row, "kind", f"{error}（现有下级组织“{child.name}”）")

    def check_may_change(self, row: OrgRow, org: Existing) -> None:
        if not self.scope.can_manage(org):
            self.issue(row, "code", f"您无权修改“{org.name}”")
        elif org.status != Status.ACTIVE:
            self.issue(row, "code", f"“{org.name}”{Status(org.status).label}，不能通过导入修改")

    def check_domain(self, row: OrgRow, org: Existing | None) -> None:
        kind = row.values.get("kind")
        if "domain" in self.fields and "domain" not in row.values:
            return  # the domain cell is already reported
        domain = row.values.get("domain", org.values["domain"] if org else "")
        if kind in BASIC_KINDS and not domain:
            self.issue(row, "domain", f"{_kind_label(kind)}须填写所属领域")

    def check_new_values(self, row: OrgRow, new_values: dict[str, Any]) -> None:
        """Rules for values being written (values stored earlier still round-trip unchanged)."""
        for name in FORMULA_CHECKED:
            text = new_values.get(name) or ""
            if text.startswith(FORMULA_PREFIXES):
                shown = text[0].strip() or "空白字符"
                self.issue(row, name, f"不能以“{shown}”开头（会被电子表格当作公式），请删除该符号")
        founded = new_values.get("founded")
        if founded is not None and founded > self.today:
            self.issue(row, "founded", f"{founded.isoformat()}晚于今天")
        if "*" in new_values.get("secretary_phone", ""):
            self.issue(row, "secretary_phone", "新建组织的书记电话须填写完整号码，不能是脱敏号码")

    def changed_fields(self, row: OrgRow, org: Existing) -> dict[str, Any]:
        changes = {}
        for name, value in row.values.items():
            if value == org.values[name]:
                continue
            if name == "secretary_phone" and "*" in value:
                if mask_phone(org.values[name]) != value:
                    self.issue(row, name, "书记电话是脱敏号码，请填写完整号码（或保留导出时的原样）")
                continue
            changes[name] = value
        return changes


def plan_import(sheet: ParsedSheet, snapshot: Snapshot, scope: Scope) -> Plan:
    """Check every row against the file and the stored tree; the plan is writable when it has no issues."""
    return _Planner(sheet, snapshot, scope).run()


# --- Applying a plan -------------------------------------------------------------------------------


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
    try:
        cells = read_first_sheet(data, limits)
    except SpreadsheetError as exc:
        return ImportResult(errors=[Issue(None, "文件", str(exc))])
    sheet = parse_sheet(cells)
    del cells
    if sheet.fatal:
        return ImportResult(errors=sheet.issues)
    snapshot = Snapshot.load()
    plan = plan_import(sheet, snapshot, scope)
    if plan.issues:
        return ImportResult(errors=plan.issues, dry_run=dry_run)
    result = ImportResult(
        created=len(plan.creates),
        updated=len(plan.changes),
        moved=len(plan.moves),
        unchanged=plan.unchanged,
        dry_run=dry_run,
    )
    if dry_run or not plan.has_writes:
        return result
    try:
        apply_plan(plan, snapshot, actor=actor, sha256=hashlib.sha256(data).hexdigest(), filename=filename)
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
        _write_audit(plan, created, snapshot, actor=actor, now=now, sha256=sha256, filename=filename)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lock_and_verify(plan: Plan, snapshot: Snapshot) -> None:
    """Lock the stored rows this plan relies on and make sure they are as they were when checked."""
    relied_on = {c.org.pk: c.org for c in plan.changes}
    relied_on.update((m.org.pk, m.org) for m in plan.moves)
    for row in [*plan.creates, *(m.row for m in plan.moves)]:
        if (parent := snapshot.by_code.get(row.parent_code)) is not None:
            relied_on[parent.pk] = parent
    for chunk in _chunks(sorted(relied_on), 2000):
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
    """Insert new organizations with their computed paths; returns their rows with the new pks."""
    if not creates:
        return []
    paths, children = _new_paths(creates, snapshot)
    ops = connection.ops
    updated_at = ops.adapt_datetimefield_value(now)
    rows = []
    for row in creates:
        path = paths[row.code]
        data = {**DATA_DEFAULTS, **row.values}
        data["founded"] = ops.adapt_datefield_value(data["founded"])
        depth = len(path) // Organization.steplen
        rows.append(
            (path, depth, children[path], row.code, *data.values(), Status.ACTIVE.value, 1, updated_at)
        )
    _insert_rows(Organization, INSERT_FIELDS, rows)
    del rows
    new_paths = set(paths.values())
    by_increment: dict[int, list[str]] = defaultdict(list)
    for path, count in children.items():
        if path and path not in new_paths:  # a stored parent
            by_increment[count].append(path)
    for count, parent_paths in by_increment.items():
        for chunk in _chunks(parent_paths, 2000):
            Organization.objects.filter(path__in=chunk).update(numchild=F("numchild") + count)
    pks = _pks_by_code(paths)
    return [(row, pks[row.code]) for row in creates]


def _insert_rows(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """`INSERT` with `executemany` in batches: `bulk_create` prepares every value through its field,
    which costs far more than the database itself for a whole province."""
    ops = connection.ops
    columns = ", ".join(ops.quote_name(model._meta.get_field(n).column) for n in names)
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH_SIZE):
            cursor.executemany(sql, chunk)


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


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    shown = dict(values)
    if "secretary_phone" in shown:
        shown["secretary_phone"] = mask_phone(shown["secretary_phone"])
    if isinstance(shown.get("founded"), dt.date):
        shown["founded"] = shown["founded"].isoformat()
    return shown


class _Target:
    """What an audit event records about its organization, without building a model instance."""

    __slots__ = ("name", "pk")
    _meta = Organization._meta

    def __init__(self, pk: int, name: str):
        self.pk, self.name = pk, name

    def __str__(self) -> str:
        return self.name


EVENT_FIELDS = (
    "created_at", "actor", "actor_name", "verb", "target_type", "target_id", "target_label",
    "organization", "before", "after", "note", "ip",
)  # fmt: skip


def _write_audit(plan: Plan, created: list[tuple[OrgRow, int]], snapshot: Snapshot, *, actor, now, **summary):
    """One event per created, changed and moved organization, then the summary of the file.

    The events are the ones `audit.services.record_many` writes (same `_event_fields`), inserted with
    `executemany`: building 200,000 model instances for `bulk_create` took half of a province's import."""
    new_names = {r.code: r.values["name"] for r in plan.creates}
    new_names.update((c.row.code, c.fields["name"]) for c in plan.changes if "name" in c.fields)

    def parent(code: str) -> dict[str, Any]:
        org = snapshot.by_code.get(code)
        return {
            "parent_code": code or None,
            "parent_name": new_names.get(code) or (org.name if org else None),
        }

    def target(org: Existing, row: OrgRow) -> _Target:
        return _Target(org.pk, new_names.get(row.code, org.name))

    def created_after(row: OrgRow) -> dict[str, Any]:  # the keys of Organization.snapshot()
        values = {"code": row.code, **DATA_DEFAULTS, **row.values, "status": Status.ACTIVE.value}
        return {**_audit_values(values), "parent_code": row.parent_code or None}

    events = [
        ("org.create", _Target(pk, row.values["name"]), None, created_after(row)) for row, pk in created
    ]
    events += [
        ("org.update", target(c.org, c.row), *_audit_diff(c.org.values, c.fields)) for c in plan.changes
    ]
    events += [
        ("org.move", target(m.org, m.row), parent(m.old_parent), parent(m.row.parent_code))
        for m in plan.moves
    ]
    _insert_events(events, actor=actor, now=now)
    _record_summary(plan, events[0][1].pk, actor=actor, **summary)


def _audit_diff(before: dict[str, Any], changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return _audit_values({k: before[k] for k in changes}), _audit_values(changes)


def _insert_events(events: list[tuple], *, actor, now: dt.datetime) -> None:
    ops = connection.ops
    created_at = ops.adapt_datetimefield_value(now)

    def json(value: dict[str, Any] | None):
        return None if value is None else ops.adapt_json_value(value, DjangoJSONEncoder)

    rows = []
    for verb, target, before, after in events:
        e = _event_fields(actor, verb, target, None, before, after, AUDIT_NOTE)
        actor_id = e["actor"].pk if e["actor"] else None
        rows.append((
            created_at, actor_id, e["actor_name"], verb, e["target_type"], e["target_id"], e["target_label"],
            target.pk, json(e["before"]), json(e["after"]), e["note"], e["ip"],
        ))  # fmt: skip
    _insert_rows(AuditEvent, EVENT_FIELDS, rows)


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


# --- Export ----------------------------------------------------------------------------------------


KIND_LABELS = dict(Kind.choices)
DOMAIN_LABELS = dict(Domain.choices)
EXPORT_FIELDS = ("code", "name", "parent_code", "kind", "domain", *DATA_FIELDS[3:])


def export_rows(queryset, *, mask_phones: bool) -> Iterator[list[Any]]:
    """Rows for `HEADER`, in path order so that parents come before children, in one query."""
    steplen = Organization.steplen
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen)
    ).values("code")[:1]
    rows = (
        queryset.annotate(parent_code=Subquery(parent))
        .order_by("path")
        .values_list(*EXPORT_FIELDS)
        .iterator(chunk_size=2000)
    )
    for code, name, parent_code, kind, domain, full, probationary, secretary, phone, founded in rows:
        yield [
            code,
            name,
            parent_code or "",
            KIND_LABELS.get(kind, kind),
            DOMAIN_LABELS.get(domain, domain),
            full,
            probationary,
            secretary,
            mask_phone(phone) if mask_phones else phone,
            founded,
        ]


def write_export(target: str | Path | IO[bytes], queryset, *, mask_phones: bool) -> None:
    write_xlsx(target, HEADER, export_rows(queryset, mask_phones=mask_phones), sheet_name=SHEET_NAME)


TEMPLATE_ROWS = (
    ["340101001", "示例镇党委", "340101", "乡镇党委", "", 0, 0, "张三", "13800000000", dt.date(1998, 7, 1)],
    [
        "340101001001",
        "示例镇示例村党支部",
        "340101001",
        "党支部",
        "村",
        23,
        2,
        "李四",
        "13900000000",
        dt.date(2005, 7, 1),
    ],
)


def write_template(target: str | Path | IO[bytes]) -> None:
    write_xlsx(target, HEADER, TEMPLATE_ROWS, sheet_name=SHEET_NAME)


def export_filename(day: dt.date | None = None) -> str:
    return f"{SHEET_NAME}_{(day or timezone.localdate()):%Y%m%d}.xlsx"
