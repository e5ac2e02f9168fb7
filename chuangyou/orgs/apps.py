from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "chuangyou.orgs"
    verbose_name = "党组织"
