"""Organization setup rules (seed 001 附件1 "党的组织设置"; 支部工作条例 第四条).

Kinds are plain strings so that the web app, the importer and the command line share them.
"""

from __future__ import annotations

COUNTY = "county"
TOWNSHIP = "township"
SUBDISTRICT = "subdistrict"
COMMITTEE = "committee"
GENERAL_BRANCH = "general_branch"
BRANCH = "branch"

KIND_LABELS = {
    COUNTY: "县委",
    TOWNSHIP: "乡镇党委",
    SUBDISTRICT: "街道党工委",
    COMMITTEE: "党委",
    GENERAL_BRANCH: "党总支",
    BRANCH: "党支部",
}

# Which kinds may stand directly under which. A deployment's root may be a county, a
# township or subdistrict committee, or a committee (e.g. a school's 党委).
ROOT_KINDS = frozenset({COUNTY, TOWNSHIP, SUBDISTRICT, COMMITTEE})
ALLOWED_CHILDREN = {
    COUNTY: frozenset({TOWNSHIP, SUBDISTRICT, COMMITTEE, GENERAL_BRANCH, BRANCH}),
    TOWNSHIP: frozenset({COMMITTEE, GENERAL_BRANCH, BRANCH}),
    SUBDISTRICT: frozenset({COMMITTEE, GENERAL_BRANCH, BRANCH}),
    COMMITTEE: frozenset({COMMITTEE, GENERAL_BRANCH, BRANCH}),
    GENERAL_BRANCH: frozenset({BRANCH}),
    BRANCH: frozenset(),
}

MIN_BRANCH_FULL_MEMBERS = 3
GENERAL_BRANCH_MEMBERS = 50
COMMITTEE_MEMBERS = 100


def placement_error(parent_kind: str | None, kind: str) -> str | None:
    """Why `kind` may not stand under `parent_kind` (None: it may)."""
    label = KIND_LABELS.get(kind, kind)
    if parent_kind is None:
        if kind in ROOT_KINDS:
            return None
        return f"{label}必须有上级组织"
    if kind in ALLOWED_CHILDREN.get(parent_kind, frozenset()):
        return None
    parent_label = KIND_LABELS.get(parent_kind, parent_kind)
    if parent_kind == BRANCH:
        return f"党支部下不能再设{label}"
    return f"{parent_label}下不能设立{label}"


def setup_warnings(kind: str, full_members: int, probationary_members: int) -> list[str]:
    """Advice from seed 001: a branch needs ≥ 3 full members; 50–99 members may form a 党总支;
    100 or more may form a 党委; a branch over 50 should consider splitting."""
    if kind not in (BRANCH, GENERAL_BRANCH):
        return []
    total = full_members + probationary_members
    warnings: list[str] = []
    if kind == BRANCH and full_members < MIN_BRANCH_FULL_MEMBERS:
        warnings.append(
            f"正式党员{full_members}名，不足{MIN_BRANCH_FULL_MEMBERS}名，应与邻近单位成立联合党支部或调整组织设置"
        )
    if total >= COMMITTEE_MEMBERS:
        warnings.append(f"党员{total}名，达到{COMMITTEE_MEMBERS}名以上，可设立党委")
    elif kind == BRANCH and total >= GENERAL_BRANCH_MEMBERS:
        warnings.append(f"党员{total}名，达到{GENERAL_BRANCH_MEMBERS}名以上，可设立党总支")
    if kind == BRANCH and total > GENERAL_BRANCH_MEMBERS:
        warnings.append(f"党支部党员一般不超过{GENERAL_BRANCH_MEMBERS}人，建议拆分党支部")
    return warnings
