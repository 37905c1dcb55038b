"""Sign-in pages: the login page (password and/or SSO), logout (also at the provider),
the SSO refusal page, and two-factor enrolment and verification."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import otp
from .forms import SignInForm, TokenForm
from .oidc import SESSION_REFUSAL, provider_logout_url, sso_enabled
from .services import REFUSAL_MESSAGES, SignInRefused


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME
        # With SSO on, the password form is only for the break-glass accounts.
        context["passwords_for_all"] = not sso_enabled() or settings.SSO_LOCAL_PASSWORDS
        return context


sign_in = login_not_required(SignInView.as_view())


@require_POST
def sign_out(request):
    """Log out here, and at the provider when the session came from it and it supports that."""
    provider_url = provider_logout_url(request)
    auth_logout(request)
    return HttpResponseRedirect(provider_url or resolve_url(settings.LOGOUT_REDIRECT_URL))


@login_not_required
def sso_refused(request):
    code = request.session.pop(SESSION_REFUSAL, SignInRefused.UNKNOWN)
    message = REFUSAL_MESSAGES.get(code, REFUSAL_MESSAGES[SignInRefused.UNKNOWN])
    return render(request, "accounts/sso_refused.html", {"message": message, "code": code}, status=403)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def otp_setup(request):
    """Enrol an authenticator app: QR code (and the key typed by hand), then one code to confirm."""
    if otp.has_confirmed_totp(request.user):
        return redirect("accounts:otp_verify")
    device = otp.totp_device_for_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            # django-otp doubles the wait after each wrong code (against guessing).
            form.add_error("token", _("För många felaktiga försök. Vänta några sekunder och försök igen."))
        elif device.verify_token(form.cleaned_data["token"]):
            codes = otp.totp_confirm(device=device)
            otp_login(request, device)
            request.session["otp_backup_codes"] = codes
            return redirect("accounts:otp_backup_codes")
        else:
            form.add_error("token", _("Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen."))
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr_svg": otp.qr_svg(device.config_url), "secret": otp.secret_for_manual_entry(device),
    }, status=400 if form.errors else 200)


def otp_backup_codes(request):
    codes = request.session.pop("otp_backup_codes", None)
    if not codes:
        return redirect("home")
    return render(request, "accounts/otp_backup_codes.html", {"codes": codes})


def otp_verify(request):
    """The second step of a local sign-in: a code from the app or a backup code."""
    if not otp.has_confirmed_totp(request.user):
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = list(devices_for_user(request.user, confirmed=True))
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(request, _("Du loggade in med en reservkod. Den kan inte användas igen."))
                return redirect(_next_url(request))
        if any(not device.verify_is_allowed()[0] for device in devices):
            form.add_error(
                "token", _("Koden stämmer inte, eller så har du försökt för många gånger. Vänta några sekunder och försök igen.")
            )
        else:
            form.add_error("token", _("Koden stämmer inte. Försök igen."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")},
                  status=400 if form.errors else 200)
