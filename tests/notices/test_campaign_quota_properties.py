"""Property: whatever the order of reviews, runs, supplementary notices and upheld objections, what a
campaign's notices list never exceeds its quotas, county-wide and per township (hypothesis, against
the database; each example is rolled back).

An upheld objection is applied by its effect (the entry withdrawn, the sheet reviewed again with a new
score); the objection path itself is tested in test_campaign_quotas.py.
"""

from collections import Counter

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangyou.assessments.models import ScoreSheet, SheetState
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.grading.models import RunState
from chuangyou.notices import services as notices
from chuangyou.notices.models import NoticeEntry
from chuangyou.orgs.models import Organization
from tests.grading.test_grading_properties import _Rollback, build, hundredths
from tests.notices.conftest import STARTS

branch = st.tuples(
    st.integers(min_value=0, max_value=2),  # township
    hundredths,
    st.one_of(st.none(), hundredths),
    st.just(""),
    st.sampled_from(["", "", "", "", "", "", "书记长期缺职"]),
)
step = st.one_of(
    st.just(("review",)),
    st.just(("grade",)),
    st.tuples(st.just("uphold"), st.integers(min_value=0, max_value=99), hundredths),
)
examples = st.fixed_dictionaries(
    {
        "townships": st.integers(min_value=1, max_value=3),
        # Scores from 80 up, so that many branches compete for 优秀 and 良好.
        "branches": st.lists(branch.map(lambda b: (b[0], 80 + b[1] / 5, *b[2:])), min_size=2, max_size=30),
        "batches": st.integers(min_value=1, max_value=3),
        "scope": st.sampled_from(["county", "township"]),
        "base": st.sampled_from(["participants", "graded"]),
        "steps": st.lists(step, min_size=1, max_size=8),
    }
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(examples)
def test_the_notices_of_a_campaign_never_exceed_its_quotas(december, campaign, personas, example):
    try:
        with transaction.atomic():
            play(december, campaign, personas["county_admin"], example)
            raise _Rollback
    except _Rollback:
        pass
    assert not Organization.objects.filter(code__startswith="P").exists()


def play(december, campaign, admin, example):
    codes = sorted(build(december, example["townships"], example["branches"]))
    sheets = ScoreSheet.objects.filter(round=december, organization__code__in=codes)
    sheets.update(state=SheetState.SUBMITTED)
    batches = [codes[i :: example["batches"]] for i in range(example["batches"])]
    Campaign.objects.filter(pk=campaign.pk).update(
        quota_scope=example["scope"], quota_base=example["base"], allow_quota_override=False
    )
    for action, *args in [("review",), *example["steps"], ("grade",)]:
        if action == "review" and batches:
            sheets.filter(organization__code__in=batches.pop(0)).update(state=SheetState.REVIEWED)
        elif action == "grade":
            grade_and_notice(campaign, admin)
        elif action == "uphold":
            uphold(december, campaign, *args)


def grade_and_notice(campaign, admin):
    run = grading.run_start(actor=admin, campaign=campaign)
    assert run.state == RunState.DONE, run.error
    try:
        run = grading.run_submit(actor=admin, run=run)
        notices.notice_create(
            actor=admin, run=run, organization=campaign.root, channel="website", starts=STARTS, days=5
        )
    except (grading.GradingError, notices.NoticeError) as refused:  # nothing new to publish
        assert "没有新的待公示组织" in str(refused) or "均已列入公示" in str(refused), refused
        return
    limits = run.summary["limits"]
    entries = NoticeEntry.objects.filter(batch__campaign=campaign, withdrawn=False)
    by_grade = Counter(entries.values_list("grade", flat=True))
    for grade, limit in limits["quotas"].items():
        assert by_grade[grade] <= limit, (grade, by_grade, limits)
    by_town = Counter(entries.values_list("township", "grade"))
    for town, seats in limits["seats"].items():
        for grade, limit in seats.items():
            assert by_town[(town, grade)] <= limit, (town, grade, by_town, limits)


def uphold(december, campaign, index, score):
    """An upheld objection's effect: the entry off its notice, the sheet reviewed again."""
    entries = list(NoticeEntry.objects.filter(batch__campaign=campaign, withdrawn=False).order_by("pk"))
    if not entries:
        return
    entry = entries[index % len(entries)]
    NoticeEntry.objects.filter(pk=entry.pk).update(withdrawn=True)
    ScoreSheet.objects.filter(round=december, organization=entry.organization_id).update(
        state=SheetState.REVIEWED, final_total=80 + score / 5
    )
