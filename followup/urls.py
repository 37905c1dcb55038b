"""The follow-up's pages: /avvikelser/ and /statistik/ (mounted at the root by avhysning/urls.py)."""

from django.urls import path

from . import report_views, statistics_views, views

app_name = "followup"

urlpatterns = [
    path("avvikelser/", views.register, name="register"),
    path("avvikelser/ny/", views.record, name="record"),
    path("avvikelser/hantera/", views.bulk_handle, name="bulk_handle"),
    path("avvikelser/<int:pk>/", views.detail, name="detail"),
    path("statistik/", statistics_views.dashboard, name="statistics"),
    path("statistik/utskrift/", statistics_views.dashboard_print, name="statistics_print"),
    # Two paths rather than a parameter: neither names an object.
    path("statistik/export.xlsx", statistics_views.export, {"fmt": "xlsx"}, name="statistics_xlsx"),
    path("statistik/export.csv", statistics_views.export, {"fmt": "csv"}, name="statistics_csv"),
    path("statistik/arenden/", statistics_views.drill_down, name="statistics_cases"),
    path("statistik/rapporter/", report_views.report_list, name="reports"),
    path("statistik/rapporter/<int:pk>/", report_views.report_detail, name="report"),
    path("statistik/rapporter/<int:pk>/rapport.pdf", report_views.report_download, name="report_pdf"),
]
