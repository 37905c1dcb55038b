"""Passkeys (WebAuthn) as a second factor beside TOTP, through django-otp-webauthn.

The library (on py_webauthn) does the ceremonies: one-time challenges kept in the session, the origin and
relying-party checks, the signature, the sign count against cloned keys. This module only tells it who we are
(relying party id and name from the settings, else from the request's host) and names the new key; the
views in accounts/views.py add the audit log and the pages around it. Passkeys are a second factor only:
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off, the password always comes first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http.request import split_domain_port
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from . import otp

NAME_MAX_LENGTH = 64  # django-otp's Device.name


def relying_party_id(request) -> str:
    """WEBAUTHN_RP_ID, or the host name the user reached us at (one of ALLOWED_HOSTS: Django checked it)."""
    if settings.WEBAUTHN_RP_ID:
        return settings.WEBAUTHN_RP_ID
    domain, _port = split_domain_port(request.get_host())
    return domain


def passkey_name(value) -> str:
    name = " ".join(str(value or "").split())[:NAME_MAX_LENGTH]
    return name or _("Nyckel")


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        # WEBAUTHN_ORIGINS when set; else the origin of this request, whose host Django has matched
        # against ALLOWED_HOSTS (and whose scheme is https behind the TLS proxy, BEHIND_TLS_PROXY).
        return list(settings.WEBAUTHN_ORIGINS) or [f"{self.request.scheme}://{self.request.get_host()}"]

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = passkey_name(original_data.get("name") if hasattr(original_data, "get") else "")
        return device


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkey_for_owner(user, pk: int) -> WebAuthnCredential | None:
    return WebAuthnCredential.objects.filter(user=user, pk=pk).first()


def is_last_primary_factor(credential: WebAuthnCredential) -> bool:
    """True when the person would be left with backup codes only (no app, no other passkey)."""
    user = credential.user
    return not otp.has_confirmed_totp(user) and not passkeys_of(user).exclude(pk=credential.pk).exists()


@transaction.atomic
def passkey_remove(*, request, credential: WebAuthnCredential) -> None:
    """Delete the passkey (its attestation goes with it) and log who removed whose key.

    django-otp forgets a session's verification when the device that verified it is gone; a person removing
    the key they signed in with (keeping another) stays verified, through the device they keep: they did show a
    second factor in this session, and django-otp-webauthn does the same when a key is added."""
    session_device = getattr(request.user, "otp_device", None)
    verified_this_session = session_device is not None and session_device.persistent_id == credential.persistent_id
    otp.audit_two_factor(request, otp.REMOVE, credential, owner=credential.user)
    credential.delete()
    if verified_this_session:
        remaining = passkeys_of(request.user).first() or TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if remaining is not None:
            otp_login(request, remaining)
