"""The workbench reminds the reviewers of open objections and the county of notices to report and
approve, each within its scope, in a fixed number of queries."""

from django.urls import reverse

from chuangyou.notices import services
from tests.notices.conftest import AFTER, IN_PERIOD, entry_of, object_to


def workbench(client):
    return client.get(reverse("workbench")).content.decode()


def test_open_objections_are_on_the_reviewers_workbench(client_for, published_notice, other_reviewer, on_day):
    on_day(IN_PERIOD)
    object_to(entry_of(published_notice, "TA02"))
    body = workbench(client_for("township_reviewer"))  # 甲镇: the branch is theirs
    assert 'data-testid="objection-todo"' in body and "未办结 1 件" in body and "超期" not in body
    assert 'data-testid="objection-todo"' in workbench(client_for("county_admin"))
    client = client_for("county_admin")
    client.force_login(other_reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert 'data-testid="objection-todo"' not in workbench(client)  # 乙街道: not theirs
    for reader in ("leading_group", "branch_secretary"):
        assert 'data-testid="objection-todo"' not in workbench(client_for(reader))
    on_day(AFTER.replace(day=28))  # past the five working days
    assert "其中超期 1 件" in workbench(client_for("township_reviewer"))


def test_notices_to_report_and_approve_are_on_the_county_workbench(client_for, published_notice, on_day):
    client = client_for("county_admin")
    body = workbench(client)
    assert 'data-testid="report-todo"' not in body and 'data-testid="approve-todo"' not in body
    on_day(AFTER)  # the period is over, though the daily job has not ended it yet
    assert "公示期满待上报：1 份" in workbench(client)
    services.notice_report(actor=published_notice.created_by, batch=published_notice)
    body = workbench(client)
    assert 'data-testid="report-todo"' not in body and "待审定公示：1 份" in body
    assert 'data-testid="approve-todo"' not in workbench(client_for("township_reviewer"))


def test_the_workbench_costs_the_same_queries_with_more_objections(
    client_for, published_notice, on_day, django_assert_max_num_queries
):
    on_day(IN_PERIOD)
    client = client_for("county_admin")
    object_to(entry_of(published_notice, "TA02"))
    with django_assert_max_num_queries(40) as few:
        workbench(client)
    for i, code in enumerate(("TA01", "TB01", "X0001", "X0002")):
        object_to(entry_of(published_notice, code), address=f"198.51.100.{i}")
    with django_assert_max_num_queries(len(few)):
        assert "未办结 5 件" in workbench(client)


def test_verifications_and_cleared_grades_are_reminded(client_for, published_notice, personas, on_day):
    on_day(IN_PERIOD)
    admin = personas["county_admin"]
    objection = object_to(entry_of(published_notice, "TA02"))
    services.objection_answer(actor=admin, objection=objection, state="further", answer="需核实", version=1)
    body = workbench(client_for("township_reviewer"))
    assert "需进一步核实 1 件" in body and 'data-testid="objection-todo"' not in body
    on_day(AFTER)
    batch = services.notice_report(actor=admin, batch=published_notice)
    services.notice_approve(actor=admin, batch=batch, document_number="X组通〔2026〕12号")
    objection.refresh_from_db()
    services.objection_answer(
        actor=admin, objection=objection, state="dismissed", answer="不属实", version=objection.version
    )
    assert "待补充审定：1 个组织" in workbench(client_for("county_admin"))
    assert 'data-testid="released-todo"' not in workbench(client_for("township_reviewer"))
