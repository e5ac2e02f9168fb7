"""Whether a set of final grades keeps the quotas a grading run was computed under.

A grading run stores its quota limits (`limits_to_dict`); a later change of one grade (a county
override) is allowed only when `breaches` finds nothing. Plain data in and out, so the limits survive
in a JSON column and the check needs no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chuangyou.rules.grading import GradingSummary


@dataclass(frozen=True)
class QuotaLimits:
    quotas: Mapping[str, int]  # grade -> at most this many branches
    floor_grades: tuple[str, ...] = ()
    floor_minimum: int = 0
    floor_label: str = ""
    seats: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # township -> grade -> seats


def limits_of(summary: GradingSummary) -> QuotaLimits:
    floor = summary.floor
    return QuotaLimits(
        quotas={q.grade: q.limit for q in summary.quotas},
        floor_grades=floor.grades if floor else (),
        floor_minimum=floor.minimum if floor else 0,
        floor_label=floor.label if floor else "",
        seats={t.township: dict(t.seats) for t in summary.apportionment},
    )


def limits_to_dict(limits: QuotaLimits) -> dict:
    return {
        "quotas": dict(limits.quotas),
        "floor": {
            "grades": list(limits.floor_grades),
            "minimum": limits.floor_minimum,
            "label": limits.floor_label,
        }
        if limits.floor_grades
        else None,
        "seats": {t: dict(s) for t, s in limits.seats.items()},
    }


def limits_from_dict(data: Mapping) -> QuotaLimits:
    floor = data.get("floor") or {}
    return QuotaLimits(
        quotas={g: int(n) for g, n in data.get("quotas", {}).items()},
        floor_grades=tuple(floor.get("grades", ())),
        floor_minimum=int(floor.get("minimum", 0)),
        floor_label=floor.get("label", ""),
        seats={t: {g: int(n) for g, n in s.items()} for t, s in data.get("seats", {}).items()},
    )


Counts = Mapping[tuple[str, str], int]  # (township, grade) -> branches


def overruns(limits: QuotaLimits, counts: Counts) -> dict[tuple[str, ...], tuple[int, str]]:
    """Each broken quota → (by how many branches, the message in Chinese)."""
    by_grade: Counter[str] = Counter()
    for (_, grade), n in counts.items():
        by_grade[grade] += n
    found: dict[tuple[str, ...], tuple[int, str]] = {}
    for grade, limit in limits.quotas.items():
        if by_grade[grade] > limit:
            found[(grade,)] = (by_grade[grade] - limit, f"{grade}将有{by_grade[grade]}个，超过名额{limit}个")
    for township, seats in sorted(limits.seats.items()):
        for grade, n in seats.items():
            used = counts.get((township, grade), 0)
            if used > n:
                found[(township, grade)] = (used - n, f"{township}的{grade}将有{used}个，超过该党委名额{n}个")
    if limits.floor_grades:
        floor = sum(by_grade[g] for g in limits.floor_grades)
        if floor < limits.floor_minimum:
            found[("floor",)] = (
                limits.floor_minimum - floor,
                f"{limits.floor_label}将只有{floor}个，少于最低比例要求的{limits.floor_minimum}个",
            )
    return found


def breaches(limits: QuotaLimits, finals: Iterable[tuple[str, str]]) -> list[str]:
    """Every quota the final grades break, in Chinese; `finals` are (township, grade) per branch."""
    return [message for _, message in overruns(limits, Counter(finals)).values()]


def worsened(limits: QuotaLimits, before: Counts, after: Counts) -> list[str]:
    """The quotas a change breaks, or breaks further: a change that only eases a breach (left by an
    earlier allowed override) is not refused for it."""
    was = overruns(limits, before)
    return [
        message
        for key, (excess, message) in overruns(limits, after).items()
        if excess > was.get(key, (0,))[0]
    ]


def notice_breaches(
    limits: QuotaLimits, noticed: Counts, adding: Iterable[tuple[str, str, str]]
) -> list[str]:
    """The quotas a notice would break on top of what the campaign's notices list already.

    `noticed` counts the grades on the campaign's notices (withdrawn entries left out); `adding` are
    the new entries as (name, township, grade), best ranked first. Each message names the grade, its
    limit and the organizations over it. The floor is not checked: a notice may cover part of the
    campaign only."""
    adding = list(adding)
    by_grade: Counter[str] = Counter()
    for (_, grade), n in noticed.items():
        by_grade[grade] += n
    messages = []

    def check(where: str, limit: int, used: int, names: list[str]) -> None:
        free = max(0, limit - used)
        if len(names) > free:
            messages.append(
                f"{where}名额{limit}个，已列入公示{used}个，再列入{len(names)}个将超出："
                + "、".join(names[free:])
            )

    for grade, limit in limits.quotas.items():
        check(grade, limit, by_grade[grade], [name for name, _, g in adding if g == grade])
    for township, seats in sorted(limits.seats.items()):
        for grade, n in seats.items():
            names = [name for name, t, g in adding if t == township and g == grade]
            check(f"{township}的{grade}", n, noticed.get((township, grade), 0), names)
    return messages
