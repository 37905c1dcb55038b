"""Reads for logguppföljning: the audit events of one month in one organisation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from organisation.models import Unit

from ..models import AuditAction, AuditEvent

if TYPE_CHECKING:

    from organisation.models import User

# Actions a head of unit must look at in the monthly review.
HIGHLIGHT_ACTIONS = (
    AuditAction.PIN_REVEAL, AuditAction.ADDRESS_REVEAL, AuditAction.EXPORT, AuditAction.CASE_VIEW_DENIED, AuditAction.EMERGENCY_ACCESS,
)


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def audit_events_for_review(
    organisation, *, month: dt.date, user: User | None = None, unit: Unit | None = None, action: str = "", only_highlighted: bool = False
) -> QuerySet[AuditEvent]:
    start, end = month_bounds(month)
    qs = AuditEvent.objects.filter(organisation=organisation, at__gte=start, at__lt=end)
    if user is not None:
        qs = qs.filter(user=user)
    if unit is not None:
        qs = qs.filter(user_unit=unit)
    if action:
        qs = qs.filter(action=action)
    highlighted = Q(without_assignment=True) | Q(action__in=HIGHLIGHT_ACTIONS)
    if only_highlighted:
        qs = qs.filter(highlighted)
    return (
        qs.select_related("user", "user_unit", "case")
        .annotate(highlighted=CaseWhen(When(highlighted, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by("at", "id")
    )


def emergency_accesses_for_review(organisation, *, month: dt.date) -> QuerySet[AuditEvent]:
    """Every emergency access of the month (issue 15 §4), whatever the filter: the review lists them first.
    The reason is in the event's detail, so the list outlives the case (retention severs, never deletes, these rows)."""
    start, end = month_bounds(month)
    return (
        AuditEvent.objects.filter(organisation=organisation, at__gte=start, at__lt=end, action=AuditAction.EMERGENCY_ACCESS)
        .select_related("user", "user_unit", "case").order_by("at", "id")
    )


def audit_review_summary(events: QuerySet[AuditEvent]) -> dict:
    base = events.order_by()
    return {
        "emergency": base.filter(action=AuditAction.EMERGENCY_ACCESS).count(),
        "total": base.count(),
        "without_assignment": base.filter(without_assignment=True).count(),
        "reveals": base.filter(action__in=(AuditAction.PIN_REVEAL, AuditAction.ADDRESS_REVEAL)).count(),
        "exports": base.filter(action=AuditAction.EXPORT).count(),
        "denied": base.filter(action=AuditAction.CASE_VIEW_DENIED).count(),
    }
