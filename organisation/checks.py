"""Deployment checks (`manage.py check --deploy`): production must not run with a known password,
and the client address must not be taken from a proxy header nobody configured."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q
from django.utils.translation import gettext as _

from .demo import DEMO_PASSWORD, DEMO_USERNAMES


@checks.register(checks.Tags.security, deploy=True)
def demo_passwords_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Error while any account can sign in with the demo password.

    Checked: the demo user names and every staff or superuser account (few, and the most valuable).
    check_password() costs one hash per account, so all users of a large installation are not checked."""
    from .models import User

    try:
        candidates = list(User.objects.filter(Q(username__in=DEMO_USERNAMES) | Q(is_staff=True) | Q(is_superuser=True)))
    except DatabaseError:
        # No database yet (an image build, a fresh install before migrate): no account can have a password.
        return [checks.Info(_("Kunde inte läsa användarna; demolösenord inte kontrollerade."), id="organisation.I001")]
    found = sorted(user.username for user in candidates if user.has_usable_password() and user.check_password(DEMO_PASSWORD))
    if not found:
        return []
    return [
        checks.Error(
            _("Konton med demolösenordet: %(users)s.") % {"users": ", ".join(found)},
            hint=_("Byt lösenord eller spärra kontona (set_unusable_password) innan drift; demokonton hör bara till DEBUG."),
            id="organisation.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxy_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(settings, "TRUSTED_PROXIES", None):
        return [
            checks.Warning(
                _("BEHIND_TLS_PROXY är på men TRUSTED_PROXIES är tom: granskningsloggen och inloggningsspärren ser proxyns adress."),
                hint=_("Sätt TRUSTED_PROXIES till proxyns adress(er), t.ex. TRUSTED_PROXIES=172.18.0.1 (se README, Konfiguration)."),
                id="avhysning.W001",
            )
        ]
    return []
