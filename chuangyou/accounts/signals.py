"""Failed logins are audit events (等保: 安全审计); logins and logouts are recorded by the login and
logout pages (`accounts.views`), the only way in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from chuangyou.accounts.models import RoleAssignment
from chuangyou.audit.services import record, record_named


def home(user):
    """The organization the user's first role is held on: its auditors read the user's logins."""
    held = RoleAssignment.objects.filter(user=user).select_related("organization").order_by("pk").first()
    return held.organization if held else None


def login_recorded(user) -> None:
    record(actor=user, verb="account.login", target=user, organization=home(user))


def logout_recorded(user) -> None:
    record(actor=user, verb="account.logout", target=user, organization=home(user))


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        record(
            actor=None,
            verb="account.login_failed",
            target=user,
            organization=home(user),
            note="密码不正确或账号已锁定",
        )
    else:
        record_named(
            actor=None,
            verb="account.login_failed",
            target_type="auth.user",
            label=username or "（未填写）",
            note="用户名不存在",
        )
