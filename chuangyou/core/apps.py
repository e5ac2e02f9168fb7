from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chuangyou.core"
    verbose_name = "系统"
