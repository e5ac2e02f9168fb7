from django.urls import path

from chuangyou.assessments import views_application as views

app_name = "application"
urlpatterns = [
    path("<int:sheet_pk>/application.docx", views.application_docx, name="docx"),
    path("<int:sheet_pk>/application/", views.application_print, name="print"),
]
