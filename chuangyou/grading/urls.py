from django.urls import path

from chuangyou.grading import views, views_proposals

app_name = "grading"
urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_runs, name="campaign"),
    path("campaigns/<int:pk>/start/", views.run_start, name="start"),
    path("campaigns/<int:pk>/preview/", views.preview, name="preview"),
    path("campaigns/<int:pk>/proposals/", views_proposals.proposal_list, name="proposals"),
    path(
        "campaigns/<int:pk>/proposals/<int:township_pk>/",
        views_proposals.proposal_set,
        name="proposal_set",
    ),
    path("proposals/<int:pk>/decide/", views_proposals.proposal_decide, name="proposal_decide"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="progress"),
    path("runs/<int:pk>/changes/", views.run_changes, name="changes"),
    path("runs/<int:pk>/submit/", views.run_submit, name="submit"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="export"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/override/", views.result_override, name="override"),
]
