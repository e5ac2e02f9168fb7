"""Evidence files of score-sheet entries; included under "sheets/"."""

from django.urls import path

from chuangyou.assessments import views_evidence as views

app_name = "evidence"
urlpatterns = [
    # GET: the entry's panel (list and upload form); POST: upload one or more files.
    path("entries/<int:entry_pk>/evidence/", views.entry_evidence, name="upload"),
    path("evidence/<int:evidence_pk>/", views.evidence_file, name="file"),
    path("evidence/<int:evidence_pk>/thumb/", views.evidence_thumbnail, name="thumbnail"),
    path("evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="delete"),
]
