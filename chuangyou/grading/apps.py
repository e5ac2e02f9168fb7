from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "chuangyou.grading"
    verbose_name = "评星定级"
