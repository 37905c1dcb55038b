"""A landlord's account is outside the authority: it reaches /hyresvard/ and nothing else (issue 14 §2).

Deny by default for the role hyresvard, whatever a view elsewhere would let a signed-in user see (notifications,
two-factor pages of staff, the API): only the paths below answer it, every other one is 403. A token of a landlord's
account is held to the scope notices:submit by organisation/tokens.py.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .access import is_landlord_account

LANDLORD_PATHS = ("/hyresvard/", "/konto/", "/i18n/", "/api/v1/submissions/", "/static/", "/favicon.ico", "/health/")


class LandlordAreaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        outside = request.path != "/" and not request.path.startswith(LANDLORD_PATHS)
        if outside and user is not None and user.is_authenticated and is_landlord_account(user):
            raise PermissionDenied(_("Ditt konto är en hyresvärds: det når bara sidorna för hyresvärdar."))
        return self.get_response(request)
