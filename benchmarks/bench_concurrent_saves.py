"""200 concurrent item saves on score sheets, against PostgreSQL on this machine.

    .venv/bin/python benchmarks/bench_concurrent_saves.py [--threads 16] [--saves 200]

Creates a scratch database, one campaign with a 40-item rubric and 40 branch sheets. Saves
`--saves` items one by one on 20 sheets (the baseline), then `--saves` items on the other 20 sheets
from `--threads` threads at once (several threads on one sheet, so its row lock is contended).
Prints saves per second and the ratio of the two, and checks afterwards that no entry is lost or
duplicated and that every sheet's stored total equals the sum of its entries.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

DB_NAME = f"chuangyou_bench_{uuid.uuid4().hex[:8]}"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangyou.settings")


def create_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def build(branches: int, items: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chuangyou.accounts.models import Role, RoleAssignment
    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.campaigns import services as campaigns
    from chuangyou.orgs.models import Kind, Organization
    from chuangyou.rubrics import services as rubrics
    from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec

    county = Organization.objects.add_root({"code": "B", "name": "基准县委", "kind": Kind.COUNTY})
    for n in range(branches):
        Organization.objects.add_child(
            Organization.objects.get(pk=county.pk),
            {
                "code": f"B{n:03d}",
                "name": f"第{n}党支部",
                "kind": Kind.BRANCH,
                "domain": "village",
                "full_members": 9,
            },
        )
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
    admin = get_user_model().objects.create_user("bench-admin", password="x")  # noqa: S106 - scratch database
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
    return admin, list(ScoreSheet.objects.all()), list(rubric.categories.all())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    create_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from chuangyou.assessments import services
        from chuangyou.assessments.models import Entry, ScoreSheet
        from chuangyou.rubrics.models import Item

        admin, all_sheets, _ = build(branches=40, items=40)
        items = list(Item.objects.order_by("pk"))
        # Half the sheets are saved one by one (the baseline), the other half concurrently.
        serial_sheets, sheets = all_sheets[:20], all_sheets[20:]

        def jobs_for(group):
            return [(group[n % len(group)], items[(n // len(group)) % len(items)]) for n in range(args.saves)]

        jobs = jobs_for(sheets)

        def save(job):
            # Each worker thread keeps its own connection; DROP DATABASE … WITH (FORCE) ends them.
            sheet, item = job
            services.entry_save(
                actor=admin, sheet=sheet, item=item, data=services.EntryData(counts={"未开展": 1}), version=0
            )

        started = time.perf_counter()
        for job in jobs_for(serial_sheets):
            save(job)
        serial = time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(save, jobs))
        elapsed = time.perf_counter() - started

        # Both runs together: every save must be there exactly once.
        expected = 2 * args.saves
        entries = Entry.objects.count()
        unique = Entry.objects.values("sheet", "item").distinct().count()
        wrong_totals = [
            s.pk
            for s in ScoreSheet.objects.all()
            if s.total != sum((e.result for e in s.entries.all()), Decimal(0))
            or s.items_done != s.entries.count()
        ]
        print(
            f"PostgreSQL {connection.pg_version // 10000}, {args.threads} threads, {args.saves} saves "
            f"on {len(sheets)} sheets"
        )
        print(f"one by one  {serial:.2f} s — {args.saves / serial:.0f} saves/s")
        print(
            f"concurrent  {elapsed:.2f} s — {args.saves / elapsed:.0f} saves/s "
            f"(ratio concurrent/serial throughput {serial / elapsed:.2f})"
        )
        print(
            f"entries stored {entries} (expected {expected}), distinct {unique}, "
            f"sheets with a wrong total {len(wrong_totals)}"
        )
        connection.close()
        return 0 if entries == unique == expected and not wrong_totals else 1
    finally:
        drop_database()


if __name__ == "__main__":
    raise SystemExit(main())
