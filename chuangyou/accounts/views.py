from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from chuangyou.accounts import lockout, signals
from chuangyou.accounts.forms import LoginForm, OwnPasswordForm
from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.audit.services import record


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        signals.login_recorded(form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user is not None:
            signals.logout_recorded(user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Each user changes its own password; the session stays signed in (Django updates its hash)."""

    template_name = "accounts/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("workbench")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        record(actor=self.request.user, verb="account.password_change", target=self.request.user)
        messages.success(self.request, "密码已修改，下次登录请使用新密码")
        return response


@require_http_methods(["GET", "POST"])
def lockouts(request):
    """登录锁定: the locks now in force that the user may lift, and the button that lifts one."""
    if not scope_of(request.user).has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied("只有县委组织部管理员可以解除登录锁定")
    if request.method == "POST":
        try:
            cleared = lockout.unlock(
                actor=request.user,
                username=request.POST.get("username", "")[:150],
                ip_address=request.POST.get("ip_address", "")[:45],
            )
        except lockout.UnlockError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已解除锁定" if cleared else "该锁定已经解除")
        return redirect("accounts_lockouts")
    return render(request, "accounts/lockouts.html", {"locks": lockout.current_locks(request.user)})
