"""A score sheet per branch of the shared tree, and helpers to issue and answer codes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import AssessmentRound, Campaign
from chuangyou.evaluations import services
from chuangyou.evaluations.models import DIMENSIONS, Audience, Code
from chuangyou.rubrics.services import rubric_create
from tests.rubrics.conftest import small_spec


@pytest.fixture
def sheets(tree):
    campaign = Campaign.objects.create(year=2026, name="2026年度争先创优活动", root=tree["county"])
    december = AssessmentRound.objects.create(
        campaign=campaign, kind="december", opens=date(2026, 12, 1), closes=date(2026, 12, 31)
    )
    rubric = rubric_create(actor=None, spec=small_spec(), publish=True)
    return {
        key: ScoreSheet.objects.create(round=december, organization=tree[key], rubric=rubric)
        for key in ("a1", "a2", "b1")
    }


@pytest.fixture
def sheet(sheets):
    return sheets["a1"]


@pytest.fixture
def closes_at():
    return timezone.now() + timedelta(days=7)


def issue(sheet, actor=None, members=11, public=2, closes_at=None):
    return services.evaluation_issue(
        actor=actor,
        sheet=sheet,
        members=members,
        public=public,
        closes_at=closes_at or timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def evaluation(personas, sheet):
    return issue(sheet, personas["branch_secretary"])


def codes_of(evaluation, audience=Audience.MEMBER):
    return list(Code.objects.filter(evaluation=evaluation, audience=audience).values_list("code", flat=True))


def answer(code, overall="满意", **dimensions):
    """Answer with `overall` for every question unless a dimension is given."""
    given = {field: dimensions.get(field, overall) for field, _ in DIMENSIONS}
    return services.answer_submit(code_text=code, overall=overall, dimensions=given)
