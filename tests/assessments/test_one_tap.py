"""One tap where nothing applies: 无扣分/满分 on an item and on a whole category of the sheet, a
progress bar that stays in view with "下一个未填"."""

from decimal import Decimal

from django.urls import reverse

from chuangyou.assessments import services
from chuangyou.assessments.models import Entry
from chuangyou.assessments.scoring import EntryData
from chuangyou.audit.models import AuditEvent
from chuangyou.rubrics.models import Category
from tests.assessments.conftest import item
from tests.conftest import make_org, make_user


def _post_item(client, sheet, name, data):
    return client.post(
        reverse("sheets:entry_save", args=[sheet.pk, item(sheet, name).pk]),
        {"version": "0", **data},
        HTTP_HX_REQUEST="true",
    ).content.decode()


def _category(sheet, name):
    return Category.objects.get(rubric=sheet.rubric_id, name=name)


def test_the_item_button_saves_full_marks_whatever_was_ticked(client_for, sheet):
    client = client_for("branch_secretary")
    body = _post_item(client, sheet, "设置合理", {"count-0": "on", "note": "已摸底", "nothing_applies": "1"})
    assert "data-saved" in body and "得分 2" in body
    entry = Entry.objects.get(sheet=sheet, item__name="设置合理")
    assert (entry.result, entry.counts, entry.note) == (Decimal(2), {}, "已摸底")
    # A discretionary item gets its full marks without a reason.
    body = _post_item(client, sheet, "三会一课", {"score": "2", "nothing_applies": "1"})
    assert "data-saved" in body and Entry.objects.get(sheet=sheet, item__name="三会一课").score == 4


def test_the_item_forms_offer_the_button_named_by_kind(client_for, sheet):
    body = client_for("branch_secretary").get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert body.count('data-testid="nothing-applies"') == 4
    assert ">无扣分</button>" in body and ">满分</button>" in body
    assert body.count('data-testid="category-nothing-applies"') == 2
    readers = client_for("county_admin")
    assert (
        'data-testid="nothing-applies"'
        in readers.get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    )


def test_the_category_button_fills_only_the_items_not_filled(client_for, sheet, personas):
    services.entry_save(
        actor=personas["branch_secretary"],
        sheet=sheet,
        item=item(sheet, "设置合理"),
        data=EntryData(counts={"未进行摸底排查": 1}),
        version=0,
    )
    client = client_for("branch_secretary")
    category = _category(sheet, "党的组织设置")
    response = client.post(
        reverse("sheets:category_nothing_applies", args=[sheet.pk, category.pk]), follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"/sheets/{sheet.pk}/#category-{category.pk}")
    assert "“党的组织设置”的1个未填项目已按满分（无扣分）保存" in response.content.decode()
    results = dict(Entry.objects.filter(sheet=sheet).values_list("item__name", "result"))
    assert results == {"设置合理": Decimal(1), "纪检机构": Decimal(2)}  # the filled item kept its deduction
    sheet.refresh_from_db()
    assert (sheet.total, sheet.items_done) == (Decimal(3), 2)
    event = AuditEvent.objects.get(verb="sheet.category_nothing_applies")
    assert event.after == {"category": "党的组织设置", "items": {"纪检机构": "2"}}
    # Tapped again: nothing left to fill, nothing changes.
    response = client.post(
        reverse("sheets:category_nothing_applies", args=[sheet.pk, category.pk]), follow=True
    )
    assert "“党的组织设置”的项目都已填写，未作修改" in response.content.decode()
    assert AuditEvent.objects.filter(verb="sheet.category_nothing_applies").count() == 1


def test_the_category_button_is_refused_on_a_submitted_sheet(client_for, submitted):
    sheet = submitted["a1"]
    category = _category(sheet, "党内组织生活")
    client = client_for("branch_secretary")
    response = client.post(
        reverse("sheets:category_nothing_applies", args=[sheet.pk, category.pk]), follow=True
    )
    assert "自查表已提交，不能修改" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="sheet.category_nothing_applies").exists()


def test_another_scope_and_another_rubric_answer_404(client_for, sheet, tree, client):
    from chuangyou.rubrics import services as rubrics
    from tests.rubrics.conftest import small_spec

    other = rubrics.rubric_create(actor=None, spec=small_spec(code="other"), publish=True)
    foreign = other.categories.first()
    url = reverse("sheets:category_nothing_applies", args=[sheet.pk, foreign.pk])
    assert client_for("branch_secretary").post(url).status_code == 404
    neighbour = make_org(tree["town_a"], "TA09", "甲九村党支部", "branch", "village")
    client.force_login(make_user("p_neighbour", "branch_secretary", neighbour))
    own = _category(sheet, "党的组织设置")
    assert client.post(reverse("sheets:category_nothing_applies", args=[sheet.pk, own.pk])).status_code == 404
    assert not Entry.objects.exists()


def test_the_totals_bar_counts_progress_and_offers_the_next_item(client_for, sheet):
    client = client_for("branch_secretary")
    page = client.get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert "sticky-progress" in page and 'data-testid="next-unfilled"' in page
    assert '<progress class="progress w-100" value="0" max="4"' in page
    assert page.count('data-done="false"') == 4
    for name in ("设置合理", "纪检机构", "三会一课", "主题党日"):
        body = _post_item(client, sheet, name, {"nothing_applies": "1"})
    assert 'value="4" max="4"' in body and 'data-testid="next-unfilled"' not in body  # all filled
