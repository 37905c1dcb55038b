import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bosam import services


class Command(BaseCommand):
    help = "Planerar BOSAM-möten för de kommande 12 veckorna (samma som den dagliga Celery-uppgiften)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Dagens datum (YYYY-MM-DD); standard: i dag.")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError as exc:
            raise CommandError("Ange datumet som ÅÅÅÅ-MM-DD.") from exc
        result = services.plan_meetings(today=today)
        self.stdout.write(self.style.SUCCESS(
            f"{result['created']} nya möten, {result['moved']} flyttade, {result['removed']} borttagna."
        ))
