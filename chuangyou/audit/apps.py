from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chuangyou.audit"
    verbose_name = "审计日志"
