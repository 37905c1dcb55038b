from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import otp


class SecondFactorMiddleware:
    """After a local password sign-in, a user who needs a second factor reaches nothing
    but the two-factor pages (and logout, the language switch, health) until verified."""

    OPEN_PATHS = ("/konto/tvastegs/", "/konto/logga-ut/", "/i18n/", "/health/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.path.startswith(self.OPEN_PATHS)
            and otp.second_factor_required(request)
            and not request.user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Tvåstegsverifiering krävs."}, status=403)
            # Any device (an app, a passkey, backup codes) is shown on the verification page; none: enrolment.
            target = "accounts:otp_verify" if otp.has_any_device(request.user) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
