"""/api/v1/ for cases (mounted by avhysning/api_urls.py, which exempts these views from the login redirect)."""

from django.urls import path

from . import views as api

urlpatterns = [
    path("notices/", api.NoticeCreateView.as_view(), name="api-notice-create"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/contacts/", api.ContactCreateView.as_view(), name="api-case-contact-create"),
    path("tasks/<int:pk>/complete/", api.TaskCompleteView.as_view(), name="api-task-complete"),
]
