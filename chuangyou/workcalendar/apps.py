from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "chuangyou.workcalendar"
    verbose_name = "工作日历"
