"""The review workflow: the township's review, the county's re-check, hand-backs and reviewer assignments."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangyou.accounts.models import Role
from chuangyou.assessments import services as sheets
from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.assessments.scoring import EntryData
from chuangyou.audit.models import AuditEvent
from chuangyou.evaluations.results import summary_for_sheet
from chuangyou.reviews import services as reviews
from chuangyou.reviews.models import Review, ReviewEntry, ReviewerAssignment, ReviewKind, ReviewState
from chuangyou.rubrics.models import Situation, SituationList
from tests.assessments.conftest import item
from tests.conftest import fill_and_submit, make_user, review_fully
from tests.evaluations.conftest import answer, codes_of, issue

DAY = dt.date(2026, 12, 22)
# What review_fully enters, item by item (10 - 1 - 1 - 2 × 0.5 = 7 points).
FULL = {
    "设置合理": EntryData(counts={"未进行摸底排查": 1}, reason="未见摸底记录"),
    "纪检机构": EntryData(),
    "三会一课": EntryData(score=Decimal(3), reason="记录不全"),
    "主题党日": EntryData(counts={"每少开1次": 2}, reason="少开主题党日"),
}


def verbs(prefix="review."):
    return list(AuditEvent.objects.filter(verb__startswith=prefix).values_list("verb", flat=True))


def save(review, who, name, data, version=None):
    it = item(review.sheet, name)
    if version is None:
        entry = review.entries.filter(item=it).first()
        version = entry.version if entry else 0
    return reviews.review_entry_save(actor=who, review=review, item=it, data=data, version=version)


def score_all(review, who, names=tuple(FULL)):
    for name in names:
        save(review, who, name, FULL[name])
    review.refresh_from_db()
    return review


def details(review, who, methods=(("documents", DAY),), situations=(), weak_note="", veto="", opinion=""):
    """`veto`: the text of one of the rubric's 一票否决 situations to tick."""
    from chuangyou.rubrics.models import Veto

    review.refresh_from_db()
    given = reviews.ReviewDetails(
        methods=[reviews.MethodUse(m, d, "查阅台账") for m, d in methods],
        situations=list(situations),
        weak_note=weak_note,
        vetoes=list(Veto.objects.filter(rubric_id=review.sheet.rubric_id, text=veto)) if veto else [],
        opinion=opinion,
    )
    return reviews.review_details_save(actor=who, review=review, details=given, version=review.version)


@pytest.fixture
def town(personas):
    return personas["township_reviewer"]


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def situations(db):
    found = SituationList.objects.create(code="weak", name="软弱涣散情形")
    return [
        Situation.objects.create(situation_list=found, order=n, text=text)
        for n, text in enumerate(["书记长期缺职", "班子不团结"])
    ]


@pytest.fixture
def started(submitted, town):
    return reviews.review_start(actor=town, sheet=submitted["a1"])


# --- Starting -------------------------------------------------------------------------------------


def test_a_review_starts_only_on_a_submitted_sheet(december, tree, personas, town, admin, on_day):
    sheet = ScoreSheet.objects.get(round=december, organization=tree["a1"])
    with pytest.raises(reviews.SheetError, match="自查表填写中，只能审核已提交的自查表"):
        reviews.review_start(actor=town, sheet=sheet)
    submitted = fill_and_submit(sheet, admin)
    returned = sheets.sheet_return(actor=town, sheet=submitted, reason="佐证材料不全")
    with pytest.raises(reviews.SheetError, match="自查表已退回，只能审核已提交的自查表"):
        reviews.review_start(actor=town, sheet=returned)
    assert not Review.objects.exists() and "review.start" not in verbs()

    resubmitted = sheets.sheet_submit(actor=admin, sheet=returned)
    review = reviews.review_start(actor=town, sheet=resubmitted)
    assert (review.kind, review.state, review.reviewer) == (
        ReviewKind.TOWNSHIP,
        ReviewState.IN_PROGRESS,
        town,
    )
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.UNDER_REVIEW
    # Opening it again (a second tab) gives the same review, without a second event.
    assert reviews.review_start(actor=town, sheet=resubmitted) == review
    event = AuditEvent.objects.get(verb="review.start")
    assert event.actor == town and event.after == {
        "kind": "township",
        "sheet_state": "under_review",
        "prefilled_items": 4,
    }


def test_the_county_rechecks_only_finished_reviews_prefilled_with_the_township_scores(
    submitted, town, admin, situations
):
    sheet = submitted["a1"]
    with pytest.raises(reviews.SheetError, match="乡镇（街道）审核完成后才能复核"):
        reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    review = score_all(reviews.review_start(actor=town, sheet=sheet), town)
    with pytest.raises(reviews.SheetError, match="乡镇（街道）审核完成后才能复核"):
        reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    details(
        review, town, situations=situations[:1], weak_note="书记2026年3月起空缺", veto="班子成员受到党纪处分"
    )
    reviews.review_finish(actor=town, review=review)
    with pytest.raises(reviews.SheetError, match="只有县委组织部可以复核"):
        reviews.review_start(actor=town, sheet=sheet, kind=ReviewKind.COUNTY)

    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    review.refresh_from_db()
    assert recheck.kind == ReviewKind.COUNTY and recheck.pk != review.pk and recheck.editable
    fields = ("item_id", "counts", "score", "reason", "result", "done")
    assert [tuple(getattr(e, f) for f in fields) for e in recheck.entries.order_by("item_id")] == [
        tuple(getattr(e, f) for f in fields) for e in review.entries.order_by("item_id")
    ]
    assert (recheck.total, recheck.subtotals, recheck.items_done) == (Decimal(7), review.subtotals, 4)
    assert recheck.methods == []  # the county records how it checked
    assert review.methods == [{"method": "documents", "date": "2026-12-22", "note": "查阅台账"}]
    assert list(recheck.situations.all()) == situations[:1]
    assert (recheck.weak_note, recheck.veto, recheck.veto_cap) == (
        "书记2026年3月起空缺",
        "班子成员受到党纪处分",
        "一般",
    )
    assert [v.text for v in recheck.vetoes.all()] == ["班子成员受到党纪处分"]
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.REVIEWED  # a re-check moves nothing yet


# --- Scoring items --------------------------------------------------------------------------------


def test_a_deduction_without_a_reason_is_refused_and_nothing_is_saved(started, town):
    with pytest.raises(reviews.SheetError, match="“设置合理”审核扣分（得1分，满分2分），请填写扣分理由"):
        save(started, town, "设置合理", EntryData(counts={"未进行摸底排查": 1}))
    started.refresh_from_db()
    kept = ReviewEntry.objects.get(review=started, item__name="设置合理")
    assert kept.prefilled and kept.updated_by is None  # still the branch's own entry, unchecked
    assert (started.total, started.items_done) == (8, 4)
    assert "review.entry_save" not in verbs()
    # Full points need no reason; a deduction with one is saved.
    save(started, town, "纪检机构", EntryData())
    entry = save(started, town, "设置合理", EntryData(counts={"未进行摸底排查": 1}, reason=" 未见摸底记录 "))
    assert (entry.result, entry.reason, entry.version, entry.updated_by, entry.prefilled) == (
        Decimal(1),
        "未见摸底记录",
        kept.version + 1,
        town,
        False,
    )


def test_entry_saves_keep_the_review_totals_and_are_audited(started, town):
    save(started, town, "设置合理", FULL["设置合理"])
    started.refresh_from_db()
    # The other three items still count as the branch scored them.
    assert (started.total, started.subtotals, started.items_done) == (
        Decimal(8),
        {"党的组织设置": "3", "党内组织生活": "5"},
        4,
    )
    assert started.entries.filter(prefilled=True).count() == 3
    score_all(started, town, ("纪检机构", "三会一课", "主题党日"))
    assert started.total == Decimal(7) and started.items_done == 4
    assert started.subtotals == {"党的组织设置": "3", "党内组织生活": "4"}
    # Scoring an item again replaces it: 主题党日 with one day missed instead of two.
    save(started, town, "主题党日", EntryData(counts={"每少开1次": 1}, reason="少开1次"))
    started.refresh_from_db()
    assert started.total == Decimal("7.5") and started.items_done == 4
    assert verbs().count("review.entry_save") == 5
    event = AuditEvent.objects.filter(verb="review.entry_save").first()
    assert Decimal(event.before["score"]) == 1
    assert (event.after["item"], Decimal(event.after["score"]), event.after["reason"]) == (
        "主题党日",
        1.5,
        "少开1次",
    )
    # The branch's own scores are not touched by the review.
    assert ScoreSheet.objects.get(pk=started.sheet_id).total == Decimal(8)


def test_an_entry_save_audits_its_changed_fields_only(started, town):
    def last():
        event = AuditEvent.objects.filter(verb="review.entry_save").first()
        return event.before, event.after

    # The branch's deduction, confirmed with the reviewer's own reason: the score does not change.
    prefilled = started.entries.get(item__name="设置合理").version
    save(started, town, "设置合理", FULL["设置合理"])
    assert last() == (
        {"item": "设置合理", "prefilled": True, "reason": "认可支部自评扣分"},
        {"item": "设置合理", "prefilled": False, "reason": "未见摸底记录"},
    )
    # Scored again as it was: no event, no new version.
    assert save(started, town, "设置合理", FULL["设置合理"]).version == prefilled + 1
    assert verbs().count("review.entry_save") == 1
    # A better reason and a note: those two, and the review's total as it was.
    save(
        started,
        town,
        "设置合理",
        EntryData(counts={"未进行摸底排查": 1}, reason="无摸底台账", note="已电话核实"),
    )
    assert last() == (
        {"item": "设置合理", "reason": "未见摸底记录", "note": ""},
        {"item": "设置合理", "reason": "无摸底台账", "note": "已电话核实"},
    )
    started.refresh_from_db()
    assert started.total == Decimal(8) and verbs().count("review.entry_save") == 2


def test_a_recheck_saved_as_copied_from_the_township_writes_no_event(reviewed, admin):
    recheck = reviews.review_start(actor=admin, sheet=reviewed["a1"], kind=ReviewKind.COUNTY)
    before = verbs().count("review.entry_save")
    score_all(recheck, admin)
    assert verbs().count("review.entry_save") == before


def test_a_stale_entry_version_is_a_conflict_and_changes_nothing(started, town, tree):
    other = make_user("town2", Role.TOWNSHIP_REVIEWER, tree["town_a"])
    opened = ReviewEntry.objects.get(review=started, item__name="纪检机构").version
    save(started, town, "纪检机构", EntryData(), version=opened)
    with pytest.raises(reviews.SheetError, match="已由其他审核人修改"):
        save(started, other, "纪检机构", EntryData(counts={"未设纪检委员": 1}, reason="未设"), version=opened)
    entry = ReviewEntry.objects.get(review=started, item__name="纪检机构")
    assert (entry.result, entry.version, entry.updated_by) == (Decimal(2), opened + 1, town)


def test_an_item_of_another_rubric_is_refused(started, town, personas):
    from chuangyou.rubrics import services as rubrics
    from tests.rubrics.conftest import small_spec

    other = rubrics.rubric_create(actor=None, spec=small_spec(code="other"), publish=True)
    foreign = other.categories.get(items__name="纪检机构").items.get(name="纪检机构")
    with pytest.raises(reviews.SheetError, match="不属于本自查表的评定标准"):
        reviews.review_entry_save(actor=town, review=started, item=foreign, data=EntryData(), version=0)


# --- Methods, situations, veto --------------------------------------------------------------------


def test_review_details_are_checked_and_audited(started, town, situations):
    with pytest.raises(reviews.SheetError, match="请选择“实地查看”的日期"):
        details(started, town, methods=[("documents", DAY), ("site_visit", None)])
    with pytest.raises(reviews.SheetError, match="标记软弱涣散情形时请填写具体情况"):
        details(started, town, situations=situations, weak_note="  ")
    with pytest.raises(reviews.SheetError, match="审核方式“telepathy”无效"):
        details(started, town, methods=[("telepathy", DAY)])
    started.refresh_from_db()
    assert (started.methods, started.version, list(started.situations.all())) == ([], 1, [])
    assert "review.details_save" not in verbs()

    saved = details(
        started,
        town,
        methods=[("report", DAY), ("site_visit", DAY)],
        situations=situations,
        weak_note="书记缺职",
    )
    assert saved.version == 2 and [m["method"] for m in saved.methods] == ["report", "site_visit"]
    assert set(saved.situations.all()) == set(situations) and saved.weak_note == "书记缺职"
    event = AuditEvent.objects.get(verb="review.details_save")
    assert event.before["methods"] == [] and event.after["methods"] == ["听取汇报", "实地查看"]
    assert event.after["situations"] == ["书记长期缺职", "班子不团结"]


def test_a_stale_review_version_is_a_conflict(started, town):
    stale = Review.objects.get(pk=started.pk)
    details(started, town)
    given = reviews.ReviewDetails(methods=[reviews.MethodUse("report", DAY)])
    with pytest.raises(reviews.SheetError, match="已由其他审核人修改"):
        reviews.review_details_save(actor=town, review=stale, details=given, version=stale.version)
    started.refresh_from_db()
    assert [m["method"] for m in started.methods] == ["documents"] and started.version == 2


# --- Finishing ------------------------------------------------------------------------------------


def test_finishing_needs_every_item_and_a_method(started, town):
    score_all(started, town, ("设置合理", "纪检机构"))
    with pytest.raises(reviews.SheetError) as refused:
        reviews.review_finish(actor=town, review=started)
    assert refused.value.errors == [
        "还有2个项目沿用支部自评尚未核对，请逐项确认或点“本类确认”：三会一课、主题党日",
        "请至少记录一种审核方式（听取汇报、民主测评、查阅资料、实地查看、调查核实）",
    ]
    score_all(started, town, ("三会一课", "主题党日"))
    with pytest.raises(reviews.SheetError, match="请至少记录一种审核方式"):
        reviews.review_finish(actor=town, review=started)
    started.refresh_from_db()
    assert started.state == ReviewState.IN_PROGRESS and started.sheet.state == SheetState.UNDER_REVIEW
    assert started.sheet.final_total is None and "review.finish" not in verbs()


def test_finishing_writes_the_grading_inputs(started, town, situations):
    score_all(started, town)
    details(started, town, situations=situations, weak_note="书记缺职半年", veto="班子成员受到党纪处分")
    finished = reviews.review_finish(actor=town, review=started)
    assert finished.state == ReviewState.FINISHED and finished.finished_at is not None
    sheet = ScoreSheet.objects.get(pk=started.sheet_id)
    assert sheet.state == SheetState.REVIEWED
    assert (sheet.final_total, sheet.final_subtotals) == (
        Decimal(7),
        {"党的组织设置": "3", "党内组织生活": "4"},
    )
    assert (sheet.final_veto, sheet.final_veto_cap) == ("班子成员受到党纪处分", "一般")  # the rubric's cap
    assert sheet.final_weak == "书记长期缺职；班子不团结（书记缺职半年）"
    assert sheet.final_satisfaction is None  # no democratic evaluation
    event = AuditEvent.objects.get(verb="review.finish")
    assert event.before["state"] == "under_review" and event.after["state"] == "reviewed"
    assert Decimal(event.after["final_total"]) == 7 and event.after["weak"] == sheet.final_weak
    # A finished review is closed.
    with pytest.raises(reviews.SheetError, match="乡镇（街道）审核已完成，不能修改"):
        save(finished, town, "纪检机构", EntryData())
    with pytest.raises(reviews.SheetError, match="已完成"):
        reviews.review_finish(actor=town, review=finished)


def test_without_situations_the_sheet_is_not_flagged(started, town):
    score_all(started, town)
    details(started, town, weak_note="仅作说明")
    reviews.review_finish(actor=town, review=started)
    sheet = ScoreSheet.objects.get(pk=started.sheet_id)
    assert (sheet.final_weak, sheet.final_veto) == ("", "")


def test_a_recheck_finishes_as_rechecked_with_the_county_scores(reviewed, admin):
    sheet = reviewed["a2"]
    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    save(recheck, admin, "主题党日", EntryData())  # full points after all
    details(recheck, admin)
    reviews.review_finish(actor=admin, review=recheck)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.RECHECKED and sheet.final_total == Decimal(8)
    assert Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP).total == Decimal(7)
    assert AuditEvent.objects.filter(verb="review.finish").first().note == "县委组织部复核"


def test_the_satisfaction_rate_is_frozen_when_the_review_finishes(started, town, admin):
    sheet = started.sheet
    evaluation = issue(sheet, members=4, public=0)
    codes = codes_of(evaluation)
    for code, choice in zip(codes[:3], ["满意", "满意", "不满意"], strict=True):
        answer(code, choice)
    score_all(started, town)
    details(started, town)
    finished = reviews.review_finish(actor=town, review=started)
    sheet.refresh_from_db()
    frozen = Decimal(summary_for_sheet(sheet)["satisfaction_rate"])
    assert sheet.final_satisfaction == finished.satisfaction == frozen == Decimal("66.67")
    # With its exact parts: 2 of 3 valid votes, for gates that must not round.
    assert (sheet.final_favourable_votes, sheet.final_valid_votes) == (2, 3)
    assert (finished.favourable_votes, finished.valid_votes) == (2, 3)
    # The audiences' weighted scores, for a campaign that weights the evaluation: (100+100+55)/3.
    assert (sheet.final_members_score, sheet.final_public_score) == (Decimal("85.00"), None)

    answer(codes[3], "满意")  # a late answer moves the live rate, not the grading input
    assert Decimal(summary_for_sheet(sheet)["satisfaction_rate"]) == 75
    sheet.refresh_from_db()
    assert sheet.final_satisfaction == Decimal("66.67")
    # A county re-check keeps the rate the township froze.
    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    details(recheck, admin)
    reviews.review_finish(actor=admin, review=recheck)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.RECHECKED and sheet.final_satisfaction == Decimal("66.67")
    assert (sheet.final_favourable_votes, sheet.final_valid_votes) == (2, 3)


def test_an_invalid_evaluation_gives_no_satisfaction(started, town):
    evaluation = issue(started.sheet, members=10, public=0)
    answer(codes_of(evaluation)[0], "满意")  # 1 of 10: no quorum
    score_all(started, town)
    details(started, town)
    reviews.review_finish(actor=town, review=started)
    assert ScoreSheet.objects.get(pk=started.sheet_id).final_satisfaction is None


# --- Who reviews ----------------------------------------------------------------------------------


def test_who_may_review(submitted, tree, personas, town, admin):
    a1, a2, b1 = submitted["a1"], submitted["a2"], submitted["b1"]
    other_town = make_user("town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])
    assert not reviews.may_review(other_town, a1) and reviews.may_review(other_town, b1)
    assert reviews.may_review(town, a1) and not reviews.may_review(town, b1)
    # A secretary never reviews the own branch, even with a reviewer role over the township.
    secretary = personas["branch_secretary"]
    assert not reviews.may_review(secretary, a1)
    both = make_user("both", Role.BRANCH_SECRETARY, tree["a1"])
    both.roles.create(role=Role.TOWNSHIP_REVIEWER, organization=tree["town_a"])
    assert not reviews.may_review(both, a1) and reviews.may_review(both, a2)
    # Other roles never review; the county admin reviews and re-checks anywhere.
    for name in ("leading_group", "auditor", "outsider"):
        assert not reviews.may_review(personas[name], a1)
    assert reviews.may_review(admin, a1) and reviews.may_review(admin, b1, ReviewKind.COUNTY)
    assert not reviews.may_review(town, a1, ReviewKind.COUNTY)
    with pytest.raises(reviews.SheetError, match="您不是该支部的审核人"):
        reviews.review_start(actor=other_town, sheet=a1)
    with pytest.raises(reviews.SheetError, match="您不是该支部的审核人"):
        reviews.review_start(actor=both, sheet=a1)


def test_an_assignment_narrows_the_reviewers_of_the_branches_it_covers(
    submitted, campaign, tree, town, admin
):
    a1, a2 = submitted["a1"], submitted["a2"]
    assigned = make_user("town_a2", Role.TOWNSHIP_REVIEWER, tree["town_a"])
    assert reviews.may_review(town, a1) and reviews.may_review(assigned, a1)
    assignment = reviews.assignment_create(
        actor=admin, campaign=campaign, reviewer=assigned, organization=tree["a1"]
    )
    assert not reviews.may_review(town, a1) and reviews.may_review(assigned, a1)
    assert reviews.may_review(town, a2)  # not covered by the assignment
    assert reviews.may_review(admin, a1)
    with pytest.raises(reviews.SheetError, match="您不是该支部的审核人"):
        reviews.review_start(actor=town, sheet=a1)
    review = reviews.review_start(actor=assigned, sheet=a1)
    # A review already started is closed to the unassigned reviewer, too.
    with pytest.raises(reviews.SheetError, match="您不是该支部的审核人"):
        save(review, town, "纪检机构", EntryData())
    event = AuditEvent.objects.get(verb="assignment.create")
    assert event.after == {"reviewer": str(assigned), "organization": "甲一村党支部"}

    reviews.assignment_delete(actor=admin, assignment=assignment)
    assert not ReviewerAssignment.objects.exists() and reviews.may_review(town, a1)
    assert AuditEvent.objects.get(verb="assignment.delete").before["organization"] == "甲一村党支部"


def test_an_assignment_of_a_township_covers_its_branches(submitted, campaign, tree, town, admin):
    assigned = make_user("town_a2", Role.TOWNSHIP_REVIEWER, tree["town_a"])
    reviews.assignment_create(actor=admin, campaign=campaign, reviewer=assigned, organization=tree["town_a"])
    assert not reviews.may_review(town, submitted["a1"]) and not reviews.may_review(town, submitted["a2"])
    assert reviews.may_review(assigned, submitted["a2"])


def test_assignment_refusals(submitted, campaign, tree, personas, town, admin):
    def create(reviewer, org, actor=admin):
        return reviews.assignment_create(actor=actor, campaign=campaign, reviewer=reviewer, organization=org)

    with pytest.raises(reviews.SheetError, match="只有县委组织部可以设置审核分工"):
        create(town, tree["a1"], actor=town)
    with pytest.raises(reviews.SheetError, match="不是“乙社区党支部”所在乡镇（街道）的审核员"):
        create(town, tree["b1"])
    with pytest.raises(reviews.SheetError, match="不是“甲一村党支部”所在乡镇（街道）的审核员"):
        create(personas["leading_group"], tree["a1"])
    both = make_user("both", Role.BRANCH_SECRETARY, tree["a1"])
    both.roles.create(role=Role.TOWNSHIP_REVIEWER, organization=tree["town_a"])
    with pytest.raises(reviews.SheetError, match="是“甲一村党支部”的成员，不能审核本支部"):
        create(both, tree["a1"])
    create(town, tree["a1"])
    with pytest.raises(reviews.SheetError, match="已负责审核“甲一村党支部”"):
        create(town, tree["a1"])
    assert ReviewerAssignment.objects.count() == 1 and verbs("assignment.") == ["assignment.create"]
    with pytest.raises(reviews.SheetError, match="只有县委组织部可以取消审核分工"):
        reviews.assignment_delete(actor=town, assignment=ReviewerAssignment.objects.get())
    assert ReviewerAssignment.objects.count() == 1


# --- Hand-backs -----------------------------------------------------------------------------------


def test_the_county_sends_a_reviewed_sheet_back_to_the_township(reviewed, town, admin):
    sheet = reviewed["a1"]
    with pytest.raises(reviews.SheetError, match="只有县委组织部可以退回乡镇重审"):
        reviews.review_send_back(actor=town, sheet=sheet, reason="打分偏松")
    with pytest.raises(reviews.SheetError, match="请填写退回重审的原因"):
        reviews.review_send_back(actor=admin, sheet=sheet, reason="  ")
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.REVIEWED

    back = reviews.review_send_back(actor=admin, sheet=sheet, reason=" 打分偏松 ")
    assert back.state == SheetState.UNDER_REVIEW
    review = Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP)
    assert review.state == ReviewState.IN_PROGRESS and review.finished_at is None and review.editable
    event = AuditEvent.objects.get(verb="review.send_back")
    assert event.note == "打分偏松" and (event.before, event.after) == (
        {"state": "reviewed"},
        {"state": "under_review", "grading_inputs_cleared": True, "recheck_dropped": False},
    )
    with pytest.raises(reviews.SheetError, match="自查表审核中，不能退回重审"):
        reviews.review_send_back(actor=admin, sheet=sheet, reason="再退一次")

    # The township reviews again: its entries are editable and the new total becomes the input.
    save(review, town, "主题党日", EntryData(counts={"每少开1次": 4}, reason="全年少开4次"))
    reviews.review_finish(actor=town, review=Review.objects.get(pk=review.pk))
    sheet.refresh_from_db()
    assert sheet.state == SheetState.REVIEWED and sheet.final_total == Decimal(6)


def test_a_rechecked_sheet_can_be_sent_back(reviewed, admin):
    recheck = reviews.review_start(actor=admin, sheet=reviewed["b1"], kind=ReviewKind.COUNTY)
    details(recheck, admin)
    reviews.review_finish(actor=admin, review=recheck)
    back = reviews.review_send_back(actor=admin, sheet=reviewed["b1"], reason="重新核实")
    assert back.state == SheetState.UNDER_REVIEW


def test_a_submitted_sheet_cannot_be_sent_back_for_review(submitted, admin):
    with pytest.raises(reviews.SheetError, match="自查表已提交，不能退回重审"):
        reviews.review_send_back(actor=admin, sheet=submitted["a1"], reason="x")
    assert "review.send_back" not in verbs()


def test_the_township_returns_a_sheet_under_review_to_the_branch(started, town, admin):
    save(started, town, "纪检机构", EntryData())
    returned = sheets.sheet_return(actor=town, sheet=started.sheet, reason="佐证材料不全")
    assert returned.state == SheetState.RETURNED and returned.return_reason == "佐证材料不全"
    assert AuditEvent.objects.get(verb="sheet.return").before == {"state": "under_review"}
    # The review waits while the branch has the sheet.
    with pytest.raises(reviews.SheetError, match="自查表已退回"):
        save(started, town, "设置合理", FULL["设置合理"])
    with pytest.raises(reviews.SheetError, match="自查表已退回，不能修改乡镇（街道）审核"):
        reviews.review_finish(actor=town, review=started)
    resubmitted = sheets.sheet_submit(actor=admin, sheet=returned)
    again = reviews.review_start(actor=town, sheet=resubmitted)
    assert again.pk == started.pk and again.entries.filter(prefilled=False).count() == 1
    assert ScoreSheet.objects.get(pk=returned.pk).state == SheetState.UNDER_REVIEW
    score_all(again, town)
    details(again, town)
    reviews.review_finish(actor=town, review=again)
    assert ScoreSheet.objects.get(pk=returned.pk).state == SheetState.REVIEWED


def test_a_reviewed_sheet_cannot_be_returned_to_the_branch(reviewed, town):
    with pytest.raises(sheets.SheetError, match="自查表已审核，不能退回"):
        sheets.sheet_return(actor=town, sheet=reviewed["a1"], reason="x")


def test_the_whole_review_path_is_audited(reviewed, admin):
    review_fully(reviewed["a1"], admin, kind=ReviewKind.COUNTY)
    reviews.review_send_back(actor=admin, sheet=reviewed["a2"], reason="重审")
    found = set(verbs())
    assert found == {
        "review.start",
        "review.entry_save",
        "review.details_save",
        "review.finish",
        "review.send_back",
    }
    assert AuditEvent.objects.filter(verb="review.finish").count() == 4


def test_a_recheck_after_a_hand_back_starts_from_the_new_township_review(reviewed, town, admin):
    sheet = reviewed["a1"]
    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    save(recheck, admin, "主题党日", EntryData())
    details(recheck, admin)
    reviews.review_finish(actor=admin, review=recheck)
    assert ScoreSheet.objects.get(pk=sheet.pk).final_total == Decimal(8)
    reviews.review_send_back(actor=admin, sheet=sheet, reason="请重新核实主题党日")
    township = Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP)
    save(township, town, "主题党日", EntryData(counts={"每少开1次": 4}, reason="全年少开4次"))
    reviews.review_finish(actor=town, review=Review.objects.get(pk=township.pk))
    assert ScoreSheet.objects.get(pk=sheet.pk).final_total == Decimal(6)

    again = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    assert again.pk == recheck.pk and again.editable and again.total == Decimal(6)
    assert again.entries.get(item__name="主题党日").result == Decimal(0)
    assert again.entries.count() == 4


def test_a_recheck_records_its_own_methods(reviewed, personas):
    admin = personas["county_admin"]
    recheck = reviews.review_start(actor=admin, sheet=reviewed["a1"], kind=ReviewKind.COUNTY)
    assert recheck.methods == []  # the township's methods are not the county's
    with pytest.raises(sheets.SheetError, match="请至少记录一种审核方式"):
        reviews.review_finish(actor=admin, review=recheck)
    details(recheck, admin, methods=(("site_visit", DAY),))
    assert reviews.review_finish(actor=admin, review=recheck).state == ReviewState.FINISHED


def test_a_send_back_drops_the_recheck_under_way_and_the_old_final_score(reviewed, personas):
    admin, town = personas["county_admin"], personas["township_reviewer"]
    sheet = reviewed["a1"]
    recheck = reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY)
    reviews.review_send_back(actor=admin, sheet=sheet, reason="打分偏松")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.UNDER_REVIEW and sheet.final_total is None
    assert not Review.objects.filter(pk=recheck.pk).exists()
    event = AuditEvent.objects.get(verb="review.send_back")
    assert event.after["recheck_dropped"] is True and event.after["grading_inputs_cleared"] is True
    # The township scores again (8 points now) and finishes; the new re-check starts from 8.
    township = Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP)
    assert township.return_reason == "打分偏松"
    save(township, town, "主题党日", EntryData())
    reviews.review_finish(actor=town, review=township)
    sheet.refresh_from_db()
    assert sheet.final_total == Decimal(8)
    assert reviews.review_start(actor=admin, sheet=sheet, kind=ReviewKind.COUNTY).total == Decimal(8)


def test_a_return_to_the_branch_clears_the_final_score(reviewed, personas):
    admin = personas["county_admin"]
    sheet = reviewed["a1"]
    reviews.review_send_back(actor=admin, sheet=sheet, reason="材料不实")
    sheets.sheet_return(actor=personas["township_reviewer"], sheet=sheet, reason="请补充会议记录")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.RETURNED and sheet.final_total is None and sheet.final_subtotals == {}
