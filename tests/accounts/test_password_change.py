"""Each user changes its own password: old password checked, new one validated, audited."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts.models import PasswordHistory
from chuangyou.audit.models import AuditEvent
from tests.conftest import PASSWORD

URL = reverse("password_change")
OLD = "Old-password-2026!"
NEW = "Huaxia-Zhiyuan-7391"


def post(client, old=OLD, new1=NEW, new2=NEW):
    return client.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2})


def test_a_user_changes_its_own_password(client_for, personas):
    user = personas["branch_secretary"]
    user.set_password(OLD)
    user.save()
    client = client_for("branch_secretary")
    page = client.get(URL).content.decode()
    assert "原密码" in page and "再次输入新密码" in page and "至少12位" in page
    assert URL in client.get(reverse("workbench")).content.decode()  # the user's name links here
    response = post(client)
    assert response.status_code == 302 and response["Location"] == reverse("workbench")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(reverse("workbench")).status_code == 200  # still signed in
    event = AuditEvent.objects.get(verb="account.password_change")
    assert event.actor == user and NEW not in str(event.after) + str(event.before)


def test_bad_passwords_are_refused_in_chinese(client_for, personas):
    user = personas["branch_secretary"]
    user.set_password(OLD)
    user.save()
    client = client_for("branch_secretary")
    for data, message in (
        ({"old": "wrong"}, "原密码不正确"),
        ({"new1": NEW, "new2": NEW + "x"}, "两次输入的新密码不一致"),
        ({"new1": "12345678901234", "new2": "12345678901234"}, "密码只包含数字"),
        ({"new1": "short", "new2": "short"}, "密码长度太短"),
    ):
        body = post(client, **data)
        assert body.status_code == 200 and message in body.content.decode(), message
    user.refresh_from_db()
    assert user.check_password(OLD) and not AuditEvent.objects.filter(verb="account.password_change").exists()


def test_signing_in_is_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_guessing_the_old_password_locks_the_account(client_for, personas, client):
    user = personas["branch_secretary"]
    user.set_password(OLD)
    user.save()
    session = client_for("branch_secretary")
    for _ in range(4):
        assert "原密码不正确" in post(session, old="guess").content.decode()
    assert post(session, old="guess").status_code == 429  # the fifth: the lockout page
    body = post(session).content.decode()  # even the right one now
    assert "原密码输错次数过多，账号已锁定30分钟" in body
    user.refresh_from_db()
    assert user.check_password(OLD)
    session.logout()
    login = session.post(reverse("login"), {"username": user.get_username(), "password": OLD})
    assert "_auth_user_id" not in session.session and login.status_code in (200, 429)


def test_each_password_rule_has_its_chinese_message(client_for, personas):
    user = personas["branch_secretary"]  # p_branch
    user.set_password(OLD)
    user.save()
    client = client_for("branch_secretary")
    for new, message in (
        ("huaxiazhiyuan7391", "密码须包含大写字母、小写字母、数字、符号中的至少3类"),
        ("Xp_branch-2026", "密码不能包含用户名"),
        (OLD, "不能使用最近5次用过的密码"),
    ):
        body = post(client, new1=new, new2=new).content.decode()
        assert message in body, message
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_none_of_the_last_five_passwords_comes_back(client_for, personas):
    client = client_for("branch_secretary")
    current = PASSWORD
    for n in range(5):
        new = f"Huaxia-Zhiyuan-{n}91"
        assert post(client, old=current, new1=new, new2=new).status_code == 302
        current = new
    body = post(client, old=current, new1="Huaxia-Zhiyuan-191", new2="Huaxia-Zhiyuan-191").content.decode()
    assert "不能使用最近5次用过的密码" in body  # three changes before the current one
    body = post(client, old=current, new1="Huaxia-Zhiyuan-091", new2="Huaxia-Zhiyuan-091").content.decode()
    assert "不能使用最近5次用过的密码" in body  # the fifth last
    assert post(client, old=current, new1=PASSWORD, new2=PASSWORD).status_code == 302  # the sixth last


def test_an_expired_password_must_be_changed_first(client_for, personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = personas["branch_secretary"]
    # Never changed since the account was made: its age counts from then.
    type(user).objects.filter(pk=user.pk).update(date_joined=timezone.now() - dt.timedelta(days=91))
    client = client_for("branch_secretary")
    response = client.get(reverse("workbench"), follow=True)
    assert (
        response.redirect_chain[-1][0] == URL
        and "密码已使用超过90天，请修改密码后继续" in response.content.decode()
    )
    assert post(client, old=PASSWORD, new1=NEW, new2=NEW).status_code == 302
    assert client.get(reverse("workbench")).status_code == 200
    assert PasswordHistory.objects.filter(user=user).count() == 1  # changed now: not expired
