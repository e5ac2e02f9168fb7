"""A run started on the web gives the grades and ranks `chuangyou grade` gives for the same inputs,
whether the inputs are the run's stored ones written to a CSV or the run's own .xlsx export."""

import csv
from decimal import Decimal

import pytest
from django.urls import reverse

from chuangyou.assessments.models import ScoreSheet
from chuangyou.campaigns.models import Campaign
from chuangyou.commands import grade
from chuangyou.grading import services as grading
from chuangyou.grading.models import GradingRun
from chuangyou.notices.services import notice_create
from tests.grading.conftest import add_branches
from tests.notices.conftest import STARTS

SCORES = ["98", "95.5", "92.5", "92.5", "91", "90", "90", "89.5", "88", "86", "85", "85", "84.5", "83"]


def inputs(i: int) -> dict:
    """Varied grading inputs: ties on score (and on satisfaction), missing satisfaction, vetoes, flags."""
    score = Decimal(SCORES[i]) if i < len(SCORES) else Decimal(82) - Decimal(i) * Decimal("1.25")
    return {
        "final_total": score,
        "final_satisfaction": None if i % 4 == 0 else Decimal(80 + (i * 7) % 20),
        "final_veto": "发生违纪违法案件" if i in (1, 17) else "",
        "final_weak": "班子不团结" if i in (4, 22) else "",
    }


@pytest.fixture
def branches(tree, december):
    """36 reviewed branches: the 3 of the tree and 33 more under 甲镇 and 乙街道."""
    add_branches(tree, december, 33, inputs, town_of=lambda i: i % 3 == 0, prefix="C")
    for offset, code in enumerate(("TA01", "TA02", "TB01"), start=33):
        ScoreSheet.objects.filter(round=december, organization__code=code).update(
            state="reviewed", **inputs(offset)
        )
    return december


def read_output(path) -> dict[str, tuple[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return {row["组织代码"]: (row["等级"], row["排名"]) for row in csv.DictReader(stream)}


def cli(tmp_path, source, scope, options=()) -> dict[str, tuple[str, str]]:
    out = tmp_path / f"out-{source.stem}.csv"
    argv = [str(source), "-o", str(out), "--scheme", "seed2020", "--quota-scope", scope, *options]
    assert grade.main(argv) == 0
    return read_output(out)


def write_inputs(path, results) -> None:
    """A run's stored inputs as a CSV in the command's columns."""
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([c.title for c in grade.COLUMNS])
        for r in results:
            satisfaction = "" if r.satisfaction is None else str(r.satisfaction)
            votes = [
                "" if v is None else str(v)
                for v in (r.favourable_votes, r.valid_votes, r.members_score, r.public_score)
            ]
            row = [
                r.code,
                r.name,
                r.township,
                str(r.score),
                satisfaction,
                r.veto,
                r.veto_cap,
                r.weak,
                r.declared,
                r.committed_grade,
                *votes,
            ]
            writer.writerow(row)


def exported(client, run, path):
    response = client.get(reverse("grading:export", args=[run.pk]))
    path.write_bytes(b"".join(response.streaming_content))
    return path


@pytest.mark.parametrize("scope", ["county", "township"])
def test_a_web_run_matches_the_command(client_for, campaign, branches, tmp_path, scope):
    Campaign.objects.filter(pk=campaign.pk).update(quota_scope=scope)
    client = client_for("county_admin")
    client.post(reverse("grading:start", args=[campaign.pk]))
    run = GradingRun.objects.get(campaign=campaign)
    assert run.state == "done" and run.quota_scope == scope, run.error
    results = list(run.results.order_by("county_rank"))
    assert len(results) == 36
    web = {r.code: (r.grade, str(r.rank)) for r in results}
    # The run is not trivial: every grade, vetoes and flags, and (per township) ranks restart at 1.
    assert {g for g, _ in web.values()} == {"优秀", "良好", "一般", "软弱涣散"}
    assert any("一票否决" in r.reason for r in results)
    if scope == "township":
        assert sorted(rank for _, rank in web.values()).count("1") == 2

    # 1. The stored inputs, as a CSV in the command's columns.
    write_inputs(source := tmp_path / "inputs.csv", results)
    assert cli(tmp_path, source, scope) == web

    # 2. The run's own export, fed back as it is.
    assert cli(tmp_path, exported(client, run, tmp_path / "export.xlsx"), scope) == web


@pytest.mark.parametrize("scope", ["county", "township"])
@pytest.mark.parametrize("base", ["participants", "graded"])
def test_a_later_run_with_kept_grades_matches_the_command(
    client_for, personas, campaign, branches, tree, tmp_path, scope, base
):
    """Six more branches take part, reviewed after the first run was noticed: the second run keeps the
    noticed grades, and its quota base is the 42 participants (or the branches graded)."""
    Campaign.objects.filter(pk=campaign.pk).update(quota_scope=scope, quota_base=base)
    add_branches(tree, branches, 6, inputs, town_of=lambda i: i % 2, prefix="L")
    late = ScoreSheet.objects.filter(round=branches, organization__code__startswith="L")
    late.update(state="submitted")
    admin = personas["county_admin"]
    first = grading.run_submit(actor=admin, run=grading.run_start(actor=admin, campaign=campaign))
    assert first.summary["base"] == (42 if base == "participants" else 36)
    notice_create(
        actor=admin, run=first, organization=tree["county"], channel="website", starts=STARTS, days=5
    )
    late.update(state="reviewed")
    second = grading.run_start(actor=admin, campaign=campaign)
    results = list(second.results.order_by("county_rank"))
    assert sum(1 for r in results if r.committed_grade) == 36
    web = {r.code: (r.final_grade, str(r.rank)) for r in results}

    options = []
    if base == "participants":
        by_town = Campaign.objects.get(pk=campaign.pk).participants_by_township()
        assert sum(by_town.values()) == 42
        options = (
            [f"--existing={t}={n}" for t, n in by_town.items()] if scope == "township" else ["--existing=42"]
        )
    write_inputs(source := tmp_path / "later.csv", results)
    assert cli(tmp_path, source, scope, options) == web
    assert (
        cli(tmp_path, exported(client_for("county_admin"), second, tmp_path / "later.xlsx"), scope, options)
        == web
    )


@pytest.mark.parametrize(
    "rules, options",
    [
        ({"cap_at_declared": True}, ["--cap-at-declared"]),
        ({"tolerance": 2}, ["--tolerance", "2"]),
        (
            {"tolerance": Decimal("2.5"), "tolerance_unit": "points"},
            ["--tolerance=2.5", "--tolerance-unit=points"],
        ),
        ({"pass_unused": True, "cap_at_declared": True}, ["--pass-unused", "--cap-at-declared"]),
        (
            {"evaluation_weight": Decimal("0.3"), "members_weight": 2},
            ["--evaluation-weight=0.3", "--members-weight=2"],
        ),
    ],
)
@pytest.mark.parametrize("scope", ["county", "township"])
def test_each_grading_rule_gives_the_same_grades_on_the_web_and_in_the_command(
    client_for, campaign, branches, tmp_path, scope, rules, options
):
    """Applied grades vary (a third of the branches applied for 一般), so the rules change grades."""
    for n, sheet in enumerate(ScoreSheet.objects.filter(round=branches).order_by("organization__code")):
        ScoreSheet.objects.filter(pk=sheet.pk).update(
            applied_grade=("良好", "优秀", "一般")[n % 3],
            # 民主测评 scores for most (the members' only for some): they reorder the ranking.
            final_members_score=None if n % 5 == 0 else Decimal(55) + Decimal(n * 37 % 45),
            final_public_score=None if n % 3 == 0 else Decimal("62.5") + Decimal(n * 11 % 37),
        )
    Campaign.objects.filter(pk=campaign.pk).update(
        **{"quota_scope": scope, "cap_at_declared": False, **rules}
    )
    client = client_for("county_admin")
    client.post(reverse("grading:start", args=[campaign.pk]))
    run = GradingRun.objects.get(campaign=campaign)
    assert run.state == "done", run.error
    results = list(run.results.order_by("county_rank"))
    web = {r.code: (r.final_grade, str(r.rank)) for r in results}
    write_inputs(source := tmp_path / "rules.csv", results)
    assert cli(tmp_path, source, scope) != web  # the rule matters here
    assert cli(tmp_path, source, scope, options) == web
    assert cli(tmp_path, exported(client, run, tmp_path / "rules.xlsx"), scope, options) == web
