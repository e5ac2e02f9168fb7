"""The public pages: no login, phone-sized, polite about bad codes, no personal data."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangyou.evaluations.models import Answer, CodeUse, Evaluation
from tests.evaluations.conftest import codes_of

ALL_SATISFIED = {
    "overall": "satisfied",
    "leadership": "satisfied",
    "membership": "basically_satisfied",
    "mechanism": "satisfied",
    "performance": "dissatisfied",
    "reputation": "unknown",
}


def test_anyone_enters_a_code_by_hand(client, evaluation):
    code = codes_of(evaluation)[0]
    page = client.get(reverse("evaluations:answer"))
    assert page.status_code == 200 and "请输入测评卡上的8位测评码" in page.text
    response = client.get(reverse("evaluations:answer"), {"code": f" {code.lower()[:4]} {code[4:]}"})
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:answer", args=[code])
    wrong = client.get(reverse("evaluations:answer"), {"code": "ZZZZ9999"})
    assert wrong.status_code == 200 and "测评码不存在，请核对后重新输入" in wrong.text


def test_the_questionnaire_shows_the_branch_and_round_but_no_person(client, evaluation):
    code = codes_of(evaluation)[0]
    page = client.get(reverse("evaluations:answer", args=[code]))
    assert page.status_code == 200
    assert (
        "甲一村党支部" in page.text and "2026年12月自查" in page.text and "2026年度争先创优活动" in page.text
    )
    for question in ("总体评价", "领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"):
        assert question in page.text
    assert page.text.count('type="radio"') == 24
    assert "王建国" not in page.text and "13812341234" not in page.text and "1234" not in page.text
    assert 'name="viewport"' in page.text and "form-selectgroup" in page.text
    assert " style=" not in page.text and "<script>" not in page.text


def test_answering_stores_one_answer_and_thanks(client, evaluation):
    code = codes_of(evaluation)[0]
    response = client.post(reverse("evaluations:answer", args=[code]), ALL_SATISFIED)
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:thanks")
    assert "感谢您的参与" in client.get(response["Location"]).text
    stored = Answer.objects.get()
    assert (stored.overall, stored.performance, stored.reputation) == ("satisfied", "dissatisfied", "unknown")
    again = client.post(
        reverse("evaluations:answer", args=[code]), {**ALL_SATISFIED, "overall": "dissatisfied"}
    )
    assert again.status_code == 410 and "该测评码已使用，感谢您的参与" in again.text
    assert client.get(reverse("evaluations:answer", args=[code])).status_code == 410
    assert Answer.objects.count() == 1 and CodeUse.objects.count() == 1


def test_an_incomplete_form_is_shown_again_and_stores_nothing(client, evaluation):
    code = codes_of(evaluation)[0]
    response = client.post(
        reverse("evaluations:answer", args=[code]), {"overall": "satisfied", "leadership": "x"}
    )
    assert response.status_code == 200 and "请选择“党员队伍好”的评价" in response.text
    assert not Answer.objects.exists() and not CodeUse.objects.exists()


def test_unknown_and_expired_codes_get_a_friendly_page(client, evaluation):
    unknown = client.get(reverse("evaluations:answer", args=["NOPE"]))
    assert unknown.status_code == 404 and "测评码不存在" in unknown.text and "重新输入测评码" in unknown.text
    code = codes_of(evaluation)[0]
    Evaluation.objects.filter(pk=evaluation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(reverse("evaluations:answer", args=[code]))
    assert expired.status_code == 410 and "本次民主测评已结束" in expired.text
    posted = client.post(reverse("evaluations:answer", args=[code]), ALL_SATISFIED)
    assert posted.status_code == 410 and not Answer.objects.exists()


def test_a_signed_in_user_sees_the_same_public_page(client_for, evaluation):
    page = client_for("township_reviewer").get(reverse("evaluations:answer", args=[codes_of(evaluation)[0]]))
    assert page.status_code == 200 and "p_town" not in page.text


# --- guessing codes: look-ups limited per address ---------------------------------------------------


def guess_ten_times(client):
    for n in range(10):
        wrong = client.get(reverse("evaluations:answer"), {"code": f"ZZZZ{n + 2:04d}"})
        assert wrong.status_code == 200 and "测评码不存在" in wrong.text


def test_after_ten_wrong_codes_the_address_is_refused_even_a_right_code(client, evaluation):
    code = codes_of(evaluation)[0]
    guess_ten_times(client)
    typed = client.get(reverse("evaluations:answer"), {"code": code})
    assert typed.status_code == 429 and "查询过于频繁，请15分钟后再试" in typed.text
    scanned = client.get(reverse("evaluations:answer", args=[code]))
    assert scanned.status_code == 429 and "查询过于频繁，请15分钟后再试" in scanned.text
    for page in (typed, scanned):
        assert "甲一村党支部" not in page.text and "测评码不存在" not in page.text
    posted = Client().post(reverse("evaluations:answer", args=[code]), ALL_SATISFIED)
    assert posted.status_code == 429 and not Answer.objects.exists()
    # Another address is not concerned.
    other = Client(REMOTE_ADDR="198.51.100.5").get(reverse("evaluations:answer", args=[code]))
    assert other.status_code == 200


def test_a_voter_with_the_questionnaire_open_is_not_stopped_by_guessing_nearby(client, evaluation):
    first, second = codes_of(evaluation)[:2]
    assert client.get(reverse("evaluations:answer"), {"code": first}).status_code == 302
    scanned = Client()  # a second phone behind the same address, by its QR code
    assert scanned.get(reverse("evaluations:answer", args=[second])).status_code == 200
    guess_ten_times(Client())  # someone else on the same network
    assert client.get(reverse("evaluations:answer", args=[first])).status_code == 200
    answered = client.post(reverse("evaluations:answer", args=[first]), ALL_SATISFIED)
    assert answered.status_code == 302 and Answer.objects.count() == 1
    assert scanned.post(reverse("evaluations:answer", args=[second]), ALL_SATISFIED).status_code == 302
    assert Answer.objects.count() == 2
    # Going back to the used code is no new look-up either.
    assert client.get(reverse("evaluations:answer", args=[first])).status_code == 410


def test_used_and_closed_codes_are_not_counted_as_guesses(client, evaluation):
    code = codes_of(evaluation)[0]
    assert Client().post(reverse("evaluations:answer", args=[code]), ALL_SATISFIED).status_code == 302
    for _ in range(12):
        assert Client().get(reverse("evaluations:answer", args=[code])).status_code == 410
