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
