"""The township review starts from the branch's own scores, marked prefilled: the gap starts at 0,
each item waits to be checked (one by one or a category at once), and finishing needs them checked."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments import services as sheets
from chuangyou.assessments.scoring import EntryData
from chuangyou.audit.models import AuditEvent
from chuangyou.reviews import services as reviews
from chuangyou.reviews.models import ReviewEntry
from chuangyou.reviews.services import AGREED_REASON
from chuangyou.rubrics.models import Category
from tests.assessments.conftest import item
from tests.reviews.test_review_services import FULL, details, save


@pytest.fixture
def town(personas):
    return personas["township_reviewer"]


@pytest.fixture
def started(submitted, town):
    return reviews.review_start(actor=town, sheet=submitted["a1"])


def _category(review, name):
    return Category.objects.get(rubric=review.sheet.rubric_id, name=name)


def test_the_review_starts_as_the_branch_scored_it(started, submitted):
    entries = {e.item.name: e for e in started.entries.select_related("item")}
    own = {e.item.name: e for e in submitted["a1"].entries.select_related("item")}
    assert set(entries) == set(own) and all(e.prefilled and e.done for e in entries.values())
    assert {n: e.result for n, e in entries.items()} == {n: e.result for n, e in own.items()}
    assert (started.total, started.items_done) == (Decimal(8), 4)
    # A deduction the branch made by its rules carries the reviewer's agreement as its reason.
    assert entries["设置合理"].reason == AGREED_REASON and entries["三会一课"].reason == "记录不全"
    assert entries["纪检机构"].reason == ""
    # The start is audited with the number of items copied.
    assert AuditEvent.objects.get(verb="review.start").after["prefilled_items"] == 4


def test_the_review_page_starts_without_a_gap_and_marks_prefilled_items(client_for, started):
    page = (
        client_for("township_reviewer")
        .get(reverse("reviews:detail", args=[started.sheet_id]))
        .content.decode()
    )
    assert 'data-testid="review-gap">0' in page and 'data-testid="gap-badge"' not in page
    assert page.count('data-testid="prefilled"') == 4 and "沿用自评 3.5 分，待核对" in page
    assert 'data-testid="review-progress">0/4 项' in page and "沿用自评待核对 4 项" in page
    assert page.count(">确认本项</button>") == 4 and page.count('data-testid="category-confirm"') == 2


def test_saving_an_item_makes_it_the_reviewer_s(started, town):
    entry = save(started, town, "纪检机构", EntryData())
    assert not entry.prefilled and entry.updated_by == town


def test_a_category_is_confirmed_at_once_and_the_reviewer_s_scores_stay(client_for, started, town):
    save(started, town, "三会一课", FULL["三会一课"])  # the reviewer's own 3 instead of 3.5
    client = client_for("township_reviewer")
    category = _category(started, "党内组织生活")
    response = client.post(reverse("reviews:category_confirm", args=[started.pk, category.pk]), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/reviews/{started.sheet_id}/#category-{category.pk}")
    assert "“党内组织生活”的1个项目已确认审核" in response.content.decode()
    entries = {e.item.name: e for e in started.entries.select_related("item")}
    assert not entries["主题党日"].prefilled and entries["主题党日"].updated_by == town
    assert entries["三会一课"].result == 3
    assert entries["设置合理"].prefilled and entries["纪检机构"].prefilled  # the other category waits
    event = AuditEvent.objects.get(verb="review.category_confirm")
    assert event.after == {"category": "党内组织生活", "items": {"主题党日": "1.5"}}
    started.refresh_from_db()
    assert started.total == Decimal("7.5")


def test_finishing_waits_for_every_prefilled_item_to_be_checked(started, town):
    details(started, town)
    with pytest.raises(reviews.SheetError, match="还有4个项目沿用支部自评尚未核对"):
        reviews.review_finish(actor=town, review=started)
    for name in ("党的组织设置", "党内组织生活"):
        reviews.review_category_confirm(actor=town, review=started, category=_category(started, name))
    reviews.review_finish(actor=town, review=started)
    started.sheet.refresh_from_db()
    assert started.sheet.final_total == Decimal(8)


def test_a_resubmitted_sheet_is_prefilled_again_where_the_reviewer_had_not_checked(started, town, personas):
    admin = personas["county_admin"]
    save(started, town, "纪检机构", EntryData(counts={"未设纪检委员": 1}, reason="未设纪检委员"))
    returned = sheets.sheet_return(actor=town, sheet=started.sheet, reason="三会一课记录不全")
    own = returned.entries.get(item__name="三会一课")
    sheets.entry_save(
        actor=admin,
        sheet=returned,
        item=item(returned, "三会一课"),
        data=EntryData(score=Decimal(4)),
        version=own.version,
    )
    again = reviews.review_start(actor=town, sheet=sheets.sheet_submit(actor=admin, sheet=returned))
    entries = {e.item.name: e for e in again.entries.select_related("item")}
    assert entries["三会一课"].prefilled and entries["三会一课"].result == 4  # the branch's new score
    assert not entries["纪检机构"].prefilled and entries["纪检机构"].result == 0  # the reviewer's stays
    assert ReviewEntry.objects.filter(review=again).count() == 4


def test_the_category_of_another_rubric_is_refused(started, town, client_for):
    from chuangyou.rubrics import services as rubrics
    from tests.rubrics.conftest import small_spec

    other = rubrics.rubric_create(actor=None, spec=small_spec(code="other"), publish=True)
    url = reverse("reviews:category_confirm", args=[started.pk, other.categories.first().pk])
    assert client_for("township_reviewer").post(url).status_code == 404
    with pytest.raises(reviews.SheetError, match="不属于本自查表的评定标准"):
        reviews.review_category_confirm(actor=town, review=started, category=other.categories.first())
