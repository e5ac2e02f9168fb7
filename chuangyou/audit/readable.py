"""An audit event's before and after in words a clerk reads: each key by its field's Chinese name,
each state or choice by its label (状态：审核中), yes/no and lists written out."""

from __future__ import annotations

import functools

from django.apps import apps

# Keys that are not model fields (counts and summaries some services record).
EXTRA_LABELS = {
    "accounts": "账号",
    "approved": "审定",
    "computed_grade": "计算等级",
    "counts": "各等级个数",
    "entries": "评分项",
    "evidence": "佐证材料",
    "grading_inputs_cleared": "清除定级数据",
    "items": "评分项",
    "named": "命名",
    "notes": "计分说明",
    "official_grades": "审定等级",
    "organizations": "组织",
    "parent_code": "上级组织代码",
    "parent_name": "上级组织",
    "proposed": "推荐优秀",
    "quota_breaches": "突破名额",
    "recheck_dropped": "作废的复核",
    "sheet_state": "自查表状态",
    "sheets": "自查表",
    "stages": "阶段",
    "number": "序号",
    "branches": "党支部数",
    "category": "评定类型",
    "prefilled_items": "沿用自评项目数",
}

# An item's save on a score sheet or a review (`assessments.scoring.audited_fields`): its keys have
# these names there (`counts` elsewhere counts grades), and its counts read as 未开展×1.
ENTRY_VERBS = frozenset({"sheet.entry_save", "review.entry_save"})
ENTRY_LABELS = {
    "item": "评分项",
    "counts": "扣分情况",
    "zero_out": "不得分情形",
    "entered_score": "酌情得分",
    "deduction": "酌情扣分",
    "reason": "理由",
    "note": "说明",
    "score": "得分",
    "notes": "计分说明",
    "prefilled": "沿用自评（待核对）",
}


@functools.cache
def _models() -> dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]]:
    """Model label → (field name → Chinese name, field name → value → label)."""
    found = {}
    for model in apps.get_models():
        labels, choices = {}, {}
        for field in model._meta.get_fields():
            if getattr(field, "verbose_name", None):
                labels[field.name] = str(field.verbose_name)
            if getattr(field, "flatchoices", None):
                choices[field.name] = {str(k): str(v) for k, v in field.flatchoices}
        found[model._meta.label_lower] = (labels, choices)
    return found


@functools.cache
def _everywhere() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The same over every model (the first model to name a field wins), for keys of other models."""
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for model_labels, model_choices in _models().values():
        for name, label in model_labels.items():
            labels.setdefault(name, label)
        for name, values in model_choices.items():
            choices.setdefault(name, {}).update(
                {k: v for k, v in values.items() if k not in choices.get(name, {})}
            )
    return labels, choices


def _value(value, values: dict[str, str]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_value(v, values) for v in value) or "（无）"
    if isinstance(value, dict):
        return "；".join(f"{values.get(str(k), k)}：{_value(v, {})}" for k, v in value.items()) or "（无）"
    return values.get(str(value), str(value))


def _times(counts: dict) -> str:
    return "、".join(f"{rule}×{times}" for rule, times in counts.items()) or "（无）"


@functools.cache
def _scheme_titles() -> dict[str, str]:
    from chuangyou.rules.grade_scheme import PRESETS, load_scheme

    return {key: load_scheme(key).title or key for key in PRESETS}


def _scheme(value) -> str:
    """A grading scheme by its title (三档评定…), not its file's key."""
    return _scheme_titles().get(str(value), _value(value, {}))


def _domain_schemes(value) -> str:
    """机关：机关事业单位分类定级（…）; every domain by name, every scheme by title."""
    from chuangyou.rules.domains import DOMAIN_NAMES

    if not isinstance(value, dict):
        return _value(value, {})
    return "；".join(f"{DOMAIN_NAMES.get(k, k)}：{_scheme(v)}" for k, v in value.items()) or "（无）"


# Keys whose values are codes a clerk does not read, with their readers.
VALUE_READERS = {"scheme": _scheme, "domain_schemes": _domain_schemes}


def readable(target_type: str, data, verb: str = "") -> list[tuple[str, str]]:
    """(Chinese name, value in words) for each key of the before or after of an event of `verb`."""
    if not isinstance(data, dict):
        return [] if data in (None, "") else [("内容", _value(data, {}))]
    if verb in ENTRY_VERBS:
        order = list(ENTRY_LABELS)  # PostgreSQL's jsonb keeps the keys in an order of its own
        keys = sorted(data, key=lambda key: order.index(key) if key in order else len(order))
        return [
            (
                ENTRY_LABELS.get(key, key),
                _times(data[key])
                if key == "counts" and isinstance(data[key], dict)
                else _value(data[key], {}),
            )
            for key in keys
        ]
    labels, choices = _models().get(target_type, ({}, {}))
    all_labels, all_choices = _everywhere()
    rows = []
    for key, value in data.items():
        label = labels.get(key) or EXTRA_LABELS.get(key) or all_labels.get(key) or key
        if key in VALUE_READERS:
            rows.append((label, VALUE_READERS[key](value)))
        else:
            rows.append((label, _value(value, choices.get(key) or all_choices.get(key) or {})))
    return rows
