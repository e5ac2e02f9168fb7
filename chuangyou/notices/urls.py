from django.urls import path

from chuangyou.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/delete/", views.notice_delete, name="delete"),
    path("<int:pk>/report/", views.notice_report, name="report"),
    path("<int:pk>/approve/", views.notice_approve, name="approve"),
    path("<int:pk>/approve-released/", views.notice_approve_released, name="approve_released"),
    path("<int:pk>/naming.docx", views.naming_docx, name="naming"),
    path("<int:pk>/plaques.xlsx", views.plaques_xlsx, name="plaques"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
]
