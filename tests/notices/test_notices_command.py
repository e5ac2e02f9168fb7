"""`chuangyou notices end`: the daily job that ends notices whose working days are over."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from chuangyou.notices.models import NoticeBatch, NoticeState
from tests.notices.conftest import ENDS


def run(*args):
    out = io.StringIO()
    call_command("notices", "end", *args, stdout=out)
    return out.getvalue()


def test_it_ends_the_notices_past_their_last_day_and_prints_the_count(published_notice):
    assert run("--today", "2026-12-18") == "共结束 0 个公示\n"
    assert NoticeBatch.objects.get(pk=published_notice.pk).state == NoticeState.PUBLISHED
    assert run("--today", "2026-12-19") == (
        "已结束：2026年度基层党组织争先创优评定等级公示（截止2026-12-18）\n共结束 1 个公示\n"
    )
    assert NoticeBatch.objects.get(pk=published_notice.pk).state == NoticeState.ENDED
    assert run("--today", "2026-12-21") == "共结束 0 个公示\n"  # running it again ends nothing new


def test_without_a_date_it_goes_by_today(published_notice, on_day):
    on_day(ENDS)
    assert run().endswith("共结束 0 个公示\n")
    on_day(ENDS + dt.timedelta(days=3))
    assert run().endswith("共结束 1 个公示\n")
    assert NoticeBatch.objects.get(pk=published_notice.pk).state == NoticeState.ENDED


@pytest.mark.parametrize("today", ["2026-13-01", "2026/12/19", "tomorrow"])
def test_a_bad_date_is_refused(published_notice, today):
    with pytest.raises(CommandError, match=f"日期“{today}”格式应为 YYYY-MM-DD"):
        run("--today", today)
    assert NoticeBatch.objects.get(pk=published_notice.pk).state == NoticeState.PUBLISHED
