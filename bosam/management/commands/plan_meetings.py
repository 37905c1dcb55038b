from bosam import services
from bosam.management.dated_command import DatedCommand


class Command(DatedCommand):
    help = "Planerar BOSAM-möten för de kommande 12 veckorna (samma som den dagliga Celery-uppgiften)."

    def run(self, today):
        return services.plan_meetings(today=today)

    def summary(self, result):
        return f"{result['created']} nya möten, {result['moved']} flyttade, {result['removed']} borttagna."
