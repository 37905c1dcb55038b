"""/arenden/import/: upload, map columns, preview, commit, follow the progress, reports."""

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_start, name="start"),
    path("mall.<str:fmt>", views.template_download, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/kolumner/", views.import_mapping, name="mapping"),
    path("<int:pk>/genomfor/", views.import_commit, name="commit"),
    path("<int:pk>/status/", views.import_status, name="status"),
    path("<int:pk>/rapport.<str:fmt>", views.import_report, name="report"),
    path("<int:pk>/fil/", views.import_file, name="file"),
]
