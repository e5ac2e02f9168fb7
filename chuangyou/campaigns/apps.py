from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "chuangyou.campaigns"
    verbose_name = "争先创优活动"
