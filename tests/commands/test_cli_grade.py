"""`chuangyou grade`: files in, grades with reasons out, row-and-column errors with exit status 2."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from chuangyou.commands.grade import main

REPO = Path(__file__).resolve().parents[2]
HEADER = ["组织代码", "组织名称", "所属党委", "得分", "满意率", "一票否决", "软弱涣散情形", "备注"]


def rows_for(n=20):
    rows = [
        ["C01", "一村党支部", "甲镇", "95", "98%", "", "", "示范"],
        ["C02", "二村党支部", "甲镇", "91.5", "", "", "", ""],
        ["C03", "三村党支部", "乙镇", "85", "90", "发生重大安全事故", "", ""],
        ["C04", "四村党支部", "乙镇", "88", "", "", "书记长期缺职", ""],
    ]
    rows += [
        [f"D{i:02d}", f"{i}组党支部", ("乙镇", "甲镇")[i % 2], "70", "", "", "", ""] for i in range(n - 4)
    ]
    return rows


def write_csv(path, rows, header=HEADER, bom=True):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if bom else "utf-8")
    return path


def write_xlsx(path, rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if v and k in (3,) else v for k, v in enumerate(row)])
    book.save(path)
    return path


def read_csv_text(text):
    return list(csv.reader(io.StringIO(text)))


def test_it_grades_a_csv_to_stdout_with_a_summary_on_stderr(tmp_path, capsys):
    source = write_csv(tmp_path / "scores.csv", rows_for())
    assert main([str(source)]) == 0
    out, err = capsys.readouterr()
    table = read_csv_text(out)
    assert table[0] == [*HEADER, "等级", "排名", "说明"]
    assert [row[0] for row in table[1:]] == [row[0] for row in rows_for()]  # input row order
    by_code = {row[0]: row for row in table[1:]}
    # N = 20: 优秀 ⌊1.4⌋ = 1, 良好 ⌊2.5⌋ = 2
    assert by_code["C01"][8:] == [
        "优秀",
        "1",
        "得分95，排名1/20，达到优秀标准（≥90分），占优秀名额第1个（共1个），评为优秀",
    ]
    assert by_code["C01"][7] == "示范"  # extra columns are kept
    assert by_code["C02"][8:10] == ["良好", "2"]
    assert by_code["C02"][10] == "得分91.5，排名2/20，优秀名额1个已满，评为良好"
    assert by_code["C03"][8] == "一般"
    assert by_code["C03"][10].startswith("一票否决（发生重大安全事故），最高评为一般，得分85")
    assert by_code["C04"][8] == "软弱涣散"
    assert "优秀：1个（上限1个，20×7%向下取整=1），符合" in err
    assert "良好：1个（上限2个，20×10%四舍五入=2），符合" in err
    assert "一般及以下：18个（下限2个，20×10%向上取整=2），符合" in err


def test_it_writes_a_csv_file_with_a_bom_and_accepts_english_aliases(tmp_path):
    header = ["code", "name", "township", "score", "satisfaction", "veto", "weak"]
    source = write_csv(tmp_path / "scores.csv", [r[:7] for r in rows_for()], header=header, bom=False)
    target = tmp_path / "out.csv"
    assert main([str(source), "-o", str(target)]) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = read_csv_text(raw.decode("utf-8-sig"))
    assert table[0] == [*header, "等级", "排名", "说明"]
    assert table[1][7] == "优秀"


def test_xlsx_in_and_xlsx_out(tmp_path):
    source = write_xlsx(tmp_path / "scores.xlsx", rows_for())
    target = tmp_path / "result.xlsx"
    assert main([str(source), "--quota-scope", "township", "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [*HEADER, "等级", "排名", "说明"]
    assert values[1][0] == "C01" and values[1][3] == 95  # a number, not text
    # 10 branches per township: 优秀 shares 0.5/0.5, the tie goes to "乙镇" (string order), so 甲镇 has none.
    assert values[1][8:] == ("良好", 1, "得分95，党委内排名1/10，本党委无优秀名额，评为良好")
    assert values[2][8:] == (
        "一般",
        2,
        "得分91.5，党委内排名2/10，本党委无优秀名额，本党委良好名额1个已满，评为一般",
    )
    assert len(values) == 21


def test_csv_in_xlsx_out_writes_numbers(tmp_path):
    source = write_csv(tmp_path / "scores.csv", rows_for())
    target = tmp_path / "result.xlsx"
    assert main([str(source), "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert sheet["D2"].value == 95 and sheet["E2"].value == 98 and sheet["D3"].value == 91.5
    assert sheet["I2"].value == "优秀" and sheet["J2"].value == 1


def test_xlsx_in_csv_out_keeps_the_text_of_cells(tmp_path, capsys):
    source = write_xlsx(tmp_path / "scores.xlsx", rows_for())
    assert main([str(source), "--scheme", "three-class"]) == 0
    table = read_csv_text(capsys.readouterr().out)
    assert table[1][3] == "95" and table[2][3] == "91.5"
    assert table[1][8] == "先进" and table[3][8] == "合格"


def test_formula_like_text_is_escaped_in_the_output(tmp_path, capsys):
    rows = rows_for()
    rows[1][1] = '=HYPERLINK("x")'
    source = write_csv(tmp_path / "scores.csv", rows)
    assert main([str(source)]) == 0
    table = read_csv_text(capsys.readouterr().out)
    assert table[2][1] == '\'=HYPERLINK("x")'


def test_jiguan_gate_reads_the_percent_column(tmp_path, capsys):
    rows = [
        ["J1", "局机关党支部", "县直", "93", "85%", "", "", ""],
        ["J2", "二支部", "县直", "93", "", "", "", ""],
    ]
    source = write_csv(tmp_path / "scores.csv", rows)
    assert main([str(source), "--scheme", "jiguan2012"]) == 0
    table = read_csv_text(capsys.readouterr().out)
    assert table[1][8] == "一般" and "满意率85%低于90%" in table[1][10]
    assert table[2][8] == "好"


def test_a_user_scheme_file(tmp_path, capsys):
    scheme = tmp_path / "two.toml"
    scheme.write_text(
        'grades = [{label = "达标", min_score = 80}, {label = "未达标", min_score = 0}]\n'
        'veto_max_grade = "未达标"\nweak_grade = "未达标"\n',
        encoding="utf-8",
    )
    source = write_csv(tmp_path / "scores.csv", rows_for(6))
    assert main([str(source), "--scheme", str(scheme)]) == 0
    out, err = capsys.readouterr()
    assert read_csv_text(out)[1][8] == "达标"
    assert "评定方案：two" in err


def test_a_veto_cell_that_says_none_is_still_a_veto_but_warns(tmp_path, capsys):
    rows = rows_for()
    rows[0][5] = "无"
    source = write_csv(tmp_path / "scores.csv", rows)
    assert main([str(source)]) == 0
    out, err = capsys.readouterr()
    assert read_csv_text(out)[1][8] == "一般"
    assert "第2行 F列（一票否决）填写了“无”" in err


def test_rerunning_on_an_output_file_replaces_the_result_columns(tmp_path):
    source = write_csv(tmp_path / "scores.csv", rows_for())
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    assert main([str(source), "-o", str(first)]) == 0
    assert main([str(first), "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("mutate", "messages"),
    [
        (lambda rows: rows[2].__setitem__(0, "C01"), ["第4行 A列（组织代码）：组织代码“C01”与第2行重复"]),
        (lambda rows: rows[1].__setitem__(3, ""), ["第3行 D列（得分）：得分为空"]),
        (lambda rows: rows[1].__setitem__(3, "九十"), ["第3行 D列（得分）：得分“九十”不是数字"]),
        (lambda rows: rows[1].__setitem__(3, "100.5"), ["第3行 D列（得分）：得分100.5超出0–100的范围"]),
        (lambda rows: rows[1].__setitem__(3, "-1"), ["第3行 D列（得分）：得分-1超出0–100的范围"]),
        (lambda rows: rows[1].__setitem__(3, "NaN"), ["第3行 D列（得分）：得分“NaN”不是数字"]),
        (lambda rows: rows[5].__setitem__(4, "120%"), ["第7行 E列（满意率）：满意率120%超出0–100的范围"]),
        (lambda rows: rows[5].__setitem__(4, "高"), ["第7行 E列（满意率）：满意率“高”不是数字"]),
        (lambda rows: rows[0].__setitem__(0, ""), ["第2行 A列（组织代码）：组织代码为空"]),
        (
            lambda rows: (rows[1].__setitem__(3, "abc"), rows[2].__setitem__(0, "C01")),
            ["第3行 D列（得分）：得分“abc”不是数字", "第4行 A列（组织代码）：组织代码“C01”与第2行重复"],
        ),
    ],
)
def test_bad_rows_are_reported_with_row_and_column(tmp_path, capsys, mutate, messages):
    rows = rows_for()
    mutate(rows)
    source = write_csv(tmp_path / "scores.csv", rows)
    target = tmp_path / "out.xlsx"
    assert main([str(source), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    for message in messages:
        assert message in err
    assert f"共{len(messages)}处问题，未生成评定结果。" in err
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_a_missing_required_column_is_named(tmp_path, capsys):
    source = write_csv(tmp_path / "scores.csv", [r[:3] for r in rows_for()], header=HEADER[:3])
    assert main([str(source)]) == 2
    captured = capsys.readouterr()
    assert "缺少必填列“得分”（也可写作 score）" in captured.err
    assert captured.out == ""


def test_township_scope_needs_a_township(tmp_path, capsys):
    rows = rows_for()
    rows[3][2] = ""
    source = write_csv(tmp_path / "scores.csv", rows)
    assert main([str(source)]) == 0
    capsys.readouterr()
    assert main([str(source), "--quota-scope", "township"]) == 2
    assert "第5行 C列（所属党委）：按党委分配名额时所属党委不能为空" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scores.xlsx", b"not a workbook", "文件内容不是 Excel"),
        ("scores.csv", "组织代码,得分\n".encode("gbk"), "不是 UTF-8 编码"),
        ("scores.xls", b"\xd0\xcf\x11\xe0", "仅支持 .csv 或 .xlsx"),
        ("scores.csv", b"", "第1行应为表头"),
        ("scores.csv", "组织代码,组织名称,所属党委,得分\n".encode(), "没有数据行"),
    ],
)
def test_unreadable_files_exit_2(tmp_path, capsys, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    assert main([str(source), "-o", str(tmp_path / "out.csv")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_a_missing_file_and_a_bad_scheme_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope.csv")]) == 2
    assert "无法读取文件" in capsys.readouterr().err
    source = write_csv(tmp_path / "scores.csv", rows_for())
    assert main([str(source), "--scheme", "province"]) == 2
    assert "找不到评定方案“province”" in capsys.readouterr().err


def test_the_console_entry_exits_2_and_writes_nothing(tmp_path):
    rows = rows_for()
    rows[1][3] = "101"
    source = write_csv(tmp_path / "scores.csv", rows)
    target = tmp_path / "out.xlsx"
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "chuangyou.cli", "grade", str(source), "-o", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2
    assert "第3行 D列（得分）：得分101超出0–100的范围" in proc.stderr
    assert proc.stdout == ""
    assert not target.exists()


def test_the_console_entry_grades(tmp_path):
    source = write_csv(tmp_path / "scores.csv", rows_for())
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "chuangyou.cli", "grade", str(source)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert read_csv_text(proc.stdout)[1][8] == "优秀"


def test_usage_errors_return_2(capsys):
    assert main([]) == 2
    assert main(["x.csv", "--quota-scope", "province"]) == 2
    assert main(["--help"]) == 0
    assert "chuangyou grade" in capsys.readouterr().out


def test_the_quota_base_is_the_existing_branches(tmp_path, capsys):
    """20 branches graded of 60 existing: 优秀 ≤ ⌊60×7%⌋ = 4, not ⌊20×7%⌋ = 1."""
    source = write_csv(
        tmp_path / "scores.csv", [[f"E{i:02d}", f"{i}党支部", "甲镇", str(99 - i)] for i in range(20)]
    )
    assert main([str(source), "--existing", "60"]) == 0
    out, err = capsys.readouterr()
    grades = [row[-3] for row in read_csv_text(out)[1:]]
    assert grades[:4] == ["优秀"] * 4 and grades[4] == "良好"
    assert "名额基数：60个（现有参评党支部，含未参加本次定级的）" in err
    assert "优秀：4个（上限4个，60×7%向下取整=4），符合" in err
    assert (
        main([str(source), "--quota-scope", "township", "--existing", "甲镇=30", "--existing", "乙镇=30"])
        == 0
    )
    out, err = capsys.readouterr()
    assert [row[-3] for row in read_csv_text(out)[1:]][:3] == ["优秀", "优秀", "良好"]  # 甲镇's 2 of 4
    assert "乙镇：30个党组织；优秀2个（应得2，已用0）" in err


def test_a_committed_grade_is_kept_with_its_seat(tmp_path, capsys):
    header = ["组织代码", "组织名称", "所属党委", "得分", "已提交公示等级"]
    rows = [[f"K{i:02d}", f"{i}党支部", "甲镇", str(80 + i), "优秀" if i == 0 else ""] for i in range(15)]
    assert main([str(write_csv(tmp_path / "kept.csv", rows, header=header))]) == 0
    table = read_csv_text(capsys.readouterr()[0])
    grades = {row[0]: (row[-3], row[-1]) for row in table[1:]}
    assert grades["K00"][0] == "优秀" and "已提交公示为优秀，本次定级保持不变" in grades["K00"][1]
    assert grades["K14"][0] == "良好" and "优秀名额1个已满" in grades["K14"][1]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--existing", "三十"], "--existing “三十”：党支部数应为非负整数"),
        (["--existing", "10"], "名额基数为10个党支部，少于参加定级的20个"),
        (["--quota-scope", "township", "--existing", "60"], "按党委分配名额时请写成“党委=数量”"),
        (["--quota-scope", "township", "--existing", "甲镇=40"], "名额基数中没有“乙镇”"),
        (
            ["--quota-scope", "township", "--existing", "甲镇=2", "--existing", "乙镇=40"],
            "“甲镇”为2个党支部，少于参加定级的10个",
        ),
        (["--existing", "甲镇=2", "--existing", "甲镇=3"], "党委“甲镇”重复"),
    ],
)
def test_a_bad_quota_base_is_refused_by_name(tmp_path, capsys, options, message):
    source = write_csv(tmp_path / "scores.csv", rows_for())
    out_file = tmp_path / "out.csv"
    assert main([str(source), "-o", str(out_file), *options]) == 2
    assert message in capsys.readouterr().err and not out_file.exists()


def test_an_unknown_committed_grade_is_refused_with_its_cell(tmp_path, capsys):
    header = ["组织代码", "组织名称", "所属党委", "得分", "已提交公示等级"]
    assert (
        main(
            [str(write_csv(tmp_path / "kept.csv", [["K1", "一党支部", "甲镇", "90", "五星"]], header=header))]
        )
        == 2
    )
    assert "第2行 E列（已提交公示等级）：已提交公示等级“五星”不是评定方案的等级" in capsys.readouterr().err


def test_the_grading_rules_are_options(tmp_path, capsys):
    header = ["组织代码", "组织名称", "所属党委", "得分", "申报等级"]
    rows = [[f"R{i:02d}", f"{i}党支部", "甲镇", str(99 - i), "良好" if i == 0 else "优秀"] for i in range(30)]
    source = write_csv(tmp_path / "rules.csv", rows, header=header)
    assert main([str(source), "--cap-at-declared", "--tolerance", "1", "--pass-unused"]) == 0
    out, err = capsys.readouterr()
    table = read_csv_text(out)
    assert table[1][-3] == "良好" and table[1][-1].startswith("申报等级为良好，最高评为良好")
    assert "良好：4个（上限4个，30×10%四舍五入=3，允许上浮1个=4），符合" in err
    assert main([str(source), "--tolerance", "很多"]) == 2
    assert "“很多”不是数字" in capsys.readouterr().err
    assert main([str(source), "--tolerance", "80", "--tolerance-unit", "points"]) == 2
    assert "各名额合计可达97%" in capsys.readouterr().err


def test_an_unknown_declared_grade_is_refused_with_its_cell(tmp_path, capsys):
    header = ["组织代码", "组织名称", "所属党委", "得分", "申报等级"]
    assert (
        main([str(write_csv(tmp_path / "d.csv", [["K1", "一党支部", "甲镇", "90", "五星"]], header=header))])
        == 2
    )
    assert "第2行 E列（申报等级）：申报等级“五星”不是评定方案的等级" in capsys.readouterr().err
