"""The landlord's area /hyresvard/ and the hyresrådgivare's queue /arenden/inkomna/ (mounted before cases/)."""

from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("hyresvard/", views.landlord_home, name="landlord_home"),
    path("hyresvard/ny/", views.landlord_new, name="landlord_new"),
    path("hyresvard/<int:pk>/", views.landlord_receipt, name="landlord_receipt"),
    path("arenden/inkomna/", views.queue, name="queue"),
    path("arenden/inkomna/<int:pk>/", views.queue_detail, name="queue_detail"),
    path("arenden/inkomna/<int:pk>/registrera/", views.queue_register, name="queue_register"),
    path("arenden/inkomna/<int:pk>/formular/", views.queue_intake, name="queue_intake"),
    path("arenden/inkomna/<int:pk>/avvisa/", views.queue_reject, name="queue_reject"),
]
