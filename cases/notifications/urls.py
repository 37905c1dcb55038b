"""Aviseringar (mounted at /arenden/ with the other case URLs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("aviseringar/", views.notification_list, name="notifications"),
    path("aviseringar/antal/", views.notification_count, name="notification_count"),
    path("aviseringar/last/", views.notification_mark_read, name="notification_mark_read"),
    path("aviseringar/val/", views.notification_preferences, name="notification_preferences"),
]
