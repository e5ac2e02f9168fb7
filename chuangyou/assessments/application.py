"""The application form (附件4 申报表): its context, the .docx rendering and the printable page.

`application_context(sheet)` gives plain strings only, so the Word template, the HTML page and the
tests read the same values. The organization is shown as it was when the sheet was submitted
(`organization_snapshot`) when there is one, else as it is now. The secretary's phone is masked
(personal-data rule) except for those who sign the form (`full_phone`): they get the number in
full while it is still the one the snapshot masked.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from chuangyou.assessments.docx.build_template import OPINIONS
from chuangyou.lib.masking import mask_phone
from chuangyou.orgs.models import Domain, Kind

TEMPLATE_PATH = Path(__file__).resolve().parent / "docx" / "application.docx"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_EVALUATED = "未开展"
# (label, signer) of the three opinion boxes; the Word template is built from the same tuple.
OPINION_BOXES = OPINIONS

# Characters XML 1.0 does not allow (and \a, \f, which docxtpl would turn into paragraph and page breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def county_name(root_name: str) -> str:
    """示范县委 / 中共示范县委员会 -> 示范县 (also 甲镇党委 -> 甲镇 for a township-wide campaign)."""
    name = (root_name or "").strip()
    for prefix in ("中国共产党", "中共"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    for suffix in ("委员会", "党工委", "党委", "工委", "委"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name


def number(value: Any) -> str:
    """8.50 -> 8.5, 10.00 -> 10; '' for nothing."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    if amount == 0:
        return "0"
    return format(amount.normalize(), "f")


def chinese_date(value: dt.date | dt.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def clean(text: Any) -> str:
    """User text as the form shows it: \r\n -> \n, no control characters, no outer blank space."""
    text = "" if text is None else str(text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _organization(sheet) -> dict[str, Any]:
    """The organization's fields, from the snapshot taken at submission when there is one."""
    org = sheet.organization
    live = {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "domain": org.domain,
        "full_members": org.full_members,
        "probationary_members": org.probationary_members,
        "secretary_name": org.secretary_name,
        "secretary_phone": org.secretary_phone,
        "founded": org.founded,
    }
    snapshot = sheet.organization_snapshot
    if isinstance(snapshot, dict) and snapshot:
        return live | {key: value for key, value in snapshot.items() if key in live}
    return live


def _categories(sheet) -> list[dict[str, str]]:
    subtotals = dict(sheet.subtotals or {})
    rows = []
    for category in sheet.rubric.categories.all():
        points = number(category.points)
        rows.append(
            {
                "name": category.name,
                "points": f"{points}（加分）" if category.bonus else points,
                "score": number(subtotals.pop(category.name)) if category.name in subtotals else "—",
            }
        )
    # Subtotals under a name the rubric no longer has (should not happen: published rubrics are frozen).
    rows.extend(
        {"name": str(name), "points": "", "score": number(score)} for name, score in subtotals.items()
    )
    return rows


def evaluation_summary(sheet) -> dict | None:
    """The democratic-evaluation summary, or None when the module or the evaluation is missing."""
    try:
        from chuangyou.evaluations.services import summary_for_sheet
    except (ImportError, AttributeError):
        return None
    return summary_for_sheet(sheet)


def _first(summary: dict, *keys: str) -> Any:
    for key in keys:
        if summary.get(key) is not None:
            return summary[key]
    return None


def evaluation_text(summary: dict | None) -> str:
    """满意率 92.5%（其中满意 80%），综合得分 91.2分；发放40份，收回35份，测评有效."""
    if not summary:
        return NOT_EVALUATED
    parts = []
    satisfaction = _first(summary, "satisfaction_rate", "satisfaction")
    satisfied = _first(summary, "satisfied_rate", "satisfied_percent")
    score = _first(summary, "weighted_score", "score")
    if satisfaction is not None:
        rate = f"满意率{number(satisfaction)}%"
        if satisfied is not None:
            rate += f"（其中满意{number(satisfied)}%）"
        parts.append(rate)
    if score is not None:
        parts.append(f"综合得分{number(score)}分")
    reason = _first(summary, "validity_reason")
    answered, issued = _first(summary, "answered"), _first(summary, "issued")
    if reason:
        parts.append(str(reason))
    elif answered is not None and issued is not None:
        valid = summary.get("valid")
        verdict = "" if valid is None else ("，测评有效" if valid else "，测评无效")
        parts.append(f"发放{issued}份，收回{answered}份{verdict}")
    elif summary.get("valid") is False:
        parts.append("测评无效")
    if summary.get("is_open"):
        parts.append("测评尚未结束")
    return "；".join(parts) or NOT_EVALUATED


def application_context(sheet, *, full_phone: bool = False) -> dict[str, Any]:
    campaign = sheet.round.campaign
    county = county_name(campaign.root.name)
    org = _organization(sheet)
    phone = mask_phone(org["secretary_phone"] or "")  # mask_phone leaves a masked number as it is
    live = sheet.organization.secretary_phone or ""
    if full_phone and live and mask_phone(live) == phone:
        phone = live
    return {
        "county": county,
        "title": f"{county}基层党组织争先创优申报表",
        "campaign": campaign.name,
        "year": str(campaign.year),
        "round": sheet.round.get_kind_display(),
        "org_name": clean(org["name"]),
        "org_code": clean(org["code"]),
        "org_kind": _label(Kind, org["kind"]),
        "domain": _label(Domain, org["domain"]),
        "secretary": clean(org["secretary_name"]),
        "phone": phone,
        "full_members": number(org["full_members"] or 0),
        "probationary_members": number(org["probationary_members"] or 0),
        "members_total": number((org["full_members"] or 0) + (org["probationary_members"] or 0)),
        "founded": chinese_date(org["founded"]),
        "rubric": str(sheet.rubric),
        "rubric_total": number(sheet.rubric.total),
        "total": number(sheet.total),
        "categories": _categories(sheet),
        "grade": clean(sheet.applied_grade),
        "achievements": clean(sheet.achievements),
        "self_evaluation": clean(sheet.self_evaluation),
        "evaluation": evaluation_text(evaluation_summary(sheet)),
        "submitted": chinese_date(sheet.submitted_at),
    }


def application_filename(context: dict[str, Any]) -> str:
    name = _FILENAME_UNSAFE.sub("_", context["org_name"]).strip(" ._") or "党组织"
    return f"{name}_争先创优申报表.docx"


def render_application(sheet, context: dict[str, Any] | None = None) -> bytes:
    """The filled-in .docx. User text is XML-escaped (autoescape); a missing key is an error."""
    template = DocxTemplate(TEMPLATE_PATH)
    template.render(
        context if context is not None else application_context(sheet),
        jinja_env=Environment(autoescape=True, undefined=StrictUndefined),  # noqa: S701 (autoescape is on)
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
