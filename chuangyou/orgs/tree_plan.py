"""The second step of an import: checking the whole file against the organizations already stored.

`Snapshot` holds every stored organization as plain data (one query). `plan_import` checks the
parsed rows against the file itself and the snapshot (duplicate codes, unknown parents, loops,
depth, placement rules, status, scope) and sorts them into creates, changes, moves and unchanged
rows: a `Plan`, writable when it has no issues. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from chuangyou.accounts.scope import Scope
from chuangyou.lib.excel import FORMULA_PREFIXES
from chuangyou.lib.masking import mask_phone
from chuangyou.orgs.models import Kind, Organization, Status
from chuangyou.orgs.tree_sheet import COLUMNS, DATA_FIELDS, HEADER_OF, Issue, OrgRow, ParsedSheet
from chuangyou.rules import org_setup

MAX_DEPTH = Organization._meta.get_field("path").max_length // Organization.steplen
# Text that a spreadsheet would take for a formula is refused in these fields when they change.
FORMULA_CHECKED = ("name", "secretary_name")
# Kinds that must say which domain (village, school, ...) they serve.
BASIC_KINDS = frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH})


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
