import contextlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.core.demo import DEMO_PASSWORD, create_demo, create_demo_campaign
from chuangyou.core.demo_clock import stopped_clock
from chuangyou.core.demo_history import create_demo_history
from chuangyou.core.demo_schedule import demo_epoch
from chuangyou.core.demo_summary import history_lines, stages_lines
from chuangyou.orgs.models import Organization
from chuangyou.rubrics.defaults import load_defaults


class Command(BaseCommand):
    help = "应用数据库迁移，并在空数据库中生成示范县演示数据（已有数据时不做任何修改）"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Into an empty database the rubrics are dated with the county, before last year's campaign.
        empty = not Organization.objects.exists()
        with stopped_clock(demo_epoch(timezone.localdate())) if empty else contextlib.nullcontext():
            created = [d for d in load_defaults() if d.created]
        if created:
            self.stdout.write("已载入默认评定标准：" + "、".join(d.name for d in created))
        accounts = create_demo()
        if accounts is None:
            self.stdout.write(f"数据库中已有 {Organization.objects.count()} 个组织，未生成演示数据。")
            return
        history = create_demo_history()
        campaign = create_demo_campaign(stages=True)
        self.stdout.write(f"已生成示范县：{Organization.objects.count()} 个组织。")
        if history is not None:
            self.stdout.write("\n".join(history_lines(history)))
        if campaign is not None:
            self.stdout.write("\n".join(stages_lines(campaign)))
        labels = dict(Role.choices)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        shown = [a for a in accounts if not a.username[-2:].isdigit() or a.username.endswith("01")]
        for account in shown:
            self.stdout.write(f"  {account.username:<12} {labels[account.role]}（{account.full_name}）")
        self.stdout.write(
            "  另有 township02–township12（各乡镇街道审核员）"
            "和 branch02–branch12（各乡镇街道一个党支部书记）。"
        )
