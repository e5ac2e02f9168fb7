from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "chuangyou.rubrics"
    verbose_name = "评定标准"
