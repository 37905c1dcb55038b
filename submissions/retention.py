"""Retention (gallring, issue 15 §6) of the landlords' submissions that never became a case.

A registered submission lives and dies with its notice (Submission.notice is CASCADE, so deleting the case deletes
it). A rejected one holds a notice's personal data and no case will ever take it away: it is deleted
SUBMISSION_RETENTION_DAYS after it was received, by the nightly retention run (cases.hooks.retention_sweep). A
submission still waiting in the queue (RECEIVED) is work to be done and is never deleted here.

A landlord's uploaded list that was never confirmed (LandlordImportPreview) holds the rows' personal data: it is
deleted once past its lifetime (imports.PREVIEW_LIFETIME; a new upload of the account deletes it sooner).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import LandlordImportPreview, Submission, SubmissionStatus


def due_rejected(today: dt.date):
    """The rejected submissions received before today minus SUBMISSION_RETENTION_DAYS."""
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=settings.SUBMISSION_RETENTION_DAYS), dt.time()))
    return Submission.objects.filter(status=SubmissionStatus.REJECTED, received_at__lt=cutoff)


def due_previews():
    """The landlords' uploaded lists past their lifetime (never confirmed)."""
    from .imports import PREVIEW_LIFETIME

    return LandlordImportPreview.objects.filter(created_at__lt=timezone.now() - PREVIEW_LIFETIME)


def retention_sweep(today: dt.date, execute: bool) -> dict[str, int]:
    """Count (dry run) or delete the rejected submissions and the unconfirmed lists that are due."""
    due, previews = due_rejected(today), due_previews()
    if not execute:
        counts = {"submissions_rejected_due": due.count(), "landlord_import_previews_due": previews.count()}
        return {key: count for key, count in counts.items() if count}
    _total, per_model = due.delete()
    counts = {"submissions_rejected_deleted": per_model.get(Submission._meta.label, 0),
              "landlord_import_previews_deleted": previews.delete()[0]}
    return {key: count for key, count in counts.items() if count}
