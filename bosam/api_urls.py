"""Mounted under /api/v1/ (exempt from the login redirect; DRF authenticates)."""

from django.urls import path

from . import api

urlpatterns = [
    path("meetings/", api.MeetingListView.as_view(), name="bosam-api-meetings"),
    path("meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="bosam-api-meeting"),
    path("meetings/<int:pk>/agenda.pdf", api.AgendaPdfView.as_view(), name="bosam-api-agenda-pdf"),
    path("meetings/<int:pk>/minutes.pdf", api.MinutesPdfView.as_view(), name="bosam-api-minutes-pdf"),
]
