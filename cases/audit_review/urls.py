"""Logguppföljning (mounted at /arenden/ with the other case URLs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("logguppfoljning/", views.audit_review, name="audit_review"),
    path("logguppfoljning/utskrift/", views.audit_review_print, name="audit_review_print"),
]
