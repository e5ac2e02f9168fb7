"""Import a generated 200,000-organization tree file into a fresh SQLite database, as the web page does.

    .venv/bin/python benchmarks/bench_org_import.py [--townships 2000]

Prints, from one run: the time to read the file alone (calamine); the time of the upload request
(read and check every row, store the file in an `ImportJob` and queue it: what the user waits for);
the time of the background job (check again against the tree as it is then, compute paths, bulk
insert, audit events, in one transaction), rows per second and the ratio job / read; then the time
of re-importing the same file from the command line (nothing to write). The target is a job under
60 s on the development machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GENERAL_BRANCHES = 4  # per township, each with BRANCHES_PER_GENERAL branches
BRANCHES_PER_GENERAL = 8
DIRECT_BRANCHES = 63  # per township: 1 + 4 * (1 + 8) + 63 = 100 organizations
DOMAINS = ["村", "社区", "机关", "学校", "医院", "非公企业", "社会组织"]


def tree_rows(townships: int):
    """County → townships → general branches → branches, plus branches straight under townships."""
    rng = random.Random(2026)
    yield ["C", "示范省某县委", "", "县委", "", 0, 0, "", "", None]
    for t in range(townships):
        town = f"C{t:04d}"
        yield [town, f"第{t}乡镇党委", "C", "乡镇党委", "", 0, 0, "张三", "13800000000", "1998-07-01"]
        for g in range(GENERAL_BRANCHES):
            general = f"{town}G{g}"
            domain = rng.choice(DOMAINS)
            yield [
                general,
                f"第{t}乡镇第{g}党总支",
                town,
                "党总支",
                domain,
                60,
                3,
                "李四",
                "13900000000",
                None,
            ]
            for b in range(BRANCHES_PER_GENERAL):
                yield branch_row(rng, f"{general}B{b}", f"第{t}乡镇第{g}党总支第{b}党支部", general)
        for b in range(DIRECT_BRANCHES):
            yield branch_row(rng, f"{town}B{b:02d}", f"第{t}乡镇第{b}村党支部", town)


def branch_row(rng: random.Random, code: str, name: str, parent: str) -> list:
    phone = f"13{rng.randrange(10**9):09d}"
    founded = f"{rng.randrange(1980, 2024)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    return [
        code,
        name,
        parent,
        "党支部",
        rng.choice(DOMAINS),
        rng.randrange(3, 49),
        rng.randrange(0, 4),
        "王建国",
        phone,
        founded,
    ]


def assert_tree_is_sound(model) -> None:
    """Depth and numchild agree with the paths (treebeard's find_problems takes minutes at this size)."""
    from django.db.models import Count
    from django.db.models.functions import Length, Substr

    steplen = model.steplen
    assert not model.objects.exclude(depth=Length("path") / steplen).exists(), "wrong depth"
    counted = dict(
        model.objects.filter(depth__gt=1)
        .annotate(parent=Substr("path", 1, Length("path") - steplen))
        .values_list("parent")
        .annotate(n=Count("id"))
        .order_by()
    )
    stored = dict(model.objects.filter(numchild__gt=0).values_list("path", "numchild").order_by())
    assert counted == stored, "wrong numchild"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--townships", type=int, default=2000, help="100 organizations each (default 2000)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="chuangyou-bench-"))
    try:
        run(workdir, args.townships)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, townships: int) -> None:
    os.environ["CHUANGYOU_VAR_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangyou.settings")
    # Every upload goes to the worker; the worker is this process (no queue to wait on).
    os.environ["CHUANGYOU_ORG_IMPORT_INLINE_MAX"] = "0"
    os.environ["CHUANGYOU_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chuangyou.audit.models import AuditEvent
    from chuangyou.lib.excel import read_first_sheet, write_xlsx
    from chuangyou.orgs.import_jobs import import_execute, import_start
    from chuangyou.orgs.models import ImportJob, ImportState, Organization
    from chuangyou.orgs.tree_import import SYSTEM_SCOPE, tree_import
    from chuangyou.orgs.tree_sheet import CLI_LIMITS, HEADER

    call_command("migrate", interactive=False, verbosity=0)
    path = workdir / "tree.xlsx"
    started = time.perf_counter()
    write_xlsx(path, HEADER, tree_rows(townships), sheet_name="组织架构")
    print(
        f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
    )

    data = path.read_bytes()
    started = time.perf_counter()
    rows = len(read_first_sheet(data, CLI_LIMITS)) - 1
    read_seconds = time.perf_counter() - started

    # The web page: the request checks the whole file and queues it; the worker writes it.
    admin = get_user_model().objects.create_superuser("bench", password=None)
    started = time.perf_counter()
    queued = import_start(actor=admin, data=data, filename=path.name)
    request_seconds = time.perf_counter() - started
    assert queued.queued, [str(e) for e in queued.result.errors[:10]] if queued.result else queued
    started = time.perf_counter()
    import_execute(queued.job.pk)
    import_seconds = time.perf_counter() - started
    job = ImportJob.objects.get(pk=queued.job.pk)
    assert job.state == ImportState.DONE, job.error
    assert job.summary["created"] == rows == job.rows_done == Organization.objects.count()
    assert AuditEvent.objects.count() == rows + 1
    assert_tree_is_sound(Organization)

    # The command line (`chuangyou orgs import`): the same file again, nothing to write.
    started = time.perf_counter()
    again = tree_import(actor=None, scope=SYSTEM_SCOPE, data=data, filename=path.name, limits=CLI_LIMITS)
    again_seconds = time.perf_counter() - started
    assert again.ok and again.unchanged == rows and AuditEvent.objects.count() == rows + 1

    print(f"rows: {rows:,}")
    print(f"read alone (calamine):   {read_seconds:6.1f} s  {rows / read_seconds:10,.0f} rows/s")
    print(f"upload request (check):  {request_seconds:6.1f} s  {rows / request_seconds:10,.0f} rows/s")
    print(f"background job (SQLite): {import_seconds:6.1f} s  {rows / import_seconds:10,.0f} rows/s")
    print(f"ratio job / read:        {import_seconds / read_seconds:6.1f}")
    print(f"re-import, no changes:   {again_seconds:6.1f} s  {rows / again_seconds:10,.0f} rows/s")
    print(f"peak memory (RSS):       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB")
    print("target: background job under 60 s —", "met" if import_seconds < 60 else "NOT MET")


if __name__ == "__main__":
    main()
