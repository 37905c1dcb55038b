import datetime as dt

from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def heartbeat_record(*, name: str = WORKER, now: dt.datetime | None = None) -> Heartbeat:
    """Write the time of this beat (idempotent: one row per name, overwritten)."""
    heartbeat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})
    return heartbeat
