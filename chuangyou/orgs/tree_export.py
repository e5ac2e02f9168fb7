"""Exporting the organization tree to Excel, in the layout the import reads back (`tree_sheet`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone

from chuangyou.lib.excel import write_xlsx
from chuangyou.lib.masking import mask_phone
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.orgs.tree_sheet import DATA_FIELDS, HEADER, SHEET_NAME

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
