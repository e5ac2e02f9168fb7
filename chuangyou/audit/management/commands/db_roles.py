"""`chuangyou db_roles [--app-role NAME] [--print]`: the grants of the app's PostgreSQL account."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from chuangyou.audit.db_roles import ROLE_NAME, grant_statements
from chuangyou.audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "为网站的运行账号授权（PostgreSQL，两个数据库账号时使用）：各表可增删改查，审计日志表只能查询和追加；"
        "以后迁移新建的表自动获得同样的权限。须以属主账号（运行 migrate 的账号）执行，可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default="chuangyou_app", help="运行账号，默认 chuangyou_app")
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_only",
            help="只显示将执行的 SQL，不执行（可交给 psql）",
        )

    def handle(self, *args, app_role, print_only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("数据库账号分离只适用于 PostgreSQL，当前数据库不是 PostgreSQL。")
        if not ROLE_NAME.match(app_role):
            raise CommandError(f"运行账号名“{app_role}”无效：只能用小写字母、数字和下划线，且不以数字开头。")
        audit_table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            owner = self.audit_table_owner(cursor, app_role, audit_table)
            cursor.execute("SELECT current_database()")
            (database,) = cursor.fetchone()
        statements = grant_statements(
            database=database, owner=owner, app_role=app_role, audit_table=audit_table
        )
        if print_only:
            self.stdout.write(
                f"-- 运行账号 {app_role} 的权限，以属主账号 {owner} 执行（psql 属主账号的地址 -f 本文件）"
            )
            self.stdout.write("\n".join(["BEGIN;", *(f"{sql};" for sql in statements), "COMMIT;"]))
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(
            f"已为运行账号 {app_role} 授权：各表可查询、新增、修改、删除，"
            f"审计日志表 {audit_table} 只能查询和新增；属主账号 {owner} 以后新建的表自动获得同样的权限。"
        )

    def audit_table_owner(self, cursor, app_role: str, audit_table: str) -> str:
        """The audit table's owner, once the accounts are as the split needs them."""
        cursor.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = %s", [audit_table]
        )
        row = cursor.fetchone()
        if row is None:
            raise CommandError(f"审计日志表 {audit_table} 尚不存在，请先以属主账号运行 migrate。")
        (owner,) = row
        cursor.execute(
            "SELECT rolsuper, pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [owner, app_role],
        )
        row = cursor.fetchone()
        if row is None:
            raise CommandError(
                f"数据库账号 {app_role} 不存在，"
                f"请先建立（sudo -u postgres createuser --pwprompt {app_role}）。"
            )
        superuser, owns = row
        if superuser:
            raise CommandError(f"数据库账号 {app_role} 是超级用户，不受任何权限限制，运行账号请用普通账号。")
        if owns:
            raise CommandError(
                f"数据库账号 {app_role} 就是属主账号 {owner} 或属于它，能删除审计日志的触发器；"
                "运行账号须是另一个账号。"
            )
        cursor.execute("SELECT current_user, pg_has_role(current_user, %s, 'USAGE')", [owner])
        current, may = cursor.fetchone()
        if not may:
            raise CommandError(
                f"当前连接的账号 {current} 不是属主账号 {owner}，请用属主账号的 DATABASE_URL 执行。"
            )
        return owner
