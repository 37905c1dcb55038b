"""manage.py run_retention [--date YYYY-MM-DD] [--execute]: retention (gallring, issue 15 §6); a dry run by default."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.retention import retention_run


class Command(BaseCommand):
    help = _(
        "Gallring: listar de avslutade ärenden vars senaste anteckning är äldre än gallringsfristen (antal per år och "
        "enhet, inga namn). Raderar bara med --execute: då skrivs statistikens aggregat först, loggraderna kopplas "
        "loss men behålls, handlingarna tas bort ur lagringen och ett gallringsprotokoll skrivs per ärende."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("Dagen att gallra som (YYYY-MM-DD); standard: i dag."))
        parser.add_argument("--execute", action="store_true", help=_("Radera på riktigt (annars bara en provkörning)."))

    def handle(self, *args, date=None, execute=False, **options):
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(_("Ogiltigt datum: %(date)s (skriv ÅÅÅÅ-MM-DD).") % {"date": date}) from exc
        result = retention_run(today=today, execute=execute)
        self.stdout.write(_("Gallring %(date)s: %(due)s ärenden att gallra, %(kept)s sparas för forskning.") % {
            "date": today.isoformat(), "due": result.due, "kept": result.kept_for_research})
        for row in result.summary:
            self.stdout.write(f"  {row['year']}  {row['unit_code'] or '–':30} {row['count']:6}")
        if execute:
            self.stdout.write(self.style.SUCCESS(_(
                "Raderat: %(cases)s ärenden, %(households)s hushåll, %(documents)s handlingar; %(severed)s loggrader "
                "kopplade loss från ärendet, %(audit)s loggrader äldre än loggens gallringsfrist raderade."
            ) % {"cases": result.deleted_cases, "households": result.deleted_households, "documents": result.deleted_documents,
                 "severed": result.severed_audit_events, "audit": result.deleted_audit_events}))
            if result.severed_deviations:
                self.stdout.write(_("%(n)s avvikelser behålls i registret med ärendenumret, utan fritext.") % {
                    "n": result.severed_deviations})
        else:
            self.stdout.write(_("Provkörning: inget raderat. Kör med --execute för att gallra."))
        # What the other apps removed (or, in a dry run, would remove): import rows and files, BOSAM minutes and PDFs.
        for name, count in sorted(result.other.items()):
            self.stdout.write(f"  {name}: {count}")
