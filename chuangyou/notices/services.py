"""Writes of the public notice: create and publish a batch, end it when its working days are over,
file and answer objections, report and approve. Each is one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import GRADABLE_STATES, ScoreSheet
from chuangyou.assessments.services import clear_grading_inputs
from chuangyou.audit.services import record
from chuangyou.campaigns.models import Campaign
from chuangyou.grading.groups import run_labels, run_limits
from chuangyou.grading.models import GradingRun, RunResult, RunState
from chuangyou.lib.errors import ServiceError
from chuangyou.lib.throttle import address_hash
from chuangyou.notices.issuer import default_issuer
from chuangyou.notices.models import (
    MIN_NOTICE_DAYS,
    NoticeBatch,
    NoticeEntry,
    NoticeState,
    Objection,
    ObjectionSource,
    ObjectionState,
    OfficialGrade,
)
from chuangyou.reviews.models import Review, ReviewKind, ReviewState
from chuangyou.rules.quota_check import notice_breaches
from chuangyou.rules.workdays import CalendarMissingError, WorkCalendar

OBJECTION_MAX_CHARS = 2000
ANSWER_DAYS = 5  # working days to answer an objection
VERIFIED_STATES = (ObjectionState.UPHELD, ObjectionState.DISMISSED)
# Flood limits, counted in the database: per sender address and per organization.
PER_SOURCE_BURST = (5, dt.timedelta(minutes=10))
PER_SOURCE_DAY = (20, dt.timedelta(days=1))
PER_SOURCE_ENTRY_DAY = (3, dt.timedelta(days=1))  # one address about one organization
# Beyond this many a day about one organization, objections are still taken but marked as a flood,
# so that a few addresses cannot silence a notice.
ENTRY_FLOOD_DAY = (50, dt.timedelta(days=1))
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


class NoticeError(ServiceError):
    """A refused notice action."""


class MissingCalendarError(NoticeError):
    """A date in a year without working-day data; `year` lets the page link to the calendar."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year}年尚无节假日安排数据，无法计算工作日，请先在“工作日历”中录入{year}年的安排")


def _calendar() -> WorkCalendar:
    """The built-in holidays with the county's overrides (the working-day calendar pages)."""
    try:
        from chuangyou.workcalendar.queries import work_calendar
    except ImportError:  # the calendar pages are not installed: the built-in data alone
        return WorkCalendar()
    return work_calendar()


def end_of(starts: dt.date, days: int) -> dt.date:
    """The last day of a notice of `days` working days beginning on `starts` (counted when a working day)."""
    if days < MIN_NOTICE_DAYS:
        raise NoticeError(f"公示期不少于{MIN_NOTICE_DAYS}个工作日")
    try:
        return _calendar().add_workdays(starts, days)
    except CalendarMissingError as exc:
        raise MissingCalendarError(exc.year) from None


def _county_admin_over(actor, org) -> None:
    if not scope_of(actor).contains(org, roles={Role.COUNTY_ADMIN}):
        raise NoticeError("只有县委组织部可以审定")


def may_publish(user, campaign, organization) -> bool:
    """Create, publish and delete a notice under `organization`: the county, and a township for its
    own branches when the campaign lets townships publish."""
    scope = scope_of(user)
    if scope.contains(organization, roles={Role.COUNTY_ADMIN}):
        return True
    return (
        campaign.townships_publish
        and organization.depth == campaign.root.depth + 1
        and organization.path.startswith(campaign.root.path)
        and scope.contains(organization, roles={Role.TOWNSHIP_REVIEWER})
    )


def _check_may_publish(actor, campaign, organization) -> None:
    if not may_publish(actor, campaign, organization):
        if campaign.townships_publish:
            raise NoticeError("只有县委组织部或本乡镇（街道）审核人可以发布本辖区的公示")
        raise NoticeError("本次活动由县委组织部统一发布公示")


def _latest_submitted(campaign):
    return (
        GradingRun.objects.filter(campaign=campaign, submitted_at__isnull=False).order_by("-number").first()
    )


# "该公示…" for refusals (the state labels alone read "公示公示中").
STATE_WORDS = {
    NoticeState.DRAFT: "尚未发布",
    NoticeState.PUBLISHED: "正在公示",
    NoticeState.ENDED: "已结束",
    NoticeState.REPORTED: "已上报",
    NoticeState.APPROVED: "已审定",
}


def _state_words(batch: NoticeBatch) -> str:
    return f"该公示{STATE_WORDS[batch.state]}"


def _locked(batch: NoticeBatch) -> NoticeBatch:
    return (
        NoticeBatch.objects.select_for_update(of=("self",))
        .select_related("organization", "campaign__root", "run")
        .get(pk=batch.pk)
    )


def _results_to_notice(campaign, organization):
    """The results under `organization` not yet on a notice, each from the first submitted run that
    graded its organization: a run submitted later for branches reviewed since does not change a grade
    submitted already. After an upheld objection only the runs after the withdrawn entry's count."""
    entries = NoticeEntry.objects.filter(batch__campaign=campaign)
    withdrawn_in = (
        entries.filter(withdrawn=True, organization=OuterRef("organization"))
        .order_by("-batch__run__number")
        .values("batch__run__number")[:1]
    )
    eligible = (
        RunResult.objects.filter(run__campaign=campaign, run__submitted_at__isnull=False)
        .annotate(floor=Coalesce(Subquery(withdrawn_in), 0))
        .filter(run__number__gt=F("floor"))
    )
    earlier = eligible.filter(organization=OuterRef("organization"), run__number__lt=OuterRef("run__number"))
    return (
        eligible.filter(organization__path__startswith=organization.path)
        .exclude(organization__in=entries.filter(withdrawn=False).values("organization"))
        .exclude(Exists(earlier))
    )


def committed_grades(campaign) -> dict[int, str]:
    """Organization id → the grade it is published or submitted under in this campaign: its entry on a
    notice (not withdrawn), else its grade in the first submitted run that will go on one. A later run
    keeps these grades and their seats, so the notices of a campaign together keep its quotas."""
    pending = _results_to_notice(campaign, campaign.root).values_list("organization_id", "final_grade")
    noticed = NoticeEntry.objects.filter(batch__campaign=campaign, withdrawn=False).values_list(
        "organization_id", "grade"
    )
    return {**dict(pending), **dict(noticed)}


def _covering_notices(campaign, organization):
    """Notices of the campaign over this organization or above it: a new one is a supplementary
    notice (补充公示). Notices under it do not count: the county's first notice after the townships
    published their own is the county's first, and another township's first notice is its first."""
    step = organization.steplen
    above = [organization.path[:end] for end in range(step, len(organization.path) + 1, step)]
    return NoticeBatch.objects.filter(campaign=campaign, organization__path__in=above)


@transaction.atomic
def notice_create(
    *,
    actor,
    run,
    organization,
    channel: str,
    starts: dt.date,
    days: int,
    title: str = "",
    issuer: str = "",
    contact_phone: str = "",
    contact_address: str = "",
) -> NoticeBatch:
    """A draft notice of the run's results under `organization`, in grade order (best first), ending
    with its issuer (`default_issuer` when blank) and where objections go besides the public form.

    An organization is published once per campaign: those already on a notice are left out, except
    when an upheld objection withdrew them and a later run graded them again (a supplementary notice).
    Each grade comes from the first submitted run that graded the organization (`_results_to_notice`)."""
    # Locked: two drafts made at once must not list the same organization.
    campaign = Campaign.objects.select_for_update().select_related("root").get(pk=run.campaign_id)
    if not organization.path.startswith(campaign.root.path):
        raise NoticeError(f"“{organization.name}”不在本次活动范围内")
    _check_may_publish(actor, campaign, organization)
    if run.state != RunState.DONE or run.submitted_at is None:
        raise NoticeError("只有已提交公示的定级结果可以公示")
    latest = _latest_submitted(campaign)
    if latest.pk != run.pk:
        raise NoticeError(f"第{latest.number}次定级结果已提交公示，请从最新提交的定级结果发布公示")
    ends = end_of(starts, days)
    labels = run_labels(run)
    order = Case(
        *(When(final_grade=g, then=Value(i)) for i, g in enumerate(labels)), output_field=IntegerField()
    )
    in_scope = RunResult.objects.filter(run=run, organization__path__startswith=organization.path)
    if not in_scope.exists():
        raise NoticeError(f"“{organization.name}”范围内没有定级结果")
    results = (
        _results_to_notice(campaign, organization)
        .annotate(grade_order=order)
        .order_by("grade_order", "township", "county_rank")
    )
    if not results.exists():
        raise NoticeError(f"“{organization.name}”范围内的定级结果均已列入公示")
    _check_campaign_quotas(campaign, run, results)
    supplement = _covering_notices(campaign, organization).exists()
    default_title = f"{campaign.year}年度基层党组织争先创优评定等级{'补充公示' if supplement else '公示'}"
    batch = NoticeBatch.objects.create(
        campaign=campaign,
        run=run,
        organization=organization,
        title=title.strip() or default_title,
        channel=channel,
        starts=starts,
        days=days,
        ends=ends,
        issuer=issuer.strip() or default_issuer(campaign, organization),
        contact_phone=contact_phone.strip(),
        contact_address=contact_address.strip(),
        created_by=actor,
    )
    NoticeEntry.objects.bulk_create(
        NoticeEntry(
            batch=batch,
            result=r,
            organization_id=r.organization_id,
            name=r.name,
            township=r.township,
            grade=r.final_grade,
            order=i,
        )
        for i, r in enumerate(results)
    )
    record(
        actor=actor,
        verb="notice.create",
        target=batch,
        organization=organization,
        after={
            "run": run.number,
            "channel": channel,
            "starts": starts,
            "days": days,
            "ends": ends,
            "issuer": batch.issuer,
            "contact_phone": batch.contact_phone,
            "contact_address": batch.contact_address,
        },
    )
    return batch


def _check_campaign_quotas(campaign, run, results) -> None:
    """The notices of a campaign together keep its quotas (both scopes): a supplementary notice that
    would break one is refused, unless the campaign allows grades beyond the quotas."""
    if campaign.allow_quota_override:
        return
    noticed: dict[str, dict[tuple[str, str], int]] = {}  # per scheme group: the quotas hold within it
    for key, township, grade, n in (
        NoticeEntry.objects.filter(batch__campaign=campaign, withdrawn=False)
        .order_by()
        .values_list("result__scheme", "township", "grade")
        .annotate(n=Count("pk"))
    ):
        noticed.setdefault(key, {})[(township, grade)] = n
    problems = []
    for key, limits in run_limits(run).items():
        adding = (
            results.filter(scheme=key).order_by("county_rank").values_list("name", "township", "final_grade")
        )
        problems += notice_breaches(limits, noticed.get(key, {}), adding)
    if problems:
        raise NoticeError([f"列入公示将突破本次活动的名额：{problems[0]}", *problems[1:]])


def _locked_draft(actor, batch: NoticeBatch, refused: str) -> NoticeBatch:
    """The batch locked, for whoever may publish it, while it is a draft."""
    current = _locked(batch)
    _check_may_publish(actor, current.campaign, current.organization)
    if current.state != NoticeState.DRAFT:
        raise NoticeError(f"{_state_words(current)}，{refused}")
    return current


@transaction.atomic
def notice_publish(*, actor, batch: NoticeBatch) -> NoticeBatch:
    current = _locked_draft(actor, batch, "不能再发布")
    current.ends = end_of(current.starts, current.days)  # the calendar may have changed since the draft
    _answer_due(current.ends)  # an objection on the last day must get a due date from the calendar
    current.state, current.published_at = NoticeState.PUBLISHED, timezone.now()
    current.version += 1
    current.save()
    record(
        actor=actor,
        verb="notice.publish",
        target=current,
        organization=current.organization,
        before={"state": NoticeState.DRAFT},
        after={"state": current.state, "starts": current.starts, "ends": current.ends},
    )
    return current


@transaction.atomic
def notice_delete(*, actor, batch: NoticeBatch) -> None:
    """Delete a draft (a wrong scope or start date); a published notice stays on record."""
    current = _locked_draft(actor, batch, "不能删除")
    record(
        actor=actor,
        verb="notice.delete",
        target=current,
        organization=current.organization,
        before={"state": current.state, "title": current.title, "entries": current.entries.count()},
        after={"state": "deleted"},
    )
    current.delete()


def notices_end(today: dt.date | None = None) -> list[NoticeBatch]:
    """End every published notice whose last day has passed; running it twice changes nothing."""
    today = today or timezone.localdate()
    ended = []
    for batch in NoticeBatch.objects.filter(state=NoticeState.PUBLISHED, ends__lt=today):
        with transaction.atomic():
            current = _locked(batch)
            if current.state != NoticeState.PUBLISHED:
                continue
            current.state, current.ended_at = NoticeState.ENDED, timezone.now()
            current.save(update_fields=["state", "ended_at"])
            record(
                actor=None,
                verb="notice.end",
                target=current,
                organization=current.organization,
                before={"state": NoticeState.PUBLISHED},
                after={"state": current.state, "ends": current.ends},
                note="公示期满，自动结束",
            )
            ended.append(current)
    return ended


def source_hash(address: str) -> str:
    """A keyed hash of the sender's address, so floods can be counted without storing the address."""
    return address_hash(address)


def _check_limits(entry: NoticeEntry, source: str, now) -> bool:
    """Refuse a sender over its limits; True when the organization gets a flood (taken, marked).

    The sender's counter row is written first: a concurrent objection from the same address waits
    for this transaction (a row lock on PostgreSQL, the write lock on SQLite), so it counts this one."""
    ObjectionSource.objects.get_or_create(source_hash=source)
    ObjectionSource.objects.filter(source_hash=source).update(last_at=now)
    mine = Objection.objects.filter(source_hash=source)
    for limit, window in (PER_SOURCE_BURST, PER_SOURCE_DAY):
        if mine.filter(created_at__gte=now - window).count() >= limit:
            raise NoticeError("您提交的异议较多，请稍后再试。如情况紧急，请直接联系县委组织部。")
    limit, window = PER_SOURCE_ENTRY_DAY
    if mine.filter(entry=entry, created_at__gte=now - window).count() >= limit:
        raise NoticeError("您今天对该组织提交的异议已较多，请明天再提交，或直接联系县委组织部。")
    limit, window = ENTRY_FLOOD_DAY
    return Objection.objects.filter(entry=entry, created_at__gte=now - window).count() >= limit


@transaction.atomic
def objection_submit(*, entry: NoticeEntry, content: str, name: str, phone: str, address: str) -> Objection:
    """Anyone files an objection about one organization while its notice runs."""
    batch = entry.batch
    today = timezone.localdate()
    if batch.state != NoticeState.PUBLISHED or not batch.starts <= today <= batch.ends:
        raise NoticeError("该公示不在公示期内，不能提出异议")
    content, name, phone = (content or "").strip(), (name or "").strip(), (phone or "").strip()
    errors = []
    if not content:
        errors.append("请填写异议内容")
    elif len(content) > OBJECTION_MAX_CHARS:
        errors.append(f"异议内容不超过{OBJECTION_MAX_CHARS}字（现有{len(content)}字）")
    if len(name) > 50:
        errors.append("姓名不超过50字")
    if phone and not PHONE.match(phone):
        errors.append("联系电话应为11位手机号或带区号的固定电话")
    if errors:
        raise NoticeError(errors)
    source = source_hash(address)
    now = timezone.now()
    flooded = _check_limits(entry, source, now)
    try:
        due = _answer_due(today)
    except MissingCalendarError as exc:  # publishing checks this; the calendar may have changed since
        raise NoticeError(
            f"{exc.year}年的节假日安排尚未录入，暂时无法计算异议办理期限。请直接联系县委组织部反映，或稍后再试。"
        ) from None
    objection = Objection.objects.create(
        entry=entry, content=content, name=name, phone=phone, due=due, source_hash=source, flooded=flooded
    )
    record(
        actor=None,
        verb="objection.submit",
        target=objection,
        organization=entry.organization,
        after={"entry": entry.name, "named": bool(name), "due": objection.due},
        keep_ip=False,  # the sender's address is kept only as the keyed hash above
    )
    return objection


def _answer_due(today: dt.date) -> dt.date:
    """The fifth working day after the objection came in; never guessed for a year without data."""
    try:
        return _calendar().add_workdays(today + dt.timedelta(days=1), ANSWER_DAYS)
    except CalendarMissingError as exc:
        raise MissingCalendarError(exc.year) from None


def may_answer(user, objection: Objection) -> bool:
    """The reviewers responsible for the organization: its township's reviewers and the county."""
    return scope_of(user).contains(
        objection.entry.organization, roles={Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER}
    )


@transaction.atomic
def objection_answer(*, actor, objection: Objection, state: str, answer: str, version: int) -> Objection:
    """Move an objection on: 调查中, or close it as 成立 / 不成立 / 需进一步核实 with an answer.

    成立 sends the organization's sheet back to review (and out of this notice); 需进一步核实
    holds its grade back from approval until the verification ends as 成立 or 不成立 (after the
    batch's approval, a released grade is approved by `notice_approve_released`)."""
    # The entry is locked too: answers to two objections about one organization set its flags in turn.
    current = (
        Objection.objects.select_for_update(of=("self", "entry"))
        .select_related("entry__batch", "entry__organization", "entry__result")
        .get(pk=objection.pk)
    )
    if not may_answer(actor, current):
        raise NoticeError("只有该组织所属乡镇（街道）的审核人或县委组织部可以处理异议")
    if current.version != version:
        raise NoticeError("该异议已由他人处理，请刷新后再操作")
    if not current.is_answerable:
        raise NoticeError(f"该异议已办结（{current.get_state_display()}），不能再修改")
    if state not in ObjectionState.values or state == ObjectionState.RECEIVED:
        raise NoticeError("请选择处理结果")
    if current.state == ObjectionState.FURTHER and state not in VERIFIED_STATES:
        raise NoticeError("进一步核实后，请选择“成立”或“不成立”")
    answer = (answer or "").strip()
    if state != ObjectionState.INVESTIGATING and not answer:
        raise NoticeError("办结异议须填写处理结果（将答复提出人）")
    before = {"state": current.state}
    current.state, current.answer = state, answer[:4000]
    current.version += 1
    if state != ObjectionState.INVESTIGATING:
        current.answered_by, current.answered_at = actor, timezone.now()
    current.save()
    entry = current.entry
    if state == ObjectionState.UPHELD:
        entry.withdrawn = True
        entry.save(update_fields=["withdrawn"])
        _back_to_review(actor, current)
    elif state == ObjectionState.FURTHER:
        entry.held = True
        entry.save(update_fields=["held"])
    elif before["state"] == ObjectionState.FURTHER:  # 不成立 after verification
        still_held = entry.objections.filter(state=ObjectionState.FURTHER).exists()
        if not still_held:
            entry.held = False
            entry.save(update_fields=["held"])
    record(
        actor=actor,
        verb="objection.answer",
        target=current,
        organization=entry.organization,
        before=before,
        after={"state": state, "answer": current.answer},
    )
    return current


def _back_to_review(actor, objection: Objection) -> None:
    """An upheld objection: the organization's sheet is reviewed again (a new run, a new notice).

    As when the county sends a sheet back (`reviews.services.review_send_back`): the township's
    review opens again and a re-check under way is dropped, or the sheet would stay under review with
    a finished review nobody may change."""
    entry = objection.entry
    sheet = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=entry.result.sheet_id)
    )
    if sheet.state not in GRADABLE_STATES:
        return
    before = sheet.state
    sheet.reopen_review()
    clear_grading_inputs(sheet)
    sheet.save()
    reason = f"异议成立（查询码{objection.tracking_code}）：{objection.answer}"
    dropped = Review.objects.filter(sheet=sheet, kind=ReviewKind.COUNTY, state=ReviewState.IN_PROGRESS)
    dropped_recheck = dropped.exists()
    dropped.delete()
    Review.objects.filter(sheet=sheet, kind=ReviewKind.TOWNSHIP).update(
        state=ReviewState.IN_PROGRESS,
        finished_at=None,
        return_reason=reason[:500],
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    record(
        actor=actor,
        verb="review.send_back",
        target=sheet,
        organization=sheet.organization,
        before={"state": before},
        after={"state": sheet.state, "grading_inputs_cleared": True, "recheck_dropped": dropped_recheck},
        note=reason,
    )


def _open_objections(batch: NoticeBatch) -> list[str]:
    return sorted(
        set(Objection.objects.open().filter(entry__batch=batch).values_list("entry__name", flat=True))
    )


@transaction.atomic
def notice_report(*, actor, batch: NoticeBatch) -> NoticeBatch:
    """The township reports its ended notice for approval (a county-wide notice: the county)."""
    current = _locked(batch)
    if not scope_of(actor).contains(current.organization, roles={Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER}):
        raise NoticeError("只有本乡镇（街道）党（工）委或县委组织部可以上报")
    if current.state == NoticeState.PUBLISHED and current.ends < timezone.localdate():
        notices_end()  # the period is over though the daily job has not run yet
        current = _locked(batch)
    if current.state != NoticeState.ENDED:
        if current.state == NoticeState.PUBLISHED:
            raise NoticeError(f"公示期至{current.ends:%Y年%m月%d日}，公示结束后才能上报")
        raise NoticeError(f"{_state_words(current)}，不能上报")
    if names := _open_objections(current):  # seed: 公示无异议后上报
        raise NoticeError(f"以下组织有尚未办结的异议，办结后才能上报：{'、'.join(names)}")
    current.state, current.reported_at, current.reported_by = NoticeState.REPORTED, timezone.now(), actor
    current.save(update_fields=["state", "reported_at", "reported_by"])
    record(
        actor=actor,
        verb="notice.report",
        target=current,
        organization=current.organization,
        before={"state": NoticeState.ENDED},
        after={"state": current.state},
    )
    return current


@transaction.atomic
def notice_approve(*, actor, batch: NoticeBatch, document_number: str) -> NoticeBatch:
    """The county approves (审定): every entry not held back or withdrawn becomes an official grade."""
    current = _locked(batch)
    _county_admin_over(actor, current.organization)
    if current.state in (NoticeState.DRAFT, NoticeState.PUBLISHED):
        raise NoticeError(f"公示期至{current.ends:%Y年%m月%d日}，公示结束并上报后才能审定")
    if current.state == NoticeState.ENDED:
        raise NoticeError("该公示尚未上报，上报后才能审定")
    if current.state != NoticeState.REPORTED:
        raise NoticeError(f"{_state_words(current)}，不能审定")
    if names := _open_objections(current):
        raise NoticeError(f"以下组织有尚未办结的异议，不能审定：{'、'.join(names)}")
    document_number = _document_number(document_number)
    entries = current.entries.filter(held=False, withdrawn=False)
    approved = OfficialGrade.objects.filter(
        campaign=current.campaign, organization__in=entries.values("organization")
    ).values_list("organization__name", flat=True)
    if names := sorted(approved):
        raise NoticeError(f"以下组织本次活动的等级已在其他公示中审定，不能重复审定：{'、'.join(names)}")
    now = timezone.now()
    count = _name(current, entries, document_number, now)
    current.state, current.approved_at, current.approved_by = NoticeState.APPROVED, now, actor
    current.document_number = document_number
    current.save(update_fields=["state", "approved_at", "approved_by", "document_number"])
    record(
        actor=actor,
        verb="notice.approve",
        target=current,
        organization=current.organization,
        before={"state": NoticeState.REPORTED},
        after={"state": current.state, "document_number": document_number, "approved": count},
    )
    return current


@transaction.atomic
def notice_approve_released(*, actor, batch: NoticeBatch, document_number: str) -> list[str]:
    """After the approval, name the grades held back for verification that the verification cleared
    (需进一步核实 → 不成立), under a document number of their own; returns their names."""
    current = _locked(batch)
    _county_admin_over(actor, current.organization)
    if current.state != NoticeState.APPROVED:
        raise NoticeError("该公示审定后，才能补充审定核实完毕的组织")
    entries = released_entries(current)
    names = list(entries.values_list("name", flat=True))
    if not names:
        raise NoticeError("没有待补充审定的组织：暂缓审定的组织核实完毕（异议不成立）后才能补充审定")
    document_number = _document_number(document_number)
    _name(current, entries, document_number, timezone.now())
    record(
        actor=actor,
        verb="notice.approve_released",
        target=current,
        organization=current.organization,
        after={"document_number": document_number, "approved": names},
    )
    return names


def released_entries(batch: NoticeBatch):
    """Entries neither held nor withdrawn whose organization has no approved grade of the campaign."""
    approved = OfficialGrade.objects.filter(campaign=batch.campaign_id).values("organization")
    return batch.entries.filter(held=False, withdrawn=False).exclude(organization__in=approved)


def _document_number(text: str) -> str:
    number = (text or "").strip()[:60]
    if not number:
        raise NoticeError("请填写命名文件的文号，如“X组通〔2026〕12号”")
    return number


def _name(batch: NoticeBatch, entries, document_number: str, now) -> int:
    """The entries' grades become the official grades of the year; returns how many."""
    grades = OfficialGrade.objects.bulk_create(
        OfficialGrade(
            organization_id=e.organization_id,
            year=batch.campaign.year,
            grade=e.grade,
            campaign=batch.campaign,
            batch=batch,
            approved_at=now,
            document_number=document_number,
        )
        for e in entries
    )
    return len(grades)
