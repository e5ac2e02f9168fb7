"""Each demo role in a real browser: its workbench, its menu and the part of the tree it sees;
scope, lockout, no outside requests and no CSP violations."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from chuangyou.accounts.models import Role
from chuangyou.orgs.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTY = "中共示范县委员会"
CHENGGUAN = "中共示范县城关镇委员会"
QINGSHAN = "中共示范县青山镇委员会"
BASE_NAV = ["工作台", "组织架构", "组织列表", "评定标准", "争先创优活动"]


@dataclass(frozen=True)
class Expected:
    role: Role
    manages_tree: bool  # 导入导出 in the menu
    reads_audit: bool  # 审计日志 in the menu
    reads_reviews: bool = True  # 自查进度, 审核复核 and 公示审定 in the menu


ROLES = {
    "admin": Expected(Role.COUNTY_ADMIN, manages_tree=True, reads_audit=True),
    "leader": Expected(Role.LEADING_GROUP, manages_tree=False, reads_audit=False),
    "auditor": Expected(Role.AUDITOR, manages_tree=False, reads_audit=True),
    "township01": Expected(Role.TOWNSHIP_REVIEWER, manages_tree=True, reads_audit=False),
    "branch01": Expected(Role.BRANCH_SECRETARY, manages_tree=False, reads_audit=False, reads_reviews=False),
}


def child_nodes(node):
    """The tree nodes directly under an expanded node (an <li data-testid=tree-node>)."""
    return node.locator(":scope > details > ul.org-tree > li[data-testid=tree-node]")


def expand(node):
    """Open a collapsed node by clicking its <summary> beside the link (the ▸ marker)."""
    summary = node.locator(":scope > details > summary")
    summary.click(position={"x": 8, "y": 10})
    expect(node.locator(":scope > details")).to_have_attribute("open", "")


@pytest.mark.parametrize("username", list(ROLES))
def test_role_sees_its_workbench_menu_and_tree(page, server, demo, log_in, shot, username):
    expected = ROLES[username]
    scope_org = Organization.objects.get(code=demo[username].org_code)
    if username == "township01":
        assert scope_org.name == CHENGGUAN
    elif username != "branch01":
        assert scope_org.name == COUNTY

    response = log_in(username)
    assert response.ok
    assert page.url == f"{server}/"

    # Workbench: the role, the scope and the menu.
    expect(page.get_by_test_id("workbench-title")).to_have_text(expected.role.label)
    cards = page.get_by_test_id("scope-card")
    expect(cards).to_have_count(1)
    expect(cards.locator(".card-title")).to_have_text(scope_org.name)
    own = ["我的自查", "民主测评", "申报表"] if expected.role == Role.BRANCH_SECRETARY else []
    nav = (
        BASE_NAV[:3]
        + own
        + BASE_NAV[3:]
        + (["自查进度", "审核复核", "公示审定"] if expected.reads_reviews else [])
        + (["导入导出"] if expected.manages_tree else [])
        + (["工作日历", "登录锁定"] if expected.role == Role.COUNTY_ADMIN else [])
        + (["审计日志"] if expected.reads_audit else [])
    )
    expect(page.locator("#main-nav .nav-link")).to_have_text(nav)
    shot(page, "workbench")

    # Tree: the scope root, expanded, with its children loaded by htmx.
    page.locator("#main-nav").get_by_role("link", name="组织架构").click()
    expect(page).to_have_url(f"{server}/orgs/")
    tree = page.get_by_test_id("org-tree")
    roots = tree.locator(":scope > li[data-testid=tree-node]")
    expect(roots).to_have_count(1)
    root = roots.first
    expect(root).to_have_attribute("data-code", scope_org.code)

    if username == "branch01":
        # A leaf: nothing to expand, and nothing above or beside it.
        expect(tree.get_by_test_id("tree-node")).to_have_count(1)
        expect(root.locator("details")).to_have_count(0)
        expect(root.locator(".leaf a")).to_have_text(scope_org.name)
        expect(tree).not_to_contain_text("委员会")
        shot(page, "tree")
        return

    expect(root.locator(":scope > details")).to_have_attribute("open", "")
    children = child_nodes(root)
    expect(children).to_have_count(scope_org.numchild)
    if username == "township01":
        expect(tree).not_to_contain_text("青山镇")
        for code in children.evaluate_all("nodes => nodes.map(n => n.dataset.code)"):
            assert code.startswith(scope_org.code), code
    else:
        expect(children.filter(has_text=QINGSHAN)).to_have_count(1)

    # Expand the first child that has children of its own; htmx loads them on the first toggle.
    branchy = children.filter(has=page.locator(":scope > details")).first
    child = Organization.objects.get(code=branchy.get_attribute("data-code"))
    assert child.numchild > 0
    expect(child_nodes(branchy)).to_have_count(0)
    expand(branchy)
    grandchildren = child_nodes(branchy)
    expect(grandchildren).to_have_count(child.numchild)
    for code in grandchildren.evaluate_all("nodes => nodes.map(n => n.dataset.code)"):
        assert code.startswith(child.code), code
    shot(page, "tree")


def test_township_reviewer_gets_404_outside_its_township(page, server, demo, log_in, shot):
    other = Organization.objects.get(code="SFX02")  # 青山镇
    other_branch = Organization.objects.filter(path__startswith=other.path, depth=3).first()
    log_in("township01")

    for org in (other, other_branch):
        response = page.goto(f"{server}/orgs/{org.pk}/")
        assert response.status == 404, org.name
        expect(page.locator(".empty-title")).to_have_text("页面不存在")
        expect(page.locator("body")).not_to_contain_text(org.name)
    shot(page, "not-found")

    # The htmx fragment and the edit form refuse the same way.
    for url in (f"/orgs/{other.pk}/children/", f"/orgs/{other_branch.pk}/edit/"):
        assert page.request.get(f"{server}{url}").status == 404, url


def test_five_wrong_passwords_lock_the_account(page, server, demo, log_in, shot):
    for attempt in range(1, 6):
        log_in("leader", password=f"wrong-password-{attempt}")
        assert "/accounts/login/" in page.url
        if attempt < 5:
            expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")

    response = log_in("leader")
    assert response.status == 429
    expect(page.locator(".alert-title")).to_have_text("账号已锁定")
    expect(page.get_by_role("alert")).to_contain_text("30分钟")
    shot(page, "locked")


def test_no_request_leaves_the_machine(page, server, demo, log_in):
    log_in("admin")
    requests, failures = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}: {r.failure}"))

    page.goto(f"{server}/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{server}/orgs/")
    expect(child_nodes(page.get_by_test_id("org-tree").locator(":scope > li").first).first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert any("/static/" in url for url in requests), requests
    outside = [url for url in requests if not url.startswith(f"{server}/") and not url.startswith("data:")]
    assert outside == []
    # Static files and htmx fragments all load: a missing stylesheet or script is a broken page.
    assert failures == []


def test_no_csp_violations_on_workbench_and_tree(page, server, demo, log_in):
    violations, errors = [], []
    page.on(
        "console",
        lambda m: m.type == "error" and "Content Security Policy" in m.text and violations.append(m.text),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))

    log_in("admin")
    expect(page.get_by_test_id("workbench-title")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.goto(f"{server}/orgs/")
    root = page.get_by_test_id("org-tree").locator(":scope > li").first
    first_township = child_nodes(root).first
    expand(first_township)
    expect(child_nodes(first_township).first).to_be_visible()
    page.wait_for_load_state("networkidle")

    # The scripts did run (htmx loaded the children above), so silence means no violation.
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations == []
    assert errors == []
