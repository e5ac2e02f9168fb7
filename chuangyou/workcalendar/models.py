"""The working-day calendar kept in the database (工作日历): one row per date that differs from, or
confirms, the Monday–Friday week — holidays, make-up working days (调休) — editable by the county
admin. `queries.work_calendar()` lays these rows over chinese-calendar's built-in data."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    BUILTIN = "builtin", "内置数据"
    MANUAL = "manual", "手工录入"


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.MANUAL)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.kind_label}" + (f"（{self.note}）" if self.note else "")

    @property
    def kind_label(self) -> str:
        return "上班" if self.is_workday else "休息"

    def snapshot(self) -> dict:
        """What an audit event records of the day."""
        return {"date": self.date, "is_workday": self.is_workday, "note": self.note, "source": self.source}
