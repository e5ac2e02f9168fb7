"""Public pages of the notice (公示), no login: /gs/<token>/ is printed as a link and a QR code."""

from django.urls import path

from chuangyou.notices import views_public

app_name = "public_notices"
urlpatterns = [
    # Before "<str:token>/": a token is never "status".
    path("status/", views_public.status, name="status"),
    path("<str:token>/", views_public.detail, name="detail"),
    path("<str:token>/<int:entry>/", views_public.objection, name="object"),
    path("<str:token>/thanks/<str:code>/", views_public.thanks, name="thanks"),
]
