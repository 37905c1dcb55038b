"""Celery tasks of the follow-up: take ids or dates, call services, idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="followup.tasks.prepare_monthly_report_task")
def prepare_monthly_report_task(date_iso: str | None = None) -> list[int]:
    """Daily by beat; acts on the first working day of a month only: prepares last month's report for every
    organisation (each committed on its own) and then tells its steering group, once per report."""
    today = dt.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    ids = services.monthly_reports_prepare(today=today)
    for report_id in ids:
        services.report_notify_members(report_id=report_id)
    return ids


@shared_task(name="followup.tasks.aggregate_days_task")
def aggregate_days_task(date_iso: str | None = None) -> dict[str, int]:
    """Nightly: the per-day statistics aggregates up to yesterday; idempotent (a second run rewrites the same rows)."""
    today = dt.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    return {str(k): v for k, v in services.statistics_aggregate(today=today).items()}
