"""Deviations (R8): raised automatically once per key, or recorded by hand."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

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
from ..rules import routing
from ..rules.workdays import add_working_days
from .plan import plan_config_for

if TYPE_CHECKING:

    from organisation.models import User

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
    created += _raise_no_report_of_concern(today=today, organisation=organisation)
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
def _raise_no_report_of_concern(*, today: dt.date, organisation: Organisation | None) -> int:
    """R8: a family case whose orosanmälan (R2c) is not done N working days after the first notice."""
    from django.db.models import Min

    cases = (
        Case.objects.filter(status=CaseStatus.OPEN, tasks__kind=TaskKind.REPORT_OF_CONCERN, tasks__status=TaskStatus.OPEN)
        .exclude(tasks__kind=TaskKind.REPORT_OF_CONCERN, tasks__status=TaskStatus.DONE)
        .annotate(first_received=Min("notices__received_date"))
        .select_related("organisation")
        .distinct()
    )
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    configs: dict[int, routing.PlanConfig] = {}
    created = 0
    for case in cases:
        config = configs.setdefault(case.organisation_id, plan_config_for(case.organisation))
        limit = add_working_days(case.first_received, config.report_of_concern_deviation_working_days)
        if today <= limit:
            continue
        created += _deviation_once(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            kind=DeviationKind.NO_REPORT_OF_CONCERN,
            key=f"no-report-of-concern-{case.pk}",
            description=_("Ingen orosanmälan var gjord %(date)s (familj med barn, R2c).") % {"date": limit},
            today=today,
        )
    return created


def deviation_record(
    *, organisation: Organisation, user: User, description: str, case: Case | None = None, occurred_on: dt.date | None = None
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


def _cause_gone(deviation: Deviation, tasks: dict[int, Task], cases: dict[int, Case]) -> str | None:
    """Why an automatic deviation's cause is gone, as the note to write; None while it stands.

    Only what undoes the deviation itself counts: the overdue task done (or its due date moved) by the day the
    check raised it, the contact established or the eviction date moved by the day the date was reached. A task
    done days late is still a deviation, and stays for people to handle."""
    raised = deviation.occurred_on
    if deviation.kind == DeviationKind.TASK_OVERDUE:
        task = tasks.get(int(deviation.dedupe_key.rsplit("-", 1)[1]))
        if task is None:
            return _("Uppgiften finns inte längre; avvikelsen stängdes automatiskt.")
        if task.status != TaskStatus.OPEN and task.completed_at and timezone.localdate(task.completed_at) <= raised:
            return _("Uppgiften slutfördes %(date)s, samma dag som avvikelsen uppstod; avvikelsen stängdes automatiskt.") % {
                "date": timezone.localdate(task.completed_at).isoformat()}
        if task.status == TaskStatus.OPEN and task.due_date >= raised:
            return _("Uppgiftens sista dag flyttades till %(date)s; avvikelsen stängdes automatiskt.") % {"date": task.due_date.isoformat()}
    elif deviation.kind == DeviationKind.EVICTION_WITHOUT_CONTACT:
        case = cases.get(deviation.case_id)
        if case is None:
            return None
        if case.contact_established_on is not None and case.contact_established_on <= raised:
            return _("En kontakt %(date)s registrerades i efterhand; avvikelsen stängdes automatiskt.") % {
                "date": case.contact_established_on.isoformat()}
        if case.eviction_date is None or case.eviction_date > raised:
            return _("Avhysningsdatumet ändrades; avvikelsen stängdes automatiskt.")
    return None


KEY_PREFIXES = {DeviationKind.TASK_OVERDUE: "task-overdue-", DeviationKind.EVICTION_WITHOUT_CONTACT: "eviction-without-contact-"}


def close_resolved_deviations(*, today: dt.date | None = None, organisation: Organisation | None = None) -> int:
    """Close (DISMISSED, with a note and a history step by no user) every automatic deviation whose cause is gone
    and that nobody has touched: still NEW, no step in its history. Idempotent. Returns how many were closed."""
    from ..models import DeviationEvent, DeviationStatus

    candidates = Deviation.objects.filter(automatic=True, status=DeviationStatus.NEW, kind__in=list(KEY_PREFIXES)).exclude(
        dedupe_key="").filter(events__isnull=True)
    if organisation is not None:
        candidates = candidates.filter(organisation=organisation)
    candidates = list(candidates)
    if not candidates:
        return 0
    task_ids = [int(d.dedupe_key.rsplit("-", 1)[1]) for d in candidates if d.kind == DeviationKind.TASK_OVERDUE]
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids)}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[d.case_id for d in candidates if d.case_id])}
    closed = 0
    now = timezone.now()
    for deviation in candidates:
        note = _cause_gone(deviation, tasks, cases)
        if note is None:
            continue
        with transaction.atomic():
            # Re-checked under the lock: a person may have taken it up since the list was read.
            updated = Deviation.objects.filter(pk=deviation.pk, status=DeviationStatus.NEW, events__isnull=True).update(
                status=DeviationStatus.DISMISSED, status_comment=note, status_changed_at=now, status_changed_by=None)
            if updated:
                DeviationEvent.objects.create(deviation=deviation, from_status=DeviationStatus.NEW, to_status=DeviationStatus.DISMISSED,
                                              comment=note, user=None, at=now)
                closed += 1
    return closed
