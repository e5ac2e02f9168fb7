from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续输错5次，账号将被锁定30分钟。",
        "inactive": "该账号已停用，请联系县委组织部。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class OwnPasswordForm(PasswordChangeForm):
    """Changing one's own password: the old one, then the new one twice (checked by the validators).

    A wrong old password counts as a failed login: guessing it from an open session locks the account
    as the login form does."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password1"].help_text = (
            "至少12位，含大写字母、小写字母、数字、符号中的至少3类，"
            "不能含用户名、不能与姓名相近，不能是最近5次用过的密码"
        )
        self.fields["new_password2"].label = "再次输入新密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_old_password(self):
        credentials = {"username": self.user.get_username()}
        if self.request is not None and AxesProxyHandler.is_locked(self.request, credentials):
            raise ValidationError("原密码输错次数过多，账号已锁定30分钟，请稍后再试。", code="locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            if self.request is not None:
                user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
            raise
