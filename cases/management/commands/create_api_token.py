"""manage.py create_api_token <username> [--scope SCOPE ...] [--name NAME] [--reset]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organisation.models import ApiScope, ApiToken, Role
from organisation.tokens import api_token_create


class Command(BaseCommand):
    help = _(
        "Skapar en ny API-token för en användare och skriver ut nyckeln, en enda gång: bara dess kontrollsumma sparas, "
        "så den kan inte visas igen. Integrationen skickar den i varje anrop som rubriken 'Authorization: Token <token>' "
        "till /api/v1/. Behörigheten 'staff' ger samma rättigheter som användarens roll och enhet i webbläsaren; skapa "
        "därför en egen användare för varje integration. --reset återkallar användarens tidigare token först."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("Användarnamnet."))
        parser.add_argument(
            "--scope", action="append", dest="scopes", metavar="SCOPE",
            help=_("Behörighet (kan upprepas): %(choices)s. Standard: staff.") % {"choices": ", ".join(ApiScope.values)},
        )
        parser.add_argument("--name", default="", help=_("Vad token används till (visas i administrationen)."))
        parser.add_argument("--reset", action="store_true", help=_("Återkalla användarens tidigare token."))

    def handle(self, *args, username, scopes=None, name="", reset=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Användaren %(username)s finns inte.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("Användaren %(username)s är inaktiverad.") % {"username": username})
        # A landlord's account (role hyresvard, bound to its landlord) submits notices, and nothing else (issue 14 §2).
        if user.landlord_id:
            scopes = scopes or [ApiScope.NOTICES_SUBMIT]
            if set(scopes) != {ApiScope.NOTICES_SUBMIT}:
                raise CommandError(_("%(username)s är en hyresvärds konto: bara behörigheten notices:submit.") % {"username": username})
        elif user.groups.filter(name=Role.HYRESVARD).exists():
            raise CommandError(_("%(username)s har rollen hyresvärd men är inte kopplad till någon hyresvärd.") % {"username": username})
        scopes = scopes or [ApiScope.STAFF]
        unknown = sorted(set(scopes) - set(ApiScope.values))
        if unknown:
            raise CommandError(
                _("Okänd behörighet: %(scopes)s. Välj bland %(choices)s.")
                % {"scopes": ", ".join(unknown), "choices": ", ".join(ApiScope.values)}
            )
        if reset:
            for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
                token.revoke()
        _token, key = api_token_create(user=user, name=name or _("Skapad med create_api_token"), scopes=scopes)
        self.stdout.write(key)
