from django.urls import path

from chuangyou.orgs import views, views_io

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.org_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:parent_pk>/new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("import/", views_io.import_tree, name="import"),
    path("import/jobs/<int:pk>/", views_io.import_job, name="import_job"),
    path("import/jobs/<int:pk>/progress/", views_io.import_job_progress, name="import_job_progress"),
    path("export.xlsx", views_io.export_tree, name="export"),
]
