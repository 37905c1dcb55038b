"""The base of bosam's daily commands (plan_meetings, prepare_agendas): a --date option, then one service call."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class DatedCommand(BaseCommand):
    """Subclasses say what to run for a day (`run`) and what to print of its result (`summary`)."""

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Dagens datum (YYYY-MM-DD); standard: i dag.")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError as exc:
            raise CommandError("Ange datumet som ÅÅÅÅ-MM-DD.") from exc
        self.stdout.write(self.style.SUCCESS(self.summary(self.run(today))))

    def run(self, today: dt.date) -> dict:
        raise NotImplementedError

    def summary(self, result: dict) -> str:
        raise NotImplementedError
