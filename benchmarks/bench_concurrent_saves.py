"""200 concurrent item saves on score sheets, against PostgreSQL on this machine, through the service.

    .venv/bin/python benchmarks/bench_concurrent_saves.py [--threads 16] [--saves 200]

Creates a scratch database, one campaign with a 40-item rubric and 40 branch sheets. Saves
`--saves` items one by one on 20 sheets (the baseline), then `--saves` items on the other 20 sheets
from `--threads` threads at once (four threads on one sheet at a time, so its row lock is contended).
Prints saves per second and the ratio of the two, and checks afterwards that no entry is lost or
duplicated and that every sheet's stored total equals the sum of its entries. The same saves
through the web server: bench_http_saves.py.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import save_fixture
from scratch_pg import ScratchDatabase


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    with ScratchDatabase():
        from django.db import connection

        from chuangyou.assessments import services

        fixture = save_fixture.build(branches=40, items=40)
        # Half the sheets are saved one by one (the baseline), the other half concurrently.
        serial_sheets, sheets = fixture.sheets[:20], fixture.sheets[20:]

        def save(job):
            # Each worker thread keeps its own connection; the scratch database's drop ends them.
            sheet, item = job
            services.entry_save(
                actor=fixture.admin,
                sheet=sheet,
                item=item,
                data=services.EntryData(counts={"未开展": 1}),
                version=0,
            )

        started = time.perf_counter()
        for job in save_fixture.jobs_for(serial_sheets, fixture.items, args.saves):
            save(job)
        serial = time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(save, save_fixture.jobs_for(sheets, fixture.items, args.saves, per_sheet=4)))
        elapsed = time.perf_counter() - started

        # Both runs together: every save must be there exactly once.
        result = save_fixture.check(expected=2 * args.saves)
        print(
            f"PostgreSQL {connection.pg_version // 10000}, {args.threads} threads, {args.saves} saves "
            f"on {len(sheets)} sheets"
        )
        print(f"one by one  {serial:.2f} s — {args.saves / serial:.0f} saves/s")
        print(
            f"concurrent  {elapsed:.2f} s — {args.saves / elapsed:.0f} saves/s "
            f"(ratio concurrent/serial throughput {serial / elapsed:.2f})"
        )
        print(result.line())
        return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
