from django.urls import path

from chuangyou.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/rounds/", views.round_open, name="round_open"),
    path("<int:pk>/exclusions/", views.exclusion_add, name="exclude"),
    path("<int:pk>/rubrics/", views.rubric_set, name="rubric_set"),
    path("<int:pk>/grading-settings/", views.grading_settings, name="grading_settings"),
    path("<int:pk>/domain-scheme/", views.domain_scheme_set, name="domain_scheme_set"),
]
