"""Checks of our own for /health/ (django-health-check). Messages name the part, never data."""

import dataclasses

from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from .models import Heartbeat
from .services import WORKER


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis in production, the folder broker in the demo)."""

    def run(self) -> None:
        from avhysning.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=3)
        except Exception as exc:  # kombu raises many kinds; all mean the same here
            raise ServiceUnavailable("broker unreachable") from exc


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """Beat schedules monitoring.tasks.heartbeat_task every minute and a worker runs it:
    a fresh timestamp means both are alive and the queue moves."""

    def run(self) -> None:
        heartbeat = Heartbeat.objects.filter(name=WORKER).first()
        if heartbeat is None:
            raise ServiceUnavailable("no worker heartbeat yet")
        age = (timezone.now() - heartbeat.beat_at).total_seconds()
        if age > settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"worker heartbeat is {int(age)} s old")


CHECKS = (
    "health_check.checks.Database",
    "health_check.checks.Storage",
    "monitoring.checks.Broker",
    "monitoring.checks.WorkerHeartbeat",
)
