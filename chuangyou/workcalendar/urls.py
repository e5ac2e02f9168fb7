from django.urls import path

from chuangyou.workcalendar import views

app_name = "workcalendar"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("set/", views.day_set, name="set"),
    path("import/", views.days_import, name="import"),
    path("seed/", views.seed_year, name="seed"),
    path("<int:pk>/delete/", views.day_delete, name="delete"),
]
