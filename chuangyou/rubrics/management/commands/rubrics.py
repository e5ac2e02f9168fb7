"""`chuangyou rubrics list | export | import | load-defaults`: rubrics (评定标准) on the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from chuangyou.orgs.models import Domain
from chuangyou.rubrics import defaults, excel_io, queries, services
from chuangyou.rubrics.models import Checklist, Rubric, SituationList, Status
from chuangyou.rubrics.spec import RubricSpec, SpecError
from chuangyou.rules.grade_scheme import format_number
from chuangyou.rules.method_text import parse_method, split_clauses

# Exit status of a refused command (a bad file, an unknown code): nothing was changed.
EXIT_REFUSED = 2
KIND_LABELS = {"rubric": "评定标准", "checklist": "星级评定标准", "situations": "软弱涣散情形清单"}


def domain_labels(domains, empty: str = "（未指定领域）") -> str:
    return "、".join(Domain(d).label if d in Domain.values else d for d in domains) or empty


def method_warnings(spec: RubricSpec) -> list[str]:
    """What a reviewer should check after an import: methods scored at discretion because nothing in
    them was recognised, and the clauses the parser did not recognise."""
    guessed: list[str] = []
    unparsed: list[str] = []
    for category in spec.categories:
        for item in category.items:
            parsed = parse_method(item.method, max_points=item.points, bonus=category.bonus)
            nothing = (
                not parsed.rules and not parsed.zero_out and parsed.unparsed == split_clauses(item.method)
            )
            if parsed.kind == "discretionary" and nothing:
                guessed.append(item.name)
            elif parsed.unparsed:
                unparsed.append(f"项目“{item.name}”：{'；'.join(parsed.unparsed)}")
    lines = []
    if guessed:
        lines.append(
            f"以下项目按酌情给分处理：{'、'.join(guessed)}（考评方式中没有可识别的扣分、不得分或酌情给分写法）"
        )
    if unparsed:
        lines.append("未识别的内容：")
        lines.extend(f"  {text}" for text in unparsed)
    return lines


class Command(BaseCommand):
    help = "评定标准的列表、Excel（.xlsx）导出和导入，以及载入系统自带的默认标准。以系统身份运行。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{list,export,import,load-defaults}"
        )
        actions.add_parser("list", help="列出全部评定标准、星级评定标准和软弱涣散情形清单的各个版本")
        exporting = actions.add_parser(
            "export", help="按原评定标准的表格样式（类型|项目|分值|考核评价标准|考评方式）导出一个版本"
        )
        exporting.add_argument("code", help="评定标准代码，如 village")
        exporting.add_argument(
            "--version", type=int, help="版本号（默认：最新的已发布版本，没有则为最新版本）"
        )
        exporting.add_argument("-o", "--output", type=Path, required=True, help="要写入的 .xlsx 文件路径")
        importing = actions.add_parser(
            "import",
            help="从 .xlsx 导入为新的草稿版本（同一代码则为下一版）。"
            "任何一处有误则逐条列出（第N行 列名：原因），不做任何修改，退出码为 2",
        )
        importing.add_argument("file", type=Path, help=".xlsx 文件路径")
        importing.add_argument(
            "--code", help="评定标准代码（文件没有“属性”表时必填；给出时优先于文件中的代码）"
        )
        actions.add_parser("load-defaults", help="载入系统自带的默认标准（已存在的代码不会改动）")

    def handle(self, *args, action, **options):
        if action == "list":
            self.list_all()
        elif action == "export":
            self.export(options["code"], options["version"], options["output"])
        elif action == "import":
            self.import_file(options["file"], options["code"])
        else:
            self.load_defaults()

    # --- list --------------------------------------------------------------------------------------

    def list_all(self) -> None:
        order = ("code", "-version")
        rubrics = Rubric.objects.order_by(*order)
        checklists = Checklist.objects.annotate(n=Count("criteria")).order_by(*order)
        situation_lists = SituationList.objects.annotate(n=Count("situations")).order_by(*order)
        self.stdout.write("评定标准：")
        self._lines((r, f"{format_number(r.total)}分", domain_labels(r.domains)) for r in rubrics)
        self.stdout.write("星级评定标准：")
        self._lines((c, f"{c.n}条标准", domain_labels(c.domains)) for c in checklists)
        self.stdout.write("软弱涣散情形清单：")
        self._lines((s, f"{s.n}种情形", domain_labels(s.domains, "全部领域")) for s in situation_lists)

    def _lines(self, rows) -> None:
        empty = True
        for row, size, domains in rows:
            empty = False
            status = row.get_status_display()
            self.stdout.write(f"  {row.code}  {row.name}  第{row.version}版  {status}  {size}  {domains}")
        if empty:
            self.stdout.write("  （无）")

    # --- export ------------------------------------------------------------------------------------

    def export(self, code: str, version: int | None, path: Path) -> None:
        versions = Rubric.objects.filter(code=code)
        if version is not None:
            rubric = versions.filter(version=version).first()
        else:
            rubric = versions.filter(status=Status.PUBLISHED).order_by("-version").first()
            rubric = rubric or versions.order_by("-version").first()
        if rubric is None:
            which = f"第{version}版" if version is not None else ""
            raise CommandError(f"找不到评定标准“{code}”{which}（可用 list 查看）", returncode=EXIT_REFUSED)
        spec = queries.spec_of(queries.with_content(Rubric.objects.filter(pk=rubric.pk)).get())
        try:
            excel_io.write_rubric(path, spec)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc}", returncode=EXIT_REFUSED) from exc
        self.stdout.write(
            f"已导出：{rubric.code} 第{rubric.version}版（{rubric.get_status_display()}）到 {path}"
        )

    # --- import ------------------------------------------------------------------------------------

    def import_file(self, path: Path, code: str | None) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=EXIT_REFUSED)
        if path.stat().st_size > excel_io.LIMITS.max_bytes:
            size = excel_io.LIMITS.max_bytes // 1024 // 1024
            raise CommandError(f"文件过大，上限为 {size} MB：{path}", returncode=EXIT_REFUSED)
        try:
            spec = excel_io.read_rubric(path.read_bytes(), code=code)
            rubric = services.rubric_create(actor=None, spec=spec)
        except (excel_io.RubricSheetError, services.RubricError) as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"共 {len(exc.errors)} 处问题，未做任何修改。", returncode=EXIT_REFUSED
            ) from exc
        self.stdout.write(f"已导入为草稿：{rubric.code} 第{rubric.version}版")
        for line in method_warnings(spec):
            self.stdout.write(line)
        problems = spec.errors()
        if problems:
            self.stdout.write("发布前需要处理：")
            for problem in problems:
                self.stdout.write(f"  {problem}")

    # --- load-defaults -----------------------------------------------------------------------------

    def load_defaults(self) -> None:
        try:
            loaded = defaults.load_defaults()
        except (SpecError, services.RubricError) as exc:
            raise CommandError(f"载入默认标准失败，未做任何修改：{exc}", returncode=EXIT_REFUSED) from exc
        for entry in loaded:
            state = "已创建并发布" if entry.created else "已存在，未改动"
            self.stdout.write(f"{state}：{KIND_LABELS.get(entry.kind, entry.kind)} {entry.code} {entry.name}")
        created = sum(entry.created for entry in loaded)
        self.stdout.write(f"共新建 {created} 项，已存在 {len(loaded) - created} 项。")
