"""Changing the working-day calendar: one day, many days, the built-in year; county admin only."""

import datetime as dt

import pytest

from chuangyou.audit.models import AuditEvent
from chuangyou.workcalendar import services
from chuangyou.workcalendar.models import CalendarDay, Source

D = dt.date.fromisoformat


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


def test_setting_a_day_creates_it_then_changes_it(admin, tree):
    day = services.day_set(actor=admin, date=D("2027-01-01"), is_workday=False, note=" 元旦 ")
    assert (day.is_workday, day.note, day.source, day.updated_by) == (False, "元旦", Source.MANUAL, admin)
    event = AuditEvent.objects.get(verb="calendar.set")
    assert event.before is None and event.after["note"] == "元旦"
    assert event.organization == tree["county"]

    services.day_set(actor=admin, date=D("2027-01-01"), is_workday=True, note="改为上班")
    day.refresh_from_db()
    assert day.is_workday is True and CalendarDay.objects.count() == 1
    latest = AuditEvent.objects.filter(verb="calendar.set").first()
    assert latest.before["is_workday"] is False and latest.after["is_workday"] is True


def test_saving_the_same_day_again_writes_no_event(admin):
    services.day_set(actor=admin, date=D("2027-01-01"), is_workday=False, note="元旦")
    services.day_set(actor=admin, date=D("2027-01-01"), is_workday=False, note="元旦")
    assert AuditEvent.objects.filter(verb="calendar.set").count() == 1


def test_a_manual_change_marks_a_builtin_day_manual(admin):
    services.seed_year(actor=admin, year=2026)
    day = services.day_set(actor=admin, date=D("2026-10-09"), is_workday=False, note="县里放假")
    assert day.source == Source.MANUAL


def test_bad_days_are_refused(admin):
    with pytest.raises(services.CalendarError, match="不能超过100个字"):
        services.day_set(actor=admin, date=D("2027-01-01"), is_workday=False, note="长" * 101)
    with pytest.raises(services.CalendarError, match="年份应在2000—2100年之间"):
        services.day_set(actor=admin, date=D("1999-01-01"), is_workday=False)
    assert not CalendarDay.objects.exists()


def test_deleting_a_day(admin):
    day = services.day_set(actor=admin, date=D("2027-01-01"), is_workday=False, note="元旦")
    services.day_delete(actor=admin, day=day)
    assert not CalendarDay.objects.exists()
    event = AuditEvent.objects.get(verb="calendar.delete")
    assert event.before["note"] == "元旦" and event.after is None


IMPORT = """
# 2027年节假日安排
2027-01-01 休 元旦
2027/02/07\t班\t春节调休
2027年2月8日, 放假, 春节
2027-02-20 上班
2027-05-03 off 劳动节
2027-05-08 work
"""


def test_importing_lines(admin):
    result = services.days_import(actor=admin, text=IMPORT)
    assert (result.created, result.changed, result.unchanged, result.years) == (6, 0, 0, (2027,))
    days = {d.date: (d.is_workday, d.note) for d in CalendarDay.objects.all()}
    assert days == {
        D("2027-01-01"): (False, "元旦"),
        D("2027-02-07"): (True, "春节调休"),
        D("2027-02-08"): (False, "春节"),
        D("2027-02-20"): (True, ""),
        D("2027-05-03"): (False, "劳动节"),
        D("2027-05-08"): (True, ""),
    }
    assert AuditEvent.objects.filter(verb="calendar.import").count() == 6

    again = services.days_import(actor=admin, text="2027-01-01 休 元旦\n2027-01-02 休 元旦\n2027-02-20 休")
    assert (again.created, again.changed, again.unchanged) == (1, 1, 1)
    assert AuditEvent.objects.filter(verb="calendar.import").count() == 8


def test_one_bad_line_saves_nothing_and_every_bad_line_is_named(admin):
    text = "\n".join(
        [
            "2027-01-01 休 元旦",
            "2027-13-01 休",
            "2027-01-02 也许",
            "2027-01-03",
            "2027-01-01 班",
            "2027-01-04 休 " + "长" * 101,
            "1900-01-01 休",
        ]
    )
    with pytest.raises(services.CalendarError) as caught:
        services.days_import(actor=admin, text=text)
    errors = caught.value.errors
    assert len(errors) == 6
    assert errors[0].startswith("第2行：日期“2027-13-01”格式不对")
    assert errors[1].startswith("第3行：“也许”无法识别")
    assert errors[2].startswith("第4行：应写作“日期 休/班 说明”")
    assert errors[3] == "第5行：日期2027-01-01与第1行重复"
    assert errors[4].startswith("第6行：说明不能超过")
    assert errors[5].startswith("第7行：日期1900-01-01超出范围")
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="calendar.").exists()


def test_an_empty_import_is_refused(admin):
    with pytest.raises(services.CalendarError, match="没有可导入的日期"):
        services.days_import(actor=admin, text="\n# 只有注释\n")


def test_seeding_a_builtin_year_is_idempotent_and_keeps_manual_days(admin):
    services.day_set(actor=admin, date=D("2026-10-01"), is_workday=False, note="国庆节（县里的说明）")
    added = services.seed_year(actor=admin, year=2026)
    assert added == 38  # 33 holidays and 6 make-up working days of 2026, less the day already there
    assert CalendarDay.objects.get(date=D("2026-10-01")).note == "国庆节（县里的说明）"
    assert CalendarDay.objects.get(date=D("2026-10-10")).note == "国庆节调休"
    assert CalendarDay.objects.get(date=D("2026-10-10")).is_workday is True
    assert CalendarDay.objects.get(date=D("2026-02-16")).note == "春节"
    assert CalendarDay.objects.get(date=D("2026-02-16")).source == Source.BUILTIN
    assert AuditEvent.objects.filter(verb="calendar.seed").count() == 38

    assert services.seed_year(actor=admin, year=2026) == 0
    assert CalendarDay.objects.count() == 39
    assert AuditEvent.objects.filter(verb="calendar.seed").count() == 38


def test_seeding_a_year_the_builtin_data_does_not_know_is_refused(admin):
    with pytest.raises(services.CalendarError, match="内置日历没有2027年"):
        services.seed_year(actor=admin, year=2027)


@pytest.mark.parametrize(
    "name", ["township_reviewer", "branch_secretary", "leading_group", "auditor", "outsider"]
)
def test_only_the_county_admin_writes(personas, name):
    user = personas[name]
    day = CalendarDay.objects.create(date=D("2027-01-01"), is_workday=False)
    calls = [
        lambda: services.day_set(actor=user, date=D("2027-01-02"), is_workday=False),
        lambda: services.day_delete(actor=user, day=day),
        lambda: services.days_import(actor=user, text="2027-01-03 休"),
        lambda: services.seed_year(actor=user, year=2026),
    ]
    for call in calls:
        with pytest.raises(services.CalendarError, match="只有县委组织部管理员可以维护工作日历"):
            call()
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D("2027-01-01")]
