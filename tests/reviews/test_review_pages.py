"""The review pages: the queue, the township's review, the county's re-check and the hand-back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts.models import Role
from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.reviews import services
from chuangyou.reviews.models import Review, ReviewEntry, ReviewKind, ReviewState
from chuangyou.rubrics.models import Situation, SituationList, Status
from tests.assessments.conftest import item
from tests.conftest import make_org, make_user, review_fully


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def save_item(client, review, sheet, name, data, version=None):
    if version is None:
        entry = review.entries.filter(item__name=name).first()
        version = entry.version if entry else 0
    return client.post(
        reverse("reviews:entry_save", args=[review.pk, item(sheet, name).pk]),
        {"version": str(version), **data},
        HTTP_HX_REQUEST="true",
    )


# The reviewer's inputs that score the small rubric 1 + 2 + 3 + 1 = 7 (self: 8).
FULL = {
    "设置合理": {"count-0": "on", "reason": "未见摸底记录"},
    "纪检机构": {},
    "三会一课": {"score": "3", "reason": "记录不全"},
    "主题党日": {"count-0": "2", "reason": "少开主题党日"},
}


@pytest.fixture
def started(submitted, personas):
    sheet = submitted["a1"]
    review = services.review_start(actor=personas["township_reviewer"], sheet=sheet)
    return sheet, review


# --- The township's review ---------------------------------------------------------------------------


def test_the_township_reviewer_reviews_a_sheet_from_start_to_finish(client_for, submitted):
    sheet = submitted["a1"]
    client = client_for("township_reviewer")
    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert "开始审核" in page and page.count('data-testid="review-item"') == 4
    assert "自评得分 3.5" in page and "理由：记录不全" in page  # the branch's own entry, on the left

    response = client.post(reverse("reviews:start", args=[sheet.pk]))
    assert response.status_code == 302 and "已开始审核，请逐项打分" in texts(response)
    sheet.refresh_from_db()
    review = Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP)
    assert sheet.state == SheetState.UNDER_REVIEW and review.reviewer.username == "p_town"

    body = save_item(client, review, sheet, "纪检机构", {}).content.decode()
    assert "审核得分 2" in body and 'hx-swap-oob="true"' in body and "1/4 项" in body
    assert 'data-testid="review-total">8<' in body  # the other three items as the branch scored them
    assert "沿用自评待核对 3 项" in body

    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert "扣分理由（审核扣分时必填）" in page and "完成审核" in page and 'data-confirm="' in page

    methods = {"use_documents": "on", "date_documents": "2026-12-22", "note_documents": "查阅台账"}
    response = client.post(
        reverse("reviews:details_save", args=[review.pk]),
        {**methods, "opinion": "基本属实", "version": str(review.version)},
    )
    assert response.status_code == 302 and "审核信息已保存" in texts(response)
    review.refresh_from_db()
    assert review.methods == [{"method": "documents", "date": "2026-12-22", "note": "查阅台账"}]
    assert review.opinion == "基本属实"
    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert 'value="2026-12-22"' in page

    response = client.post(reverse("reviews:finish", args=[review.pk]))
    assert "还有3个项目沿用支部自评尚未核对，请逐项确认或点“本类确认”：设置合理、三会一课、主题党日" in texts(
        response
    )
    sheet.refresh_from_db()
    assert sheet.state == SheetState.UNDER_REVIEW

    for name, data in FULL.items():
        if name != "纪检机构":
            assert "item-errors" not in save_item(client, review, sheet, name, data).content.decode()
    response = client.post(reverse("reviews:finish", args=[review.pk]))
    assert "审核已完成，审核得分已计入定级" in texts(response)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.REVIEWED and sheet.final_total == Decimal(7)
    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert "完成审核" not in page and "<fieldset disabled>" in page


def test_a_deduction_without_a_reason_is_refused_and_nothing_is_saved(client_for, started):
    sheet, review = started
    client = client_for("township_reviewer")
    body = save_item(
        client, review, sheet, "设置合理", {"count-0": "on", "note": "看了台账"}
    ).content.decode()
    assert "请填写扣分理由" in body and 'data-testid="item-errors"' in body
    assert 'name="count-0" checked' in body and 'value="看了台账"' in body  # the posted values kept
    assert not ReviewEntry.objects.filter(review=review, prefilled=False).exists()
    review.refresh_from_db()
    assert review.total == 8 and review.items_done == 4  # the prefilled self-assessment, unchanged


def test_a_bad_number_is_shown_on_the_item(client_for, started):
    sheet, review = started
    body = save_item(
        client_for("township_reviewer"), review, sheet, "三会一课", {"score": "很多"}
    ).content.decode()
    assert "得分“很多”不是数字" in body
    assert not ReviewEntry.objects.filter(review=review, prefilled=False).exists()


def test_the_header_leaves_the_live_score_to_the_totals_card(client_for, started, personas):
    sheet, review = started
    client = client_for("township_reviewer")
    header = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode().split("page-body")[0]
    assert "· 审核 " not in header  # a score there would not follow the autosaved items
    review_fully(sheet, personas["township_reviewer"])
    header = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode().split("page-body")[0]
    assert "· 审核 " in header and "审核已完成" in header


def test_a_stale_version_gets_the_conflict_message(client_for, started):
    sheet, review = started
    client = client_for("township_reviewer")
    opened = review.entries.get(item__name="纪检机构").version
    save_item(client, review, sheet, "纪检机构", {}, version=opened)
    body = save_item(client, review, sheet, "纪检机构", {"note": "第二次"}, version=opened).content.decode()
    assert "已由其他审核人修改" in body
    assert review.entries.get(item__name="纪检机构").note == ""


def test_details_need_a_date_for_each_method_and_a_note_for_situations(client_for, started):
    sheet, review = started
    weak = SituationList.objects.create(code="weak", name="软弱涣散情形")
    situation = Situation.objects.create(situation_list=weak, order=1, text="班子配备不齐")
    weak.status, weak.published_at = Status.PUBLISHED, timezone.now()
    weak.save(update_fields=["status", "published_at"])
    client = client_for("township_reviewer")
    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    for label in ("听取汇报", "民主测评", "查阅资料", "实地查看", "调查核实", "班子配备不齐"):
        assert label in page
    assert 'type="date"' in page and "一票否决情形" in page and "审核意见" in page

    url = reverse("reviews:details_save", args=[review.pk])
    response = client.post(
        url, {"use_report": "on", "situations": [situation.pk], "version": str(review.version)}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请选择“听取汇报”的日期" in body and "标记软弱涣散情形时请填写具体情况" in body
    review.refresh_from_db()
    assert review.methods == [] and not review.situations.exists()

    response = client.post(
        url,
        {
            "use_report": "on",
            "date_report": "2026-12-21",
            "situations": [situation.pk],
            "weak_note": "缺一名委员",
            "version": str(review.version),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert [m["method"] for m in review.methods] == ["report"]
    assert list(review.situations.all()) == [situation] and review.weak_note == "缺一名委员"

    stale = client.post(url, {"use_report": "on", "date_report": "2026-12-21", "version": "1"})
    assert "审核信息已由其他审核人修改" in stale.content.decode()


def test_a_large_gap_is_marked_on_the_list(client_for, submitted, personas, campaign):
    campaign.gap_threshold = Decimal(2)
    campaign.save()
    review_fully(submitted["a1"], personas["township_reviewer"], missed_days=4)  # 6 against 8
    review_fully(submitted["a2"], personas["township_reviewer"])  # 7 against 8
    client = client_for("county_admin")
    body = client.get(reverse("reviews:list")).content.decode()
    assert body.count('data-testid="review-row"') == 3
    assert body.count('data-testid="gap-badge"') == 1 and "分差≥2分" in body
    row = body[body.index('data-org="甲一村党支部"') :]
    assert row.index("分差≥2分") < row.index("</tr>")
    assert "甲镇党委" in body and "乙街道党工委" in body  # 所属党委
    assert 'data-testid="count-reviewed">2<' in body and 'data-testid="count-submitted">1<' in body

    only_gap = client.get(reverse("reviews:list"), {"gap": "1"}).content.decode()
    assert only_gap.count('data-testid="review-row"') == 1 and 'data-org="甲一村党支部"' in only_gap
    reviewed = client.get(reverse("reviews:list"), {"state": "submitted"}).content.decode()
    assert reviewed.count('data-testid="review-row"') == 1 and 'data-org="乙社区党支部"' in reviewed


def test_the_list_shows_the_review_in_progress_and_the_actions(client_for, started):
    sheet, review = started
    client = client_for("township_reviewer")
    save_item(client, review, sheet, "纪检机构", {})
    body = client.get(reverse("reviews:list")).content.decode()
    assert body.count('data-testid="review-row"') == 2 and "乙社区党支部" not in body
    row = body[body.index('data-org="甲一村党支部"') :]
    row = row[: row.index("</tr>")]
    assert "<td>8</td>" in row and "审核中" in row and ">审核</a>" in row


def test_a_reviewer_of_another_township_gets_404(client_for, started, tree, client):
    sheet, review = started
    client.force_login(make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"]))
    assert client.get(reverse("reviews:detail", args=[sheet.pk])).status_code == 404
    assert client.get(reverse("reviews:recheck", args=[sheet.pk])).status_code == 404
    assert client.post(reverse("reviews:start", args=[sheet.pk])).status_code == 404
    url = reverse("reviews:entry_save", args=[review.pk, item(sheet, "纪检机构").pk])
    assert client.post(url, {"version": "0"}).status_code == 404
    assert client.post(reverse("reviews:details_save", args=[review.pk]), {"version": "1"}).status_code == 404
    assert client.post(reverse("reviews:finish", args=[review.pk])).status_code == 404
    assert "甲一村党支部" not in client.get(reverse("reviews:list")).content.decode()


def test_the_branch_secretary_neither_reads_nor_reviews_their_own_branch(client_for, started):
    sheet, review = started
    client = client_for("branch_secretary")
    # Reviews are read by the county and township only, before the public notice.
    assert client.get(reverse("reviews:detail", args=[sheet.pk])).status_code == 404
    assert client.get(reverse("reviews:list")).status_code == 403
    assert client.post(reverse("reviews:start", args=[sheet.pk])).status_code == 404
    url = reverse("reviews:entry_save", args=[review.pk, item(sheet, "纪检机构").pk])
    assert client.post(url, {"version": "0"}).status_code == 404
    assert client.post(reverse("reviews:finish", args=[review.pk])).status_code == 404
    assert not ReviewEntry.objects.filter(prefilled=False).exists()


def test_reviewing_a_draft_sheet_is_refused_with_a_message(client_for, december, tree, on_day):
    sheet = ScoreSheet.objects.get(round=december, organization=tree["a1"])
    client = client_for("township_reviewer")
    assert "提交后才能审核" in client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    response = client.post(reverse("reviews:start", args=[sheet.pk]), follow=True)
    assert "自查表填写中，只能审核已提交的自查表" in response.content.decode()
    assert not Review.objects.exists()


def test_the_township_may_send_the_sheet_back_to_the_branch_while_reviewing(client_for, started):
    sheet, _ = started
    client = client_for("township_reviewer")
    page = client.get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert reverse("sheets:return", args=[sheet.pk]) in page
    assert (
        reverse("sheets:return", args=[sheet.pk])
        in client.get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    )
    client.post(reverse("sheets:return", args=[sheet.pk]), {"reason": "材料不全"})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.RETURNED


def test_the_sheet_page_links_to_the_review(client_for, submitted):
    sheet = submitted["a1"]
    body = client_for("township_reviewer").get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert reverse("reviews:detail", args=[sheet.pk]) in body


# --- The county's re-check and hand-back ------------------------------------------------------------


def test_the_county_rechecks_beside_the_township_scores(client_for, reviewed):
    sheet = reviewed["a1"]
    client = client_for("county_admin")
    page = client.get(reverse("reviews:recheck", args=[sheet.pk])).content.decode()
    assert "开始复核" in page and "退回乡镇重审" in page
    response = client.post(reverse("reviews:recheck_start", args=[sheet.pk]))
    assert "已开始复核，请逐项打分" in texts(response)
    recheck = Review.objects.get(sheet=sheet, kind=ReviewKind.COUNTY)
    page = client.get(reverse("reviews:recheck", args=[sheet.pk])).content.decode()
    assert page.count('data-testid="township-score"') == 4 and "审核得分 3" in page
    assert "扣分理由：少开主题党日" in page and "完成复核" in page

    body = save_item(
        client, recheck, sheet, "主题党日", {"count-0": "4", "reason": "核实少开4次"}
    ).content.decode()
    assert "复核得分 0" in body and 'data-testid="review-total">6<' in body
    response = client.post(reverse("reviews:finish", args=[recheck.pk]))
    assert "请至少记录一种审核方式（听取汇报、民主测评、查阅资料、实地查看、调查核实）" in texts(response)
    recheck.refresh_from_db()
    method = {"use_site_visit": "on", "date_site_visit": "2026-12-28", "version": str(recheck.version)}
    client.post(reverse("reviews:details_save", args=[recheck.pk]), method)
    response = client.post(reverse("reviews:finish", args=[recheck.pk]))
    assert "复核已完成，审核得分已计入定级" in texts(response)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.RECHECKED and sheet.final_total == Decimal(6)


def test_the_township_reviewer_may_not_recheck(client_for, reviewed):
    sheet = reviewed["a1"]
    client = client_for("township_reviewer")
    page = client.get(reverse("reviews:recheck", args=[sheet.pk])).content.decode()
    assert 'data-testid="start-review"' not in page and 'data-testid="send-back"' not in page
    assert client.post(reverse("reviews:recheck_start", args=[sheet.pk])).status_code == 403
    assert client.post(reverse("reviews:send_back", args=[sheet.pk]), {"reason": "x"}).status_code == 403


def test_the_county_sends_a_reviewed_sheet_back_to_the_township(client_for, reviewed):
    sheet = reviewed["a1"]
    client = client_for("county_admin")
    response = client.post(reverse("reviews:send_back", args=[sheet.pk]), {"reason": ""})
    assert "请填写退回重审的原因" in texts(response)
    response = client.post(reverse("reviews:send_back", args=[sheet.pk]), {"reason": "扣分依据不足"})
    assert response.url == reverse("reviews:detail", args=[sheet.pk])
    sheet.refresh_from_db()
    township = Review.objects.get(sheet=sheet, kind=ReviewKind.TOWNSHIP)
    assert sheet.state == SheetState.UNDER_REVIEW and township.state == ReviewState.IN_PROGRESS
    page = client_for("township_reviewer").get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert "扣分依据不足" in page and "完成审核" in page


# --- Query counts ------------------------------------------------------------------------------------


def more_sheets(december, tree, n=37):
    """`n` extra branches under 甲镇 with sheets in every queue state (some with a review total)."""
    town = tree["town_a"]
    rubric = ScoreSheet.objects.filter(round=december).first().rubric
    states = [SheetState.SUBMITTED, SheetState.UNDER_REVIEW, SheetState.REVIEWED, SheetState.RECHECKED]
    first = ScoreSheet.objects.count()
    for i in range(first, first + n):
        org = make_org(town, f"TAX{i:03d}", f"甲镇第{i}支部", "branch", "village")
        state = states[i % 4]
        final = Decimal(5) if state in (SheetState.REVIEWED, SheetState.RECHECKED) else None
        ScoreSheet.objects.create(
            round=december, organization=org, rubric=rubric, state=state, total=Decimal(8), final_total=final
        )
        town.refresh_from_db()


@pytest.mark.parametrize("persona", ["county_admin", "township_reviewer"])
def test_the_list_costs_the_same_with_3_or_40_sheets(client_for, submitted, december, tree, persona):
    client = client_for(persona)
    counts, rows = [], []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reviews:list"))
        counts.append(len(queries))
        rows.append(response.content.decode().count('data-testid="review-row"'))
        more_sheets(december, tree)
    assert rows == ([3, 40] if persona == "county_admin" else [2, 39])
    assert counts[0] == counts[1] and counts[0] <= 14, counts


def test_the_list_uses_a_fixed_number_of_queries(client_for, reviewed, django_assert_max_num_queries):
    client = client_for("county_admin")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reviews:list"), {"gap": "1", "state": "reviewed"}).status_code == 200


def test_the_review_page_uses_a_fixed_number_of_queries(client_for, reviewed, django_assert_max_num_queries):
    client = client_for("county_admin")
    sheet = reviewed["a1"]
    client.post(reverse("reviews:recheck_start", args=[sheet.pk]))
    with django_assert_max_num_queries(30):
        assert client.get(reverse("reviews:recheck", args=[sheet.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("reviews:detail", args=[sheet.pk])).status_code == 200


def test_the_review_page_costs_the_same_with_4_or_40_items(client_for, started, tree, personas):
    from chuangyou.assessments.scoring import EntryData
    from tests.assessments.test_sheet_pages import forty_item_sheet

    sheet, review = started
    reviewer = personas["township_reviewer"]
    for name, data in (("纪检机构", EntryData()), ("三会一课", EntryData(score=Decimal(4)))):
        services.review_entry_save(
            actor=reviewer, review=review, item=item(sheet, name), data=data, version=0
        )
    big = forty_item_sheet(tree, personas)
    ScoreSheet.objects.filter(pk=big.pk).update(state=SheetState.SUBMITTED)
    big_review = services.review_start(actor=reviewer, sheet=ScoreSheet.objects.get(pk=big.pk))
    for category in big.rubric.categories.all():
        for one in category.items.all():
            services.review_entry_save(
                actor=reviewer, review=big_review, item=one, data=EntryData(), version=0
            )
    client = client_for("township_reviewer")
    counts = []
    for target in (sheet, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:detail", args=[target.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_method_dates_are_shown_as_iso_dates(client_for, started):
    sheet, review = started
    services.review_details_save(
        actor=started[1].reviewer,
        review=review,
        details=services.ReviewDetails(
            methods=[services.MethodUse("site_visit", dt.date(2026, 12, 3), "走访")]
        ),
        version=review.version,
    )
    page = client_for("township_reviewer").get(reverse("reviews:detail", args=[sheet.pk])).content.decode()
    assert 'value="2026-12-03"' in page and 'value="走访"' in page


def test_a_refused_review_save_keeps_what_was_typed(client_for, started):
    sheet, review = started
    client = client_for("township_reviewer")
    typed = {"score": "两分", "reason": "记录不全"}
    body = save_item(client, review, sheet, "三会一课", typed).content.decode()
    assert "得分“两分”不是数字" in body and 'name="score" value="两分"' in body and 'value="记录不全"' in body
    assert "data-refused" in body and not review.entries.filter(prefilled=False).exists()
    body = save_item(client, review, sheet, "三会一课", {"score": "3", "reason": "记录不全"}).content.decode()
    assert "data-saved" in body and "data-refused" not in body
