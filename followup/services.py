"""Writes of the deviations register: manual registration and handling (R8).

Every step of the handling is kept as a DeviationEvent; a deviation on a case is written to the case's
audit log as well (the handling is part of the case's story)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.audit import audit_log
from cases.models import DEVIATION_TRANSITIONS, AuditAction, Case, Deviation, DeviationEvent, DeviationKind, DeviationStatus
from organisation.models import Organisation

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User

CLOSING_STATUSES = (DeviationStatus.HANDLED, DeviationStatus.DISMISSED)


@transaction.atomic
def deviation_register(
    *,
    organisation: Organisation,
    user: User,
    description: str,
    kind: str = DeviationKind.MANUAL,
    case: Case | None = None,
    occurred_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Deviation:
    """A deviation registered by a person (from a case page or the register). The caller has checked
    that the user may see `case`."""
    if case is not None and case.organisation_id != organisation.pk:
        raise ValidationError({"case": _("Ärendet hör till en annan organisation.")})
    if not description.strip():
        raise ValidationError({"description": _("Beskriv avvikelsen.")})
    deviation = Deviation.objects.create(
        organisation=organisation,
        case=case,
        kind=kind,
        automatic=False,
        description=description.strip(),
        occurred_on=occurred_on or timezone.localdate(),
        created_by=user,
    )
    if case is not None:
        audit_log(user=user, action=AuditAction.DEVIATION_RECORD, case=case, request=request, detail=f"deviation={deviation.pk} {kind}")
    return deviation


def _check_transition(deviation: Deviation, status: str, comment: str) -> None:
    if status not in DeviationStatus.values:
        raise ValidationError({"status": _("Okänd status.")})
    if status not in DEVIATION_TRANSITIONS[deviation.status]:
        raise ValidationError({"status": _("En avvikelse med status %(current)s kan inte få status %(new)s.") % {
            "current": deviation.get_status_display(), "new": DeviationStatus(status).label}})
    if status in CLOSING_STATUSES and not comment.strip():
        message = _("Skriv vad som gjordes.") if status == DeviationStatus.HANDLED else _("Skriv varför avvikelsen avfärdas.")
        raise ValidationError({"comment": message})


def _apply(deviation: Deviation, *, status: str, comment: str, user: User, now, request: HttpRequest | None = None) -> Deviation:
    DeviationEvent.objects.create(
        deviation=deviation, from_status=deviation.status, to_status=status, comment=comment, user=user, at=now
    )
    deviation.status = status
    deviation.status_comment = comment
    deviation.status_sentence, deviation.status_params = "", {}  # a person's step replaces the application's note
    deviation.status_changed_by = user
    deviation.status_changed_at = now
    deviation.save(update_fields=["status", "status_comment", "status_sentence", "status_params", "status_changed_by", "status_changed_at"])
    if deviation.case_id:
        audit_log(user=user, action=AuditAction.DEVIATION_HANDLE, case=deviation.case, request=request,
                  detail=f"deviation={deviation.pk} {status}")
    return deviation


@transaction.atomic
def deviation_handle(*, deviation: Deviation, user: User, status: str, comment: str = "", request: HttpRequest | None = None) -> Deviation:
    """Move one deviation on: UNDER_REVIEW, or close it as HANDLED (what was done) / DISMISSED (why).
    The caller has checked that the user may handle it (followup.access)."""
    deviation = Deviation.objects.select_for_update(of=("self",)).select_related("case").get(pk=deviation.pk)
    comment = comment.strip()
    _check_transition(deviation, status, comment)
    return _apply(deviation, status=status, comment=comment, user=user, now=timezone.now(), request=request)


@transaction.atomic
def deviation_handle_bulk(
    *, deviations: Iterable[Deviation], user: User, status: str, comment: str, request: HttpRequest | None = None,
) -> int:
    """Handle several deviations with one comment; all or none (a row that cannot take the status stops all)."""
    ids = [d.pk for d in deviations]
    if not ids:
        raise ValidationError({"ids": _("Välj minst en avvikelse.")})
    comment = comment.strip()
    now = timezone.now()
    rows = list(Deviation.objects.select_for_update(of=("self",)).select_related("case").filter(pk__in=ids).order_by("pk"))
    for deviation in rows:
        _check_transition(deviation, status, comment)
    for deviation in rows:
        _apply(deviation, status=status, comment=comment, user=user, now=now, request=request)
    return len(rows)


# --- the period report ------------------------------------------------------------------------


def report_prepare(
    *, organisation: Organisation, kind: str, period_start: dt.date, period_end: dt.date, user: User | None = None,
):
    """The report for the period, created if missing (idempotent: one per organisation and period)."""
    from .models import PeriodReport

    if period_end < period_start:
        raise ValidationError({"period_end": _("Slutdatumet ligger före startdatumet.")})
    report, _created = PeriodReport.objects.get_or_create(
        organisation=organisation, period_start=period_start, period_end=period_end,
        defaults={"kind": kind, "prepared_by": user if getattr(user, "is_authenticated", False) else None},
    )
    return report


@transaction.atomic
def report_remarks_save(*, report, user: User, remarks: str, present: bool = False):
    """Save the chair's remarks; with present=True the report is marked as presented and the remarks freeze."""
    from .models import PeriodReport

    report = PeriodReport.objects.select_for_update().get(pk=report.pk)
    if report.is_presented:
        raise ValidationError({"chair_remarks": _("Rapporten är redan föredragen; kommentaren kan inte ändras.")})
    report.chair_remarks = remarks.strip()
    fields = ["chair_remarks"]
    if present:
        report.presented_at = timezone.now()
        report.presented_by = user
        fields += ["presented_at", "presented_by"]
    report.save(update_fields=fields)
    return report


def report_notify_members(*, report_id: int) -> int:
    """Tell the organisation's steering group that the report is ready (in the app, and by e-mail per their choice):
    the period and a link only, no personal data. Once per report (notified_at), however often it is called."""
    from django.urls import reverse

    from cases.models import NotificationKind
    from cases.services.notifications import notify
    from organisation.models import Role, User

    from .models import PeriodReport

    with transaction.atomic():
        report = PeriodReport.objects.select_for_update(of=("self",)).get(pk=report_id)
        if report.notified_at is not None:
            return 0
        report.notified_at = timezone.now()
        report.save(update_fields=["notified_at"])
        members = User.objects.filter(organisation_id=report.organisation_id, groups__name=Role.STYRGRUPP, is_active=True).distinct()
        text = _("Styrgruppens periodrapport %(start)s – %(end)s är klar.") % {
            "start": report.period_start.isoformat(), "end": report.period_end.isoformat()}
        told = notify(users=members, kind=NotificationKind.REPORT_READY, text=text, url=reverse("followup:report", args=[report.pk]),
                      dedupe_key=f"report-ready:{report.pk}")
    return len(told)


def monthly_reports_prepare(*, today: dt.date) -> list[int]:
    """On the first working day of a month: the report for the month just ended, for every organisation,
    and an e-mail to each steering group once the report exists (after the commit). Other days: nothing."""
    from cases.rules.workdays import next_working_day_on_or_after

    from .models import PeriodKind
    from .reports import period_bounds

    if today != next_working_day_on_or_after(today.replace(day=1)):
        return []
    start, end = period_bounds(PeriodKind.MONTH, today.replace(day=1) - dt.timedelta(days=1))
    ids = []
    for organisation in Organisation.objects.order_by("pk"):
        with transaction.atomic():
            report = report_prepare(organisation=organisation, kind=PeriodKind.MONTH, period_start=start, period_end=end)
        ids.append(report.pk)
    return ids


# --- the nightly aggregates ------------------------------------------------------------------------


def statistics_aggregate(*, today: dt.date, refresh_days: int | None = None) -> dict[int, int]:
    """Write the per-day aggregates of every organisation up to yesterday (followup.aggregates)."""
    from django.conf import settings

    from .aggregates import aggregate_pending

    refresh = settings.STATISTICS_AGGREGATE_REFRESH_DAYS if refresh_days is None else refresh_days
    return aggregate_pending(today=today, organisation_ids=Organisation.objects.order_by("pk").values_list("pk", flat=True),
                             refresh_days=refresh)
