"""Retention (gallring, issue 15 §6) of the landlords' submissions that never became a case.

A registered submission lives and dies with its notice (Submission.notice is CASCADE, so deleting the case deletes
it). A rejected one holds a notice's personal data and no case will ever take it away: it is deleted
SUBMISSION_RETENTION_DAYS after it was received, by the nightly retention run (cases.hooks.retention_sweep). A
submission still waiting in the queue (RECEIVED) is work to be done and is never deleted here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import Submission, SubmissionStatus


def due_rejected(today: dt.date):
    """The rejected submissions received before today minus SUBMISSION_RETENTION_DAYS."""
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=settings.SUBMISSION_RETENTION_DAYS), dt.time()))
    return Submission.objects.filter(status=SubmissionStatus.REJECTED, received_at__lt=cutoff)


def retention_sweep(today: dt.date, execute: bool) -> dict[str, int]:
    """Count (dry run) or delete the rejected submissions that are due."""
    due = due_rejected(today)
    if not execute:
        count = due.count()
        return {"submissions_rejected_due": count} if count else {}
    _total, per_model = due.delete()
    deleted = per_model.get(Submission._meta.label, 0)
    return {"submissions_rejected_deleted": deleted} if deleted else {}
