"""A grading run over a province-sized campaign, end to end through the service, against PostgreSQL.

    .venv/bin/python benchmarks/bench_grading_run.py [--branches 200000] [--townships 40] [--scope county]

Creates a scratch database on 127.0.0.1:5432 and fills it fast (COPY, no model instances): a county
with `--townships` townships and `--branches` branches under them, a December round whose sheets are
all reviewed (final score 50–100, a satisfaction rate for most, a few vetoes and 软弱涣散 flags).
Then times `grading.services.run_start` inline (GRADING_INLINE_MAX set above the branch count),
split into its three parts — load (`load_inputs`), grade (`grade_in_groups`), write (`_write_results`)
— and, for comparison, the bare SQL aggregate over the same sheets. Prints seconds and ratios; exits
non-zero when the run takes 30 s or more or does not finish with every branch graded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from decimal import Decimal

from scratch_pg import ScratchDatabase

TARGET_SECONDS = 30.0
ORG_FIELDS = (
    "path",
    "depth",
    "numchild",
    "code",
    "name",
    "kind",
    "domain",
    "full_members",
    "probationary_members",
    "secretary_name",
    "secretary_phone",
    "founded",
    "status",
    "version",
    "updated_at",
)
SHEET_FIELDS = (
    "round_id",
    "organization_id",
    "rubric_id",
    "state",
    "version",
    "total",
    "subtotals",
    "items_done",
    "items_total",
    "applied_grade",
    "achievements",
    "self_evaluation",
    "return_reason",
    "submitted_at",
    "final_total",
    "final_subtotals",
    "final_satisfaction",
    "final_veto",
    "final_veto_cap",
    "final_weak",
    "updated_at",
)


def build(branches: int, townships: int, scope: str, seed: int = 2026):
    """The county, its townships and branches, a campaign and a December round of reviewed sheets."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from chuangyou.accounts.models import Role, RoleAssignment
    from chuangyou.assessments.models import ScoreSheet, SheetState
    from chuangyou.campaigns import services as campaigns
    from chuangyou.campaigns.models import AssessmentRound
    from chuangyou.lib.bulk_sql import copy_rows
    from chuangyou.orgs.models import Domain, Kind, Organization, Status
    from chuangyou.rubrics import services as rubrics
    from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec

    rnd = random.Random(seed)
    now = timezone.now()
    county = Organization.objects.add_root({"code": "C", "name": "基准县委", "kind": Kind.COUNTY})
    per_town = [branches // townships + (1 if t < branches % townships else 0) for t in range(townships)]
    towns = [
        (
            Organization._get_path(county.path, 2, t + 1),
            2,
            per_town[t],
            f"C{t:03d}",
            f"第{t}乡镇党委",
            Kind.TOWNSHIP.value,
            "",
            0,
            0,
            "",
            "",
            None,
            Status.ACTIVE.value,
            1,
            now,
        )
        for t in range(townships)
    ]

    def branch_rows():
        for t, (town_path, *_) in enumerate(towns):
            for b in range(per_town[t]):
                yield (
                    Organization._get_path(town_path, 3, b + 1),
                    3,
                    0,
                    f"C{t:03d}B{b:05d}",
                    f"第{t}乡镇第{b}党支部",
                    Kind.BRANCH.value,
                    Domain.VILLAGE.value,
                    rnd.randrange(3, 49),
                    rnd.randrange(0, 4),
                    "王建国",
                    f"13{rnd.randrange(10**9):09d}",
                    None,
                    Status.ACTIVE.value,
                    1,
                    now,
                )

    with transaction.atomic():
        copy_rows(Organization, ORG_FIELDS, towns)
        copy_rows(Organization, ORG_FIELDS, branch_rows())
        Organization.objects.filter(pk=county.pk).update(numchild=townships)

    spec = RubricSpec(
        code="bench",
        name="基准评定标准",
        total=Decimal(100),
        domains=("village",),
        categories=tuple(
            CategorySpec(f"类型{c}", Decimal(25), (ItemSpec(f"项目{c}", Decimal(25), (), "未开展扣5分"),))
            for c in range(4)
        ),
    )
    rubric = rubrics.rubric_create(actor=None, spec=spec, publish=True)
    rubrics.domain_bind(actor=None, domain="village", rubric=rubric)
    admin = get_user_model().objects.create_user("bench-admin", password="x")  # noqa: S106 - scratch database
    RoleAssignment.objects.create(user=admin, role=Role.COUNTY_ADMIN, organization=county)
    campaign = campaigns.campaign_create(
        actor=admin,
        year=2026,
        name="基准活动",
        root=county,
        scheme="seed2020",
        graded_round="december",
        phases={},
    )
    campaign.quota_scope = scope
    campaign.save(update_fields=["quota_scope"])
    # The round without `round_open`: its sheets are copied in below, already reviewed.
    december = AssessmentRound.objects.create(
        campaign=campaign, kind="december", opens=dt.date(2026, 12, 1), closes=dt.date(2026, 12, 20)
    )
    branch_pks = Organization.objects.filter(kind=Kind.BRANCH).order_by().values_list("pk", flat=True)

    def sheet_rows():
        for pk in branch_pks.iterator(chunk_size=20_000):
            score = Decimal(rnd.randrange(5000, 10001)) / 100
            subtotals = json.dumps({f"类型{c}": str(score / 4) for c in range(4)}, ensure_ascii=False)
            satisfaction = None if rnd.random() < 0.15 else Decimal(rnd.randrange(7000, 10001)) / 100
            veto = "班子成员受到党纪处分" if rnd.random() < 0.005 else ""
            weak = "书记长期缺职；班子不团结" if rnd.random() < 0.01 else ""
            state = SheetState.RECHECKED.value if rnd.random() < 0.05 else SheetState.REVIEWED.value
            yield (
                december.pk,
                pk,
                rubric.pk,
                state,
                3,
                score,
                subtotals,
                4,
                4,
                "良好",
                "",
                "",
                "",
                now,
                score,
                subtotals,
                satisfaction,
                veto,
                "一般" if veto else "",  # the highest grade a veto leaves
                weak,
                now,
            )

    with transaction.atomic():
        copy_rows(ScoreSheet, SHEET_FIELDS, list(sheet_rows()))
    with connection.cursor() as cursor:  # what autovacuum would have done after a bulk load
        cursor.execute("ANALYZE")
    return admin, campaign, december


def instrument(timings: dict[str, float]) -> None:
    """Time the three parts of a run where the service calls them (the behaviour is unchanged)."""
    from chuangyou.grading import services

    def timed(name, func):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    services.load_inputs = timed("load", services.load_inputs)
    services.grade_in_groups = timed("grade", services.grade_in_groups)
    services._write_results = timed("write", services._write_results)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--branches", type=int, default=200_000)
    parser.add_argument("--townships", type=int, default=40)
    parser.add_argument("--scope", choices=["county", "township"], default="county")
    args = parser.parse_args()
    os.environ["CHUANGYOU_GRADING_INLINE_MAX"] = str(args.branches + 1)
    with ScratchDatabase():
        from django.conf import settings
        from django.db import connection

        settings.GRADING_INLINE_MAX = args.branches + 1  # graded inside run_start, as a small county is
        from chuangyou.grading import services
        from chuangyou.grading.models import RunState

        started = time.perf_counter()
        admin, campaign, december = build(args.branches, args.townships, args.scope)
        built = time.perf_counter() - started

        timings: dict[str, float] = {}
        instrument(timings)
        started = time.perf_counter()
        run = services.run_start(actor=admin, campaign=campaign)
        elapsed = time.perf_counter() - started
        graded = run.results.count()

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(final_total) FROM assessments_scoresheet "
                "WHERE round_id = %s AND state IN ('reviewed', 'rechecked')",
                [december.pk],
            )
            count, total = cursor.fetchone()
        aggregate = time.perf_counter() - started

        print(
            f"PostgreSQL {connection.pg_version // 10000}: {args.branches} branches under {args.townships} "
            f"townships, quota scope {args.scope} (built in {built:.1f} s)"
        )
        print(f"bare SQL aggregate   {aggregate:7.3f} s   ({count} sheets, sum of scores {total})")
        print(
            f"run_start, inline    {elapsed:7.3f} s   state {run.state}, {graded} results, "
            f"{run.error or 'no error'}"
        )
        other = elapsed - sum(timings.values())
        for name in ("load", "grade", "write"):
            seconds = timings.get(name, 0.0)
            print(f"  {name:<6}             {seconds:7.3f} s   ({100 * seconds / elapsed:4.1f} %)")
        print(f"  other (start, progress, audit) {other:.3f} s")
        print(f"ratio run / aggregate {elapsed / aggregate:.0f}×   target < {TARGET_SECONDS:.0f} s")
        print(f"counts {run.summary.get('counts')}")
        ok = run.state == RunState.DONE and graded == args.branches == count and elapsed < TARGET_SECONDS
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
