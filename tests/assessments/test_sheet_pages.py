"""The score-sheet pages: the form per item, autosave, the to-do list and the workbench lines."""

import datetime as dt

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet, SheetState
from tests.assessments.conftest import item


def test_the_sheet_page_shows_every_item_and_the_totals(client_for, sheet):
    body = client_for("branch_secretary").get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert body.count('data-testid="sheet-item"') == 4
    assert "0/4 项" in body and "未进行摸底排查（扣1分）" in body and "保存本项后可上传佐证材料" in body


def test_an_item_saves_through_htmx_and_refreshes_the_totals(client_for, sheet):
    client = client_for("branch_secretary")
    target = item(sheet, "设置合理")
    response = client.post(
        reverse("sheets:entry_save", args=[sheet.pk, target.pk]),
        {"count-0": "on", "version": "0"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "得分 1" in body and 'hx-swap-oob="true"' in body and "1/4 项" in body
    assert 'data-testid="evidence-panel"' in body


def test_a_bad_number_is_shown_on_the_item(client_for, sheet):
    target = item(sheet, "三会一课")
    response = client_for("branch_secretary").post(
        reverse("sheets:entry_save", args=[sheet.pk, target.pk]), {"score": "很多", "version": "0"}
    )
    assert "得分“很多”不是数字" in response.content.decode()
    assert not sheet.entries.exists()


def test_a_refused_save_shows_what_was_typed_beside_the_error(client_for, sheet):
    """Nothing typed is lost: a score below the maximum without its reason comes back as typed, with
    the note, and the form is marked refused (the browser keeps its draft)."""
    target = item(sheet, "三会一课")
    url = reverse("sheets:entry_save", args=[sheet.pk, target.pk])
    client = client_for("branch_secretary")
    body = client.post(url, {"score": "2.5", "note": "两次会议无记录", "version": "0"}).content.decode()
    assert "须填写理由" in body and 'name="score" value="2.5"' in body and 'value="两次会议无记录"' in body
    assert "data-refused" in body and not sheet.entries.exists()
    body = client.post(url, {"score": "很多", "reason": "会议记录不全", "version": "0"}).content.decode()
    assert 'name="score" value="很多"' in body and 'value="会议记录不全"' in body
    body = client.post(url, {"score": "2.5", "reason": "会议记录不全", "version": "0"}).content.decode()
    assert "data-saved" in body and "data-refused" not in body and "得分 2.5" in body


def test_a_stale_tab_gets_the_conflict_message(client_for, sheet):
    client = client_for("branch_secretary")
    target = item(sheet, "纪检机构")
    url = reverse("sheets:entry_save", args=[sheet.pk, target.pk])
    client.post(url, {"version": "0"})
    body = client.post(url, {"count-0": "on", "version": "0"}).content.decode()
    assert "已在其他页面或由他人修改" in body
    # The refused form keeps the version its page had: saving it again (the browser does on leaving
    # the item) is refused again instead of overwriting the other page's save.
    assert '<input type="hidden" name="version" value="0">' in body
    body = client.post(url, {"count-0": "on", "version": "0"}).content.decode()
    assert "已在其他页面或由他人修改" in body and sheet.entries.get().counts == {}


@pytest.mark.parametrize("persona", ["township_reviewer", "leading_group"])
def test_readers_see_the_sheet_without_inputs(client_for, sheet, persona):
    body = client_for(persona).get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    assert "<fieldset disabled>" in body and "提交自查表" not in body


def test_the_branch_workbench_shows_the_deadline_and_progress(client_for, sheet):
    body = client_for("branch_secretary").get(reverse("workbench")).content.decode()
    assert "12月自查打分：截止 12月20日，已完成 0/4 项" in body


def test_the_township_to_do_list_counts_states(client_for, sheet):
    ScoreSheet.objects.filter(pk=sheet.pk).update(state=SheetState.SUBMITTED)
    client = client_for("township_reviewer")
    body = client.get(reverse("sheets:list")).content.decode()
    assert "甲一村党支部" in body and "甲二村党支部" in body and "乙社区党支部" not in body
    assert "已提交 1/2" in client.get(reverse("workbench")).content.decode()


def test_the_county_sees_progress_per_township(client_for, sheet):
    body = client_for("county_admin").get(reverse("workbench")).content.decode()
    assert 'data-testid="township-progress"' in body and "甲镇党委" in body and "乙街道党工委" in body


def test_the_to_do_list_uses_a_fixed_number_of_queries(client_for, sheet, django_assert_max_num_queries):
    client = client_for("county_admin")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sheets:list")).status_code == 200


def test_the_sheet_page_uses_a_fixed_number_of_queries(client_for, sheet, django_assert_max_num_queries):
    client = client_for("branch_secretary")
    for name in ("设置合理", "纪检机构", "主题党日"):
        client.post(reverse("sheets:entry_save", args=[sheet.pk, item(sheet, name).pk]), {"version": "0"})
    with django_assert_max_num_queries(16):
        assert client.get(reverse("sheets:detail", args=[sheet.pk])).status_code == 200


def forty_item_sheet(tree, personas):
    """A sheet on a 40-item rubric, every item saved, for the query-count comparison."""
    from decimal import Decimal

    from chuangyou.assessments import services
    from chuangyou.campaigns import services as campaign_services
    from chuangyou.rubrics import services as rubric_services
    from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec
    from tests.conftest import phases

    admin = personas["county_admin"]
    spec = RubricSpec(
        code="forty",
        name="四十项标准",
        total=Decimal(40),
        domains=("village", "community"),
        categories=tuple(
            CategorySpec(
                f"类型{c}",
                Decimal(10),
                tuple(ItemSpec(f"项目{c}-{i}", Decimal(1), ("标准",), "未开展扣1分") for i in range(10)),
            )
            for c in range(4)
        ),
    )
    rubric = rubric_services.rubric_create(actor=admin, spec=spec, publish=True)
    for domain in ("village", "community"):
        rubric_services.domain_bind(actor=admin, domain=domain, rubric=rubric)
    campaign = campaign_services.campaign_create(
        actor=admin,
        year=2027,
        name="四十项",
        root=tree["county"],
        scheme="seed2020",
        graded_round="december",
        phases=phases(2027),
    )
    round_ = campaign_services.round_open(
        actor=admin, campaign=campaign, kind="june", opens=dt.date(2026, 12, 1), closes=dt.date(2026, 12, 20)
    )
    sheet = round_.sheets.get(organization=tree["a1"])
    for item_row in sheet.rubric.categories.all():
        for one in item_row.items.all():
            services.entry_save(
                actor=personas["branch_secretary"],
                sheet=sheet,
                item=one,
                data=services.EntryData(),
                version=0,
            )
    return sheet


def test_the_sheet_page_costs_the_same_with_4_or_40_items(client_for, sheet, tree, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("branch_secretary")
    for name in ("设置合理", "纪检机构", "三会一课", "主题党日"):
        client.post(
            reverse("sheets:entry_save", args=[sheet.pk, item(sheet, name).pk]),
            {"version": "0", "score": "4"},
        )
    big = forty_item_sheet(tree, personas)
    counts = []
    for target in (sheet, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("sheets:detail", args=[target.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_branch_secretary_has_its_own_menu(client_for, sheet):
    client = client_for("branch_secretary")
    body = client.get(reverse("workbench")).content.decode()
    assert all(label in body for label in ("我的自查", ">民主测评<", ">申报表<"))
    assert client.get(reverse("sheets:mine")).url == reverse("sheets:detail", args=[sheet.pk])
    assert client.get(reverse("sheets:mine_evaluation")).url == reverse("evaluations:manage", args=[sheet.pk])
    assert client.get(reverse("sheets:mine_application")).url == reverse("application:print", args=[sheet.pk])
    assert "我的自查" not in client_for("county_admin").get(reverse("workbench")).content.decode()


def test_a_secretary_without_a_sheet_is_told_so(client_for, tree):
    response = client_for("branch_secretary").get(reverse("sheets:mine"), follow=True)
    assert "本支部目前没有自查表" in response.content.decode()


def test_a_system_administrator_has_no_branch_of_its_own(client, sheet):
    from tests.conftest import make_user

    root = make_user("p_root")
    root.is_superuser = True
    root.save()
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert "我的自查" not in client.get(reverse("workbench")).content.decode()
    response = client.get(reverse("sheets:mine"), follow=True)  # not some branch's sheet
    assert response.redirect_chain[-1][0] == reverse("workbench")
    assert "本支部目前没有自查表" in response.content.decode()
