"""Writes of the deviations register: manual registration and handling (R8).

Every step of the handling is kept as a DeviationEvent; a deviation on a case is written to the case's
audit log as well (the handling is part of the case's story)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.audit import audit_log
from cases.models import DEVIATION_TRANSITIONS, AuditAction, Case, Deviation, DeviationEvent, DeviationKind, DeviationStatus
from organisation.models import Organisation

CLOSING_STATUSES = (DeviationStatus.HANDLED, DeviationStatus.DISMISSED)


@transaction.atomic
def deviation_register(
    *,
    organisation: Organisation,
    user,
    description: str,
    kind: str = DeviationKind.MANUAL,
    case: Case | None = None,
    occurred_on: dt.date | None = None,
    request=None,
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


def _apply(deviation: Deviation, *, status: str, comment: str, user, now, request=None) -> Deviation:
    DeviationEvent.objects.create(
        deviation=deviation, from_status=deviation.status, to_status=status, comment=comment, user=user, at=now
    )
    deviation.status = status
    deviation.status_comment = comment
    deviation.status_changed_by = user
    deviation.status_changed_at = now
    deviation.save(update_fields=["status", "status_comment", "status_changed_by", "status_changed_at"])
    if deviation.case_id:
        audit_log(user=user, action=AuditAction.DEVIATION_HANDLE, case=deviation.case, request=request,
                  detail=f"deviation={deviation.pk} {status}")
    return deviation


@transaction.atomic
def deviation_handle(*, deviation: Deviation, user, status: str, comment: str = "", request=None) -> Deviation:
    """Move one deviation on: UNDER_REVIEW, or close it as HANDLED (what was done) / DISMISSED (why).
    The caller has checked that the user may handle it (followup.access)."""
    deviation = Deviation.objects.select_for_update().select_related("case").get(pk=deviation.pk)
    comment = comment.strip()
    _check_transition(deviation, status, comment)
    return _apply(deviation, status=status, comment=comment, user=user, now=timezone.now(), request=request)


@transaction.atomic
def deviation_handle_bulk(*, deviations: Iterable[Deviation], user, status: str, comment: str, request=None) -> int:
    """Handle several deviations with one comment; all or none (a row that cannot take the status stops all)."""
    ids = [d.pk for d in deviations]
    if not ids:
        raise ValidationError({"ids": _("Välj minst en avvikelse.")})
    comment = comment.strip()
    now = timezone.now()
    rows = list(Deviation.objects.select_for_update().select_related("case").filter(pk__in=ids).order_by("pk"))
    for deviation in rows:
        _check_transition(deviation, status, comment)
    for deviation in rows:
        _apply(deviation, status=status, comment=comment, user=user, now=now, request=request)
    return len(rows)
