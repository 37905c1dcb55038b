"""/api/v1/ for the follow-up (mounted by avhysning/api_urls.py, which exempts these views from the login redirect)."""

from django.urls import path

from . import api

urlpatterns = [
    path("deviations/", api.DeviationListView.as_view(), name="api-deviation-list"),
    path("deviations/<int:pk>/handle/", api.DeviationHandleView.as_view(), name="api-deviation-handle"),
    path("statistics/", api.StatisticsView.as_view(), name="api-statistics"),
]
