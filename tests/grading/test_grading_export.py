"""The run's results as .xlsx: the columns of `chuangyou grade`, final grades, scope, escaping."""

import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from chuangyou.grading import services
from chuangyou.grading.models import RunResult
from chuangyou.orgs.models import Organization
from tests.grading.conftest import set_inputs

HEADER = [
    "组织代码",
    "组织名称",
    "所属党委",
    "得分",
    "满意率",
    "一票否决",
    "一票否决最高等级",
    "软弱涣散情形",
    "申报等级",
    "已提交公示等级",
    "满意和基本满意票数",
    "有效票数",
    "党员测评得分",
    "群众测评得分",
    "领域",
    "等级",
    "排名",
    "说明",
    "评定方案",
    "计算等级",
    "调整理由",
]


@pytest.fixture
def run(personas, campaign, december):
    """TA01 (named "=1+1"), TA02 and TB01 graded; TA02 adjusted by the county."""
    Organization.objects.filter(code="TA01").update(name="=1+1")
    set_inputs(december, "TA01", "95", "98.5")
    set_inputs(december, "TA02", "88", None, veto="@SUM(A1)")
    set_inputs(december, "TB01", "80", "90")
    admin = personas["county_admin"]
    run = services.run_start(actor=admin, campaign=campaign)
    assert run.state == "done", run.error
    ta02 = RunResult.objects.get(run=run, code="TA02")
    services.result_override(actor=admin, result=ta02, grade="软弱涣散", reason="核查发现班子问题")
    return run


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


def test_the_export_has_the_command_columns_and_the_final_grades(client_for, run):
    response = client_for("county_admin").get(reverse("grading:export", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f"filename*=utf-8''{quote('2026年度定级结果（第1次）.xlsx')}" in response["Content-Disposition"]
    rows, sheet = workbook_rows(response)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["TA01", "TA02", "TB01"]  # county rank order
    ta01, ta02, tb01 = rows[1:]
    assert ta01[2:5] == ["甲镇党委", 95, 98.5] and ta01[9] is None and ta01[16] == 1 and ta01[14] == "村"
    assert ta01[17].startswith("得分95，排名1/3")
    assert ta01[18] == "四档评定（优秀/良好/一般/软弱涣散）"  # the scheme that graded it
    assert ta02[15] == "软弱涣散" and ta02[19] == "一般" and ta02[20] == "核查发现班子问题"
    assert ta02[4] is None and ta02[16] == 2
    assert tb01[2] == "乙街道党工委" and tb01[14] == "社区" and tb01[20] is None


def test_formula_looking_text_is_escaped(client_for, run):
    rows, sheet = workbook_rows(client_for("county_admin").get(reverse("grading:export", args=[run.pk])))
    assert rows[1][1] == "'=1+1" and sheet["B2"].data_type == "s"
    assert rows[2][5] == "'@SUM(A1)"


def test_the_export_keeps_to_the_scope(client_for, run):
    rows, _ = workbook_rows(client_for("township_reviewer").get(reverse("grading:export", args=[run.pk])))
    assert [r[0] for r in rows[1:]] == ["TA01", "TA02"]
    assert client_for("outsider").get(reverse("grading:export", args=[run.pk])).status_code == 404


def test_the_rank_is_within_the_township_when_quotas_are_per_township(
    client_for, personas, campaign, december
):
    campaign.__class__.objects.filter(pk=campaign.pk).update(quota_scope="township")
    campaign.refresh_from_db()
    set_inputs(december, "TA01", "95")
    set_inputs(december, "TA02", "88")
    set_inputs(december, "TB01", "80")
    run = services.run_start(actor=personas["county_admin"], campaign=campaign)
    rows, _ = workbook_rows(client_for("county_admin").get(reverse("grading:export", args=[run.pk])))
    assert [(r[0], r[16]) for r in rows[1:]] == [("TA01", 1), ("TA02", 2), ("TB01", 1)]
    assert rows[3][17].startswith("得分80，党委内排名1/1")
