"""Democratic evaluation tallies (SPEC §6, research/domain-rules.md §6)."""

from decimal import Decimal

import pytest

from chuangyou.rules.ballots import (
    BallotError,
    BallotTally,
    BallotWeights,
    evaluate_round,
    round_validity,
    tally,
)


def test_it_counts_answers_and_excludes_unknown_from_valid_votes():
    counts = tally(["满意", "满意", "基本满意", "不满意", "不了解", " 满意 "])
    assert counts == BallotTally(satisfied=3, basically_satisfied=1, dissatisfied=1, unknown=1)
    assert counts.valid == 5 and counts.answered == 6


def test_an_unknown_option_is_refused_in_chinese():
    with pytest.raises(BallotError, match="无效的测评选项“很好”"):
        tally(["满意", "很好"])


@pytest.mark.parametrize(
    ("counts", "issued", "rate", "satisfied", "weighted"),
    [
        (BallotTally(8, 1, 1, 0), 12, "90.00", "80.00", "93.00"),  # (8·100 + 75 + 55) / 10
        (BallotTally(2, 1, 0, 0), 5, "100.00", "66.67", "91.67"),
        (BallotTally(1, 0, 1, 0), 3, "50.00", "50.00", "77.50"),
        (BallotTally(0, 0, 3, 1), 5, "0.00", "0.00", "55.00"),
    ],
)
def test_rates_and_weighted_score(counts, issued, rate, satisfied, weighted):
    result = evaluate_round(counts, issued)
    assert result.satisfaction_rate == Decimal(rate)
    assert result.satisfied_rate == Decimal(satisfied)
    assert result.weighted_score == Decimal(weighted)


def test_weights_are_configurable():
    result = evaluate_round(
        BallotTally(1, 1, 1, 5), 10, BallotWeights(Decimal(100), Decimal(70), Decimal(30))
    )
    assert result.weighted_score == Decimal("66.67")


def test_rates_round_half_up_exactly():
    assert evaluate_round(BallotTally(1, 0, 7, 0), 8).satisfaction_rate == Decimal("12.50")
    assert evaluate_round(BallotTally(1, 0, 7, 0), 8, places=0).satisfaction_rate == Decimal("13")
    assert evaluate_round(BallotTally(1, 0, 2, 0), 3, places=1).satisfied_rate == Decimal("33.3")


def test_gate_comparisons_are_exact():
    just_below = evaluate_round(BallotTally(8999, 0, 1001, 0), 10000)
    assert just_below.satisfaction_rate == Decimal("89.99")
    assert just_below.satisfaction_at_least(Decimal(90)) is False
    rounds_up = evaluate_round(BallotTally(89999, 0, 10001, 0), 100000)
    assert rounds_up.satisfaction_rate == Decimal("90.00")  # what a county prints …
    assert rounds_up.satisfaction_at_least(Decimal(90)) is False  # … but the gate is not met
    assert evaluate_round(BallotTally(9, 0, 1, 0), 10).satisfaction_at_least(Decimal(90)) is True


def test_a_round_without_valid_votes_gives_no_rates():
    result = evaluate_round(BallotTally(0, 0, 0, 4), 6)
    assert (
        result.satisfaction_rate is None and result.satisfied_rate is None and result.weighted_score is None
    )
    assert result.satisfaction_at_least(Decimal(90)) is None
    assert result.valid  # 4 of 6 answered
    empty = evaluate_round(BallotTally(), 0)
    assert not empty.valid and empty.satisfaction_rate is None


@pytest.mark.parametrize(
    ("answered", "issued", "valid", "reason"),
    [
        (6, 10, True, "超过半数，测评有效"),
        (5, 10, False, "未超过半数"),
        (6, 11, True, "超过半数"),
        (5, 11, False, "未超过半数"),
        (10, 10, True, "超过半数"),
        (11, 10, False, "多于发放的10份"),
        (0, 0, False, "未发放测评码"),
    ],
)
def test_validity_needs_more_than_half_and_never_more_than_issued(answered, issued, valid, reason):
    ok, text = round_validity(answered, issued)
    assert ok is valid
    assert reason in text


def test_negative_counts_are_refused():
    with pytest.raises(BallotError):
        BallotTally(satisfied=-1)
