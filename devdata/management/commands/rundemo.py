"""Run the web server, a Celery worker and Celery beat in one foreground process
(`make run`). Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from organisation.demo import DEMO_USERS


class Command(BaseCommand):
    help = "Startar webbserver, Celery-worker och Celery beat tillsammans (för utveckling och demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CELERY_BEAT_EVERY_SECONDS": os.environ.get("CELERY_BEAT_EVERY_SECONDS", "60")}
        commands = {
            "web": [python, "manage.py", "runserver", options["addr"], "--noreload"],
            "worker": [python, "-m", "celery", "-A", "avhysning", "worker", "--pool=solo", "--loglevel=INFO"],
            "beat": [python, "-m", "celery", "-A", "avhysning", "beat", "--loglevel=INFO",
                     "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        processes = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env) for name, cmd in commands.items()}
        # A `kill` (SIGTERM) stops the three as Ctrl-C does, instead of leaving them running without their parent.
        signal.signal(signal.SIGTERM, _stop)
        url = f"http://{options['addr']}/"
        self.stdout.write(self.style.SUCCESS(f"\nAvhysning körs på {url}  (Ctrl-C stoppar webb, worker och beat)"))
        if settings.DEMO_USERS_ENABLED:
            self.stdout.write("Demoinloggningar (lösenord: demo): " + ", ".join(u[0] for u in DEMO_USERS) + "\n")
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"Avslutas: {', '.join(stopped)} stannade.")
        except KeyboardInterrupt:
            self.stdout.write("\nStoppar …")
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in processes.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()


def _stop(signum, frame):
    raise KeyboardInterrupt

