"""Password rules (等保 level 3) with their messages in Chinese: at least 12 characters of at least
three kinds, not containing the username, none of the last five passwords again.

Django's own minimum-length message is a plural form its zh_Hans catalogue does not resolve for
counts above one, so it would read in English."""

import string

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

KINDS = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码长度太短，至少需要{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"


class CharacterKindsValidator:
    """At least `min_kinds` of: capitals, small letters, digits, other characters (symbols)."""

    def __init__(self, min_kinds=3):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        kinds = sum(1 for _, chars in KINDS if chars & set(password))
        kinds += any(not c.isascii() or not c.isalnum() for c in password)
        if kinds < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_kinds}类。"


class UsernameValidator:
    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class HistoryValidator:
    """Not the current password nor one of the `keep` − 1 before it."""

    def __init__(self, keep=5):
        self.keep = keep

    def validate(self, password, user=None):
        from chuangyou.accounts.models import PasswordHistory

        if user is None or user.pk is None:
            return
        recent = [
            user.password,
            *PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.keep],
        ]
        if any(encoded and check_password(password, encoded) for encoded in dict.fromkeys(recent)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        from chuangyou.accounts.models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.keep :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能使用最近{self.keep}次用过的密码。"
