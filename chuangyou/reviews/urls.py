from django.urls import path

from chuangyou.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/start/", views.review_start, name="start"),
    path("<int:pk>/recheck/", views.recheck_detail, name="recheck"),
    path("<int:pk>/recheck/start/", views.recheck_start, name="recheck_start"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
    # pk of the review (审核表), not of the sheet:
    path("r/<int:pk>/items/<int:item_pk>/", views.entry_save, name="entry_save"),
    path("r/<int:pk>/categories/<int:category_pk>/confirm/", views.category_confirm, name="category_confirm"),
    path("r/<int:pk>/details/", views.details_save, name="details_save"),
    path("r/<int:pk>/finish/", views.review_finish, name="finish"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/create/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
]
