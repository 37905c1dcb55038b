from django.utils import timezone

# No inline scripts: every script is a file under static/. Styles may be inline
# (Bootstrap and crispy-forms set a few style attributes).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy() -> str:
    """With single sign-on, the logout form's redirect goes on to the identity provider's
    end_session_endpoint: CSP checks form-action along the redirects, so that origin is allowed."""
    from accounts.oidc import sso_origin

    origin = sso_origin()
    if not origin:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


class SwedishFirstMiddleware:
    """Swedish unless the user chose English with the language switcher (a cookie).

    The browser's Accept-Language is ignored on purpose: staff machines in the city
    often run English browsers, and the application's working language is Swedish."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in user (session or API token).

    Case pages, lists, letters, PDFs, the API, BOSAM and the audit review all carry secret personal data
    (OSL 26 kap.); one rule for every authenticated answer cannot miss a new view. Static files never get
    here: WhiteNoise answers them earlier in the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response.headers["Cache-Control"] = "no-store, private"
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 proxies
        return response


class SessionIdleRefreshMiddleware:
    """The idle limit (SESSION_COOKIE_AGE, 30 minutes) without a session write on every request.

    The database session expires SESSION_COOKIE_AGE after it was last saved. Saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) cost an UPDATE (and on PostgreSQL a savepoint around it) per request; here a
    signed-in session is saved again only when it was last refreshed more than REFRESH_SECONDS ago (or the view
    changed it anyway), so a session still ends between 29 and 30 minutes after the last request.

    Placed after SessionMiddleware: its answer is seen before the session middleware saves. A view that removes
    `request.session` (the import's progress poll, imports.views) is not activity and refreshes nothing; an empty
    session (nobody signed in, a cookie of a session that expired) is never created here."""

    KEY = "_idle_refreshed_at"
    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.__dict__.get("session")
        if session is None or session.is_empty():  # no cookie: nothing read, nothing written
            return response
        now = int(timezone.now().timestamp())
        refreshed = session.get(self.KEY)  # reads the session (already read for the signed-in user)
        if session.is_empty():  # the cookie's session has expired or never existed
            return response
        # A stamp from the future (another server's clock ahead) refreshes too, rather than never.
        if session.modified or not isinstance(refreshed, int) or not 0 <= now - refreshed < self.REFRESH_SECONDS:
            session[self.KEY] = now
        return response


def stamp_session_at_login(sender, request, user, **kwargs):
    """Signing in saves the session anyway: the stamp goes with it, so the first request after it writes nothing
    (connected to user_logged_in in accounts.apps)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionIdleRefreshMiddleware.KEY] = int(timezone.now().timestamp())
