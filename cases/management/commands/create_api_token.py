"""manage.py create_api_token <username> [--reset]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = _(
        "Skapar (eller visar) API-token för en användare och skriver ut den. Integrationen skickar den i varje anrop "
        "som rubriken 'Authorization: Token <token>' till /api/v1/. Token ger samma behörighet som användarens roll "
        "och enhet i webbläsaren; skapa därför en egen användare för varje integration (t.ex. en hyresrådgivare för "
        "inläsning av underrättelser). --reset ersätter en befintlig token (den gamla slutar gälla)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("Användarnamnet."))
        parser.add_argument("--reset", action="store_true", help=_("Ersätt en befintlig token med en ny."))

    def handle(self, *args, username, reset=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Användaren %(username)s finns inte.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("Användaren %(username)s är inaktiverad.") % {"username": username})
        if reset:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
