"""Optional password expiry (`PASSWORD_MAX_AGE_DAYS`): a signed-in user whose password is older is
sent to change it before anything else."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from chuangyou.accounts.models import PasswordHistory


def password_expired(user) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days:
        return False
    latest = PasswordHistory.objects.filter(user=user).values_list("created_at", flat=True).first()
    return (latest or user.date_joined) < timezone.now() - dt.timedelta(days=days)


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        allowed = (reverse("password_change"), reverse("logout"), "/" + settings.STATIC_URL.lstrip("/"))
        signed_in = user is not None and user.is_authenticated
        if signed_in and not request.path.startswith(allowed) and password_expired(user):
            days = settings.PASSWORD_MAX_AGE_DAYS
            messages.warning(request, f"密码已使用超过{days}天，请修改密码后继续")
            return redirect("password_change")
        return self.get_response(request)
