"""Login, lockout, idle timeout and hashing as a county's 等保 evaluation expects."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chuangyou import settings as project_settings
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2_first():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_expire_after_thirty_idle_minutes():
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_the_lockout_is_five_failures_for_thirty_minutes():
    assert project_settings.AXES_FAILURE_LIMIT == 5
    assert project_settings.AXES_COOLOFF_TIME == 0.5


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_logs_in_and_reaches_the_workbench(client, personas):
    response = login(client, "p_town", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench")
    page = client.get(reverse("workbench"))
    assert "甲镇党委" in page.content.decode()


def test_a_wrong_password_gets_a_chinese_message(client, personas):
    response = login(client, "p_town", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, personas):
    for _ in range(5):
        login(client, "p_town", "wrong-password")
    response = login(client, "p_town", PASSWORD)
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_account_from_the_same_address_is_not_locked(client, personas):
    for _ in range(5):
        login(client, "p_town", "wrong-password")
    assert login(client, "p_admin", PASSWORD).status_code == 302


@pytest.mark.parametrize("path", ["/", "/orgs/"])
def test_signed_in_pages_are_not_cached(client_for, path):
    response = client_for("county_admin").get(path)
    assert response["Cache-Control"] == "no-store"


def test_pages_carry_a_content_security_policy(client_for):
    policy = client_for("county_admin").get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "cdn" not in policy


def test_logout_is_a_post_and_ends_the_session(client_for):
    client = client_for("county_admin")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_a_user_without_a_role_sees_an_empty_workbench(client_for):
    body = client_for("outsider").get("/").content.decode()
    assert "尚未分配管辖范围" in body
    assert "示范县委" not in body


def test_usernames_are_unique(personas):
    assert get_user_model().objects.filter(username="p_town").count() == 1


def test_every_page_turns_off_the_features_it_does_not_use(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy


def test_hsts_is_sent_when_cookies_are_secure(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000  # as with CHUANGYOU_SECURE_COOKIES=1
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert (31536000 if project_settings.SECURE_COOKIES else 0) == project_settings.SECURE_HSTS_SECONDS
