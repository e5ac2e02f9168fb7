from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "chuangyou.notices"
    verbose_name = "公示与审定"
