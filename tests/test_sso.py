"""Single sign-on without a browser: discovery, the authentication redirect, claims → account,
local passwords with SSO on, and SSO off by default."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from accounts.models import ExternalIdentity, GroupRoleMapping
from accounts.oidc import discovery
from accounts.services import SignInRefused, claims_map, sso_user_for_claims
from organisation.models import User

pytestmark = pytest.mark.django_db

ISSUER = "http://127.0.0.1:9/openid"  # never contacted by the tests that use it


def claims(**extra):
    base = {"employee_id": "E-1", "organisation": "enskede-arsta-vantor", "unit": "MOTTAGNING_VUXNA",
            "groups": ["AVH-Handlaggare"], "given_name": "Greta", "family_name": "Grupp", "preferred_username": "greta"}
    return {**base, **extra}


@pytest.fixture
def claim_settings(settings, organisation):
    settings.OIDC_CLAIM_SUBJECT = "employee_id"
    GroupRoleMapping.objects.create(organisation=organisation, group="AVH-Handlaggare", role="handlaggare")
    GroupRoleMapping.objects.create(organisation=organisation, group="AVH-Admin", role="systemadministrator")
    return settings


def test_sso_is_off_by_default(client, settings):
    assert settings.OIDC_ENABLED is False
    page = client.get("/konto/logga-in/")
    assert page.status_code == 200
    assert "Logga in med" not in page.content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_discovery_reads_the_real_provider_once_and_caches_it(sso_settings, monkeypatch):
    document = discovery()
    assert document["issuer"] == sso_settings.OIDC_ISSUER
    assert document["end_session_endpoint"].endswith("/openid/end-session")

    def no_network(*args, **kwargs):
        raise AssertionError("discovery was fetched again instead of from the cache")

    monkeypatch.setattr("accounts.oidc.requests.get", no_network)
    assert discovery() == document


def test_authenticate_redirects_to_the_providers_authorization_endpoint(sso_settings, client):
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == discovery()["authorization_endpoint"]
    query = parse_qs(url.query)
    assert query["client_id"] == ["avhysning"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    assert query["scope"] == ["openid profile email avhysning"]


def test_login_page_offers_the_provider_and_hides_passwords_behind_break_glass(sso_settings, client):
    html = client.get("/konto/logga-in/").content.decode()
    assert 'href="/oidc/authenticate/"' in html
    assert "Logga in med Stadens inloggning (test)" in html
    assert "Reservinloggning för systemadministratörer" in html


def test_an_unreachable_provider_gives_a_clear_page_not_a_500(settings, client):
    from accounts.oidc import clear_discovery_cache

    settings.OIDC_ENABLED, settings.OIDC_ISSUER = True, "http://127.0.0.1:9/openid"
    clear_discovery_cache()
    response = client.get("/oidc/authenticate/", follow=True)
    assert response.status_code == 403
    assert "Inloggningstjänsten svarar inte" in response.content.decode()


def test_local_passwords_are_off_with_sso_except_for_break_glass_accounts(sso_settings, personas):
    sso_settings.SSO_BREAK_GLASS_USERS = ["admin"]
    refused = Client().post("/konto/logga-in/", {"username": "barn", "password": "test-password-123"})
    assert refused.status_code == 200
    assert "Lösenord används inte längre. Logga in med Stadens inloggning (test)." in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    allowed = Client().post("/konto/logga-in/", {"username": "admin", "password": "test-password-123"})
    assert allowed.status_code == 302
    sso_settings.SSO_LOCAL_PASSWORDS = True
    assert Client().post("/konto/logga-in/", {"username": "barn", "password": "test-password-123"}).status_code == 302


def test_without_sso_local_passwords_work_as_before(personas):
    assert Client().post("/konto/logga-in/", {"username": "barn", "password": "test-password-123"}).status_code == 302


@pytest.mark.parametrize(("changes", "code"), [
    ({"employee_id": ""}, SignInRefused.NO_SUBJECT),
    ({"organisation": ""}, SignInRefused.NO_ORGANISATION),
    ({"organisation": "skarholmen"}, SignInRefused.NO_ORGANISATION),
    ({"groups": ["Alla-anstallda"]}, SignInRefused.NO_ROLE),
    ({"groups": None}, SignInRefused.NO_ROLE),
    ({"unit": "NO_SUCH_UNIT"}, SignInRefused.NO_UNIT),
    ({"unit": ""}, SignInRefused.NO_UNIT),
])
def test_claims_that_map_to_no_unit_or_role_are_refused(claim_settings, changes, code):
    with pytest.raises(SignInRefused) as refused:
        claims_map(claims(**changes))
    assert refused.value.code == code


def test_a_group_of_another_organisation_gives_no_role(claim_settings, other_organisation):
    GroupRoleMapping.objects.create(organisation=other_organisation, group="SKH-Handlaggare", role="handlaggare")
    with pytest.raises(SignInRefused) as refused:
        claims_map(claims(groups=["SKH-Handlaggare"]))
    assert refused.value.code == SignInRefused.NO_ROLE


def test_accounts_must_exist_matched_by_subject_never_by_email(claim_settings, make_user):
    # Same e-mail as the claims, but no external identity: not this person's account.
    make_user("greta.local", "handlaggare", "MOTTAGNING_VUXNA", email="greta@example.se")
    with pytest.raises(SignInRefused) as refused:
        sso_user_for_claims(claims=claims(email="greta@example.se"), issuer=ISSUER, create=False)
    assert refused.value.code == SignInRefused.NO_ACCOUNT

    prepared = make_user("greta.sso", "chef", "MOTTAGNING_BARN_UNGA")
    ExternalIdentity.objects.create(user=prepared, subject="E-1")
    user = sso_user_for_claims(claims=claims(), issuer=ISSUER, create=False)
    assert user == prepared
    # The provider is the source of truth: unit and role follow the claims at every sign-in.
    assert user.unit.code == "MOTTAGNING_VUXNA"
    assert set(user.groups.values_list("name", flat=True)) == {"handlaggare"}


def test_created_accounts_never_take_over_a_local_username(claim_settings, personas):
    user = sso_user_for_claims(claims=claims(preferred_username="admin"), issuer=ISSUER, create=True)
    assert user.username == "admin-2"
    assert user != personas["admin"]
    assert not user.has_usable_password()
    assert user.external_identity.subject == "E-1"
    assert User.objects.get(username="admin").groups.filter(name="systemadministrator").exists()


def test_the_admin_group_gives_staff_and_no_unit_is_needed(claim_settings):
    user = sso_user_for_claims(claims=claims(groups=["AVH-Admin"], unit=""), issuer=ISSUER, create=True)
    assert user.is_staff and not user.is_superuser and user.unit is None


def test_an_identity_in_another_organisation_is_refused(claim_settings, other_organisation, make_user):
    stranger = make_user("stranger", "handlaggare", "MOTTAGNING_VUXNA", org=other_organisation)
    ExternalIdentity.objects.create(user=stranger, subject="E-1")
    with pytest.raises(SignInRefused) as refused:
        sso_user_for_claims(claims=claims(), issuer=ISSUER, create=True)
    assert refused.value.code == SignInRefused.OTHER_ORGANISATION


def test_a_deactivated_account_is_refused(claim_settings, make_user):
    gone = make_user("gone", "handlaggare", "MOTTAGNING_VUXNA", is_active=False)
    ExternalIdentity.objects.create(user=gone, subject="E-1")
    with pytest.raises(SignInRefused) as refused:
        sso_user_for_claims(claims=claims(), issuer=ISSUER, create=True)
    assert refused.value.code == SignInRefused.INACTIVE


def test_refusal_page_is_open_and_in_swedish(client):
    response = client.get("/konto/sso-nekad/")
    assert response.status_code == 403
    assert "Inloggningen nekades" in response.content.decode()


def test_the_idle_limit_stays_thirty_minutes(settings):
    # Renewed at most once a minute by the middleware, not saved on every request (issue 16, tests/test_session_idle.py).
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and "avhysning.middleware.SessionIdleRefreshMiddleware" in settings.MIDDLEWARE
