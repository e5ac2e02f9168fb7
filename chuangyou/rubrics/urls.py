from django.urls import path

from chuangyou.rubrics import views, views_io

app_name = "rubrics"
urlpatterns = [
    path("", views.rubric_list, name="list"),
    path("bind/", views.domain_bind, name="bind"),
    path("import/", views_io.rubric_import, name="import"),
    path("<int:pk>/", views.rubric_detail, name="detail"),
    path("<int:pk>/export.xlsx", views_io.rubric_export, name="export"),
    path("<int:pk>/diff/", views.rubric_diff, name="diff"),
    path("<int:pk>/edit/", views.rubric_edit, name="edit"),
    path("<int:pk>/publish/", views.rubric_publish, name="publish"),
    path("<int:pk>/retire/", views.rubric_retire, name="retire"),
    path("<int:pk>/new-draft/", views.rubric_new_draft, name="new_draft"),
    path("<int:pk>/discard/", views.rubric_discard, name="discard"),
    path("<int:pk>/preview/", views.method_preview, name="preview"),
    path("<int:pk>/categories/new/", views.category_save, name="category_add"),
    path("<int:pk>/categories/<int:category_pk>/", views.category_save, name="category_save"),
    path("<int:pk>/categories/<int:category_pk>/delete/", views.category_delete, name="category_delete"),
    path("<int:pk>/categories/<int:category_pk>/items/new/", views.item_edit, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/row/", views.item_row, name="item_row"),
    path("<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("situations/<int:pk>/", views.situation_list_detail, name="situations"),
]
