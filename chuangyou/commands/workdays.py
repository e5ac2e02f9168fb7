"""`chuangyou workdays`: working-day arithmetic for public notices, without a database.

    chuangyou workdays 2026-09-28 5            -> the date a 5-working-day notice starting then ends
    chuangyou workdays --between 2026-09-28 2026-10-12   -> working days in the range, inclusive

`--overrides FILE` (.csv or .xlsx with columns 日期, 是否工作日) adds holidays and make-up working
days, e.g. for a year the built-in calendar does not cover yet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from chuangyou.commands.grade import InputError, column_letter, read_rows
from chuangyou.lib.excel import cell_text
from chuangyou.rules.workdays import CalendarMissingError, WorkCalendar

EXIT_INPUT_ERROR = 2
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
TRUE_WORDS = frozenset({"是", "1", "true", "yes", "y", "工作日", "上班", "班"})
FALSE_WORDS = frozenset({"否", "0", "false", "no", "n", "休息日", "节假日", "放假", "休息", "休"})


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(f"日期“{text}”格式不对，请写作 2026-10-01")


def read_overrides(path: Path) -> dict[dt.date, bool]:
    rows = read_rows(path)
    if not rows:
        raise InputError([f"“{path.name}”为空，第1行应为表头：日期,是否工作日"])
    header = [cell_text(v).lstrip("\ufeff").lower() for v in rows[0]]
    try:
        date_col = next(i for i, h in enumerate(header) if h in ("日期", "date"))
        flag_col = next(i for i, h in enumerate(header) if h in ("是否工作日", "workday", "is_workday"))
    except StopIteration:
        raise InputError([f"“{path.name}”第1行应为表头：日期,是否工作日"]) from None
    overrides: dict[dt.date, bool] = {}
    problems: list[str] = []
    for offset, row in enumerate(rows[1:]):
        number = offset + 2
        cells = list(row) + [None] * 2
        if not any(cell_text(v) for v in row):
            continue
        try:
            day = parse_date(cells[date_col])
        except ValueError as exc:
            problems.append(f"第{number}行 {column_letter(date_col)}列（日期）：{exc}")
            continue
        flag = cell_text(cells[flag_col]).lower()
        if flag in TRUE_WORDS:
            overrides[day] = True
        elif flag in FALSE_WORDS:
            overrides[day] = False
        else:
            problems.append(
                f"第{number}行 {column_letter(flag_col)}列（是否工作日）：“{flag}”无法识别，请填写“是”或“否”"
            )
    if problems:
        raise InputError(problems)
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chuangyou workdays",
        description="按法定节假日和调休计算工作日：START N 给出自 START 起第 N 个工作日"
        "（START 为工作日时计为第1天）；--between A B 给出 A 至 B（含首尾）的工作日天数。",
    )
    parser.add_argument("args", nargs="*", metavar="START N", help="开始日期（如 2026-09-28）和工作日天数")
    parser.add_argument("--between", nargs=2, metavar=("A", "B"), help="统计 A 至 B（含首尾）的工作日天数")
    parser.add_argument(
        "--overrides", metavar="FILE", help="补充的节假日/调休表（.csv 或 .xlsx，列：日期,是否工作日）"
    )
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    def fail(*problems: str) -> int:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT_ERROR

    if args.between and args.args:
        return fail("--between 与 START N 不能同时使用")
    if not args.between and len(args.args) != 2:
        return fail("用法：chuangyou workdays START N，或 chuangyou workdays --between A B")
    try:
        overrides = read_overrides(Path(args.overrides)) if args.overrides else {}
    except InputError as exc:
        return fail(*exc.problems)
    calendar = WorkCalendar(overrides)
    try:
        if args.between:
            first, last = (parse_date(v) for v in args.between)
            print(calendar.count_workdays(first, last))
        else:
            start = parse_date(args.args[0])
            try:
                n = int(args.args[1])
            except ValueError:
                return fail(f"工作日天数“{args.args[1]}”应为正整数")
            print(calendar.add_workdays(start, n).isoformat())
    except CalendarMissingError as exc:
        return fail(str(exc))
    except ValueError as exc:
        return fail(str(exc))
    return 0
