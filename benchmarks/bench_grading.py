"""Benchmark: grade 200,000 branches in 2,000 townships from a generated CSV, in both quota scopes.

Run: .venv/bin/python benchmarks/bench_grading.py [--branches N] [--townships T] [--repeat R]

Generates the CSV in a temporary directory, then times parsing the CSV alone (what
`chuangyou grade` does before grading: read, check every row, build BranchScore records) and
grading alone in the county and the township scope. Each timing is the best of R runs (the
machine may be shared); all runs are shown. Target (issue 3): grading ≤ 2 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chuangyou.commands.grade import load_scores
from chuangyou.rules.grade_scheme import load_scheme
from chuangyou.rules.grading import grade_branches

TARGET_SECONDS = 2.0


def generate(path: Path, branches: int, townships: int, seed: int) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["组织代码", "组织名称", "所属党委", "得分", "满意率", "一票否决", "软弱涣散情形"])
        for i in range(branches):
            score = min(100.0, max(0.0, round(rnd.gauss(78, 9) * 2) / 2))
            satisfaction = "" if rnd.random() < 0.2 else f"{rnd.randint(700, 1000) / 10}"
            veto = "违纪" if rnd.random() < 0.005 else ""
            weak = "班子不健全" if rnd.random() < 0.01 else ""
            writer.writerow(
                [f"B{i:07d}", f"第{i}党支部", f"乡镇{i % townships:04d}", score, satisfaction, veto, weak]
            )


def timed(label: str, func: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    runs = []
    value = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        runs.append(time.perf_counter() - start)
    shown = ", ".join(f"{t:.3f}" for t in runs)
    print(f"{label:<26}best {min(runs):7.3f} s   median {statistics.median(runs):7.3f} s   runs [{shown}]")
    return value, min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description="Time CSV parsing and grading for a province-sized file.")
    parser.add_argument("--branches", type=int, default=200_000)
    parser.add_argument("--townships", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    scheme = load_scheme("seed2020")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scores.csv"
        generate(path, args.branches, args.townships, args.seed)
        size = path.stat().st_size / 1e6
        print(f"generated {args.branches:,} branches in {args.townships:,} townships ({size:.1f} MB)")
        table, parsing = timed(
            "parse CSV alone", lambda: load_scores(path, township_required=True), args.repeat
        )
        branches = table.branches
        county, county_time = timed(
            "grade, county scope", lambda: grade_branches(branches, scheme), args.repeat
        )
        township, township_time = timed(
            "grade, township scope", lambda: grade_branches(branches, scheme, "township"), args.repeat
        )
    print(f"counts, county scope:   {dict(county.summary.counts)}")
    print(f"counts, township scope: {dict(township.summary.counts)}")
    print(
        f"ratio grading/parsing: county {county_time / parsing:.2f}, township {township_time / parsing:.2f}"
    )
    worst = max(county_time, township_time)
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"target grading ≤ {TARGET_SECONDS:.0f} s: {verdict} (slower scope {worst:.3f} s)")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
