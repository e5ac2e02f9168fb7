from django.urls import path

from chuangyou.assessments import views

app_name = "sheets"
urlpatterns = [
    path("", views.sheet_list, name="list"),
    path("<int:pk>/", views.sheet_detail, name="detail"),
    path("<int:pk>/items/<int:item_pk>/", views.entry_save, name="entry_save"),
    path("<int:pk>/application-fields/", views.application_save, name="application_save"),
    path("<int:pk>/submit/", views.sheet_submit, name="submit"),
    path("<int:pk>/return/", views.sheet_return, name="return"),
    path("<int:pk>/reopen/", views.sheet_reopen, name="reopen"),
]
