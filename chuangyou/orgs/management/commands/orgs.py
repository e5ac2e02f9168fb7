"""`chuangyou orgs import FILE [--dry-run]` and `chuangyou orgs export FILE`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chuangyou.orgs.models import Organization
from chuangyou.orgs.tree_export import write_export
from chuangyou.orgs.tree_import import SYSTEM_SCOPE, tree_import
from chuangyou.orgs.tree_sheet import CLI_LIMITS

# Exit status of a refused import (bad rows or an unreadable file): nothing was changed.
EXIT_REFUSED = 2


class Command(BaseCommand):
    help = "组织架构的 Excel（.xlsx）导入和导出。以系统身份运行，作用于全部组织。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importing = actions.add_parser(
            "import",
            help="导入组织架构：先检查整个文件，任何一行有误则逐行列出（第N行 列名：原因），"
            "不做任何修改，退出码为 2",
        )
        importing.add_argument("file", type=Path, help=".xlsx 文件路径")
        importing.add_argument("--dry-run", action="store_true", help="只检查并报告将做的修改，不写入")
        exporting = actions.add_parser(
            "export",
            help="导出全部组织到 .xlsx。注意：导出文件含完整的书记电话（供服务器上的运维使用），请妥善保管；"
            "网页导出的电话为脱敏号码",
        )
        exporting.add_argument("file", type=Path, help="要写入的 .xlsx 文件路径")

    def handle(self, *args, action, file, **options):
        if action == "import":
            self.import_file(file, dry_run=options["dry_run"])
        else:
            self.export_file(file)

    def import_file(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=EXIT_REFUSED)
        if path.stat().st_size > CLI_LIMITS.max_bytes:
            size = CLI_LIMITS.max_bytes // 1024 // 1024
            raise CommandError(f"文件过大，上限为 {size} MB：{path}", returncode=EXIT_REFUSED)
        result = tree_import(
            actor=None,
            scope=SYSTEM_SCOPE,
            data=path.read_bytes(),
            filename=path.name,
            dry_run=dry_run,
            limits=CLI_LIMITS,
        )
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"共 {len(result.errors)} 处问题，未做任何修改。", returncode=EXIT_REFUSED)
        counts = (
            f"新建 {result.created} 个，修改 {result.updated} 个，调整隶属关系 {result.moved} 个，"
            f"未变化 {result.unchanged} 个"
        )
        prefix = "检查通过（未写入）：如果导入，将" if dry_run else "导入完成："
        self.stdout.write(prefix + counts)

    def export_file(self, path: Path) -> None:
        orgs = Organization.objects.all()
        write_export(path, orgs, mask_phones=False)
        self.stdout.write(f"已导出 {orgs.count()} 个组织到 {path}（含完整书记电话，请妥善保管）")
