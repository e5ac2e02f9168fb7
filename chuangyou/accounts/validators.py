"""Password rules with their messages in Chinese.

Django's own minimum-length message is a plural form its zh_Hans catalogue does not resolve for
counts above one, so it would read in English."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码长度太短，至少需要{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"
