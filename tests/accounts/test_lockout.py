"""Lockout that cannot be used to keep an account locked, spraying from one address, unlocking from
the product's pages, and logins in the audit trail."""

import datetime as dt

from axes.models import AccessAttempt
from django.urls import reverse

from chuangyou.audit.models import AuditEvent
from tests.conftest import PASSWORD, make_user

ATTACKER, OFFICE = "10.0.0.9", "10.0.0.1"


def login(client, username, password, address=OFFICE):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_guessing_from_elsewhere_does_not_lock_the_account_at_its_office(client, personas):
    for _ in range(5):
        login(client, "p_town", "wrong-password", ATTACKER)
    assert login(client, "p_town", PASSWORD, ATTACKER).status_code == 429
    assert login(client, "p_town", PASSWORD, OFFICE).status_code == 302


def test_attempts_during_a_lockout_do_not_extend_it(client, personas):
    for _ in range(5):
        login(client, "p_town", "wrong-password", ATTACKER)
    (attempt,) = AccessAttempt.objects.all()
    for _ in range(10):
        assert login(client, "p_town", "wrong-password", ATTACKER).status_code == 429
    again = AccessAttempt.objects.get()
    assert (again.attempt_time, again.failures_since_start) == (attempt.attempt_time, 5)
    # Thirty minutes after the fifth failure, the account opens again.
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=attempt.attempt_time - dt.timedelta(minutes=31)
    )
    assert login(client, "p_town", PASSWORD, ATTACKER).status_code == 302


def test_spraying_one_address_over_many_accounts_locks_the_address(client, personas):
    users = [make_user(f"p_spray{i}").username for i in range(8)]
    for n in range(20):  # 2 or 3 per account: no account reaches five
        login(client, users[n % 8], "wrong-password", ATTACKER)
    assert login(client, "p_admin", PASSWORD, ATTACKER).status_code == 429
    assert login(client, "p_admin", PASSWORD, OFFICE).status_code == 302


def test_a_county_admin_unlocks_an_account_of_its_scope(client, client_for, personas):
    for _ in range(5):
        login(client, "p_town", "wrong-password", ATTACKER)
    assert client_for("township_reviewer").get(reverse("accounts_lockouts")).status_code == 403
    admin = client_for("county_admin")
    page = admin.get(reverse("accounts_lockouts")).content.decode()
    assert page.count('data-testid="lockout-row"') == 1 and "p_town" in page and ATTACKER in page
    response = admin.post(
        reverse("accounts_lockouts"), {"username": "p_town", "ip_address": ATTACKER}, follow=True
    )
    assert (
        "已解除锁定" in response.content.decode()
        and "目前没有被锁定的账号或地址" in response.content.decode()
    )
    event = AuditEvent.objects.get(verb="account.unlock")
    assert (event.actor, event.target_label, event.note) == (
        personas["county_admin"],
        "p_town",
        f"解除锁定：p_town（地址 {ATTACKER}）",
    )
    assert login(client, "p_town", PASSWORD, ATTACKER).status_code == 302


def test_an_address_is_unlocked_by_a_system_administrator_only(client, client_for, personas):
    for n in range(20):
        login(client, ("p_branch", "p_leader", "p_auditor", "p_outsider")[n % 4], "wrong-password", ATTACKER)
    admin = client_for("county_admin")
    assert "（该地址的全部账号）" not in admin.get(reverse("accounts_lockouts")).content.decode()
    response = admin.post(reverse("accounts_lockouts"), {"username": "", "ip_address": ATTACKER}, follow=True)
    assert "只有系统管理员可以解除对地址的锁定" in response.content.decode()
    root = make_user("p_root")
    root.is_superuser = True
    root.save()
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert "（该地址的全部账号）" in client.get(reverse("accounts_lockouts")).content.decode()
    client.post(reverse("accounts_lockouts"), {"username": "", "ip_address": ATTACKER})
    assert not AccessAttempt.objects.filter(ip_address=ATTACKER).exists()


def test_logins_logouts_and_failures_are_in_the_audit_trail(client, personas):
    login(client, "p_town", "wrong-password")
    login(client, "nobody-here", "wrong-password")
    login(client, "p_town", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=OFFICE)
    events = list(AuditEvent.objects.order_by("pk").values_list("verb", "target_label", "actor_name", "ip"))
    assert events == [
        ("account.login_failed", "p_town", "系统", OFFICE),
        ("account.login_failed", "nobody-here", "系统", OFFICE),
        ("account.login", "p_town", "p_town", OFFICE),
        ("account.logout", "p_town", "p_town", OFFICE),
    ]
    # The township's auditors read the logins of its reviewer.
    assert AuditEvent.objects.get(verb="account.login").organization.name == "甲镇党委"


def locked(username, address=ATTACKER):
    from django.utils import timezone

    AccessAttempt.objects.create(
        username=username,
        ip_address=address,
        failures_since_start=5,
        attempt_time=timezone.now(),
        user_agent="",
        http_accept="",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
    )


def test_the_lockout_page_checks_the_accounts_in_one_query(client_for, personas, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangyou.accounts.models import Role

    admin = client_for("county_admin")
    url = reverse("accounts_lockouts")
    locked("p_town")
    admin.get(url)  # the session and scope are read once
    with CaptureQueriesContext(connection) as one:
        page = admin.get(url).content.decode()
    assert page.count('data-testid="lockout-row"') == 1
    for i in range(4):
        locked(make_user(f"p_clerk{i}", Role.TOWNSHIP_REVIEWER, tree["town_a"]).username)
    locked(make_user("p_norole").username)  # no role: only a system administrator unlocks it
    with CaptureQueriesContext(connection) as five:
        page = admin.get(url).content.decode()
    assert page.count('data-testid="lockout-row"') == 5 and "p_norole" not in page
    assert len(five) == len(one)


def test_an_unlock_of_an_address_that_is_not_one_is_refused(client_for, personas):
    admin = client_for("county_admin")
    response = admin.post(
        reverse("accounts_lockouts"), {"username": "p_town", "ip_address": "not-an-address"}, follow=True
    )
    assert "地址无效，请从锁定列表中选择要解除的锁定" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="account.unlock").exists()
