from celery import shared_task

from . import services


@shared_task(soft_time_limit=20, time_limit=30)
def heartbeat_task() -> None:
    # Scheduled by beat every minute and run by a worker: /health/ reads the timestamp.
    services.heartbeat_record()
