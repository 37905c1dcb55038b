"""WCAG 2.1 AA (axe-core, both languages and 320 px) on the sign-in pages of issue 15: the login page with
single sign-on, the refusal page, and the two-factor pages (enrolment, with an error, backup codes, verification)."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.helpers import sign_out
from tests.e2e.test_accessibility import VIEWS, Auditor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("view", VIEWS)
def test_sso_login_and_refusal_pages_have_no_serious_violations(sso_settings, live_server, page, view):
    audit = Auditor(page, live_server, view)
    audit.visit("login med SSO", "/konto/logga-in/")
    page.locator("details summary").click()
    audit.check("login med SSO, reservinloggning öppen")
    # The refusal page is a 403 on purpose; check it as it is shown.
    page.goto(live_server.url + "/konto/sso-nekad/")
    audit.check("SSO nekad")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_two_factor_pages_have_no_serious_violations(settings, personas, live_server, page, view):
    settings.OTP_REQUIRED = True
    audit = Auditor(page, live_server, view)
    audit.login("barn")
    audit.check("tvåsteg aktivera")
    page.locator("#id_token").fill("000000")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("tvåsteg aktivera, fel kod")
    device = TOTPDevice.objects.get(user=personas["barn"], confirmed=False)
    page.wait_for_timeout(2100)  # django-otp's throttle after the wrong code
    generator = TOTP(device.bin_key)
    generator.time = time.time()
    page.locator("#id_token").fill(f"{generator.token():06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/konto/tvastegs/reservkoder/")
    audit.check("reservkoder")
    sign_out(page)
    page.context.add_cookies([{"name": "django_language", "value": audit.language, "url": live_server.url}])
    audit.login("barn")
    audit.check("tvåsteg verifiera")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_passkey_pages_have_no_serious_violations(settings, personas, live_server, page, view):
    """The passkeys page empty and with a key (and its message), the removal question, the verification step."""
    from tests.e2e.test_passkeys_browser import authenticator

    settings.OTP_REQUIRED = True
    authenticator(page)
    audit = Auditor(page, live_server, view)
    audit.login("barn")
    audit.visit("nycklar, inga ännu", "/konto/tvastegs/nycklar/")
    page.locator("#passkey-name").fill("YubiKey")
    page.locator("form.passkey-control button[type=submit]").click()
    page.wait_for_url("**/konto/tvastegs/reservkoder/")
    page.goto(live_server.url + "/konto/tvastegs/nycklar/")
    audit.check("nycklar, en nyckel")
    # The only key cannot be removed while a second factor is required: the page says so (an error message).
    page.locator("tr.passkey-row a").click()
    page.wait_for_url("**/konto/tvastegs/nycklar/")
    audit.check("nycklar, den enda kan inte tas bort")
    TOTPDevice.objects.create(user=personas["barn"], name="App", confirmed=True)
    page.locator("tr.passkey-row a").click()
    page.wait_for_url("**/ta-bort/")
    audit.check("ta bort nyckeln")
    sign_out(page)
    page.context.add_cookies([{"name": "django_language", "value": audit.language, "url": live_server.url}])
    audit.login("barn")
    audit.check("tvåsteg verifiera med nyckel")
    page.locator(".passkey-control").click()
    page.wait_for_url("**/arenden/**")
    audit.assert_clean()
