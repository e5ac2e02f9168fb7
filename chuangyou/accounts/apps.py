from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chuangyou.accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from chuangyou.accounts import signals  # noqa: F401 (connects the audit of logins)
