"""Importing the organization tree from Excel: every bad row reported, nothing written unless all rows
are valid, and a file that matches the database writes nothing."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from chuangyou.accounts.scope import scope_of
from chuangyou.audit.models import AuditEvent
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.orgs.tree_import import SYSTEM_SCOPE, tree_import
from chuangyou.orgs.tree_sheet import HEADER, MAX_ROWS
from tests.conftest import make_org


def book(*rows, header=HEADER, formulas=False) -> bytes:
    """An .xlsx as Excel would save it; text starting with '=' stays text unless `formulas`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if not formulas:
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def branch(code, name, parent, kind="党支部", domain="村", full=10, probationary=1, **extra):
    row = [code, name, parent, kind, domain, full, probationary, "王建国", "13812341234", None]
    for index, value in extra.items():
        row[int(index[1:])] = value
    return row


def run(data, *, scope=SYSTEM_SCOPE, actor=None, **options):
    return tree_import(actor=actor, scope=scope, data=data, filename="组织.xlsx", **options)


def state():
    return Organization.objects.count(), AuditEvent.objects.count()


def assert_tree_is_sound():
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def only_error(result):
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return str(result.errors[0])


# --- Creating, updating, moving -------------------------------------------------------------------


def test_it_creates_children_listed_before_their_parents(tree):
    data = book(
        branch("TA0301", "甲三社区第一党支部", "TA03", domain="社区"),
        branch("TA0302", "甲三社区第二党支部", "TA03", domain="社区"),
        branch("TA03", "甲三社区党总支", "TA", kind="党总支", domain="社区"),
    )
    result = run(data)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.moved, result.unchanged) == (3, 0, 0, 0)
    general = Organization.objects.get(code="TA03")
    assert Organization.objects.get_parent(general).code == "TA"
    assert [c.code for c in Organization.objects.get_children(general)] == ["TA0301", "TA0302"]
    assert (
        general.numchild == 2 and general.kind == Kind.GENERAL_BRANCH and general.domain == Domain.COMMUNITY
    )
    assert Organization.objects.get(code="TA").numchild == 3
    assert_tree_is_sound()


def test_new_organizations_get_one_audit_event_each_and_a_summary(tree):
    data = book(branch("TA03", "甲三村党支部", "TA"), branch("TA04", "甲四村党支部", "TA"))
    before = AuditEvent.objects.count()
    run(data)
    events = AuditEvent.objects.order_by("id")[before:]
    assert [e.verb for e in events] == ["org.create", "org.create", "org.import"]
    assert events[0].after["code"] == "TA03" and events[0].after["parent_code"] == "TA"
    assert events[0].after["secretary_phone"] == "138****1234"
    assert events[0].note == "Excel导入" and events[0].actor_name == "系统"
    stored = Organization.objects.get(code="TA03")
    assert events[0].after == {**stored.snapshot(), "parent_code": "TA"}
    assert events[0].organization == stored and events[0].target_id == str(stored.pk)
    summary = events[2]
    assert summary.organization == tree["county"]
    assert summary.after["created"] == 2 and len(summary.after["sha256"]) == 64


def test_it_updates_changed_rows_by_code(tree):
    data = book(
        branch("TA01", "甲一村党支部（新）", "TA", full=15),
        branch("TA02", "甲二村党支部", "TA", full=2, probationary=0),
    )
    result = run(data)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    a1 = Organization.objects.get(code="TA01")
    assert (a1.name, a1.full_members, a1.version) == ("甲一村党支部（新）", 15, 2)
    event = AuditEvent.objects.filter(verb="org.update").get()
    assert event.before == {"name": "甲一村党支部", "full_members": 10}
    assert event.after == {"name": "甲一村党支部（新）", "full_members": 15}
    assert event.organization_id == a1.pk


def test_absent_optional_columns_leave_stored_values_alone(tree):
    header = ["组织代码", "组织名称", "上级组织代码", "组织类别"]
    result = run(
        book(
            ["TA01", "甲一村党支部", "TA", "党支部"], ["TA05", "甲五村党支部", "TA", "党支部"], header=header
        )
    )
    assert result.errors and "第3行 所属领域：党支部须填写所属领域" in [str(e) for e in result.errors]
    result = run(book(["TA01", "甲一村党支部", "TA", "党支部"], header=header))
    assert (result.unchanged, result.updated) == (1, 0)


def test_it_moves_an_existing_organization(tree):
    result = run(book(branch("TA02", "甲二村党支部", "TB", full=2, probationary=0)))
    assert (result.moved, result.updated) == (1, 0)
    moved = Organization.objects.get(code="TA02")
    assert Organization.objects.get_parent(moved).code == "TB"
    assert moved.version == 2
    event = AuditEvent.objects.get(verb="org.move")
    assert event.before == {"parent_code": "TA", "parent_name": "甲镇党委"}
    assert event.after == {"parent_code": "TB", "parent_name": "乙街道党工委"}
    assert_tree_is_sound()


def test_moves_are_ordered_so_that_no_node_goes_under_its_own_descendant(tree):
    outer = make_org(tree["town_a"], "TAC1", "甲镇机关党委", Kind.COMMITTEE, Domain.ORGAN)
    make_org(outer, "TAC2", "甲镇学校党委", Kind.COMMITTEE, Domain.SCHOOL)
    data = book(
        branch("TAC1", "甲镇机关党委", "TAC2", kind="党委", domain="机关"),
        branch("TAC2", "甲镇学校党委", "TB", kind="党委", domain="学校"),
    )
    result = run(data)
    assert result.ok, result.errors
    assert result.moved == 2
    inner = Organization.objects.get(code="TAC2")
    assert Organization.objects.get_parent(inner).code == "TB"
    assert Organization.objects.get_parent(Organization.objects.get(code="TAC1")).code == "TAC2"
    assert_tree_is_sound()


def test_new_children_follow_a_parent_that_moves_in_the_same_file(tree):
    data = book(branch("TAG", "甲镇党总支", "TA", kind="党总支"), branch("TAG01", "甲镇新支部", "TAG"))
    assert run(data).created == 2
    data = book(branch("TAG", "甲镇党总支", "TB", kind="党总支"), branch("TAG02", "甲镇又一支部", "TAG"))
    result = run(data)
    assert (result.moved, result.created) == (1, 1)
    children = Organization.objects.get_children(Organization.objects.get(code="TAG"))
    assert [c.code for c in children] == ["TAG01", "TAG02"]
    assert_tree_is_sound()


def test_reimporting_the_same_file_changes_nothing(tree):
    data = book(branch("TA03", "甲三村党支部", "TA"), branch("TA01", "甲一村党支部改", "TA"))
    first = run(data)
    assert (first.created, first.updated) == (1, 1)
    before = state()
    again = run(data)
    assert again.ok
    assert (again.created, again.updated, again.moved, again.unchanged) == (0, 0, 0, 2)
    assert state() == before


def test_a_dry_run_reports_counts_and_writes_nothing(tree):
    before = state()
    result = run(book(branch("TA03", "甲三村党支部", "TA")), dry_run=True)
    assert result.ok and result.dry_run and result.created == 1
    assert state() == before


def test_codes_stored_as_numbers_lose_their_decimal_point(tree):
    result = run(book(branch(340101, "数字代码党支部", "TA")))
    assert result.ok, result.errors
    assert Organization.objects.filter(code="340101").exists()


@pytest.mark.parametrize("cell", ["2001-07-01", "2001/07/01", "2001.07.01", "2001/7/1", dt.date(2001, 7, 1)])
def test_founding_dates_are_read_in_the_usual_forms(tree, cell):
    result = run(book(branch("TA03", "甲三村党支部", "TA", c9=cell)))
    assert result.ok, result.errors
    assert Organization.objects.get(code="TA03").founded == dt.date(2001, 7, 1)


def test_kinds_and_domains_may_be_given_as_codes(tree):
    result = run(book(branch("TA03", "甲三村党支部", "TA", kind="branch", domain="village")))
    assert result.ok, result.errors


def test_header_cells_may_have_surrounding_spaces(tree):
    header = [f" {h} " for h in HEADER]
    assert run(book(branch("TA03", "甲三村党支部", "TA"), header=header)).ok


def test_a_masked_phone_from_the_web_export_means_unchanged(tree):
    result = run(book(branch("TA01", "甲一村党支部", "TA", c8="138****1234")))
    assert (result.unchanged, result.updated) == (1, 0)
    result = run(book(branch("TA01", "甲一村党支部", "TA", c8="139****1234")))
    assert "第2行 书记电话：" in only_error(result)


# --- Bad input: a clear message, nothing changed ----------------------------------------------------


BAD_ROWS = [
    pytest.param(
        [branch("TA03", "甲三村党支部", "NOPE")],
        "第2行 上级组织代码：“NOPE”在文件和系统中都不存在",
        id="unknown-parent",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA"), branch("TA03", "重复党支部", "TA")],
        "第3行 组织代码：“TA03”与第2行重复",
        id="duplicate-code",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA01")],
        "第2行 上级组织代码：党支部下不能再设党支部",
        id="branch-under-branch",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", full=-3)],
        "第2行 正式党员数：不能为负数（当前为-3）",
        id="negative-members",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", probationary="三")],
        "第2行 预备党员数：“三”不是数字，应为不小于0的整数",
        id="text-members",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", full=2.5)],
        "第2行 正式党员数：“2.5”应为整数",
        id="fraction-members",
    ),
    pytest.param(
        [branch("TA03", "=1+1", "TA")],
        "第2行 组织名称：不能以“=”开头（会被电子表格当作公式），请删除该符号",
        id="formula-name",
    ),
    pytest.param(
        [branch("TA03", "@SUM(A1)", "TA")],
        "第2行 组织名称：不能以“@”开头（会被电子表格当作公式），请删除该符号",
        id="at-name",
    ),
    pytest.param([branch("TA03", "", "TA")], "第2行 组织名称：不能为空", id="blank-name"),
    pytest.param(
        [branch("TA03", "名" * 101, "TA")], "第2行 组织名称：不能超过100个字（当前101个字）", id="long-name"
    ),
    pytest.param([branch("TA 03", "甲三村党支部", "TA")], "第2行 组织代码：“TA 03”格式不正确", id="bad-code"),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", kind="支部")],
        "第2行 组织类别：“支部”不是有效的组织类别",
        id="bad-kind",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", domain="农村")],
        "第2行 所属领域：“农村”不是有效的所属领域",
        id="bad-domain",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", domain="")],
        "第2行 所属领域：党支部须填写所属领域",
        id="no-domain",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", c8="call me")],
        "第2行 书记电话：“call me”不是有效的电话号码",
        id="bad-phone",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", c9="2001-13-01")],
        "第2行 成立日期：“2001-13-01”不是有效日期",
        id="bad-date",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA", c9="2999-01-01")],
        "第2行 成立日期：2999-01-01晚于今天",
        id="future-date",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "TA03")],
        "第2行 上级组织代码：不能是本组织自己的代码",
        id="own-parent",
    ),
    pytest.param(
        [branch("TA03", "甲三村党支部", "")], "第2行 上级组织代码：党支部必须有上级组织", id="branch-as-root"
    ),
    pytest.param(
        [branch("TA01", "甲一村党支部", "", kind="乡镇党委")],
        "第2行 上级组织代码：已有组织不能通过导入调整为顶层组织",
        id="existing-to-root",
    ),
    pytest.param(
        [branch("TA", "甲镇党委", "T", kind="党支部")],
        "第2行 组织类别：党支部下不能再设党支部（现有下级组织“甲一村党支部”）",
        id="kind-change-strands-children",
    ),
]


@pytest.mark.parametrize(("rows", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_changes(tree, rows, message):
    before = state()
    result = run(book(*rows))
    assert not result.ok
    assert any(str(e).startswith(message) for e in result.errors), [str(e) for e in result.errors]
    assert state() == before


@pytest.mark.parametrize(("status", "label"), [("dissolved", "已撤销"), ("merged", "已合并")])
def test_nothing_is_placed_under_or_changed_in_a_dissolved_or_merged_organization(tree, status, label):
    Organization.objects.filter(code__in=["TB", "TB01"]).update(status=status)
    before = state()
    result = run(
        book(
            branch("TB02", "乙二社区党支部", "TB", domain="社区"), branch("TB01", "改名", "TB", domain="社区")
        )
    )
    messages = [str(e) for e in result.errors]
    assert messages == [
        f"第2行 上级组织代码：上级组织“乙街道党工委”{label}，不能在其下设立或调入组织",
        f"第3行 组织代码：“乙社区党支部”{label}，不能通过导入修改",
    ]
    assert all(f"{label}，" in m and "已已" not in m for m in messages)
    assert state() == before
    assert run(book(branch("TB01", "乙社区党支部", "TB", domain="社区"))).unchanged == 1


def test_a_change_made_by_someone_else_meanwhile_aborts_the_import(tree, monkeypatch):
    import chuangyou.orgs.tree_import as importer

    plan_import = importer.plan_import

    def plan_then_someone_adds_a_branch(*args):
        plan = plan_import(*args)
        make_org(tree["town_a"], "TA09", "他人新建的党支部", Kind.BRANCH, Domain.VILLAGE)
        return plan

    monkeypatch.setattr(importer, "plan_import", plan_then_someone_adds_a_branch)
    before = Organization.objects.count()
    result = run(book(branch("TA03", "甲三村党支部", "TA")))
    assert only_error(result) == "文件：导入期间组织架构已被他人修改，未做任何修改，请重新导入。"
    assert Organization.objects.count() == before + 1  # only the other user's branch
    assert not Organization.objects.filter(code="TA03").exists()


def test_a_loop_within_the_file_is_reported_on_every_row_of_the_loop(tree):
    data = book(
        branch("X1", "甲镇一党委", "X2", kind="党委", domain="机关"),
        branch("X2", "甲镇二党委", "X3", kind="党委", domain="机关"),
        branch("X3", "甲镇三党委", "X1", kind="党委", domain="机关"),
        branch("X4", "挂在环上的支部", "X3"),
    )
    before = state()
    result = run(data)
    messages = [str(e) for e in result.errors]
    assert messages == [
        "第2行 上级组织代码：上下级关系形成循环：X1 → X2 → X3 → X1",
        "第3行 上级组织代码：上下级关系形成循环：X1 → X2 → X3 → X1",
        "第4行 上级组织代码：上下级关系形成循环：X1 → X2 → X3 → X1",
    ]
    assert state() == before


def test_a_loop_through_stored_organizations_is_found(tree):
    general = make_org(tree["town_a"], "TAG", "甲镇党总支", Kind.GENERAL_BRANCH, Domain.VILLAGE)
    make_org(general, "TAG1", "甲镇党总支一支部", Kind.BRANCH, Domain.VILLAGE)
    committee = make_org(tree["town_a"], "TAC", "甲镇党委机关", Kind.COMMITTEE, Domain.ORGAN)
    make_org(committee, "TAC1", "下级党委", Kind.COMMITTEE, Domain.ORGAN)
    before = state()
    result = run(book(branch("TAC", "甲镇党委机关", "TAC1", kind="党委", domain="机关")))
    assert only_error(result) == "第2行 上级组织代码：上下级关系形成循环：TAC → TAC1 → TAC"
    assert state() == before


def test_every_bad_row_is_reported_not_just_the_first(tree):
    rows = [branch(f"TA{n:03d}", "党支部", "TA", full=-1) for n in range(300)]
    result = run(book(*rows))
    assert len(result.errors) == 300
    assert str(result.errors[-1]) == "第301行 正式党员数：不能为负数（当前为-1）"


def test_missing_required_columns_give_one_clear_error(tree):
    header = ["组织代码", "组织名称", "所属领域"]
    before = state()
    result = run(book(["TA03", "甲三村党支部", "村"], header=header))
    assert only_error(result) == (
        "第1行 表头：缺少必填列：上级组织代码、组织类别。请下载导入模板，第一行须为模板中的列名"
    )
    assert state() == before


def test_a_real_formula_cell_is_not_taken_as_a_name(tree):
    result = run(book(branch("TA03", "=1+1", "TA"), formulas=True))
    assert only_error(result).startswith("第2行 组织名称：")


def test_a_file_with_only_a_header_is_refused(tree):
    assert only_error(run(book())).startswith("文件：文件中没有数据行")


def test_a_file_over_the_row_limit_is_refused_before_any_check(tree, monkeypatch):
    monkeypatch.setattr("chuangyou.orgs.tree_sheet.MAX_ROWS", 2)
    rows = [branch(f"TA{n:03d}", "党支部", "TA") for n in range(3)]
    assert only_error(run(book(*rows))) == "文件：共3行，超过单次导入上限2行，请分批导入"
    assert MAX_ROWS >= 200_000


def zip_bomb() -> bytes:
    """A real zip whose worksheet entry inflates to 200 MB of zeros (about 200 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                entry.write(block)
    return buffer.getvalue()


BAD_FILES = [
    pytest.param(b"", "文件：文件为空", id="empty"),
    pytest.param(
        "组织代码,组织名称\nTA03,甲三村\n".encode(), "文件：文件内容不是 Excel（.xlsx）格式", id="txt-renamed"
    ),
    pytest.param(b"PK\x03\x04" + b"\0" * 1000, "文件：文件已损坏", id="broken-zip"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_a_file_that_is_not_a_workbook_is_refused(tree, data, message):
    before = state()
    assert only_error(run(data)).startswith(message)
    assert state() == before


def test_a_zip_bomb_is_refused_before_parsing(tree):
    data = zip_bomb()
    assert len(data) < 2 * 1024 * 1024
    before = state()
    assert only_error(run(data)) == "文件：文件解压后体积异常（疑似压缩炸弹），已拒绝读取。"
    assert state() == before


def test_a_50_mb_file_is_refused(tree):
    data = b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)
    assert only_error(run(data)).startswith("文件：文件过大（50.0 MB），上限为 20 MB")


# --- Scope ----------------------------------------------------------------------------------------


def test_a_township_reviewer_may_add_to_its_own_township(personas):
    user = personas["township_reviewer"]
    result = run(book(branch("TA03", "甲三村党支部", "TA")), scope=scope_of(user), actor=user)
    assert result.ok and result.created == 1
    assert AuditEvent.objects.filter(verb="org.create", actor=user).count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            branch("TB02", "乙二社区党支部", "TB", domain="社区"),
            "第2行 上级组织代码：上级组织不在您的管辖范围内",
        ),
        (
            branch("TB01", "乙社区党支部改", "TB", domain="社区"),
            "第2行 组织代码：“TB01”已被您管辖范围以外的组织使用",
        ),
        (
            branch("TA02", "甲二村党支部", "TB", full=2, probationary=0),
            "第2行 上级组织代码：上级组织不在您的管辖范围内",
        ),
        (
            branch("TA", "甲镇党委改名", "T", kind="乡镇党委", domain=""),
            "第2行 组织代码：您无权修改“甲镇党委”",
        ),
        (
            branch("NEWROOT", "新县委", "", kind="县委", domain=""),
            "第2行 上级组织代码：只有系统管理员可以导入顶层组织",
        ),
    ],
)
def test_a_township_reviewer_cannot_reach_outside_its_township(personas, row, message):
    user = personas["township_reviewer"]
    before = state()
    result = run(book(row), scope=scope_of(user), actor=user)
    assert only_error(result).startswith(message)
    assert state() == before


def test_unchanged_rows_of_a_scope_top_are_accepted(personas):
    """A township reviewer's own export lists its township; re-importing it is not an edit."""
    user = personas["township_reviewer"]
    row = branch("TA", "甲镇党委", "T", kind="乡镇党委", domain="", full=0, probationary=0)
    result = run(book(row), scope=scope_of(user), actor=user)
    assert result.ok and result.unchanged == 1


def test_a_new_root_needs_a_superuser(db):
    result = run(book(branch("R", "示范县委", "", kind="县委", domain="", full=0, probationary=0)))
    assert result.ok and result.created == 1
    assert Organization.objects.get(code="R").depth == 1


# --- The web page ---------------------------------------------------------------------------------


URL = reverse("orgs:import")


def upload(client, data, name="组织.xlsx", **extra):
    return client.post(URL, {"file": io_file(data, name), **extra})


def io_file(data, name):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_the_page_offers_a_template_with_two_example_rows(client_for):
    client = client_for("county_admin")
    page = client.get(URL)
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    response = client.get(URL, {"template": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert list(rows[0]) == HEADER and len(rows) == 3


@pytest.mark.parametrize("persona", ["branch_secretary", "leading_group", "auditor", "outsider"])
def test_only_tree_managers_may_import(client_for, persona):
    client = client_for(persona)
    before = state()
    assert client.get(URL).status_code == 403
    assert upload(client, book(branch("TA03", "甲三村党支部", "TA"))).status_code == 403
    assert state() == before


def test_anonymous_users_are_sent_to_login(client, tree):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_upload_is_imported_and_a_second_submission_changes_nothing(client_for):
    client = client_for("county_admin")
    data = book(branch("TA03", "甲三村党支部", "TA"))
    page = upload(client, data)
    assert page.status_code == 200
    assert "导入完成" in page.content.decode() and "新建 1 个组织" in page.content.decode()
    event = AuditEvent.objects.get(verb="org.import")
    assert event.actor.username == "p_admin" and event.after["file"] == "组织.xlsx"
    before = state()
    again = upload(client, data)  # the same form submitted from a second tab
    assert "没有需要修改的内容" in again.content.decode()
    assert state() == before


def test_errors_are_listed_as_a_table_capped_at_200(client_for):
    client = client_for("county_admin")
    rows = [branch(f"TA{n:03d}", "党支部", "TA", full=-1) for n in range(250)]
    before = state()
    page = upload(client, book(*rows)).content.decode()
    assert "文件有 250 处问题，未导入任何数据" in page
    assert "另有 50 处问题未列出" in page
    assert page.count("不能为负数") == 200
    assert state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, this is text", "文件内容不是 Excel（.xlsx）格式"),
        (b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024), "文件过大（50.0 MB），上限为 20 MB"),
    ],
    ids=["txt-renamed", "50MB"],
)
def test_bad_uploads_get_a_message_not_an_error_page(client_for, data, message):
    client = client_for("county_admin")
    before = state()
    page = upload(client, data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert state() == before


def test_a_zip_bomb_upload_is_refused(client_for):
    client = client_for("county_admin")
    before = state()
    page = upload(client, zip_bomb())
    assert "疑似压缩炸弹" in page.content.decode()
    assert state() == before


def test_an_empty_upload_is_refused(client_for):
    page = upload(client_for("county_admin"), b"")
    assert page.status_code == 200 and "文件为空" in page.content.decode()


def test_a_post_without_a_file_asks_for_one(client_for):
    page = client_for("county_admin").post(URL, {})
    assert page.status_code == 200 and "请选择要导入的 Excel（.xlsx）文件" in page.content.decode()


def test_a_form_with_too_many_fields_gets_a_message(client_for):
    fields = {f"f{n}": "x" for n in range(1100)}
    page = upload(client_for("county_admin"), book(), **fields)
    assert page.status_code == 200 and "上传的内容过大或格式不正确" in page.content.decode()


def test_a_dry_run_from_the_page_writes_nothing(client_for):
    client = client_for("county_admin")
    before = state()
    page = upload(client, book(branch("TA03", "甲三村党支部", "TA")), dry_run="on")
    assert "检查通过，未写入任何数据" in page.content.decode()
    assert state() == before


def test_a_township_reviewer_importing_under_another_township_is_refused(client_for):
    client = client_for("township_reviewer")
    before = state()
    page = upload(client, book(branch("TB02", "乙二社区党支部", "TB", domain="社区"))).content.decode()
    assert "上级组织不在您的管辖范围内" in page
    assert state() == before
