"""The REST API under /api/v1/. Authentication (session or token) is DRF's job,
so these views are exempt from LoginRequiredMiddleware's redirect; DRF's
IsAuthenticated default still refuses anonymous callers with 401/403."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView


def _exempt_from_login_redirect(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _exempt_from_login_redirect(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = login_not_required(entry.callback)
    return patterns


urlpatterns = _exempt_from_login_redirect(
    [
        path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path("", include("cases.api.urls")),
        path("", include("bosam.api_urls")),
        path("", include("imports.api_urls")),
        path("", include("submissions.api_urls")),
        path("", include("followup.api_urls")),
    ]
)
