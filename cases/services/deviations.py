"""Deviations (R8): raised automatically once per key, or recorded by hand."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Organisation

from ..models import (
    Case,
    CaseStatus,
    Deviation,
    DeviationKind,
    Task,
    TaskKind,
    TaskStatus,
)

MANDATORY_TASK_KINDS = [k.value for k in TaskKind if k not in (TaskKind.MANUAL, TaskKind.CONSULT_TENANCY_ADVISOR, TaskKind.BOSAM_ACTIVITY)]


def _deviation_once(*, organisation_id, case_id, kind, key, description, today) -> bool:
    try:
        with transaction.atomic():
            Deviation.objects.create(
                organisation_id=organisation_id, case_id=case_id, kind=kind, dedupe_key=key, description=description, occurred_on=today
            )
        return True
    except IntegrityError:
        return False


def raise_automatic_deviations(*, today: dt.date, organisation: Organisation | None = None) -> int:
    """R8: overdue mandatory tasks, eviction dates reached without contact."""
    created = 0
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today, kind__in=MANDATORY_TASK_KINDS, case__status=CaseStatus.OPEN)
    evictions = Case.objects.filter(status=CaseStatus.OPEN, eviction_date__lte=today, contact_established_on__isnull=True)
    if organisation is not None:
        overdue = overdue.filter(case__organisation=organisation)
        evictions = evictions.filter(organisation=organisation)
    for task in overdue.select_related("case").only("id", "kind", "due_date", "case__id", "case__organisation_id", "case__number"):
        created += _deviation_once(
            organisation_id=task.case.organisation_id,
            case_id=task.case_id,
            kind=DeviationKind.TASK_OVERDUE,
            key=f"task-overdue-{task.pk}",
            description=_("%(task)s skulle vara klar %(date)s.") % {"task": task.get_kind_display(), "date": task.due_date},
            today=today,
        )
    for case in evictions.only("id", "organisation_id", "eviction_date"):
        created += _deviation_once(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            kind=DeviationKind.EVICTION_WITHOUT_CONTACT,
            key=f"eviction-without-contact-{case.pk}",
            description=_("Avhysningsdatumet %(date)s nåddes utan etablerad kontakt.") % {"date": case.eviction_date},
            today=today,
        )
    return created


@transaction.atomic
def deviation_record(
    *, organisation: Organisation, user, description: str, case: Case | None = None, occurred_on: dt.date | None = None
) -> Deviation:
    return Deviation.objects.create(
        organisation=organisation,
        case=case,
        kind=DeviationKind.MANUAL,
        automatic=False,
        description=description,
        occurred_on=occurred_on or timezone.localdate(),
        created_by=user,
    )


def deviation_raise_once(
    *,
    organisation: Organisation,
    kind: str,
    key: str,
    description: str,
    case: Case | None = None,
    occurred_on: dt.date | None = None,
) -> bool:
    """An automatic deviation (R8) raised at most once per `key`; for other apps (BOSAM absence). True if new."""
    return _deviation_once(
        organisation_id=organisation.pk,
        case_id=case.pk if case else None,
        kind=kind,
        key=key,
        description=description,
        today=occurred_on or timezone.localdate(),
    )
