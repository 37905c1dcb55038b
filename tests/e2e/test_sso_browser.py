"""Single sign-on in a real Chromium through a real OpenID Connect provider (django-oidc-provider,
its own process): the right start page, the provider's session ended at logout, and a refusal
with a clear page when the groups claim gives no role."""

import logging
import re

import pytest

from accounts.models import ExternalIdentity
from organisation.models import User
from tests.oidc_fixtures import PROVIDER_NAME
from tests.oidc_provider.claims import PASSWORD as PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page, username):
    page.get_by_label("Användar-id").fill(username)
    page.get_by_label("Lösenord hos staden").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Logga in hos staden").click()


def test_sso_sign_in_lands_on_the_start_page_and_logout_ends_the_provider_session(sso_settings, group_mappings, live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=f"Logga in med {PROVIDER_NAME}").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))  # the provider's own login page
    sign_in_at_provider(page, "anna.barn")
    page.wait_for_url(f"{live_server.url}/arenden/*")
    assert "Mina ärenden" in page.locator("h1").first.inner_text()
    assert "Anna Barnlund" in page.locator("nav").inner_text()

    user = User.objects.get(external_identity__subject="E-1001")
    assert user.unit.code == "MOTTAGNING_BARN_UNGA"
    assert set(user.groups.values_list("name", flat=True)) == {"handlaggare"}
    assert not user.has_usable_password()

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server.url}/konto/logga-in/*")
    # The provider's session ended too: signing in again asks for the password at the provider.
    page.get_by_role("link", name=f"Logga in med {PROVIDER_NAME}").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert page.get_by_label("Lösenord hos staden").is_visible()


def test_sso_unit_from_the_group_mapping_gives_bosam_start_page(sso_settings, group_mappings, live_server, page):
    page.goto(live_server.url + "/oidc/authenticate/")
    sign_in_at_provider(page, "olle.ordf")
    page.wait_for_url(f"{live_server.url}/bosam/*")
    user = ExternalIdentity.objects.get(subject="E-1002").user
    assert user.unit.code == "HYRESRADGIVNING"


def test_sso_refused_when_the_groups_claim_gives_no_role(sso_settings, group_mappings, live_server, page, caplog):
    caplog.set_level(logging.WARNING, logger="avhysning.signin")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=f"Logga in med {PROVIDER_NAME}").click()
    sign_in_at_provider(page, "bo.utan")
    page.wait_for_url(f"{live_server.url}/konto/sso-nekad/")
    assert page.locator("h1").inner_text() == "Inloggningen nekades"
    assert "ingen behörighetsgrupp för Avhysning" in page.get_by_role("alert").inner_text()
    assert not page.get_by_role("button", name="Logga ut").count()
    assert not ExternalIdentity.objects.filter(subject="E-1003").exists()
    assert any("refused (no_role)" in r.getMessage() and "E-1003" in r.getMessage() for r in caplog.records)
    # Not signed in: a page of the application sends back to the login page.
    page.goto(live_server.url + "/arenden/")
    assert page.url.startswith(f"{live_server.url}/konto/logga-in/")
