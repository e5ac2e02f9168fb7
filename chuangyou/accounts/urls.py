from django.urls import path

from chuangyou.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("lockouts/", views.lockouts, name="accounts_lockouts"),
]
