"""Two-factor for local accounts (django-otp): who needs it, enrolment, and the QR code."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.models import Role
from organisation.roles import has_role

# Roles whose work shows case contents (the system administrator configures, and sees none).
CASE_READING_ROLES = (Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF, Role.BOSAM_ORDFORANDE, Role.SOCIALJOUR)
BACKUP_CODE_COUNT = 10
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
    static, _ = StaticDevice.objects.get_or_create(user=device.user, name="Reservkoder", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


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
