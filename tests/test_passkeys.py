"""Passkeys (WebAuthn, django-otp-webauthn) beside TOTP (issue 15 §2): enrolment, the second step of a sign-in,
the library's refusals (another user's key, a removed key, a replayed or cloned one, the wrong origin), removal
that asks first, the system administrator's view, and the audit log. Real signatures from a software
authenticator (tests/webauthn_authenticator.py); the browser test is tests/e2e/test_passkeys_browser.py."""

import json
import re
import time

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import passkeys
from cases.models import AuditAction, AuditEvent
from tests.webauthn_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db

REGISTER_BEGIN = "/konto/tvastegs/nycklar/registrera/start/"
REGISTER_COMPLETE = "/konto/tvastegs/nycklar/registrera/klar/"
AUTH_BEGIN = "/konto/tvastegs/nycklar/logga-in/start/"
AUTH_COMPLETE = "/konto/tvastegs/nycklar/logga-in/klar/"


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True
    return settings


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def enrol(client, authenticator, name="YubiKey"):
    options = post_json(client, REGISTER_BEGIN).json()
    body = authenticator.create(options)
    body["name"] = name
    return post_json(client, REGISTER_COMPLETE, body)


def sign_in_with(client, authenticator, *, next_url="/arenden/", **answer):
    options = post_json(client, AUTH_BEGIN).json()
    return post_json(client, f"{AUTH_COMPLETE}?next={next_url}", authenticator.get(options, **answer))


def events(action, user):
    return list(AuditEvent.objects.filter(action=action, user=user).values_list("detail", flat=True))


def test_relying_party_from_the_request_host_unless_set(settings):
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    assert passkeys.relying_party_id(request) == "localhost"
    assert passkeys.PasskeyHelper(request).get_allowed_origins() == ["http://localhost:8123"]
    settings.WEBAUTHN_RP_ID = "avhysning.example.se"
    settings.WEBAUTHN_ORIGINS = ["https://avhysning.example.se"]
    assert passkeys.relying_party_id(request) == "avhysning.example.se"
    assert passkeys.PasskeyHelper(request).get_allowed_origins() == ["https://avhysning.example.se"]


def test_enrol_a_first_passkey_then_sign_in_with_it_as_the_second_factor(otp_on, personas):
    barn, key = personas["barn"], SoftAuthenticator()
    client = logged_in(barn)
    assert client.get("/arenden/")["Location"] == "/konto/tvastegs/aktivera/?next=%2Farenden%2F"
    assert "/konto/tvastegs/nycklar/" in client.get("/konto/tvastegs/aktivera/").content.decode()

    options = post_json(client, REGISTER_BEGIN).json()
    assert options["rp"] == {"name": "Avhysning", "id": "testserver"}
    body = key.create(options)
    body["name"] = "  Min   YubiKey "
    response = post_json(client, REGISTER_COMPLETE, body)
    assert response.status_code == 200, response.content
    # The first second factor: backup codes, shown once, like after enrolling the app.
    assert response.json()["redirect_url"] == "/konto/tvastegs/reservkoder/"
    codes = re.findall(r'<li class="backup-code">(\w+)</li>', client.get("/konto/tvastegs/reservkoder/").content.decode())
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=barn).count() == 10
    credential = WebAuthnCredential.objects.get(user=barn)
    assert credential.name == "Min YubiKey" and credential.sign_count == 0 and credential.last_used_at is None
    assert client.get("/arenden/").status_code == 200  # the enrolment verified this session
    assert events(AuditAction.TWO_FACTOR_ENROL, barn) == ["nyckel: Min YubiKey"]

    # The next sign-in: password (force_login), then the passkey.
    client = logged_in(barn)
    assert client.get("/arenden/")["Location"] == "/konto/tvastegs/?next=%2Farenden%2F"
    assert client.get(reverse("api-deviation-list")).status_code == 403
    verify_page = client.get("/konto/tvastegs/?next=/arenden/").content.decode()
    assert "Logga in med nyckel" in verify_page and "js/passkeys.js" in verify_page
    assert "Skriv en av dina reservkoder." in verify_page  # no app: the code field is for the backup codes
    options = post_json(client, AUTH_BEGIN).json()
    assert [c["id"] for c in options["allowCredentials"]] == [body["id"]]  # this user's keys only
    response = post_json(client, f"{AUTH_COMPLETE}?next=/arenden/", key.get(options))
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == "/arenden/"
    assert client.get("/arenden/").status_code == 200
    assert client.get(reverse("api-deviation-list")).status_code == 200
    credential.refresh_from_db()
    assert credential.sign_count == 1 and credential.last_used_at is not None
    assert events(AuditAction.TWO_FACTOR_SIGN_IN, barn) == ["nyckel: Min YubiKey"]


def test_next_after_a_passkey_stays_on_the_site(otp_on, personas):
    key = SoftAuthenticator()
    enrol(logged_in(personas["barn"]), key)
    response = sign_in_with(logged_in(personas["barn"]), key, next_url="https://evil.example/")
    assert response.status_code == 200 and response.json()["redirect_url"] == "/"


@pytest.fixture
def barn_with_passkey(otp_on, personas):
    key = SoftAuthenticator()
    assert enrol(logged_in(personas["barn"]), key).status_code == 200
    return key


def test_another_users_passkey_is_refused(barn_with_passkey, personas):
    vuxna_key = SoftAuthenticator()
    assert enrol(logged_in(personas["vuxna"]), vuxna_key).status_code == 200
    client = logged_in(personas["barn"])
    response = sign_in_with(client, vuxna_key)
    assert response.status_code == 403 and response.json()["code"] == "credential_user_mismatch"
    assert client.get("/arenden/")["Location"].startswith("/konto/tvastegs/?next=")
    assert events(AuditAction.TWO_FACTOR_SIGN_IN, personas["barn"]) == []


def test_a_replayed_answer_and_a_cloned_key_are_refused(barn_with_passkey, personas):
    client = logged_in(personas["barn"])
    options = post_json(client, AUTH_BEGIN).json()
    answer = barn_with_passkey.get(options)
    assert post_json(client, AUTH_COMPLETE, answer).status_code == 200
    # The same answer again: its challenge was used up.
    client = logged_in(personas["barn"])
    assert post_json(client, AUTH_COMPLETE, answer).status_code in (400, 403)
    # A fresh challenge, but a sign count that did not go up (a cloned authenticator).
    response = sign_in_with(client, barn_with_passkey, count_up=False)
    assert response.status_code == 422, response.content
    assert client.get("/arenden/").status_code == 302


def test_an_answer_for_another_origin_is_refused(barn_with_passkey, personas):
    client = logged_in(personas["barn"])
    response = sign_in_with(client, barn_with_passkey, origin="https://evil.example")
    assert response.status_code == 422
    assert client.get("/arenden/").status_code == 302


def test_a_removed_passkey_is_refused(barn_with_passkey, personas):
    barn = personas["barn"]
    second = SoftAuthenticator()
    client = logged_in(barn)
    assert sign_in_with(client, barn_with_passkey).status_code == 200
    assert enrol(client, second, name="Reserv").json()["redirect_url"] == "/konto/tvastegs/nycklar/"
    first = WebAuthnCredential.objects.get(user=barn, name="YubiKey")
    # Removal asks first: the page changes nothing, the POST removes.
    page = client.get(f"/konto/tvastegs/nycklar/{first.pk}/ta-bort/")
    assert page.status_code == 200 and "Vill du ta bort nyckeln ”YubiKey”?" in page.content.decode()
    assert WebAuthnCredential.objects.filter(pk=first.pk).exists()
    response = client.post(f"/konto/tvastegs/nycklar/{first.pk}/ta-bort/")
    assert response["Location"] == "/konto/tvastegs/nycklar/"
    assert not WebAuthnCredential.objects.filter(pk=first.pk).exists()
    # The key this session was verified with is gone; the session stays verified through the one kept.
    assert client.get("/konto/tvastegs/nycklar/").status_code == 200 and client.get("/arenden/").status_code == 200
    assert events(AuditAction.TWO_FACTOR_REMOVE, barn) == ["nyckel: YubiKey"]

    client = logged_in(barn)
    response = sign_in_with(client, barn_with_passkey)
    assert response.status_code == 404 and response.json()["code"] == "credential_not_found"
    assert client.get("/arenden/").status_code == 302
    assert sign_in_with(client, second).status_code == 200


def test_the_only_second_factor_cannot_be_removed_while_one_is_required(barn_with_passkey, personas):
    client = logged_in(personas["barn"])
    assert sign_in_with(client, barn_with_passkey).status_code == 200
    credential = WebAuthnCredential.objects.get(user=personas["barn"])
    response = client.post(f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/", follow=True)
    assert "Du kan inte ta bort din enda nyckel" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    # With an app beside it, the key may go.
    TOTPDevice.objects.create(user=personas["barn"], name="App", confirmed=True)
    client.post(f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/")
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()


def test_changing_passkeys_needs_the_second_factor_first(barn_with_passkey, personas):
    client = logged_in(personas["barn"])  # password only
    credential = WebAuthnCredential.objects.get(user=personas["barn"])
    assert client.get("/konto/tvastegs/nycklar/")["Location"] == "/konto/tvastegs/?next=%2Fkonto%2Ftvastegs%2Fnycklar%2F"
    assert client.post(f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/").status_code == 302
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403 and response.json()["code"] == "user_not_verified"
    assert client.get("/konto/tvastegs/aktivera/")["Location"] == "/konto/tvastegs/"


def test_someone_elses_passkey_cannot_be_removed_through_the_page(barn_with_passkey, personas):
    credential = WebAuthnCredential.objects.get(user=personas["barn"])
    vuxna = logged_in(personas["vuxna"])
    assert vuxna.get(f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/").status_code == 404
    assert vuxna.post(f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/").status_code == 404
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()


def test_the_page_lists_name_created_and_last_used(barn_with_passkey, personas):
    client = logged_in(personas["barn"])
    assert sign_in_with(client, barn_with_passkey).status_code == 200
    html = client.get("/konto/tvastegs/nycklar/").content.decode()
    row = re.search(r'<tr class="passkey-row">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    credential = WebAuthnCredential.objects.get(user=personas["barn"])
    assert cells[0] == "YubiKey"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[1]) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[2])
    assert cells[3] == "Ta bort YubiKey"
    assert f"/konto/tvastegs/nycklar/{credential.pk}/ta-bort/" in row


def test_the_system_administrator_sees_and_removes_a_lost_passkey(barn_with_passkey, personas, make_user, other_organisation):
    from organisation.roles import sync_role_permissions

    sync_role_permissions()
    outsider = make_user("utomstaende", "handlaggare", org=other_organisation)
    enrol(logged_in(outsider), SoftAuthenticator())
    admin = logged_in(personas["admin"])
    listing = admin.get("/admin/django_otp_webauthn/webauthncredential/").content.decode()
    assert "YubiKey" in listing and "utomstaende" not in listing  # the own organisation's only
    user_page = admin.get(f"/admin/organisation/user/{personas['barn'].pk}/change/").content.decode()
    assert re.search(r"Nycklar \(passkeys\): <a [^>]*>1</a>", user_page)
    credential = WebAuthnCredential.objects.get(user=personas["barn"])
    foreign = WebAuthnCredential.objects.get(user=outsider)
    assert admin.post(f"/admin/django_otp_webauthn/webauthncredential/{foreign.pk}/delete/", {"post": "yes"}).status_code in (302, 404)
    assert WebAuthnCredential.objects.filter(pk=foreign.pk).exists()
    response = admin.post(f"/admin/django_otp_webauthn/webauthncredential/{credential.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    assert events(AuditAction.TWO_FACTOR_REMOVE, personas["admin"]) == ["nyckel: YubiKey (användare barn)"]


def test_totp_enrolment_and_sign_in_are_logged_the_same_way(otp_on, personas):
    barn = personas["barn"]
    client = logged_in(barn)
    client.get("/konto/tvastegs/aktivera/")
    device = TOTPDevice.objects.get(user=barn, confirmed=False)
    generator = TOTP(device.bin_key)
    generator.time = time.time()
    client.post("/konto/tvastegs/aktivera/", {"token": f"{generator.token():06d}"})
    assert events(AuditAction.TWO_FACTOR_ENROL, barn) == ["app: Autentiseringsapp"]
    code = StaticToken.objects.filter(device__user=barn).first().token
    logged_in(barn).post("/konto/tvastegs/", {"token": code})
    assert events(AuditAction.TWO_FACTOR_SIGN_IN, barn) == ["reservkod: Reservkoder"]


def test_a_user_with_an_app_and_a_passkey_is_offered_both(barn_with_passkey, personas):
    TOTPDevice.objects.create(user=personas["barn"], name="App", confirmed=True)
    html = logged_in(personas["barn"]).get("/konto/tvastegs/").content.decode()
    assert "Logga in med nyckel" in html and "Skriv koden från autentiseringsappen." in html
