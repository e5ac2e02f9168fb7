"""A submitted-looking December score sheet of 甲一村党支部, built directly with the ORM."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import AssessmentRound, Campaign, RoundKind
from chuangyou.rubrics import services as rubric_services
from tests.rubrics.conftest import small_spec

ACHIEVEMENTS = "1. 建成村级党群服务中心。\n2. 发展集体经济，年收入12万元。"
SELF_EVALUATION = "对照标准逐项自查，基本达到优秀党支部要求。"


@pytest.fixture
def rubric(db):
    return rubric_services.rubric_create(actor=None, spec=small_spec(), publish=True)


@pytest.fixture
def december(tree):
    campaign = Campaign.objects.create(year=2026, name="2026年争先创优活动", root=tree["county"])
    return AssessmentRound.objects.create(
        campaign=campaign, kind=RoundKind.DECEMBER, opens=dt.date(2026, 12, 1), closes=dt.date(2026, 12, 20)
    )


@pytest.fixture
def sheet(tree, december, rubric):
    org = tree["a1"]
    org.founded = dt.date(2019, 5, 4)
    org.save()
    return ScoreSheet.objects.create(
        round=december,
        organization=org,
        rubric=rubric,
        total=Decimal("8.5"),
        subtotals={"党的组织设置": "3.50", "党内组织生活": "5"},
        applied_grade="优秀",
        achievements=ACHIEVEMENTS,
        self_evaluation=SELF_EVALUATION,
        submitted_at=dt.datetime(2026, 12, 5, 18, 30, tzinfo=dt.UTC),
    )


@pytest.fixture
def other_sheet(tree, december, rubric):
    """A sheet of 乙社区党支部 (another township)."""
    return ScoreSheet.objects.create(round=december, organization=tree["b1"], rubric=rubric, total=Decimal(7))
