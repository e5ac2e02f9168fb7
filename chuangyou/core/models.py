from django.db import models


class LookupCounter(models.Model):
    """Public code look-ups from one address (its keyed hash) on one public page, in the current
    window. Changed only by conditional UPDATEs (`chuangyou.lib.throttle`), so concurrent look-ups
    from one address each count."""

    page = models.CharField("页面", max_length=20)
    source_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField("计数开始", db_index=True)
    lookups = models.PositiveIntegerField("查询次数", default=0)
    failures = models.PositiveIntegerField("未找到次数", default=0)

    class Meta:
        verbose_name = "公开查询计数"
        verbose_name_plural = "公开查询计数"
        constraints = [models.UniqueConstraint(fields=["page", "source_hash"], name="lookup_counter_once")]

    def __str__(self):
        return f"{self.page} {self.source_hash[:12]}"
