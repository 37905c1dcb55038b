"""Two-factor for local accounts that can read cases (django-otp): who is asked, enrolment, API."""

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def totp_at(key: bytes, when: float) -> int:
    """The six-digit code an authenticator app shows at `when` (RFC 6238, 30-second steps)."""
    generator = TOTP(key)
    generator.time = when
    return generator.token()


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True
    return settings


def logged_in(user, backend=None):
    client = Client()
    client.force_login(user, backend=backend)
    return client


def test_off_by_default_in_development(settings, personas):
    assert settings.OTP_REQUIRED is False
    assert logged_in(personas["barn"]).get("/arenden/").status_code == 200


def test_a_case_reader_without_a_device_is_sent_to_enrolment(otp_on, personas):
    response = logged_in(personas["barn"]).get("/arenden/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/tvastegs/aktivera/?next=%2Farenden%2F"


def test_the_api_answers_403_until_verified(otp_on, personas):
    response = logged_in(personas["barn"]).get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Tvåstegsverifiering krävs."


def test_the_system_administrator_reads_no_cases_and_is_not_asked(otp_on, personas):
    assert logged_in(personas["admin"]).get("/admin/").status_code == 200


def test_a_sign_in_through_the_identity_provider_is_not_asked(otp_on, personas):
    client = logged_in(personas["barn"], backend="accounts.oidc.OIDCBackend")
    assert client.get("/arenden/").status_code == 200


def test_demo_users_are_exempt_under_debug_only(otp_on, personas):
    otp_on.DEBUG = True
    assert logged_in(personas["barn"]).get("/arenden/").status_code == 200
    otp_on.DEBUG = False
    assert logged_in(personas["barn"]).get("/arenden/").status_code == 302


def test_enrolment_with_a_wrong_code_re_renders_with_a_swedish_error(otp_on, personas):
    client = logged_in(personas["barn"])
    page = client.get("/konto/tvastegs/aktivera/")
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is drawn on the server: an SVG in the page, no script of its own.
    scripts = re.findall(r"<script[^>]*>", html)
    sources = {re.search(r'src="[^"]*/static/([^"]+)"', tag).group(1) for tag in scripts if "src=" in tag}
    assert "<svg" in html and len(scripts) == len(sources)  # no inline script
    assert sources == {"vendor/bootstrap/bootstrap.bundle.min.js", "js/notifications.js"}  # the base page's own, nothing for the QR
    response = client.post("/konto/tvastegs/aktivera/", {"token": "000000"})
    assert response.status_code == 400
    assert "Koden stämmer inte" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas["barn"], confirmed=True).exists()


def test_enrolment_with_a_real_code_confirms_and_hands_out_backup_codes(otp_on, personas):
    client = logged_in(personas["barn"])
    client.get("/konto/tvastegs/aktivera/")
    device = TOTPDevice.objects.get(user=personas["barn"], confirmed=False)
    response = client.post("/konto/tvastegs/aktivera/", {"token": f"{totp_at(device.bin_key, time.time()):06d}"})
    assert response.status_code == 302 and response["Location"] == "/konto/tvastegs/reservkoder/"
    codes = re.findall(r'<li class="backup-code">(\w+)</li>', client.get("/konto/tvastegs/reservkoder/").content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=personas["barn"]).values_list("token", flat=True))
    # Shown once only.
    assert client.get("/konto/tvastegs/reservkoder/").status_code == 302
    assert client.get("/arenden/").status_code == 200


def test_a_confirmed_user_cannot_enrol_again_without_verifying(otp_on, personas):
    TOTPDevice.objects.create(user=personas["barn"], name="App", confirmed=True)
    client = logged_in(personas["barn"])
    assert client.get("/konto/tvastegs/aktivera/")["Location"] == "/konto/tvastegs/"
    assert client.get("/arenden/")["Location"] == "/konto/tvastegs/?next=%2Farenden%2F"


def test_verify_keeps_next_on_the_same_site_only(otp_on, personas):
    device = TOTPDevice.objects.create(user=personas["barn"], name="App", confirmed=True)
    client = logged_in(personas["barn"])
    response = client.post("/konto/tvastegs/", {"token": f"{totp_at(device.bin_key, time.time()):06d}", "next": "https://evil.example/"})
    assert response["Location"] == "/"
