"""The landlord's area /hyresvard/ and the hyresrådgivare's queue /arenden/inkomna/ (mounted before cases/)."""

from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("hyresvard/", views.landlord_home, name="landlord_home"),
    path("hyresvard/ny/", views.landlord_new, name="landlord_new"),
    path("hyresvard/<int:pk>/", views.landlord_receipt, name="landlord_receipt"),
    path("hyresvard/import/", views.landlord_import, name="landlord_import"),
    path("hyresvard/import/mall.<str:fmt>", views.landlord_import_template, name="landlord_import_template"),
    path("hyresvard/import/<int:pk>/", views.landlord_import_preview, name="landlord_import_preview"),
    path("arenden/inkomna/", views.queue, name="queue"),
    path("arenden/inkomna/<int:pk>/", views.queue_detail, name="queue_detail"),
    path("arenden/inkomna/<int:pk>/registrera/", views.queue_register, name="queue_register"),
    path("arenden/inkomna/<int:pk>/formular/", views.queue_intake, name="queue_intake"),
    path("arenden/inkomna/<int:pk>/avvisa/", views.queue_reject, name="queue_reject"),
]
