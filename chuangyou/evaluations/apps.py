from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "chuangyou.evaluations"
    verbose_name = "民主测评"
