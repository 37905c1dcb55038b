"""Sign-in pages: the login page (password and/or SSO), logout (also at the provider),
the SSO refusal page, and two-factor enrolment and verification (an app, passkeys, backup codes)."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from . import otp, passkeys
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


def _verify_first(request):
    return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}")


def otp_setup(request):
    """Enrol an authenticator app: QR code (and the key typed by hand), then one code to confirm."""
    if otp.has_confirmed_totp(request.user) or otp.must_verify_first(request):
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
            otp.audit_two_factor(request, otp.ENROL, device)
            request.session["otp_backup_codes"] = codes
            return redirect("accounts:otp_backup_codes")
        else:
            form.add_error("token", _("Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen."))
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr_svg": otp.qr_svg(device.config_url), "secret": otp.secret_for_manual_entry(device),
        "has_passkey": otp.has_passkey(request.user),
    }, status=400 if form.errors else 200)


def otp_backup_codes(request):
    codes = request.session.pop("otp_backup_codes", None)
    if not codes:
        return redirect("home")
    return render(request, "accounts/otp_backup_codes.html", {"codes": codes})


def otp_verify(request):
    """The second step of a local sign-in: a passkey, a code from the app, or a backup code."""
    if not otp.has_any_device(request.user):
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = [d for d in devices_for_user(request.user, confirmed=True) if not isinstance(d, WebAuthnCredential)]
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                otp.audit_two_factor(request, otp.SIGN_IN, device)
                if isinstance(device, StaticDevice):
                    messages.warning(request, _("Du loggade in med en reservkod. Den kan inte användas igen."))
                return redirect(_next_url(request))
        if any(not device.verify_is_allowed()[0] for device in devices):
            form.add_error(
                "token", _("Koden stämmer inte, eller så har du försökt för många gånger. Vänta några sekunder och försök igen.")
            )
        else:
            form.add_error("token", _("Koden stämmer inte. Försök igen."))
    return render(request, "accounts/otp_verify.html", {
        "form": form, "next": request.GET.get("next", ""),
        "has_passkey": otp.has_passkey(request.user), "has_totp": otp.has_confirmed_totp(request.user),
    }, status=400 if form.errors else 200)


def passkeys_page(request):
    """The person's passkeys (name, created, last used, remove) and adding one (accounts/passkeys.py)."""
    if otp.must_verify_first(request):
        return _verify_first(request)
    return render(request, "accounts/passkeys.html", {
        "passkeys": passkeys.passkeys_of(request.user),
        "has_totp": otp.has_confirmed_totp(request.user),
        "second_factor_required": otp.second_factor_required(request),
    })


def passkey_remove(request, pk: int):
    """Asks first (a page of its own, so that it works without JavaScript), then removes and logs."""
    if otp.must_verify_first(request):
        return _verify_first(request)
    credential = passkeys.passkey_for_owner(request.user, pk)
    if credential is None:
        raise Http404
    if otp.second_factor_required(request) and passkeys.is_last_primary_factor(credential):
        messages.error(request, _(
            "Du kan inte ta bort din enda nyckel. Lägg först till en ny nyckel eller en autentiseringsapp."
        ))
        return redirect("accounts:passkeys")
    if request.method == "POST":
        passkeys.passkey_remove(request=request, credential=credential)
        messages.success(request, _("Nyckeln ”%(name)s” är borttagen.") % {"name": credential.name})
        return redirect("accounts:passkeys")
    return render(request, "accounts/passkey_remove.html", {"passkey": credential})


class PasskeyRegistrationBegin(webauthn_views.BeginCredentialRegistrationView):
    """The library's: refuses a user who has a device but has not shown it in this session (NotVerified)."""


class PasskeyRegistrationComplete(webauthn_views.CompleteCredentialRegistrationView):
    """The library's check and save, then the audit log; the first second factor also gets backup codes."""

    def post(self, *args, **kwargs):
        had_backup_codes = StaticDevice.objects.filter(user=self.request.user, confirmed=True).exists()
        response = super().post(*args, **kwargs)
        credential = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"], user=self.request.user)
        otp.audit_two_factor(self.request, otp.ENROL, credential)
        if had_backup_codes:
            messages.success(self.request, _("Nyckeln ”%(name)s” är tillagd.") % {"name": credential.name})
            target = reverse("accounts:passkeys")
        else:
            self.request.session["otp_backup_codes"] = otp.backup_codes_issue(user=self.request.user)
            target = reverse("accounts:otp_backup_codes")
        return JsonResponse({"id": credential.pk, "redirect_url": target})


class PasskeyAuthenticationBegin(webauthn_views.BeginCredentialAuthenticationView):
    """The library's: the signed-in user's own passkeys only (no sign-in without the password first)."""


class PasskeyAuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    """The library's checks (the key is this user's, confirmed, the signature, the sign count), then the log."""

    def complete_auth(self, device):
        super().complete_auth(device)
        otp.audit_two_factor(self.request, otp.SIGN_IN, device)
