"""Democratic evaluation (民主测评) tallies.

Answers are 满意 / 基本满意 / 不满意 / 不了解; 不了解 is an answer but not a valid vote. Rates are
percentages as Decimal rounded half up to `places` decimals (what a county prints); comparisons
against a gate should use `BallotResult.satisfaction_at_least`, which is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SATISFIED = "满意"
BASICALLY_SATISFIED = "基本满意"
DISSATISFIED = "不满意"
UNKNOWN = "不了解"
CHOICES: tuple[str, ...] = (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED, UNKNOWN)


class BallotError(ValueError):
    """Ballot input that cannot be counted; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class BallotWeights:
    """Points per valid answer (山东2008 convention 100/75/55; some counties use 100/70/30)."""

    satisfied: Decimal = Decimal(100)
    basically_satisfied: Decimal = Decimal(75)
    dissatisfied: Decimal = Decimal(55)


DEFAULT_WEIGHTS = BallotWeights()


@dataclass(frozen=True)
class BallotTally:
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    unknown: int = 0

    def __post_init__(self) -> None:
        if min(self.satisfied, self.basically_satisfied, self.dissatisfied, self.unknown) < 0:
            raise BallotError("测评票数不能为负数")

    @property
    def valid(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def answered(self) -> int:
        return self.valid + self.unknown

    def __add__(self, other: BallotTally) -> BallotTally:
        return BallotTally(
            self.satisfied + other.satisfied,
            self.basically_satisfied + other.basically_satisfied,
            self.dissatisfied + other.dissatisfied,
            self.unknown + other.unknown,
        )


def tally(answers: Iterable[str]) -> BallotTally:
    """Count answers given as their Chinese labels."""
    counts = dict.fromkeys(CHOICES, 0)
    for answer in answers:
        key = answer.strip()
        if key not in counts:
            raise BallotError(f"无效的测评选项“{answer}”，应为 满意、基本满意、不满意 或 不了解")
        counts[key] += 1
    return BallotTally(counts[SATISFIED], counts[BASICALLY_SATISFIED], counts[DISSATISFIED], counts[UNKNOWN])


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Exact half-up rounding of a non-negative fraction (no intermediate float or 28-digit step)."""
    scaled = value * 10**places
    whole = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(whole).scaleb(-places)


def _percent(part: int, whole: int, places: int) -> Decimal | None:
    return None if whole == 0 else _round_half_up(Fraction(part * 100, whole), places)


@dataclass(frozen=True)
class BallotResult:
    tally: BallotTally
    issued: int
    satisfaction_rate: Decimal | None  # (满意+基本满意)/有效票, percent; None without valid votes
    satisfied_rate: Decimal | None  # 满意/有效票, percent
    weighted_score: Decimal | None  # Σ weight·votes / 有效票
    valid: bool  # the round counts (quorum met, no more answers than codes)
    validity_reason: str

    def satisfaction_at_least(self, percent: Decimal) -> bool | None:
        """Exact comparison with a gate such as 90 %; None when there are no valid votes."""
        if self.tally.valid == 0:
            return None
        favourable = self.tally.satisfied + self.tally.basically_satisfied
        return Fraction(favourable * 100, self.tally.valid) >= Fraction(percent)


def round_validity(answered: int, issued: int) -> tuple[bool, str]:
    """A round is valid only if answers exceed half of the codes issued and never exceed them."""
    if issued <= 0:
        return False, "未发放测评码，测评无效"
    if answered > issued:
        return False, f"收回{answered}份，多于发放的{issued}份，测评无效"
    if answered * 2 <= issued:
        return False, f"发放{issued}份，收回{answered}份，未超过半数，测评无效"
    return True, f"发放{issued}份，收回{answered}份，超过半数，测评有效"


def evaluate_round(
    counts: BallotTally, issued: int, weights: BallotWeights = DEFAULT_WEIGHTS, *, places: int = 2
) -> BallotResult:
    """Rates and validity of one evaluation round."""
    valid, reason = round_validity(counts.answered, issued)
    favourable = counts.satisfied + counts.basically_satisfied
    weighted = None
    if counts.valid:
        total = (
            weights.satisfied * counts.satisfied
            + weights.basically_satisfied * counts.basically_satisfied
            + weights.dissatisfied * counts.dissatisfied
        )
        weighted = _round_half_up(Fraction(total) / counts.valid, places)
    return BallotResult(
        tally=counts,
        issued=issued,
        satisfaction_rate=_percent(favourable, counts.valid, places),
        satisfied_rate=_percent(counts.satisfied, counts.valid, places),
        weighted_score=weighted,
        valid=valid,
        validity_reason=reason,
    )
