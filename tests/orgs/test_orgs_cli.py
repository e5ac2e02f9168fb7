"""`chuangyou orgs import FILE [--dry-run]` and `chuangyou orgs export FILE`."""

import datetime as dt
import os
import subprocess
import sys

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from chuangyou.audit.models import AuditEvent
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.orgs.tree_sheet import HEADER
from tests.conftest import make_org


@pytest.fixture
def workbook_file(tmp_path):
    def write(*rows, name="orgs.xlsx"):
        workbook = openpyxl.Workbook()
        workbook.active.append(HEADER)
        for row in rows:
            workbook.active.append(list(row))
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


def state():
    return Organization.objects.count(), AuditEvent.objects.count()


def test_import_prints_what_it_did(tree, workbook_file, capsys):
    path = workbook_file(
        ["TA03", "甲三村党支部", "TA", "党支部", "村", 12, 1, "李四", "13900001111", "2003-07-01"]
    )
    call_command("orgs", "import", str(path))
    assert "导入完成：新建 1 个，修改 0 个，调整隶属关系 0 个，未变化 0 个" in capsys.readouterr().out
    event = AuditEvent.objects.get(verb="org.create")
    assert event.actor is None and event.actor_name == "系统"


def test_dry_run_writes_nothing(tree, workbook_file, capsys):
    path = workbook_file(["TA03", "甲三村党支部", "TA", "党支部", "村"])
    before = state()
    call_command("orgs", "import", str(path), "--dry-run")
    assert "检查通过（未写入）" in capsys.readouterr().out
    assert state() == before


def test_bad_rows_are_printed_and_the_exit_status_is_2(tree, workbook_file, capsys):
    path = workbook_file(
        ["TA03", "甲三村党支部", "NOPE", "党支部", "村"],
        ["TA04", "甲四村党支部", "TA", "党支部", "村", -1],
    )
    before = state()
    with pytest.raises(CommandError) as refused:
        call_command("orgs", "import", str(path))
    assert refused.value.returncode == 2
    assert str(refused.value) == "共 2 处问题，未做任何修改。"
    assert capsys.readouterr().err.splitlines() == [
        "第2行 上级组织代码：“NOPE”在文件和系统中都不存在",
        "第3行 正式党员数：不能为负数（当前为-1）",
    ]
    assert state() == before


def test_a_missing_file_exits_with_2(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("orgs", "import", str(tmp_path / "nope.xlsx"))
    assert refused.value.returncode == 2


def test_export_writes_full_phones_and_imports_back_unchanged(tree, tmp_path, capsys):
    make_org(tree["town_a"], "TA09", "=1+1", Kind.BRANCH, Domain.VILLAGE, founded=dt.date(2001, 7, 1))
    path = tmp_path / "out.xlsx"
    call_command("orgs", "export", str(path))
    assert "已导出 7 个组织" in capsys.readouterr().out
    rows = [list(r) for r in openpyxl.load_workbook(path).active.values]
    assert rows[0] == HEADER
    assert next(r for r in rows if r[0] == "TA01")[8] == "13812341234"
    before = state()
    call_command("orgs", "import", str(path))
    assert "新建 0 个，修改 0 个，调整隶属关系 0 个，未变化 7 个" in capsys.readouterr().out
    assert state() == before


def test_the_console_script_exits_with_status_2_on_a_bad_file(tmp_path):
    bad = tmp_path / "orgs.xlsx"
    bad.write_text("组织代码,组织名称\n")
    env = {**os.environ, "CHUANGYOU_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "chuangyou.cli", "orgs", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "文件：文件内容不是 Excel（.xlsx）格式" in done.stderr
