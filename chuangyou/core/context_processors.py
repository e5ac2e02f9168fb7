"""Navigation by role: each role sees only the menu entries it can use."""

from chuangyou.accounts.scope import REVIEW_READERS, scope_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    items = [
        ("workbench", "工作台", "home"),
        ("orgs:tree", "组织架构", "sitemap"),
        ("orgs:list", "组织列表", "list"),
    ]
    if "branch_secretary" in scope.roles:  # its own branch's pages: not a system administrator's
        items.append(("sheets:mine", "我的自查", "pencil"))
        items.append(("sheets:mine_evaluation", "民主测评", "users"))
        items.append(("sheets:mine_application", "申报表", "file-text"))
    items.append(("rubrics:list", "评定标准", "clipboard-list"))
    items.append(("campaigns:list", "争先创优活动", "flag"))
    # The leading group and the auditors read progress, reviews and notices (without acting on them).
    if scope.has_role(*REVIEW_READERS):
        items.append(("sheets:list", "自查进度", "checklist"))
        items.append(("reviews:list", "审核复核", "clipboard-check"))
        items.append(("notices:list", "公示审定", "speakerphone"))
    if scope.can_manage_tree:
        items.append(("orgs:import", "导入导出", "file-spreadsheet"))
    if scope.has_role("county_admin"):
        items.append(("workcalendar:list", "工作日历", "calendar"))
        items.append(("accounts_lockouts", "登录锁定", "lock-open"))
    if scope.can_read_audit:
        items.append(("audit:list", "审计日志", "shield-check"))
    return {"nav_items": items}
