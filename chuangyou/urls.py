from django.contrib import admin
from django.urls import include, path

from chuangyou.core import views as core_views

urlpatterns = [
    path("", core_views.workbench, name="workbench"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("chuangyou.accounts.urls")),
    path("orgs/", include("chuangyou.orgs.urls")),
    path("audit/", include("chuangyou.audit.urls")),
    path("rubrics/", include("chuangyou.rubrics.urls")),
    path("campaigns/", include("chuangyou.campaigns.urls")),
    path("sheets/", include("chuangyou.assessments.urls")),
    path("sheets/", include("chuangyou.assessments.urls_evidence")),
    path("sheets/", include("chuangyou.assessments.urls_application")),
    path("evaluations/", include("chuangyou.evaluations.urls")),
    path("reviews/", include("chuangyou.reviews.urls")),
    path("grading/", include("chuangyou.grading.urls")),
    path("calendar/", include("chuangyou.workcalendar.urls")),
    path("notices/", include("chuangyou.notices.urls")),
    path("gs/", include("chuangyou.notices.urls_public")),
    path("admin/login/", core_views.admin_login, name="admin_login"),  # the product's login instead
    path("admin/", admin.site.urls),
]

handler403 = "chuangyou.core.views.forbidden"
handler404 = "chuangyou.core.views.not_found"
handler500 = "chuangyou.core.views.server_error"
