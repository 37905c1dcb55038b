"""Nödåtkomst (mounted at /arenden/ with the other case URLs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("nodatkomst/", views.emergency_access, name="emergency_access"),
]
