"""A run's results as an .xlsx workbook in the columns of `chuangyou grade`.

The first columns are exactly what the command writes (its input columns, then 等级, 排名, 说明), so
the file can be fed back to `chuangyou grade` to reproduce the run; 等级 is the final grade (after any
county adjustment), 排名 the rank within the quota scope (and the scheme group) as the command prints
it; 评定方案 names the scheme that graded the branch. Text is
escaped against formula injection by `lib.excel.write_xlsx`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

from chuangyou.commands.grade import COLUMNS, OUTPUT_COLUMNS, SCHEME_COLUMN
from chuangyou.grading.queries import DOMAIN_NAMES
from chuangyou.lib.excel import write_xlsx

HEADER = (*(c.title for c in COLUMNS), *OUTPUT_COLUMNS, SCHEME_COLUMN, "计算等级", "调整理由")
SHEET_NAME = "定级结果"


def export_filename(run) -> str:
    return f"{run.campaign.year}年度定级结果（第{run.number}次）.xlsx"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rows(values: Iterable[tuple], schemes: Mapping[str, str]) -> Iterator[list[Any]]:
    """Rows from `queries.export_rows` tuples (the order of `queries.EXPORT_FIELDS`); `schemes` maps
    a scheme group key to its title."""
    for (
        code,
        name,
        township,
        score,
        satisfaction,
        veto,
        veto_cap,
        weak,
        declared,
        committed,
        favourable,
        valid,
        members_score,
        public_score,
        domain,
        final,
        rank,
        reason,
        scheme,
        grade,
        why,
    ) in values:
        yield [
            code,
            name,
            township,
            _number(score),
            _number(satisfaction),
            veto,
            veto_cap,
            weak,
            declared,
            committed,
            favourable,
            valid,
            _number(members_score),
            _number(public_score),
            DOMAIN_NAMES.get(domain, domain),
            final,
            rank,
            reason,
            schemes.get(scheme, scheme),
            grade,
            why,
        ]


def write_run(target: IO[bytes], values: Iterable[tuple], schemes: Mapping[str, str]) -> None:
    write_xlsx(target, HEADER, rows(values, schemes), sheet_name=SHEET_NAME, percent=("满意率",))
