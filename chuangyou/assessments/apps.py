from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "chuangyou.assessments"
    verbose_name = "自查打分"
