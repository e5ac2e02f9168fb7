"""The campaign the save benchmarks work on, and the check that every save is there exactly once.

`build` makes a county with branch sheets on one rubric (every item: one rule, "未开展扣1分"), an open
December round and, with `secretaries=True`, each branch's own secretary (username `secretary-<n>`,
password `PASSWORD`) to sign in through the login page. `check` counts after the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PASSWORD = "Bench@2026pass"  # noqa: S105 - scratch database, dropped after the run


@dataclass
class Fixture:
    admin: object
    sheets: list  # ScoreSheet, in branch order
    items: list  # rubric Item, in id order
    secretaries: dict  # sheet pk -> username of its branch's secretary (empty unless asked for)


@dataclass
class Check:
    expected: int
    audit_expected: int
    entries: int
    distinct: int
    audit_events: int
    wrong_totals: list

    @property
    def ok(self) -> bool:
        same = self.entries == self.distinct == self.expected
        return same and self.audit_events == self.audit_expected and not self.wrong_totals

    def line(self) -> str:
        return (
            f"entries stored {self.entries} (expected {self.expected}), distinct {self.distinct}, "
            f"audit events {self.audit_events} (expected {self.audit_expected}), "
            f"sheets with a wrong total {len(self.wrong_totals)}"
        )


def build(branches: int, items: int, secretaries: bool = False) -> Fixture:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chuangyou.accounts.models import Role, RoleAssignment
    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.campaigns import services as campaigns
    from chuangyou.orgs.models import Kind, Organization
    from chuangyou.rubrics import services as rubrics
    from chuangyou.rubrics.models import Item
    from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec

    users = get_user_model().objects
    county = Organization.objects.add_root({"code": "B", "name": "基准县委", "kind": Kind.COUNTY})
    names: dict[int, str] = {}
    for n in range(branches):
        branch = Organization.objects.add_child(
            Organization.objects.get(pk=county.pk),
            {
                "code": f"B{n:03d}",
                "name": f"第{n}党支部",
                "kind": Kind.BRANCH,
                "domain": "village",
                "full_members": 9,
            },
        )
        if secretaries:
            user = users.create_user(f"secretary-{n}", password=PASSWORD)
            RoleAssignment.objects.create(user=user, role=Role.BRANCH_SECRETARY, organization=branch)
            names[branch.pk] = user.username
    per_category = items // 4
    spec = RubricSpec(
        code="bench",
        name="基准评定标准",
        total=Decimal(items),
        domains=("village",),
        categories=tuple(
            CategorySpec(
                f"类型{c}",
                Decimal(per_category),
                tuple(ItemSpec(f"项目{c}-{i}", Decimal(1), (), "未开展扣1分") for i in range(per_category)),
            )
            for c in range(4)
        ),
    )
    rubric = rubrics.rubric_create(actor=None, spec=spec, publish=True)
    rubrics.domain_bind(actor=None, domain="village", rubric=rubric)
    admin = users.create_user("bench-admin", password=PASSWORD)
    RoleAssignment.objects.create(user=admin, role=Role.COUNTY_ADMIN, organization=county)
    today = timezone.localdate()
    campaign = campaigns.campaign_create(
        actor=admin,
        year=today.year,
        name="基准",
        root=county,
        scheme="seed2020",
        graded_round="december",
        phases={},
    )
    campaigns.round_open(actor=admin, campaign=campaign, kind="december", opens=today, closes=today)
    sheets = list(ScoreSheet.objects.order_by("organization__path"))
    return Fixture(
        admin=admin,
        sheets=sheets,
        items=list(Item.objects.filter(category__rubric=rubric).order_by("pk")),
        secretaries={s.pk: names[s.organization_id] for s in sheets} if secretaries else {},
    )


def jobs_for(sheets: list, items: list, saves: int, per_sheet: int = 1) -> list[tuple]:
    """`saves` (sheet, item) pairs, each once: runs of `per_sheet` consecutive jobs on one sheet, the
    runs round-robin over the sheets, so `per_sheet` threads at a time contend for a sheet's lock."""
    if saves > len(sheets) * (len(items) // per_sheet * per_sheet):
        raise SystemExit(f"{saves} saves do not fit on {len(sheets)} sheets of {len(items)} items")
    runs = [(n // per_sheet, n % per_sheet) for n in range(saves)]  # (run, place in it)
    return [
        (sheets[run % len(sheets)], items[(run // len(sheets)) * per_sheet + place]) for run, place in runs
    ]


def check(expected: int, audit_expected: int | None = None) -> Check:
    """After the runs: every save stored once, one audit event per save (`audit_expected`, when
    some saves changed an entry again), every sheet's total and count of items done equal to its
    entries'."""
    from chuangyou.assessments.models import Entry, ScoreSheet
    from chuangyou.audit.models import AuditEvent

    wrong = [
        s.pk
        for s in ScoreSheet.objects.prefetch_related("entries")
        if s.total != sum((e.result for e in s.entries.all()), Decimal(0))
        or s.items_done != len(s.entries.all())
    ]
    return Check(
        expected=expected,
        audit_expected=expected if audit_expected is None else audit_expected,
        entries=Entry.objects.count(),
        distinct=Entry.objects.values("sheet", "item").distinct().count(),
        audit_events=AuditEvent.objects.filter(verb="sheet.entry_save").count(),
        wrong_totals=wrong,
    )
