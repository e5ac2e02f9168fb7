"""A grading run submitted for public notice, and notices over it (for the service and page tests).

The run grades 15 branches: the shared tree's three, reviewed through the real workflow (so an upheld
objection has a township review to reopen) and then given chosen grading inputs, and twelve more
added under 甲镇 and 乙街道 in turn. With 15 branches 优秀 ≤ ⌊7·15/100⌋ = 1 and 良好 ≤ round(1.5) = 2:

    TA01 95 → 优秀, TA02 85 and TB01 82 → 良好, X0000…X0010 60…70 → 一般, X0011 (软弱涣散情形) → 软弱涣散

Page tests import what they need: `from tests.notices.conftest import submitted_run, ...`.
"""

import datetime as dt
from decimal import Decimal

import pytest

from chuangyou.accounts.models import Role
from chuangyou.assessments.models import ScoreSheet
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from chuangyou.notices import services as notices
from tests.conftest import make_user
from tests.grading.conftest import add_branches, set_inputs

# A county-wide notice from Monday 14 to Friday 18 December 2026 (five working days).
STARTS = dt.date(2026, 12, 14)
ENDS = dt.date(2026, 12, 18)
IN_PERIOD = dt.date(2026, 12, 15)
AFTER = dt.date(2026, 12, 19)
EXTRA = 12
GRADES = {
    "TA01": "优秀",
    "TA02": "良好",
    "TB01": "良好",
    **{f"X{i:04d}": "一般" for i in range(EXTRA - 1)},
    f"X{EXTRA - 1:04d}": "软弱涣散",
}


def extra_inputs(i):
    if i == EXTRA - 1:
        return {"final_total": Decimal(75), "final_weak": "书记长期缺职"}
    return {"final_total": Decimal(60 + i)}


@pytest.fixture
def graded_run(reviewed, december, tree, personas, campaign):
    """A finished run over the 15 branches, not yet submitted for notice."""
    set_inputs(december, "TA01", "95", "98")
    set_inputs(december, "TA02", "85", "90")
    set_inputs(december, "TB01", "82")
    ScoreSheet.objects.filter(round=december, organization__code="TA01").update(applied_grade="优秀")
    add_branches(tree, december, EXTRA, extra_inputs)
    run = grading.run_start(actor=personas["county_admin"], campaign=campaign)
    assert run.state == RunState.DONE, run.error
    assert {r.code: r.final_grade for r in run.results.all()} == GRADES
    return run


@pytest.fixture
def submitted_run(graded_run, personas):
    """The finished run, submitted for public notice (提交公示)."""
    return grading.run_submit(actor=personas["county_admin"], run=graded_run)


@pytest.fixture
def other_reviewer(tree):
    """A township reviewer of 乙街道 (the shared personas' reviewer is 甲镇's)."""
    return make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"])


def create_notice(run, actor, organization, starts=STARTS, days=5, **extra):
    return notices.notice_create(
        actor=actor, run=run, organization=organization, channel="website", starts=starts, days=days, **extra
    )


@pytest.fixture
def draft_notice(submitted_run, personas, tree):
    """A county-wide draft notice, 14–18 December 2026."""
    return create_notice(submitted_run, personas["county_admin"], tree["county"])


@pytest.fixture
def published_notice(draft_notice, personas):
    return notices.notice_publish(actor=personas["county_admin"], batch=draft_notice)


@pytest.fixture
def ended_notice(published_notice):
    (ended,) = notices.notices_end(AFTER)
    return ended


def entry_of(batch, code):
    return batch.entries.select_related("batch", "organization").get(organization__code=code)


def object_to(
    entry, content="该支部“三会一课”记录系补写，与实际不符", name="", phone="", address="203.0.113.7"
):
    """An objection filed by the public (today must be within the notice period)."""
    return notices.objection_submit(entry=entry, content=content, name=name, phone=phone, address=address)
