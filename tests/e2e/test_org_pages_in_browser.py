"""Organization pages in a real browser, as the county admin: search, edit, a stale edit, dissolve,
and the workbench and tree on a phone."""

import re

import pytest
from playwright.sync_api import expect

from chuangyou.orgs.models import Domain, Kind, Organization, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STALE = "该组织信息已被他人修改，请刷新页面后重新编辑"


def shown(page, label: str):
    """The value beside a label in the detail page's 基本信息 list."""
    return page.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]")


def village_branch(township_code: str, index: int = 0) -> Organization:
    return Organization.objects.filter(
        path__startswith=Organization.objects.get(code=township_code).path,
        depth=3,
        kind=Kind.BRANCH,
        domain=Domain.VILLAGE,
    )[index]


def test_search_open_edit_and_stale_edit(page, server, demo, log_in, shot):
    village = village_branch("SFX02")  # a village of 青山镇
    log_in("admin")

    # Search the tree and open the village.
    page.goto(f"{server}/orgs/")
    page.get_by_role("searchbox", name="搜索组织").fill(village.name)
    page.get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("search-results")
    hit = results.locator("li").filter(has_text=village.code)
    expect(hit).to_have_count(1)
    shot(page, "search")
    hit.get_by_role("link", name=village.name).click()
    expect(page).to_have_url(f"{server}/orgs/{village.pk}/")
    expect(page.get_by_test_id("org-name")).to_have_text(village.name)
    expect(shown(page, "正式党员")).to_have_text(f"{village.full_members} 名")

    # Edit: change the full members, see the message and the new value.
    first_value = village.full_members + 7
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page).to_have_url(f"{server}/orgs/{village.pk}/edit/")

    # A second tab opens the same form before the first one saves.
    stale = page.context.new_page()
    stale.goto(f"{server}/orgs/{village.pk}/edit/")

    page.locator("#id_full_members").fill(str(first_value))
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{server}/orgs/{village.pk}/")
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_have_count(1)
    expect(shown(page, "正式党员")).to_have_text(f"{first_value} 名")
    shot(page, "saved")

    # The stale tab saves too: refused in Chinese, and the first save stands.
    stale.locator("#id_full_members").fill(str(first_value + 1))
    stale.get_by_role("button", name="保存").click()
    expect(stale.locator(".alert-danger")).to_have_text(STALE)
    expect(stale).to_have_url(f"{server}/orgs/{village.pk}/edit/")
    shot(stale, "stale-refused")
    stale.close()

    village.refresh_from_db()
    assert village.full_members == first_value
    page.reload()
    expect(shown(page, "正式党员")).to_have_text(f"{first_value} 名")


def test_dissolve_asks_then_dissolves_a_leaf_and_refuses_a_parent(page, server, demo, log_in, shot):
    leaf = village_branch("SFX03")
    parent = Organization.objects.filter(kind=Kind.GENERAL_BRANCH, numchild__gt=0).first()
    active_children = Organization.objects.get_children(parent).filter(status=Status.ACTIVE).count()
    assert leaf.numchild == 0 and active_children > 0
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    log_in("admin")

    def dissolve(org):
        page.goto(f"{server}/orgs/{org.pk}/")
        page.get_by_role("link", name="撤销/合并").click()
        expect(page).to_have_url(f"{server}/orgs/{org.pk}/dissolve/")
        page.get_by_label("撤销", exact=True).check()
        page.get_by_label("原因和依据").fill("村党组织合并调整，依据县委组织部通知")
        page.get_by_label("我已确认该操作").check()
        page.get_by_role("button", name="确认").click()

    # A leaf branch: the browser asks first, then it is 已撤销.
    dissolve(leaf)
    expect(page).to_have_url(f"{server}/orgs/{leaf.pk}/")
    assert dialogs == [f"确定撤销（合并）“{leaf.name}”吗？"]
    expect(page.get_by_role("alert").filter(has_text=leaf.name)).to_have_text(f"“{leaf.name}”已撤销")
    expect(shown(page, "状态")).to_have_text("已撤销")
    expect(page.get_by_role("link", name="撤销/合并")).to_have_count(0)
    shot(page, "dissolved")
    leaf.refresh_from_db()
    assert leaf.status == Status.DISSOLVED

    # An organization with active children: refused, in Chinese, and nothing changes.
    dissolve(parent)
    expect(page).to_have_url(f"{server}/orgs/{parent.pk}/dissolve/")
    expect(page.locator(".alert-danger")).to_have_text(
        f"“{parent.name}”下还有{active_children}个正常状态的下级组织，请先调整或撤销"
    )
    shot(page, "refused")
    parent.refresh_from_db()
    assert parent.status == Status.ACTIVE
    assert len(dialogs) == 2


OVERFLOW_JS = """limit => {
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 1) {
      const id = el.id ? '#' + el.id : '';
      const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
      const testid = el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '';
      wide.push(`${el.tagName.toLowerCase()}${id}${cls}${testid} right=${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 15)};
}"""


def test_workbench_and_tree_fit_a_phone(page, server, demo, log_in, shot):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in("admin")
    expect(page.get_by_test_id("workbench-title")).to_be_visible()
    shot(page, "workbench")
    result = page.evaluate(OVERFLOW_JS, 375)
    assert result["scrollWidth"] <= 375 + 2, f"workbench wider than the phone: {result}"

    # The menu folds behind the toggler and opens on a tap.
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="组织架构")).to_be_hidden()
    page.get_by_role("button", name="展开菜单").click()
    expect(nav).to_have_class(re.compile(r"\bshow\b"))  # the collapse animation is over
    expect(nav.get_by_role("link", name="组织架构")).to_be_visible()
    shot(page, "menu")
    nav.get_by_role("link", name="组织架构").click()
    expect(page.get_by_test_id("org-tree")).to_be_visible()
    root = page.get_by_test_id("org-tree").locator(":scope > li").first
    expect(root.locator(":scope > details > ul.org-tree > li[data-testid=tree-node]").first).to_be_visible()
    shot(page, "tree")
    result = page.evaluate(OVERFLOW_JS, 375)
    assert result["scrollWidth"] <= 375 + 2, f"tree wider than the phone: {result}"
