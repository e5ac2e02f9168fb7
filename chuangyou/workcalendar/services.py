"""Changing the working-day calendar. Only the county admin writes; each change and its audit
events commit together. A refused change raises `CalendarError` with every reason in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.audit.services import EventData, record, record_many
from chuangyou.lib.errors import ServiceError
from chuangyou.orgs.models import Organization
from chuangyou.workcalendar.models import CalendarDay, Source
from chuangyou.workcalendar.queries import MAX_YEAR, MIN_YEAR, builtin_days

NOTE_MAX = CalendarDay._meta.get_field("note").max_length
IMPORT_MAX_LINES = 1000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
WORK_WORDS = frozenset({"班", "上班", "工作日", "调休上班", "work", "workday", "是"})
OFF_WORDS = frozenset({"休", "休息", "放假", "假", "节假日", "休息日", "off", "holiday", "否"})
IMPORT_EXAMPLE = "2027-01-01 休 元旦"
# A line: date, kind and an optional note, separated by spaces, tabs or commas (pasted from Excel).
SEPARATORS = re.compile(r"[\s,，;；]+")


class CalendarError(ServiceError):
    """A refused change to the working-day calendar."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    unchanged: int
    years: tuple[int, ...] = ()

    def summary(self) -> str:
        return f"新增{self.created}天，修改{self.changed}天，未变{self.unchanged}天"


def may_edit(user) -> bool:
    return scope_of(user).has_role(Role.COUNTY_ADMIN)


def _check_may_edit(actor) -> None:
    if not may_edit(actor):
        raise CalendarError("只有县委组织部管理员可以维护工作日历")


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit_org_id(actor) -> int | None:
    """The county the admin works for: the calendar's events are shown on that county's audit page."""
    grants = [g for g in scope_of(actor).grants if g.role == Role.COUNTY_ADMIN]
    return min(grants, key=lambda g: len(g.path)).org_id if grants else None


def _check_year(day: dt.date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CalendarError(f"日期{day.isoformat()}超出范围，年份应在{MIN_YEAR}—{MAX_YEAR}年之间")


def _clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise CalendarError(f"说明不能超过{NOTE_MAX}个字")
    return note


@transaction.atomic
def day_set(*, actor, date: dt.date, is_workday: bool, note: str = "") -> CalendarDay:
    """Enter or change one day; a day entered by hand is marked 手工录入."""
    _check_may_edit(actor)
    _check_year(date)
    note = _clean_note(note)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = day.snapshot() if day else None
    if day is not None and day.is_workday == is_workday and day.note == note:
        return day
    if day is None:
        day = CalendarDay(date=date)
    day.is_workday = bool(is_workday)
    day.note = note
    day.source = Source.MANUAL
    day.updated_by = _user(actor)
    day.save()
    org_id = _audit_org_id(actor)
    record(
        actor=actor,
        verb="calendar.set",
        target=day,
        organization=Organization.objects.filter(pk=org_id).first() if org_id else None,
        before=before,
        after=day.snapshot(),
    )
    return day


@transaction.atomic
def day_delete(*, actor, day: CalendarDay) -> None:
    """Remove one day: it falls back to the built-in data, or to the Monday–Friday week."""
    _check_may_edit(actor)
    before = day.snapshot()
    org_id = _audit_org_id(actor)
    record(
        actor=actor,
        verb="calendar.delete",
        target=day,
        organization=Organization.objects.filter(pk=org_id).first() if org_id else None,
        before=before,
    )
    day.delete()


def parse_lines(text: str) -> dict[dt.date, tuple[bool, str]]:
    """`2027-01-01 休 元旦` per line → {date: (is_workday, note)}; blank lines and lines starting with
    # are skipped. Raises `CalendarError` with one message per bad line."""
    entries: dict[dt.date, tuple[bool, str]] = {}
    seen: dict[dt.date, int] = {}
    problems: list[str] = []
    lines = (text or "").lstrip("\ufeff").splitlines()
    if len(lines) > IMPORT_MAX_LINES:
        raise CalendarError(f"一次最多导入{IMPORT_MAX_LINES}行，请分批导入")
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = SEPARATORS.split(line, maxsplit=2)
        try:
            if len(parts) < 2:
                raise CalendarError(f"应写作“日期 休/班 说明”，如“{IMPORT_EXAMPLE}”")
            day = _parse_date(parts[0])
            _check_year(day)
            is_workday = _parse_kind(parts[1])
            note = _clean_note(parts[2] if len(parts) > 2 else "")
        except CalendarError as exc:
            problems.append(f"第{number}行：{exc}")
            continue
        if day in seen:
            problems.append(f"第{number}行：日期{day.isoformat()}与第{seen[day]}行重复")
            continue
        seen[day] = number
        entries[day] = (is_workday, note)
    if problems:
        raise CalendarError(problems)
    if not entries:
        raise CalendarError(f"没有可导入的日期，请每行填写一天，如“{IMPORT_EXAMPLE}”")
    return entries


def _parse_date(text: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise CalendarError(f"日期“{text}”格式不对，请写作 2027-01-01")


def _parse_kind(text: str) -> bool:
    word = text.strip().lower()
    if word in WORK_WORDS:
        return True
    if word in OFF_WORDS:
        return False
    raise CalendarError(f"“{text}”无法识别，请写“休”（休息、放假）或“班”（上班）")


@transaction.atomic
def days_import(*, actor, text: str) -> ImportResult:
    """Enter many days at once, one per line (`2027-01-01 休 元旦`, `2027-02-07 班 春节调休`).
    Nothing is saved when any line is bad."""
    _check_may_edit(actor)
    entries = parse_lines(text)
    return _write(actor, entries, Source.MANUAL, "calendar.import", overwrite=True)


@transaction.atomic
def seed_year(*, actor, year: int) -> int:
    """Copy chinese-calendar's holidays and make-up working days of `year` into the table, keeping the
    days already there (idempotent); returns how many days were added."""
    _check_may_edit(actor)
    entries = builtin_days(year)
    if not entries:
        raise CalendarError(f"内置日历没有{year}年的节假日安排，请根据国务院办公厅通知手工录入")
    return _write(actor, entries, Source.BUILTIN, "calendar.seed", overwrite=False).created


def _write(actor, entries: dict[dt.date, tuple[bool, str]], source: str, verb: str, *, overwrite: bool):
    existing = {d.date: d for d in CalendarDay.objects.select_for_update().filter(date__in=list(entries))}
    user = _user(actor)
    org_id = _audit_org_id(actor)
    events: list[EventData] = []
    created = changed = unchanged = 0
    for date, (is_workday, note) in sorted(entries.items()):
        day = existing.get(date)
        if day is not None and (not overwrite or (day.is_workday == is_workday and day.note == note)):
            unchanged += 1
            continue
        before = day.snapshot() if day else None
        if day is None:
            day = CalendarDay(date=date)
            created += 1
        else:
            changed += 1
        day.is_workday, day.note, day.source, day.updated_by = is_workday, note, source, user
        day.save()
        events.append(EventData.about(day, verb, organization_id=org_id, before=before, after=day.snapshot()))
    record_many(events, actor=actor)
    return ImportResult(created, changed, unchanged, tuple(sorted({d.year for d in entries})))
