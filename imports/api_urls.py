from django.urls import path

from . import api

urlpatterns = [
    path("imports/", api.ImportCreateView.as_view(), name="api-import-create"),
    path("imports/<int:pk>/", api.ImportDetailView.as_view(), name="api-import-detail"),
    path("imports/<int:pk>/commit/", api.ImportCommitView.as_view(), name="api-import-commit"),
]
