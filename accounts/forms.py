from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisation.auth import LoginForm

from .backends import local_password_allowed


class SignInForm(LoginForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        if username and not local_password_allowed(username):
            # Say why, instead of "wrong password": the account exists at the city's sign-in.
            raise ValidationError(
                _("Lösenord används inte längre. Logga in med %(provider)s.") % {"provider": settings.OIDC_PROVIDER_NAME},
                code="sso_only",
            )
        return super().clean()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("Sex siffror från autentiseringsappen, eller en av dina reservkoder."),
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "")
