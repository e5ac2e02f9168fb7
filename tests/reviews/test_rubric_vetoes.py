"""The reviewer ticks 一票否决 situations from the sheet's own rubric; the grade is capped at what the
rubric says, and a situation whose grade the campaign's scheme does not have is refused."""

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import Campaign
from chuangyou.grading import services as grading
from chuangyou.reviews import services as reviews
from chuangyou.rubrics.models import Veto
from tests.reviews.test_review_services import details, score_all


@pytest.fixture
def started(submitted, personas):
    return reviews.review_start(actor=personas["township_reviewer"], sheet=submitted["a1"])


def test_the_review_page_offers_the_rubrics_vetoes_with_their_caps(client_for, started):
    page = (
        client_for("township_reviewer")
        .get(reverse("reviews:detail", args=[started.sheet_id]))
        .content.decode()
    )
    assert 'data-testid="review-vetoes"' in page and "班子成员受到党纪处分（最高评为一般）" in page
    assert 'name="veto"' not in page  # no free text


def test_a_ticked_veto_caps_at_the_rubrics_grade(started, personas, campaign):
    town = personas["township_reviewer"]
    score_all(started, town)
    details(started, town, veto="班子成员受到党纪处分")
    reviews.review_finish(actor=town, review=started)
    sheet = ScoreSheet.objects.get(pk=started.sheet_id)
    assert (sheet.final_veto, sheet.final_veto_cap) == ("班子成员受到党纪处分", "一般")
    run = grading.run_start(actor=personas["county_admin"], campaign=campaign)
    result = run.results.get(code="TA01")
    assert result.veto_cap == "一般"  # (its score of 8 is below any line anyway)
    assert result.reason.startswith("一票否决（班子成员受到党纪处分），最高评为一般")


def test_a_veto_whose_grade_the_scheme_lacks_is_refused(started, personas, campaign):
    Veto.objects.filter(text="班子成员受到党纪处分").update(max_grade="较差")  # a grade of jiguan2012 only
    town = personas["township_reviewer"]
    with pytest.raises(reviews.SheetError) as refused:
        details(started, town, veto="班子成员受到党纪处分")
    assert refused.value.errors == [
        "一票否决情形“班子成员受到党纪处分”的最高等级“较差”不是该支部所用评定方案的等级"
        "（优秀、良好、一般、软弱涣散），请县委组织部调整评定标准或评定方案"
    ]
    Campaign.objects.filter(pk=campaign.pk).update(scheme="jiguan2012")
    saved = details(started, town, veto="班子成员受到党纪处分")
    assert saved.veto_cap == "较差"
