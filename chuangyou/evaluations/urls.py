from django.urls import path

from chuangyou.evaluations import views, views_public

app_name = "evaluations"
urlpatterns = [
    path("sheet/<int:sheet_pk>/", views.manage, name="manage"),
    path("sheet/<int:sheet_pk>/codes/", views.print_codes, name="print"),
    path("sheet/<int:sheet_pk>/close/", views.close, name="close"),
    # Public (no login). "a/" without a code and "a/<code>/" share the name: reverse with or without it.
    path("a/", views_public.start, name="answer"),
    path("a/<str:code>/", views_public.answer, name="answer"),
    path("thanks/", views_public.thanks, name="thanks"),
]
