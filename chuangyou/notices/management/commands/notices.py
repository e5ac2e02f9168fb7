import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from chuangyou.notices.services import notices_end


class Command(BaseCommand):
    help = "公示管理：end 结束公示期已满的公示（可重复运行，供定时任务调用）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        end = sub.add_parser("end", help="结束公示期已满的公示")
        end.add_argument("--today", help="按此日期判断（YYYY-MM-DD，默认今天）")

    def handle(self, *args, action, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期“{today}”格式应为 YYYY-MM-DD") from None
        ended = notices_end(day)
        for batch in ended:
            self.stdout.write(f"已结束：{batch.title}（截止{batch.ends:%Y-%m-%d}）")
        self.stdout.write(f"共结束 {len(ended)} 个公示")
