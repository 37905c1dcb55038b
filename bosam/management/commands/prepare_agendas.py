from bosam import services
from bosam.management.dated_command import DatedCommand


class Command(DatedCommand):
    help = "Förbereder BOSAM-dagordningar vars dag har kommit och meddelar deltagarna (samma som den dagliga Celery-uppgiften)."

    def run(self, today):
        return services.prepare_agendas(today=today)

    def summary(self, result):
        return f"{result['prepared']} dagordningar förberedda, {result['notified']} kallelser skickade."
