"""The whole service path once: submitted → reviewed → re-checked → graded → overridden → submitted."""

from decimal import Decimal

import pytest

from chuangyou.assessments.models import SheetState
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from tests.conftest import review_fully


def test_review_then_grade(reviewed, personas, campaign):
    admin = personas["county_admin"]
    for sheet in reviewed.values():
        assert sheet.state == SheetState.REVIEWED
        assert sheet.final_total == Decimal(7)  # 10 - 1 (摸底) - 1 (三会一课 3 of 4) - 2 × 0.5 (主题党日)
    review_fully(reviewed["a1"], admin, kind="county", missed_days=0)
    reviewed["a1"].refresh_from_db()
    assert reviewed["a1"].state == SheetState.RECHECKED
    assert reviewed["a1"].final_total == Decimal(8)
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.state == RunState.DONE, run.error
    results = {r.code: r for r in run.results.all()}
    assert set(results) == {"TA01", "TA02", "TB01"}
    assert results["TA01"].county_rank == 1
    with pytest.raises(grading.GradingError):
        grading.result_override(actor=admin, result=results["TA02"], grade="优秀", reason="")
    grading.run_submit(actor=admin, run=run)
