"""What `chuangyou demo` prints about the campaigns it built: the stages found in the database and
the accounts to log in with to see each of them."""

from __future__ import annotations

from django.db.models import Count

from chuangyou.assessments.models import SheetState
from chuangyou.core.demo_stages import BUSY_TOWNSHIP
from chuangyou.grading.models import GradingRun, RunResult
from chuangyou.notices.models import NoticeBatch, NoticeEntry, Objection, OfficialGrade
from chuangyou.orgs.models import Organization


def history_lines(campaign) -> list[str]:
    grades = dict(
        OfficialGrade.objects.filter(campaign=campaign)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    batch = NoticeBatch.objects.filter(campaign=campaign, state="approved").first()
    if batch is None:
        return [f"{campaign.name}：已完成审核和定级（该年度无节假日数据，未公示命名）。"]
    shown = "、".join(
        f"{grade}{grades[grade]}个" for grade in campaign.grade_scheme().labels if grade in grades
    )
    return [
        f"{campaign.name}：已全部完成，{batch.starts:%m月%d日}—{batch.ends:%m月%d日}全县公示，"
        f"以{batch.document_number}审定命名（{shown}），各党组织页面可见“历年评定等级”。"
    ]


def stage_counts(campaign) -> dict[str, int]:
    """Sheets of the graded round by stage, as the demo spreads them."""
    sheets = campaign.graded_sheets()
    run = GradingRun.objects.filter(campaign=campaign, submitted_at__isnull=False).order_by("-number").first()
    graded = set(RunResult.objects.filter(run=run).values_list("sheet_id", flat=True)) if run else set()
    noticed = set(
        NoticeEntry.objects.filter(batch__campaign=campaign).values_list("result__sheet_id", flat=True)
    )
    counts = {
        "未开始": sheets.filter(state=SheetState.DRAFT, items_done=0).count(),
        "填写中": sheets.filter(state=SheetState.DRAFT, items_done__gt=0).count(),
        "已提交待审核": sheets.filter(state=SheetState.SUBMITTED).count(),
        "已退回修改": sheets.filter(state=SheetState.RETURNED).count(),
        "乡镇审核中": sheets.filter(state=SheetState.UNDER_REVIEW).count(),
        "乡镇已审核": 0,
        "县委已复核": 0,
        "已定级待公示": len(graded - noticed),
        "公示中": len(noticed),
    }
    for sheet_id, state in sheets.filter(state__in=[SheetState.REVIEWED, SheetState.RECHECKED]).values_list(
        "pk", "state"
    ):
        if sheet_id not in graded:
            counts["乡镇已审核" if state == SheetState.REVIEWED else "县委已复核"] += 1
    return counts


def stages_lines(campaign) -> list[str]:
    counts = stage_counts(campaign)
    lines = [
        f"{campaign.name}：12月自查进行中，各党支部分布在各个阶段——"
        + "，".join(f"{label}{n}个" for label, n in counts.items() if n)
        + "。"
    ]
    batch = NoticeBatch.objects.filter(campaign=campaign).select_related("organization").first()
    busy = Organization.objects.get(code=BUSY_TOWNSHIP)
    waiting = campaign.graded_sheets().filter(
        state=SheetState.SUBMITTED, organization__path__startswith=busy.path
    )
    lines.append(f"  township01（城关镇审核员）：{waiting.count()}份已提交的自查表待审核（审核复核）。")
    if batch is not None:
        open_count = Objection.objects.open().filter(entry__batch=batch).count()
        answered = Objection.objects.filter(entry__batch=batch).exclude(answered_at=None).count()
        lines.append(
            f"  township02（青山镇审核员）：“{batch.organization.name}”的公示{batch.starts:%m月%d日}—"
            f"{batch.ends:%m月%d日}正在进行，有{open_count}件异议待处理、{answered}件已答复"
            "（公示审定 → 异议）。"
        )
    lines.append(
        "  admin（县委组织部）：复核、定级（第1次定级已提交公示）、审定；"
        "leader、auditor 只读查看进度和审计日志。"
    )
    lines.append("  branch01–branch12（党支部书记）：本支部的自查表留作空白，由书记自己填写。")
    return lines
