from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "chuangyou.reviews"
    verbose_name = "审核与复核"
