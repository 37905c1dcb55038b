"""The Celery application. Tasks live in each app's tasks.py and call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avhysning.settings")

app = Celery("avhysning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_without_waiting(task, *args) -> bool:
    """Hand `task` to the worker from a request (after its commit) without ever waiting for the broker: no result
    kept (nothing to subscribe to), no retries. When Redis cannot be reached the task is not queued, which is logged,
    and the request goes on (issue 16: a registration never waits for the broker). Only for work a scheduled run
    does again anyway (a prepared agenda, refreshed every morning) or that is a copy of what the app already shows
    (an e-mail of an in-app notification)."""
    import logging

    try:
        # The app's pooled connection (a connection of its own per call cost ~10 ms an intake at 1M); one try
        # (settings.BROKER_DOWN_FAILS_AT_ONCE), no publish retries.
        task.apply_async(args=args, retry=False, ignore_result=True)
    except Exception:
        logging.getLogger(__name__).exception("Could not queue %s", task.name)
        return False
    return True
