from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sso-nekad/", views.sso_refused, name="sso_refused"),
    path("tvastegs/", views.otp_verify, name="otp_verify"),
    path("tvastegs/aktivera/", views.otp_setup, name="otp_setup"),
    path("tvastegs/reservkoder/", views.otp_backup_codes, name="otp_backup_codes"),
    # Passkeys (WebAuthn): the page, removal (asks first), and the library's JSON ceremonies for static/js/passkeys.js.
    path("tvastegs/nycklar/", views.passkeys_page, name="passkeys"),
    path("tvastegs/nycklar/<int:pk>/ta-bort/", views.passkey_remove, name="passkey_remove"),
    path("tvastegs/nycklar/registrera/start/", views.PasskeyRegistrationBegin.as_view(), name="passkey_register_begin"),
    path("tvastegs/nycklar/registrera/klar/", views.PasskeyRegistrationComplete.as_view(), name="passkey_register_complete"),
    path("tvastegs/nycklar/logga-in/start/", views.PasskeyAuthenticationBegin.as_view(), name="passkey_auth_begin"),
    path("tvastegs/nycklar/logga-in/klar/", views.PasskeyAuthenticationComplete.as_view(), name="passkey_auth_complete"),
]
