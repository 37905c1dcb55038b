"""Celery tasks for cases: each takes plain values, not model instances, and calls one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services

# The checks walk every open case; a district has at most a few thousand. The soft limit
# leaves time to finish the case in hand; what is left is picked up by the next run (idempotent).
DAILY_CHECKS_SOFT_TIME_LIMIT = 15 * 60
DAILY_CHECKS_TIME_LIMIT = 20 * 60


@shared_task(name="cases.tasks.run_daily_checks_task", soft_time_limit=DAILY_CHECKS_SOFT_TIME_LIMIT, time_limit=DAILY_CHECKS_TIME_LIMIT)
def run_daily_checks_task(date_iso: str | None = None) -> dict:
    """The morning run (CELERY_BEAT_SCHEDULE): escalations whose window has passed, urgency,
    automatic deviations. `date_iso` (YYYY-MM-DD) replays a given day; default today.

    Returns the summary {"date", "evaluated", "changed", "deviations"}; running it twice
    for the same day changes nothing the second time."""
    today = dt.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    summary = services.run_daily_checks(today=today)
    return {"date": today.isoformat(), **summary}


@shared_task(name="cases.tasks.run_retention_task", soft_time_limit=DAILY_CHECKS_SOFT_TIME_LIMIT, time_limit=DAILY_CHECKS_TIME_LIMIT)
def run_retention_task(date_iso: str | None = None) -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE): retention (gallring). Deletes only with RETENTION_EXECUTE on, else a dry run
    that logs the counts. Idempotent: a second run finds nothing more to delete."""
    from django.conf import settings

    from .services.retention import retention_run

    today = dt.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    result = retention_run(today=today, execute=settings.RETENTION_EXECUTE)
    return {"date": today.isoformat(), "executed": result.executed, "due": result.due, "deleted": result.deleted_cases,
            "households": result.deleted_households, "audit_deleted": result.deleted_audit_events,
            "deviations_severed": result.severed_deviations, **result.other}


@shared_task(name="cases.tasks.notifications_morning_task")
def notifications_morning_task(date_iso: str | None = None) -> dict:
    """Daily at 07:00: notify the tasks due tomorrow, then send the daily digests. Idempotent: a task's
    notification is made once (dedupe key) and a digest sends only what has not been e-mailed."""
    from .services.notifications import notify_tasks_due_tomorrow, send_digests

    today = dt.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    return {"date": today.isoformat(), "due_tomorrow": notify_tasks_due_tomorrow(today=today), "digests": send_digests()}


@shared_task(name="cases.tasks.send_notification_emails_task", ignore_result=True)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """E-mail these notifications to those who want them at once: SMTP in the worker, not in the request that made
    them (issue 16). Idempotent: a notification already e-mailed is not sent again."""
    from .services.notifications import send_immediately

    return send_immediately(notification_ids=notification_ids)


@shared_task(name="cases.tasks.send_work_emails_task", ignore_result=True)
def send_work_emails_task(user_ids: list[int], dedupe_keys: list[str]) -> int:
    """The same for the work notifications just written for these people and causes (notify_work)."""
    from .services.notifications import send_immediately_for

    return send_immediately_for(user_ids=user_ids, dedupe_keys=dedupe_keys)
