from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sso-nekad/", views.sso_refused, name="sso_refused"),
    path("tvastegs/", views.otp_verify, name="otp_verify"),
    path("tvastegs/aktivera/", views.otp_setup, name="otp_setup"),
    path("tvastegs/reservkoder/", views.otp_backup_codes, name="otp_backup_codes"),
]
