"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from settings at request time.

The provider's endpoints are never configured by hand: they are read from
`<OIDC_ISSUER>/.well-known/openid-configuration` on first use and cached. Every setting is
looked up when a request needs it, so switching SSO on or off (or in tests, override_settings)
takes effect at once.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from organisation.roles import user_for_request

from .services import SignInRefused, sso_user_for_claims

logger = logging.getLogger("avhysning.signin")

# mozilla-django-oidc setting → key in the discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
SESSION_REFUSAL = "sso_refusal"
SESSION_VIA_SSO = "signed_in_via_sso"

_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    pass


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False) and getattr(settings, "OIDC_ISSUER", ""))


def sso_origin() -> str:
    """scheme://host[:port] of the issuer (where the browser is sent), or "" when SSO is off."""
    if not sso_enabled():
        return ""
    parts = urlsplit(settings.OIDC_ISSUER)
    return f"{parts.scheme}://{parts.netloc}"


def discovery() -> dict:
    """The issuer's discovery document, cached per issuer for OIDC_DISCOVERY_CACHE_SECONDS."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    with _discovery_lock:
        cached = _discovery_cache.get(issuer)
        if cached and time.monotonic() - cached[0] < settings.OIDC_DISCOVERY_CACHE_SECONDS:
            return cached[1]
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.error("OIDC discovery at %s failed: %s", issuer, exc)
        raise ProviderUnavailable(str(exc)) from exc
    # OpenID Connect Discovery 1.0 §4.3: the issuer in the document must be the one asked for.
    if document.get("issuer", "").rstrip("/") != issuer:
        logger.error("OIDC discovery at %s names another issuer: %r", issuer, document.get("issuer"))
        raise ProviderUnavailable("issuer mismatch")
    with _discovery_lock:
        _discovery_cache[issuer] = (time.monotonic(), document)
    return document


def clear_discovery_cache() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


def oidc_setting(attr: str, *default):
    if attr in DISCOVERED:
        value = discovery().get(DISCOVERED[attr])
        if value:
            return value
        if default:
            return default[0]
        raise ProviderUnavailable(f"{DISCOVERED[attr]} missing in discovery")
    return import_from_settings(attr, *default)


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in with the authorization code flow; claims decide organisation, unit and role."""

    def __init__(self, *args, **kwargs):
        # Django builds every backend on each authenticate(); with SSO off nothing may be required.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc_setting)

    def _load(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT", None)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if not sso_enabled() or request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        try:
            self._load()
            return super().authenticate(request, **kwargs)
        except (ProviderUnavailable, requests.RequestException) as exc:
            logger.error("OIDC sign-in failed at the provider: %s", exc)
            request.session[SESSION_REFUSAL] = SignInRefused.PROVIDER
            return None

    def get_user(self, user_id):
        """As mozilla-django-oidc's, with the organisation and the role names read in the same query. A deactivated
        account is signed out on its next request, as with the password backend (ModelBackend.user_can_authenticate)."""
        user = user_for_request(user_id)
        return user if user is not None and user.is_active else None

    def get_or_create_user(self, access_token, id_token, payload):
        # Claims may come in the ID token or from the userinfo endpoint; userinfo wins.
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        try:
            user = sso_user_for_claims(claims=claims, issuer=settings.OIDC_ISSUER, create=settings.OIDC_CREATE_USER)
        except SignInRefused as refusal:
            # Logged without names: the subject is enough to find the person at the provider.
            logger.warning(
                "SSO sign-in refused (%s) for subject %r, organisation %r, groups %r",
                refusal.code, refusal.subject, refusal.organisation, refusal.groups,
            )
            self.request.session[SESSION_REFUSAL] = refusal.code
            return None
        self.request.session[SESSION_VIA_SSO] = True
        logger.info("SSO sign-in of user %s", user.pk)
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: redirect to the provider with client id, state, nonce (and PKCE)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable:
            request.session[SESSION_REFUSAL] = SignInRefused.PROVIDER
            return redirect("accounts:sso_refused")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        request.session.pop(SESSION_REFUSAL, None)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        if request.GET.get("error"):
            # The provider refused or the user cancelled: say so instead of a bare login page.
            request.session[SESSION_REFUSAL] = SignInRefused.PROVIDER_DENIED
        return super().get(request)

    @property
    def failure_url(self):
        return reverse("accounts:sso_refused")

    def login_failure(self):
        self.request.session.setdefault(SESSION_REFUSAL, SignInRefused.UNKNOWN)
        return super().login_failure()


def provider_logout_url(request) -> str | None:
    """Where to send the browser to end the session at the provider too (RP-initiated logout),
    or None when SSO is off, the user did not come through it or the provider has no end_session_endpoint."""
    if not sso_enabled() or not request.session.get(SESSION_VIA_SSO):
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    params = {
        "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL)),
        "client_id": settings.OIDC_RP_CLIENT_ID,
    }
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{endpoint}?{urlencode(params)}"
