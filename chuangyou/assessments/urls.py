from django.urls import path

from chuangyou.assessments import views

app_name = "sheets"
urlpatterns = [
    path("", views.sheet_list, name="list"),
    # A branch secretary's menu: its branch's latest sheet, its 民主测评 and its 申报表.
    path("mine/", views.my_sheet, {"page": "sheet"}, name="mine"),
    path("mine/evaluation/", views.my_sheet, {"page": "evaluation"}, name="mine_evaluation"),
    path("mine/application/", views.my_sheet, {"page": "application"}, name="mine_application"),
    path("<int:pk>/", views.sheet_detail, name="detail"),
    path("<int:pk>/items/<int:item_pk>/", views.entry_save, name="entry_save"),
    path(
        "<int:pk>/categories/<int:category_pk>/nothing-applies/",
        views.category_nothing_applies,
        name="category_nothing_applies",
    ),
    path("<int:pk>/application-fields/", views.application_save, name="application_save"),
    path("<int:pk>/submit/", views.sheet_submit, name="submit"),
    path("<int:pk>/return/", views.sheet_return, name="return"),
    path("<int:pk>/reopen/", views.sheet_reopen, name="reopen"),
]
