"""`chuangyou rubrics list | export CODE -o FILE | import FILE [--code] | load-defaults`."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from chuangyou.audit.models import AuditEvent
from chuangyou.rubrics import services
from chuangyou.rubrics.excel_io import read_rubric, write_rubric
from chuangyou.rubrics.models import Rubric, Status
from chuangyou.rubrics.queries import spec_of, with_content
from chuangyou.rubrics.spec import CategorySpec, ItemSpec
from tests.rubrics.conftest import small_spec

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("rubrics", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("rubrics", *args, stdout=io.StringIO(), stderr=err)
    return refusal.value, err.getvalue()


def state():
    return Rubric.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.xlsx"
    write_rubric(path, small_spec())
    return path


def test_load_defaults_creates_once_and_then_leaves_them_alone():
    first = run("load-defaults")
    assert "已创建并发布：评定标准 village 村（社区）党组织争先创优评定标准" in first
    assert Rubric.objects.filter(code="village", status=Status.PUBLISHED).count() == 1
    second = run("load-defaults")
    assert "已存在，未改动：评定标准 village" in second and "共新建 0 项" in second
    assert Rubric.objects.filter(code="village").count() == 1


def test_list_shows_every_version():
    assert "评定标准：\n  （无）" in run("list")
    run("load-defaults")
    services.rubric_new_draft(actor=None, rubric=Rubric.objects.get(code="village"))
    listing = run("list")
    draft = "  village  村（社区）党组织争先创优评定标准  第2版  草稿  100分  村、社区\n"
    published = "  village  村（社区）党组织争先创优评定标准  第1版  已发布  100分  村、社区\n"
    assert draft + published in listing
    assert "星级评定标准：" in listing and "软弱涣散情形清单：" in listing


def test_export_of_a_shipped_rubric_looks_like_the_seed(tmp_path):
    run("load-defaults")
    path = tmp_path / "village.xlsx"
    assert "已导出：village 第1版（已发布）" in run("export", "village", "-o", str(path))
    table = openpyxl.load_workbook(path)["评定标准"]
    assert table["A1"].value == "村（社区）党组织争先创优评定标准"
    assert [c.value for c in table[2]] == ["类型", "项目", "分值", "考核评价标准", "考评方式"]
    assert table["A3"].value == "党的组织设置10分"
    merged = next(r for r in table.merged_cells.ranges if r.min_row == 3 and r.min_col == 1)
    assert merged.max_row > 3 and merged.max_col == 1
    stored = spec_of(with_content(Rubric.objects.filter(code="village")).get())
    assert read_rubric(path.read_bytes()) == stored


def test_export_prefers_the_newest_published_version(tmp_path):
    published = services.rubric_create(actor=None, spec=small_spec(), publish=True)
    services.rubric_create(actor=None, spec=small_spec(name="修改中的草稿"))
    path = tmp_path / "out.xlsx"
    assert "已导出：small 第1版（已发布）" in run("export", "small", "-o", str(path))
    assert read_rubric(path.read_bytes()).name == published.name
    assert "已导出：small 第2版（草稿）" in run("export", "small", "--version", "2", "-o", str(path))
    assert read_rubric(path.read_bytes()).name == "修改中的草稿"


def test_export_of_an_unknown_code_is_refused(tmp_path):
    error, _ = refused("export", "nope", "-o", str(tmp_path / "x.xlsx"))
    assert error.returncode == 2 and "找不到评定标准“nope”" in str(error)
    assert not (tmp_path / "x.xlsx").exists()


def test_import_twice_gives_versions_1_and_2(small_file):
    assert "已导入为草稿：small 第1版" in run("import", str(small_file))
    assert "已导入为草稿：small 第2版" in run("import", str(small_file))
    versions = Rubric.objects.filter(code="small").order_by("version")
    assert [(r.version, r.status) for r in versions] == [(1, Status.DRAFT), (2, Status.DRAFT)]
    assert spec_of(with_content(versions.filter(version=2)).get()) == small_spec()
    assert AuditEvent.objects.filter(verb="rubric.create", actor=None).count() == 2


def test_import_with_a_code(small_file):
    assert "已导入为草稿：copy 第1版" in run("import", str(small_file), "--code", "copy")


def test_import_lists_what_was_not_recognised_and_what_blocks_publishing(tmp_path):
    spec = small_spec(
        total=Decimal(12),
        categories=(
            CategorySpec(
                "党的组织设置",
                Decimal(4),
                (
                    ItemSpec(
                        "设置合理",
                        Decimal(2),
                        ("标准。",),
                        "正式党员3名以上的成立党支部。组织设置不规范不得分。",
                    ),
                    ItemSpec("纪检机构", Decimal(2), ("设纪检委员。",), "按要求执行。"),
                ),
            ),
            CategorySpec(
                "党内组织生活", Decimal(6), (ItemSpec("三会一课", Decimal(6), (), "根据记录酌情给分。"),)
            ),
        ),
    )
    path = tmp_path / "draft.xlsx"
    write_rubric(path, spec)
    out = run("import", str(path))
    assert "已导入为草稿：small 第1版" in out
    assert "以下项目按酌情给分处理：纪检机构（" in out
    assert "未识别的内容：\n  项目“设置合理”：正式党员3名以上的成立党支部" in out
    assert "三会一课" not in out  # an explicit 酌情给分 is no warning
    assert "发布前需要处理：\n  各类型分值合计10分，与总分12分不符" in out


def test_a_bad_file_is_refused_with_exit_status_2_and_nothing_written(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["测试评定标准"])
    book.active.append(["类型", "项目", "分值", "考核评价标准", "考评方式"])
    book.active.append(["党的组织设置4分", "设置合理", "两分", "标准。", "扣1分"])
    book.active.append(["党的组织设置", "纪检机构", 2, "标准。", "扣1分"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    before = state()
    error, stderr = refused("import", str(path), "--code", "small")
    assert error.returncode == 2 and "共 3 处问题，未做任何修改" in str(error)
    assert "第3行 分值：“两分”不是数字" in stderr
    assert "第4行 类型：“党的组织设置”缺少分值" in stderr
    assert state() == before


def test_an_old_format_file_is_refused(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    before = state()
    error, stderr = refused("import", str(path), "--code", "small")
    assert error.returncode == 2
    assert "请另存为 .xlsx 格式（当前文件为 .xls/.et/.wps 等旧格式）" in stderr
    assert state() == before


def test_a_missing_file_and_a_missing_code_are_refused(tmp_path):
    error, _ = refused("import", str(tmp_path / "none.xlsx"))
    assert error.returncode == 2 and "找不到文件" in str(error)
    book = openpyxl.Workbook()
    book.active.append(["测试"])
    book.active.append(["类型", "项目", "分值", "考核评价标准", "考评方式"])
    book.active.append(["党的组织设置2分", "设置合理", 2, "标准。", "扣1分"])
    book.save(tmp_path / "plain.xlsx")
    error, stderr = refused("import", str(tmp_path / "plain.xlsx"))
    assert error.returncode == 2 and "请指定评定标准代码" in stderr
    assert Rubric.objects.count() == 0
