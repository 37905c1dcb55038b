"""Sign-in: the demo accounts are refused in production, in the login form (with a message) and in the
authentication backend (so that no other way in, such as the admin's own login page, accepts them)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .demo import is_refused_demo_username
from .roles import user_for_request

DEMO_REFUSED_MESSAGE = _(
    "Demokonton kan inte användas i drift. Logga in med ditt personliga konto, eller be en systemadministratör om ett."
)


class DemoRefusingBackend(ModelBackend):
    """Django's ModelBackend, except that a demo user name never authenticates while demo accounts are off."""

    def user_can_authenticate(self, user) -> bool:
        if is_refused_demo_username(getattr(user, "username", None)):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        """As ModelBackend's, with the organisation and the role names read in the same query (roles.user_for_request)."""
        user = user_for_request(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class _DemoRefusingMixin:
    def clean(self):
        # Before authenticate(): the answer is the same whatever the password, so it says nothing about it.
        if is_refused_demo_username(self.data.get("username")):
            raise forms.ValidationError(DEMO_REFUSED_MESSAGE, code="demo_account")
        return super().clean()


class LoginForm(_DemoRefusingMixin, AuthenticationForm):
    pass


class AdminLoginForm(_DemoRefusingMixin, AdminAuthenticationForm):
    pass
