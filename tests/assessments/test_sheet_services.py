"""Scoring items, the stored totals, optimistic locking, deadlines and the sheet's workflow."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangyou.assessments import services
from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.assessments.services import EntryData
from chuangyou.audit.models import AuditEvent
from tests.assessments.conftest import item


def save(sheet, persona, name, data, version=0):
    return services.entry_save(actor=persona, sheet=sheet, item=item(sheet, name), data=data, version=version)


def fill_all(sheet, who):
    save(sheet, who, "设置合理", EntryData(counts={"未进行摸底排查": 1}))
    save(sheet, who, "纪检机构", EntryData())
    save(sheet, who, "三会一课", EntryData(score=Decimal("3.5"), reason="记录不全"))
    save(sheet, who, "主题党日", EntryData(counts={"每少开1次": 2}))


def test_an_entry_is_scored_by_the_core_and_the_sheet_total_follows(sheet, personas):
    secretary = personas["branch_secretary"]
    entry = save(sheet, secretary, "设置合理", EntryData(counts={"未进行摸底排查": 1}))
    assert entry.result == Decimal(1) and entry.done
    sheet.refresh_from_db()
    assert sheet.total == Decimal(1) and sheet.items_done == 1
    assert sheet.subtotals == {"党的组织设置": "1"}


def test_a_full_sheet_adds_up(sheet, personas):
    fill_all(sheet, personas["branch_secretary"])
    sheet.refresh_from_db()
    assert sheet.total == Decimal("7.5")  # 1 + 2 + 3.5 + 1
    assert sheet.subtotals == {"党的组织设置": "3", "党内组织生活": "4.5"}
    assert sheet.items_done == sheet.items_total == 4


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("三会一课", EntryData(score=Decimal(5)), "应在0至4分之间"),
        ("三会一课", EntryData(score=Decimal(3)), "须填写理由"),
        ("三会一课", EntryData(score=Decimal("3.3"), reason="x"), "0.5的整数倍"),
        ("设置合理", EntryData(counts={"未进行摸底排查": 2}), "次数只能是0或1"),
        ("设置合理", EntryData(counts={"不存在的规则": 1}), "没有规则"),
    ],
)
def test_bad_scores_are_refused_and_change_nothing(sheet, personas, name, data, message):
    with pytest.raises(services.SheetError, match=message):
        save(sheet, personas["branch_secretary"], name, data)
    sheet.refresh_from_db()
    assert sheet.items_done == 0 and not sheet.entries.exists()


def test_a_deduction_larger_than_the_item_stops_at_zero(sheet, personas):
    entry = save(sheet, personas["branch_secretary"], "主题党日", EntryData(counts={"每少开1次": 9}))
    assert entry.result == 0


def test_a_second_tab_with_an_old_version_gets_a_conflict(sheet, personas):
    secretary = personas["branch_secretary"]
    save(sheet, secretary, "纪检机构", EntryData(), version=0)
    with pytest.raises(services.SheetError, match="已在其他页面或由他人修改"):
        save(sheet, secretary, "纪检机构", EntryData(counts={"未设纪检委员": 1}), version=0)
    assert sheet.entries.get().result == Decimal(2)


def entry_events():
    return list(AuditEvent.objects.filter(verb="sheet.entry_save").order_by("id"))


def test_a_save_audits_every_changed_field_and_a_same_save_nothing(sheet, personas):
    secretary = personas["branch_secretary"]
    counted = EntryData(counts={"未进行摸底排查": 1}, note=" 见会议记录 ")
    save(sheet, secretary, "设置合理", counted)
    (first,) = entry_events()
    assert first.before == {"item": "设置合理", "counts": {}, "note": "", "score": None}
    assert first.after == {
        "item": "设置合理",
        "counts": {"未进行摸底排查": 1},
        "note": "见会议记录",
        "score": "1",
        "notes": ["未进行摸底排查，扣1分"],
    }
    # The same values again (a second click on 保存): nothing written, the version stays.
    entry = save(sheet, secretary, "设置合理", counted, version=1)
    assert entry.version == 1 and len(entry_events()) == 1
    # Only the note: the note alone, before and after, and the total as it was.
    entry = save(
        sheet, secretary, "设置合理", EntryData(counts={"未进行摸底排查": 1}, note="另见台账"), version=1
    )
    assert entry.version == 2
    assert (entry_events()[-1].before, entry_events()[-1].after) == (
        {"item": "设置合理", "note": "见会议记录"},
        {"item": "设置合理", "note": "另见台账"},
    )
    # A 不得分 situation ticked: it and the score change, with how the score was reached.
    zeroed = EntryData(counts={"未进行摸底排查": 1}, zero_out=("组织设置不规范",), note="另见台账")
    save(sheet, secretary, "设置合理", zeroed, version=2)
    last = entry_events()[-1]
    assert last.before == {"item": "设置合理", "zero_out": [], "score": "1"}
    assert last.after == {
        "item": "设置合理",
        "zero_out": ["组织设置不规范"],
        "score": "0",
        "notes": ["组织设置不规范，不得分"],
    }
    sheet.refresh_from_db()
    assert sheet.total == 0 and len(entry_events()) == 3


def test_a_rule_counted_zero_times_is_no_change(sheet, personas):
    secretary = personas["branch_secretary"]
    save(sheet, secretary, "主题党日", EntryData())
    save(sheet, secretary, "主题党日", EntryData(counts={"每少开1次": 0}), version=1)
    assert len(entry_events()) == 1
    save(sheet, secretary, "主题党日", EntryData(counts={"每少开1次": 2}), version=1)
    last = entry_events()[-1]
    assert (last.before["counts"], last.after["counts"]) == ({}, {"每少开1次": 2})
    assert (last.before["score"], last.after["score"]) == ("2", "1")


def test_a_discretionary_score_and_its_reason_are_audited(sheet, personas):
    secretary = personas["branch_secretary"]
    save(sheet, secretary, "三会一课", EntryData(score=Decimal("3.5"), reason="记录不全"))
    save(sheet, secretary, "三会一课", EntryData(score=Decimal("3.50"), reason="记录不全 "), version=1)
    assert len(entry_events()) == 1  # 3.50 is 3.5, the reason is kept without the space
    save(sheet, secretary, "三会一课", EntryData(score=Decimal(4), reason="已补记录"), version=1)
    last = entry_events()[-1]
    assert last.before == {"item": "三会一课", "entered_score": "3.5", "reason": "记录不全", "score": "3.5"}
    assert (last.after["entered_score"], last.after["reason"], last.after["score"]) == ("4", "已补记录", "4")


def test_only_the_branch_itself_or_the_county_fills(sheet, personas):
    for persona in ("township_reviewer", "leading_group"):
        with pytest.raises(services.SheetError, match="只有本支部书记"):
            save(sheet, personas[persona], "纪检机构", EntryData())
    save(sheet, personas["county_admin"], "纪检机构", EntryData())


def test_the_deadline_is_enforced_and_can_be_extended_for_one_branch(sheet, personas, on_day):
    on_day(dt.date(2026, 12, 21))
    with pytest.raises(services.SheetError, match="2026年12月20日截止"):
        save(sheet, personas["branch_secretary"], "纪检机构", EntryData())
    with pytest.raises(services.SheetError, match="只有县委组织部"):
        services.sheet_reopen(
            actor=personas["township_reviewer"], sheet=sheet, until=dt.date(2026, 12, 25), reason="书记住院"
        )
    services.sheet_reopen(
        actor=personas["county_admin"], sheet=sheet, until=dt.date(2026, 12, 25), reason="书记住院"
    )
    save(sheet, personas["branch_secretary"], "纪检机构", EntryData())
    assert AuditEvent.objects.filter(verb="sheet.reopen").get().note == "书记住院"


def test_an_incomplete_sheet_cannot_be_submitted(sheet, personas):
    save(sheet, personas["branch_secretary"], "纪检机构", EntryData())
    with pytest.raises(services.SheetError) as refusal:
        services.sheet_submit(actor=personas["branch_secretary"], sheet=sheet)
    assert "还有3个项目未填写：设置合理、三会一课、主题党日" in refusal.value.errors
    assert "请填写申报等级" in refusal.value.errors
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.DRAFT


def submit(sheet, personas):
    fill_all(sheet, personas["branch_secretary"])
    sheet.refresh_from_db()
    services.application_save(
        actor=personas["branch_secretary"],
        sheet=sheet,
        applied_grade="良好",
        achievements="建成党群服务中心",
        self_evaluation="达到良好标准",
        version=sheet.version,
    )
    return services.sheet_submit(
        actor=personas["branch_secretary"], sheet=ScoreSheet.objects.get(pk=sheet.pk)
    )


def test_submitting_locks_the_sheet_and_keeps_a_snapshot(sheet, personas):
    submitted = submit(sheet, personas)
    assert submitted.state == SheetState.SUBMITTED
    assert submitted.organization_snapshot["name"] == "甲一村党支部"
    with pytest.raises(services.SheetError, match="已提交，不能修改"):
        save(submitted, personas["branch_secretary"], "纪检机构", EntryData(), version=1)


def test_return_and_resubmit(sheet, personas):
    submitted = submit(sheet, personas)
    with pytest.raises(services.SheetError, match="退回原因"):
        services.sheet_return(actor=personas["township_reviewer"], sheet=submitted, reason=" ")
    with pytest.raises(services.SheetError, match="只有乡镇"):
        services.sheet_return(actor=personas["branch_secretary"], sheet=submitted, reason="x")
    returned = services.sheet_return(
        actor=personas["township_reviewer"], sheet=submitted, reason="佐证材料不全"
    )
    assert returned.state == SheetState.RETURNED and returned.return_reason == "佐证材料不全"
    entry = returned.entries.get(item__name="纪检机构")
    save(
        returned,
        personas["branch_secretary"],
        "纪检机构",
        EntryData(counts={"未设纪检委员": 1}),
        version=entry.version,
    )
    again = services.sheet_submit(
        actor=personas["branch_secretary"], sheet=ScoreSheet.objects.get(pk=sheet.pk)
    )
    assert again.state == SheetState.SUBMITTED and again.total == Decimal("5.5")
    verbs = list(AuditEvent.objects.filter(verb__startswith="sheet.").values_list("verb", flat=True))
    assert verbs.count("sheet.submit") == 2 and verbs.count("sheet.return") == 1


def test_a_sheet_cannot_be_returned_twice(sheet, personas):
    submitted = submit(sheet, personas)
    services.sheet_return(actor=personas["township_reviewer"], sheet=submitted, reason="补材料")
    with pytest.raises(services.SheetError, match="已退回，不能退回"):
        services.sheet_return(actor=personas["township_reviewer"], sheet=submitted, reason="补材料")
