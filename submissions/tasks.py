"""Celery task of the landlord's channel: takes an id, calls one service, idempotent by the status guard."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="submissions.tasks.submission_auto_register_task", soft_time_limit=60, time_limit=90)
def submission_auto_register_task(submission_id: int) -> int | None:
    notice = services.submission_auto_register(submission_id=submission_id)
    return notice.pk if notice else None
