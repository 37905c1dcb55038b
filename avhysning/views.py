"""The project's own error pages (issue 12 item 8): 400, 403, 404, 500 and the CSRF failure, in Swedish and English,
each with a way back.

403, 404 and the CSRF page render with the request (the menu, the language switcher). The 500 page renders with no
request context at all (no context processors, no database): whatever failed may be the database itself."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, if it is one of ours; else empty (the template offers the start page)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return ""


def _page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    return render(request, template, {"back_url": _back_url(request), **context}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The views' PermissionDenied messages are written for the user (Swedish, translatable): show them.
    reason = str(exception) if exception is not None and exception.args else ""
    return _page(request, "errors/403.html", 403, reason=reason)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Http404's message is not shown: Django's own ("No Case matches the given query.") says nothing to the user.
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """No request context and no database: a plain template rendered from an empty context."""
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open past the session's end, or opened in another tab."""
    return _page(request, "errors/403_csrf.html", 403)


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for by browsers and tools that do not read the page's <link rel="icon">."""
    return redirect(static("favicon.svg"), permanent=True)
