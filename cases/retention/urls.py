"""Gallring (mounted at /arenden/ with the other case URLs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("gallring/", views.retention_overview, name="retention"),
]
