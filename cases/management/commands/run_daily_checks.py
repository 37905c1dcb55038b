"""manage.py run_daily_checks [--date YYYY-MM-DD] [--organisation CODE]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import services
from organisation.models import Organisation


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Ogiltigt datum %(value)s: ange ÅÅÅÅ-MM-DD.") % {"value": value}) from None


class Command(BaseCommand):
    help = _(
        "Kör de dagliga kontrollerna (samma som Celery beat kör varje morgon): skapar eskaleringar vars "
        "tidsfönster har passerat (R2d, R3b, R3c), räknar om brådska och registrerar automatiska avvikelser (R8). "
        "Att köra kommandot två gånger samma dag ändrar ingenting andra gången."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help=_("Kör kontrollerna som om det vore detta datum (ÅÅÅÅ-MM-DD). Standard: i dag."))
        parser.add_argument("--organisation", type=str, help=_("Endast denna organisation (kod). Standard: alla."))

    def handle(self, *args, date=None, organisation=None, **options):
        today = iso_date(date) if date else timezone.localdate()
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(_("Okänd organisation: %(code)s") % {"code": organisation})
        summary = services.run_daily_checks(today=today, organisation=org)
        self.stdout.write(
            _("Dagliga kontroller %(date)s: %(evaluated)s, %(changed)s, %(deviations)s.")
            % {
                "date": today.isoformat(),
                "evaluated": ngettext("%(n)d öppet ärende kontrollerat", "%(n)d öppna ärenden kontrollerade", summary["evaluated"])
                % {"n": summary["evaluated"]},
                "changed": ngettext("%(n)d ändrat", "%(n)d ändrade", summary["changed"]) % {"n": summary["changed"]},
                "deviations": ngettext("%(n)d ny avvikelse", "%(n)d nya avvikelser", summary["deviations"]) % {"n": summary["deviations"]},
            }
        )
