from django.conf import settings

from organisation.auth import DemoRefusingBackend

from .oidc import sso_enabled


def local_password_allowed(username: str | None) -> bool:
    """With SSO on, local passwords work only for the named break-glass accounts
    (unless SSO_LOCAL_PASSWORDS keeps them for everyone, e.g. during the switch-over)."""
    if not sso_enabled() or settings.SSO_LOCAL_PASSWORDS:
        return True
    return bool(username) and username in settings.SSO_BREAK_GLASS_USERS


class LocalPasswordBackend(DemoRefusingBackend):
    """The demo-refusing password backend, also refusing local passwords while SSO is on (except break-glass)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if not local_password_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
