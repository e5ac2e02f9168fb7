"""`chuangyou workdays`: notice end dates and working-day counts from the command line."""

import subprocess
import sys
from pathlib import Path

import pytest

from chuangyou.commands.workdays import main

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "printed"),
    [
        (["2026-09-30", "5"], "2026-10-12"),
        (["2026-09-28", "5"], "2026-10-09"),
        (["2026/10/01", "1"], "2026-10-08"),
        (["--between", "2026-10-01", "2026-10-11"], "3"),
        (["--between", "2026-09-28", "2026-10-12"], "7"),
    ],
)
def test_it_prints_the_end_date_or_the_count(capsys, argv, printed):
    assert main(argv) == 0
    assert capsys.readouterr().out == printed + "\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2026-12-28", "5"], "2027年节假日安排尚未录入，请先维护工作日历"),
        (["2026-13-01", "5"], "日期“2026-13-01”格式不对"),
        (["2026-10-01", "five"], "工作日天数“five”应为正整数"),
        (["2026-10-01", "0"], "工作日天数应为正整数"),
        (["--between", "2026-10-12", "2026-10-01"], "早于开始日期"),
        (["2026-10-01"], "用法"),
        (["2026-10-01", "5", "--between", "2026-10-01", "2026-10-02"], "不能同时使用"),
    ],
)
def test_errors_exit_2_in_chinese(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_overrides_from_a_csv_file(tmp_path, capsys):
    overrides = tmp_path / "2027.csv"
    overrides.write_text(
        "日期,是否工作日\n2027-01-01,否\n2027/01/02,否\n2027-01-03,是\n", encoding="utf-8-sig"
    )
    assert main(["2026-12-31", "2", "--overrides", str(overrides)]) == 0
    assert capsys.readouterr().out == "2027-01-03\n"  # a make-up Sunday entered by the administrator
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,是否工作日\n2027-01-01,也许\n", encoding="utf-8")
    assert main(["2026-12-31", "2", "--overrides", str(bad)]) == 2
    assert "第2行 B列（是否工作日）：“也许”无法识别" in capsys.readouterr().err


def test_the_console_entry(tmp_path):
    ok = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "chuangyou.cli", "workdays", "2026-09-30", "5"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert (ok.returncode, ok.stdout) == (0, "2026-10-12\n")
    missing = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "chuangyou.cli", "workdays", "--between", "2026-12-01", "2027-01-31"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert missing.returncode == 2
    assert "2027年节假日安排尚未录入" in missing.stderr
