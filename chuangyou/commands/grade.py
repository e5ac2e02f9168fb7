"""`chuangyou grade`: grade branches from a spreadsheet of scores, without a database.

Reads a .csv (UTF-8, BOM allowed) or .xlsx (first sheet) with a header row, grades it with a
scheme from `chuangyou.rules.grading`, and writes every input column plus 等级, 排名, 说明. Any
problem in the input is reported with its row and column, exit status 2, and no output file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from chuangyou.lib.excel import SpreadsheetError, cell_text, escape_formula, read_first_sheet, write_xlsx
from chuangyou.rules.domains import DOMAIN_NAMES, domain_code, domain_names
from chuangyou.rules.grade_scheme import (
    DEFAULT_SCHEME,
    PRESETS,
    SCOPE_NAMES,
    SchemeError,
    format_number,
    load_scheme,
)
from chuangyou.rules.grading import BranchScore, GradingInputError, GradingSummary, Policy
from chuangyou.rules.scheme_groups import (
    MAIN,
    OTHER_DOMAINS,
    GroupedResult,
    SchemeGroup,
    grade_in_groups,
    scheme_groups,
)

EXIT_INPUT_ERROR = 2
OUTPUT_COLUMNS = ("等级", "排名", "说明")
VETO_LOOKALIKES = frozenset({"无", "否", "没有", "不存在", "n", "no", "none", "0", "-", "—", "/"})


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    required: bool


COLUMNS = (
    Column("code", "组织代码", True),
    Column("name", "组织名称", True),
    Column("township", "所属党委", True),
    Column("score", "得分", True),
    Column("satisfaction", "满意率", False),
    Column("veto", "一票否决", False),
    Column("veto_cap", "一票否决最高等级", False),
    Column("weak", "软弱涣散情形", False),
    Column("declared", "申报等级", False),
    Column("committed", "已提交公示等级", False),
    Column("favourable_votes", "满意和基本满意票数", False),
    Column("valid_votes", "有效票数", False),
    Column("members_score", "党员测评得分", False),
    Column("public_score", "群众测评得分", False),
    Column("domain", "领域", False),  # which scheme grades the row when some domains have their own
)
KNOWN_DOMAINS = "、".join(DOMAIN_NAMES.values())
SCHEME_COLUMN = "评定方案"  # written when some domains are graded under their own scheme


class InputError(Exception):
    """Problems that stop the run; each message names its row and column in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ScoreTable:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, cells padded to the header)
    columns: dict[str, int]  # column key -> index
    branches: list[BranchScore]
    domains: list[str]  # each branch's domain code ("" when not given)
    warnings: list[str]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def read_rows(path: Path) -> list[list[Any]]:
    """All rows of a .csv or .xlsx file, header first."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError([f"无法读取“{path.name}”：仅支持 .csv 或 .xlsx 文件（.xls 请先另存为 .xlsx）"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([f"无法读取文件“{path}”：{exc.strerror or exc}"]) from exc
    if suffix == ".xlsx":
        try:
            return read_first_sheet(data)
        except SpreadsheetError as exc:
            raise InputError([f"无法读取“{path.name}”：{exc}"]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [f"无法读取“{path.name}”：文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重试"]
        ) from exc
    if "\0" in text:
        raise InputError([f"无法读取“{path.name}”：文件内容不是文本格式的 CSV"])
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputError([f"无法读取“{path.name}”：CSV 格式错误（{exc}）"]) from exc


def _number(value: Any, *, percent_sign: bool) -> Decimal | None:
    """A cell as Decimal; None when empty; ValueError when not a finite number."""
    if isinstance(value, bool):
        raise ValueError
    text = cell_text(value).replace("％", "%")
    if percent_sign and text.endswith("%"):
        text = text[:-1].strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def column_title(key: str) -> str:
    return next(c.title for c in COLUMNS if c.key == key)


def _votes(favourable: str, valid: str) -> tuple[int, int] | None:
    """The satisfaction's exact votes from two cells (both or neither); ValueError says why."""
    if not favourable and not valid:
        return None
    if not (favourable.isdigit() and valid.isdigit()):
        raise ValueError("满意和基本满意票数、有效票数须同时填写，且为非负整数")
    if int(favourable) > int(valid):
        raise ValueError(f"满意和基本满意票数{favourable}多于有效票数{valid}")
    return int(favourable), int(valid)


def parse_table(
    rows: list[list[Any]], *, township_required: bool = False, labels: Sequence[str] = ()
) -> ScoreTable:
    """Check the header and every row; raise InputError listing every problem found."""
    if not rows or not any(cell_text(v) for v in rows[0]):
        raise InputError(["第1行应为表头（组织代码、组织名称、所属党委、得分……），但文件为空或第1行为空"])
    header = [cell_text(v).lstrip("\ufeff") for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    problems: list[str] = []
    aliases = {c.title: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = aliases.get(title) or aliases.get(title.lower())
        if key is None:
            continue
        if key in columns:
            first = columns[key]
            problems.append(
                f"第1行：列“{title}”与{column_letter(first)}列“{header[first]}”重复（{column_letter(index)}列）"
            )
        else:
            columns[key] = index
    for column in COLUMNS:
        if column.required and column.key not in columns:
            problems.append(f"缺少必填列“{column.title}”（也可写作 {column.key}）")
    if problems:
        raise InputError(problems)

    def where(row_number: int, key: str) -> str:
        index = columns[key]
        return f"第{row_number}行 {column_letter(index)}列（{header[index]}）"

    width = len(header)
    table_rows: list[tuple[int, list[Any]]] = []
    branches: list[BranchScore] = []
    domains: list[str] = []
    warnings: list[str] = []
    first_row_of: dict[str, int] = {}
    for offset, raw in enumerate(rows[1:]):
        row_number = offset + 2
        if not any(cell_text(v) for v in raw):
            continue
        if any(cell_text(v) for v in raw[width:]):
            problems.append(f"第{row_number}行：表头只有{width}列，第{width + 1}列之后还有内容")
        cells = list(raw[:width]) + [None] * (width - len(raw))
        table_rows.append((row_number, cells))
        text = {key: cell_text(cells[index]) for key, index in columns.items()}
        row_ok = True

        code = text["code"]
        if not code:
            problems.append(f"{where(row_number, 'code')}：组织代码为空")
            row_ok = False
        elif code in first_row_of:
            problems.append(f"{where(row_number, 'code')}：组织代码“{code}”与第{first_row_of[code]}行重复")
            row_ok = False
        else:
            first_row_of[code] = row_number
        if township_required and not text["township"]:
            problems.append(f"{where(row_number, 'township')}：按党委分配名额时所属党委不能为空")
            row_ok = False

        score = None
        try:
            score = _number(cells[columns["score"]], percent_sign=False)
        except ValueError:
            problems.append(f"{where(row_number, 'score')}：得分“{text['score']}”不是数字")
            row_ok = False
        else:
            if score is None:
                problems.append(f"{where(row_number, 'score')}：得分为空")
                row_ok = False
            elif not 0 <= score <= 100:
                problems.append(f"{where(row_number, 'score')}：得分{text['score']}超出0–100的范围")
                row_ok = False

        satisfaction = None
        if "satisfaction" in columns:
            try:
                satisfaction = _number(cells[columns["satisfaction"]], percent_sign=True)
            except ValueError:
                problems.append(
                    f"{where(row_number, 'satisfaction')}：满意率“{text['satisfaction']}”不是数字"
                )
                row_ok = False
            else:
                if satisfaction is not None and not 0 <= satisfaction <= 100:
                    problems.append(
                        f"{where(row_number, 'satisfaction')}：满意率{text['satisfaction']}超出0–100的范围"
                        "（按百分数填写，如 95 或 95%）"
                    )
                    row_ok = False

        votes = None
        try:
            votes = _votes(text.get("favourable_votes", ""), text.get("valid_votes", ""))
        except ValueError as exc:
            column = "valid_votes" if "valid_votes" in columns else "favourable_votes"
            problems.append(f"{where(row_number, column)}：{exc}")
            row_ok = False
        evaluation = []
        for key in ("members_score", "public_score"):
            value = None
            if key in columns:
                try:
                    value = _number(cells[columns[key]], percent_sign=False)
                except ValueError:
                    problems.append(f"{where(row_number, key)}：{column_title(key)}“{text[key]}”不是数字")
                    row_ok = False
                else:
                    if value is not None and not 0 <= value <= 100:
                        problems.append(
                            f"{where(row_number, key)}：{column_title(key)}{text[key]}超出0–100的范围"
                        )
                        row_ok = False
            evaluation.append(value)
        domain = domain_code(text.get("domain", "")) if text.get("domain") else ""
        if domain is None:
            problems.append(
                f"{where(row_number, 'domain')}：领域“{text['domain']}”无效（应为{KNOWN_DOMAINS}之一）"
            )
            row_ok = False
        veto = text.get("veto", "")
        weak = text.get("weak", "")
        committed = text.get("committed", "")
        declared = text.get("declared", "")
        veto_cap = text.get("veto_cap", "")
        for key, value, what in (
            ("committed", committed, "未提交的留空"),
            ("declared", declared, "未申报的留空"),
            ("veto_cap", veto_cap, "按方案默认的留空"),
        ):
            if value and labels and value not in labels:
                problems.append(
                    f"{where(row_number, key)}：{column_title(key)}“{value}”不是评定方案的等级"
                    f"（应为{'、'.join(labels)}之一，{what}）"
                )
                row_ok = False
        for key, value in (("veto", veto), ("weak", weak)):
            if value.lower() in VETO_LOOKALIKES:
                warnings.append(
                    f"提示：{where(row_number, key)}填写了“{value}”，按规定该列任何非空内容都视为"
                    f"{'一票否决' if key == 'veto' else '存在软弱涣散情形'}，如无此情形请留空"
                )
        if row_ok and score is not None:
            domains.append(domain or "")
            branches.append(
                BranchScore(
                    code=code,
                    name=text["name"],
                    township=text["township"],
                    score=score,
                    satisfaction=satisfaction,
                    veto=veto,
                    weak=weak,
                    committed=committed,
                    votes=votes,
                    declared=declared,
                    veto_cap=veto_cap if veto else "",
                    evaluation=(evaluation[0], evaluation[1]),
                )
            )
    if not table_rows and not problems:
        problems.append("文件中没有数据行（第1行为表头，从第2行起每行一个党组织）")
    if problems:
        raise InputError(problems)
    return ScoreTable(
        header=header, rows=table_rows, columns=columns, branches=branches, domains=domains, warnings=warnings
    )


def load_scores(path: Path, *, township_required: bool = False, labels: Sequence[str] = ()) -> ScoreTable:
    """`labels`: the scheme's grades, which a 已提交公示等级 must be one of."""
    return parse_table(read_rows(path), township_required=township_required, labels=labels)


def output_rows(
    table: ScoreTable, result: GroupedResult, *, for_xlsx: bool
) -> tuple[list[str], list[list[Any]]]:
    """Input columns in input order plus 等级, 排名, 说明, and 评定方案 when some domains have their own
    (existing columns of those names are replaced)."""
    header = list(table.header)
    titles = {g.key: g.scheme.title or g.scheme.name for g, _ in result.summaries}
    outputs = OUTPUT_COLUMNS + ((SCHEME_COLUMN,) if len(titles) > 1 else ())
    positions = []
    for title in outputs:
        if title in header:
            positions.append(header.index(title))
        else:
            header.append(title)
            positions.append(len(header) - 1)
    numeric = {table.columns[k] for k in ("score", "satisfaction") if k in table.columns}
    out: list[list[Any]] = []
    for (_, cells), graded, key in zip(table.rows, result.results, result.keys, strict=True):
        row: list[Any] = list(cells) + [None] * (len(header) - len(cells))
        for index, value in enumerate(row):
            if for_xlsx and index in numeric and isinstance(value, str):
                # A CSV gives text; the workbook should get numbers a county can sum.
                with contextlib.suppress(ValueError):
                    row[index] = float(_number(value, percent_sign=True) or 0) if value.strip() else None
            elif not for_xlsx:
                row[index] = cell_text(value)
        row[positions[0]] = graded.grade
        row[positions[1]] = graded.rank
        row[positions[2]] = graded.reason
        if len(positions) > 3:
            row[positions[3]] = titles[key]
        out.append(row)
    return header, out


def write_csv(stream: TextIO, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_formula(cell_text(v)) if isinstance(v, str) else v for v in row])


def write_output(target: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write next to the target, then rename, so a failed run never leaves a half-written file."""
    fd, temp_name = tempfile.mkstemp(prefix=".chuangyou-", suffix=target.suffix, dir=target.parent)
    try:
        if target.suffix.lower() == ".xlsx":
            os.close(fd)
            write_xlsx(
                temp_name, header, rows, sheet_name="评定结果", percent=(column_title("satisfaction"),)
            )
        else:
            with open(fd, "w", encoding="utf-8-sig", newline="") as stream:  # BOM: Excel opens it as UTF-8
                write_csv(stream, header, rows)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def summary_lines(summary: GradingSummary, title: str) -> list[str]:
    lines = [
        f"评定方案：{summary.scheme} {title}",
        f"名额范围：{SCOPE_NAMES[summary.quota_scope]}；参加定级的党组织{summary.total}个",
        f"名额基数：{summary.base}个"
        + ("（现有参评党支部，含未参加本次定级的）" if summary.base != summary.total else ""),
    ]
    quotas = {q.grade: q for q in summary.quotas}
    for grade, count in summary.counts.items():
        quota = quotas.get(grade)
        if quota is None:
            lines.append(f"  {grade}：{count}个")
        else:
            state = "符合" if quota.holds else "超出"
            lines.append(f"  {grade}：{count}个（上限{quota.limit}个，{quota.description}），{state}")
    floor = summary.floor
    if floor is not None:
        state = "符合" if floor.holds else "不足"
        lines.append(
            f"  {floor.label}：{floor.after}个（下限{floor.minimum}个，{floor.description}），{state}"
            + (f"；因下限由较高等级调整{floor.demoted}个" if floor.demoted else "")
        )
    if summary.apportionment:
        lines.append("名额分配（最大余数法，按各党委的名额基数）：")
        for t in summary.apportionment:
            seats = "，".join(
                f"{grade}{t.seats[grade]}个（应得{_share(t.shares[grade])}，已用{t.used[grade]}）"
                for grade in t.seats
            )
            lines.append(f"  {t.township or '（未填写）'}：{t.branches}个党组织；{seats}")
    return lines


def _share(value: Any) -> str:
    return format_number((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01")))


def parse_existing(
    values: Sequence[str], quota_scope: str, groups: Sequence[SchemeGroup] = ()
) -> dict[str, dict[str, int]] | None:
    """The --existing values as quota bases (scheme group key → township → branches); InputError
    naming the value. With domains under their own schemes, "方案:N" or "方案:党委=N" gives a group's
    base (the main scheme's without a prefix)."""
    if not values:
        return None
    keys = {g.scheme.name if g.main else g.key: g.key for g in groups}
    per_group: dict[str, list[tuple[str, str]]] = {}
    problems: list[str] = []
    for value in values:
        text = value.replace("：", ":")
        prefix, _, rest = text.rpartition(":")
        if prefix and prefix.strip() not in keys:
            problems.append(f"--existing “{value}”：“{prefix}”不是本次使用的评定方案（{'、'.join(keys)}）")
        else:
            per_group.setdefault(keys.get(prefix.strip(), MAIN), []).append((value, rest))
    bases: dict[str, dict[str, int]] = {}
    for key, given in per_group.items():
        base = bases.setdefault(key, {})
        for value, rest in given:
            town, _, count = rest.rpartition("=")
            town = town.strip()
            if not count.strip().isdigit():
                problems.append(f"--existing “{value}”：党支部数应为非负整数（如 30 或 城关镇=12）")
            elif not town and (quota_scope == "township" or len(given) > 1):
                problems.append(f"--existing “{value}”：按党委分配名额时请写成“党委=数量”，每个党委写一次")
            elif town in base:
                problems.append(f"--existing “{value}”：党委“{town}”重复")
            else:
                base[town] = int(count)
    if problems:
        raise InputError(problems)
    return bases


def parse_domain_schemes(values: Sequence[str]) -> dict[str, str]:
    """The --domain-scheme values (领域=方案) as domain code → preset; InputError naming the value."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for value in values:
        name, _, key = value.partition("=")
        domain = domain_code(name)
        if domain is None:
            problems.append(f"--domain-scheme “{value}”：领域“{name}”无效（应为{KNOWN_DOMAINS}之一）")
        elif key.strip() not in PRESETS:
            problems.append(f"--domain-scheme “{value}”：评定方案应为{'、'.join(PRESETS)}之一")
        elif domain in found:
            problems.append(f"--domain-scheme “{value}”：领域“{name}”重复")
        else:
            found[domain] = key.strip()
    if problems:
        raise InputError(problems)
    return found


def _decimal_option(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"“{text}”不是数字")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chuangyou grade",
        description="按评定方案和名额比例评定等级：读入得分表（.csv 或 .xlsx），输出等级、排名和说明。",
    )
    parser.add_argument("scores", metavar="SCORES", help="得分表：.csv（UTF-8）或 .xlsx（读取第一个工作表）")
    parser.add_argument(
        "--scheme",
        default=DEFAULT_SCHEME,
        help=f"评定方案：{'、'.join(PRESETS)} 或 .toml 方案文件（默认 {DEFAULT_SCHEME}）",
    )
    parser.add_argument(
        "--quota-scope",
        choices=tuple(SCOPE_NAMES),
        default="county",
        help="名额范围：county 全县统一（默认），township 按所属党委以最大余数法分配",
    )
    parser.add_argument(
        "--cap-at-declared",
        action="store_true",
        help="不得评为高于“申报等级”列的等级（网页定级的默认做法）",
    )
    parser.add_argument(
        "--tolerance",
        type=_decimal_option,
        default=Decimal(0),
        metavar="N",
        help="“10%%左右”的名额（如良好）允许上浮的幅度（默认0）",
    )
    parser.add_argument(
        "--tolerance-unit",
        choices=("branches", "points"),
        default="branches",
        help="上浮幅度的单位：branches 个（默认），points 个百分点",
    )
    parser.add_argument("--pass-unused", action="store_true", help="优秀未用的名额转入良好")
    parser.add_argument(
        "--evaluation-weight",
        type=_decimal_option,
        default=Decimal(0),
        metavar="W",
        help="民主测评在综合得分中的权重（0–1，默认0）：综合得分=得分×(1−W)+民主测评×W，"
        "民主测评按“党员测评得分”“群众测评得分”列",
    )
    parser.add_argument(
        "--members-weight",
        type=_decimal_option,
        default=Decimal(1),
        metavar="M",
        help="党员评议权重（默认1）",
    )
    parser.add_argument(
        "--public-weight", type=_decimal_option, default=Decimal(1), metavar="P", help="群众评议权重（默认1）"
    )
    parser.add_argument(
        "--cap-without-evaluation",
        action="store_true",
        help="方案有满意率门槛时，没有满意率（无有效民主测评）的党组织也受门槛限制（网页定级的默认做法）",
    )
    parser.add_argument(
        "--existing",
        action="append",
        metavar="N 或 党委=N",
        default=[],
        help="名额基数：现有参评党支部数（按照现有党支部数量计算名额）。"
        "全县统一时写总数，如 --existing 30；按党委分配时每个党委写一次，"
        "如 --existing 城关镇=12 --existing 青山镇=18。不写时按表中的党组织数计算",
    )
    parser.add_argument(
        "--domain-scheme",
        action="append",
        metavar="领域=方案",
        default=[],
        help="该领域的党组织另按此方案评定，名额按各方案分别计算，如 --domain-scheme 机关=jiguan2012；"
        "按得分表的“领域”列（村、社区、机关……）。其余领域按 --scheme。"
        "此时 --existing 可写成“方案:数量”给出该方案的名额基数",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="输出文件 .csv 或 .xlsx（默认输出 CSV 到标准输出）"
    )
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error (argparse already printed it)
        return int(exc.code or 0)

    def fail(problems: list[str]) -> int:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"共{len(problems)}处问题，未生成评定结果。", file=sys.stderr)
        return EXIT_INPUT_ERROR

    source = Path(args.scores)
    target = Path(args.output) if args.output else None
    if target is not None:
        if target.suffix.lower() not in (".csv", ".xlsx"):
            return fail([f"输出文件“{target.name}”须为 .csv 或 .xlsx"])
        if target.exists() and source.exists() and target.resolve() == source.resolve():
            return fail(["输出文件不能与输入文件相同"])
        if not target.parent.is_dir():
            return fail([f"输出目录“{target.parent}”不存在"])
    try:
        scheme = load_scheme(args.scheme)
    except SchemeError as exc:
        return fail([str(exc)])
    try:
        groups = scheme_groups(scheme, parse_domain_schemes(args.domain_scheme))
        bases = parse_existing(args.existing, args.quota_scope, groups)
        labels = tuple(dict.fromkeys(label for g in groups for label in g.scheme.labels))
        table = load_scores(source, township_required=args.quota_scope == "township", labels=labels)
        if len(groups) > 1 and "domain" not in table.columns:
            raise InputError(
                ["使用 --domain-scheme 时得分表须有“领域”列（村、社区、机关……），以确定每行按哪个方案评定"]
            )
        policy = Policy(
            needs_evaluation=args.cap_without_evaluation,
            tolerance=args.tolerance,
            tolerance_unit=args.tolerance_unit,
            pass_unused=args.pass_unused,
            cap_at_declared=args.cap_at_declared,
            evaluation_weight=args.evaluation_weight,
            members_weight=args.members_weight,
            public_weight=args.public_weight,
        )
        result = grade_in_groups(
            table.branches, table.domains, groups, args.quota_scope, bases=bases, policy=policy
        )
    except InputError as exc:
        return fail(exc.problems)
    except GradingInputError as exc:
        return fail([str(exc)])

    for warning in table.warnings:
        print(warning, file=sys.stderr)
    for_xlsx = target is not None and target.suffix.lower() == ".xlsx"
    header, rows = output_rows(table, result, for_xlsx=for_xlsx)
    if target is None:
        write_csv(sys.stdout, header, rows)
        sys.stdout.flush()
    else:
        try:
            write_output(target, header, rows)
        except OSError as exc:
            return fail([f"无法写入输出文件“{target}”：{exc.strerror or exc}"])
    for group, summary in result.summaries:
        if len(result.summaries) > 1:
            print(f"== {domain_names(group.domains) or OTHER_DOMAINS}", file=sys.stderr)
        for line in summary_lines(summary, group.scheme.title):
            print(line, file=sys.stderr)
    if target is not None:
        print(f"已写入：{target}", file=sys.stderr)
    return 0
