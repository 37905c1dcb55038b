"""Two-factor for local accounts (django-otp): who needs it, enrolment, the QR code, and the audit of it all.

A second factor is an authenticator app (TOTP) or a passkey (WebAuthn, accounts/passkeys.py), or both; the backup
codes stand in for either. django-otp marks the session verified whichever device was used (`otp_login`)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from organisation.models import Role
from organisation.roles import has_role

# Roles whose work shows case contents (the system administrator configures, and sees none).
CASE_READING_ROLES = (Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF, Role.BOSAM_ORDFORANDE, Role.SOCIALJOUR)
BACKUP_CODE_COUNT = 10
# The audit actions (cases.models.AuditAction; strings here, so that the middleware's import stays light).
ENROL, REMOVE, SIGN_IN = "TWO_FACTOR_ENROL", "TWO_FACTOR_REMOVE", "TWO_FACTOR_SIGN_IN"
SSO_BACKEND = "accounts.oidc.OIDCBackend"


def demo_usernames() -> frozenset[str]:
    from organisation.demo import DEMO_USERNAMES

    return DEMO_USERNAMES


def second_factor_required(request) -> bool:
    """A local account that can read cases needs a second factor, unless OTP_REQUIRED is off
    or it is a demo user under DEBUG. Sign-in through the identity provider carries its own."""
    user = request.user
    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    if request.session.get("_auth_user_backend") == SSO_BACKEND:
        return False
    if settings.DEBUG and user.username in demo_usernames():
        return False
    return has_role(user, *CASE_READING_ROLES)


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_passkey(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def has_primary_factor(user) -> bool:
    """An app or a passkey: what the second step of a sign-in is made of (backup codes only stand in)."""
    return has_confirmed_totp(user) or has_passkey(user)


def has_any_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def must_verify_first(request) -> bool:
    """A user who has a device shows it before changing their devices (else a password alone would do)."""
    return not request.user.is_verified() and has_any_device(request.user)


def totp_device_for_enrolment(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one at a time), created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, device: TOTPDevice) -> list[str]:
    """Confirm the device after a correct code and hand out fresh backup codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return backup_codes_issue(user=device.user)


@transaction.atomic
def backup_codes_issue(*, user) -> list[str]:
    """Fresh backup codes (the old ones stop working); shown once."""
    static, _ = StaticDevice.objects.get_or_create(user=user, name="Reservkoder", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def device_kind(device) -> str:
    """How the audit log names a device (Swedish, like the rest of the log's details)."""
    if isinstance(device, WebAuthnCredential):
        return "nyckel"
    if isinstance(device, StaticDevice):
        return "reservkod"
    return "app"


def audit_two_factor(request, action: str, device, *, owner=None) -> None:
    """One audit event for an enrolment, a removal or a sign-in's second step. `owner` is the person whose
    device it is when someone else (the system administrator) acts on it."""
    from cases.audit import audit_log

    detail = f"{device_kind(device)}: {device.name}"
    if owner is not None and owner.pk != request.user.pk:
        detail += f" (användare {owner.get_username()})"
    audit_log(user=request.user, action=action, request=request, detail=detail)


def qr_svg(data: str) -> str:
    """The provisioning URI as an inline SVG (server-side, no JavaScript)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration: the SVG sits inside the HTML page.
    return svg[svg.index("<svg"):]


def secret_for_manual_entry(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
