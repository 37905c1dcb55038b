"""Actions on a case by its case workers: tasks, contacts, assignments, consent, closing."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Unit

from .. import hooks, system_sentences
from ..audit import audit_log
from ..models import (
    Assignment,
    AssignmentRole,
    AuditAction,
    Case,
    CaseStatus,
    Consent,
    Contact,
    Deviation,
    DeviationKind,
    NotificationKind,
    RoutingDecision,
    Task,
    TaskKind,
    TaskStatus,
)
from .evaluation import case_reevaluate
from .membership import identity_numbers_lock, memberships_sync, tenant_numbers_of
from .notifications import case_work, notify_work, task_work
from .plan import plan_config_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


class ConcurrentChange(Exception):
    """Someone else saved the case after the user loaded it (optimistic locking)."""


# --- actions on a case ------------------------------------------------------------


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise ConcurrentChange(_("Ärendet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och försök igen."))


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def task_complete(
    *, task: Task, user: User, note: str = "", request: HttpRequest | None = None, expected_version: int | None = None,
    today: dt.date | None = None, note_sentence: str = "", note_params: dict | None = None,
) -> Task:
    case = Case.objects.select_for_update().get(pk=task.case_id)
    _check_version(case, expected_version)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        return task
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.completed_by = user
    # A person's note as written, or the application's (`note_sentence`, see cases.system_sentences).
    text = system_sentences.task_note(note_sentence, **(note_params or {})) if note_sentence else {"completion_note": note}
    for attr, value in text.items():
        setattr(task, attr, value)
    task.save(update_fields=["status", "completed_at", "completed_by", *text])
    if task.kind == TaskKind.SEND_LETTER:
        # The letter is frozen as sent (issue 11); imported here because the letter module imports services.
        from .letters import letter_freeze

        letter_freeze(task=task, user=user, today=today)
    audit_log(user=user, action=AuditAction.TASK_COMPLETE, case=case, request=request, detail=task.kind)
    _touch(case)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.TASK, today=today)
    return task


@transaction.atomic
def contact_register(
    *,
    case: Case,
    user: User,
    date: dt.date,
    channel: str,
    established: bool,
    note: str = "",
    request: HttpRequest | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Contact:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    contact = Contact.objects.create(case=case, date=date, channel=channel, established=established, note=note, created_by=user)
    if established and case.contact_established_on is None:
        Case.objects.filter(pk=case.pk).update(contact_established_on=date)
    audit_log(user=user, action=AuditAction.CONTACT_REGISTER, case=case, request=request, detail=channel)
    _touch(case)
    case.refresh_from_db()
    case_reevaluate(case, trigger=RoutingDecision.Trigger.CONTACT, today=today)
    return contact


@transaction.atomic
def task_create(
    *,
    case: Case,
    user: User,
    kind: str,
    unit: Unit,
    due_date: dt.date,
    title: str = "",
    assignee=None,
    request: HttpRequest | None = None,
    notify: bool = True,
) -> Task:
    """A task by hand; its person, else its unit's case workers, are told (`notify=False`: the caller tells)."""
    task = Task.objects.create(
        case=case,
        kind=kind,
        unit=unit,
        assignee=assignee,
        due_date=due_date,
        title=title,
        created_by=user,
    )
    audit_log(user=user, action=AuditAction.TASK_CREATE, case=case, request=request, detail=kind)
    _touch(case)
    if notify:
        notify_work([task_work(task, case, cause="new")], kind=NotificationKind.ASSIGNED, actor=user)
    return task


@transaction.atomic
def consult_tenancy_advisor(
    *, case: Case, user: User, question: str, request: HttpRequest | None = None, today: dt.date | None = None,
) -> Task:
    """R1b: the case worker asks the hyresrådgivare for advice."""
    from ..rules.workdays import add_working_days

    config = plan_config_for(case.organisation)
    unit = Unit.objects.get(organisation=case.organisation, code=config.tenancy_advisor_unit)
    task = Task.objects.create(
        case=case,
        kind=TaskKind.CONSULT_TENANCY_ADVISOR,
        unit=unit,
        title=question[:300],
        rules=["R1b"],
        due_date=add_working_days(today or timezone.localdate(), config.due_days(TaskKind.CONSULT_TENANCY_ADVISOR)),
        created_by=user,
    )
    audit_log(user=user, action=AuditAction.TASK_CREATE, case=case, request=request, detail="CONSULT_TENANCY_ADVISOR")
    _touch(case)
    notify_work([task_work(task, case, cause="new")], kind=NotificationKind.ASSIGNED, actor=user)
    return task


@transaction.atomic
def assignment_change(
    *,
    case: Case,
    user: User,
    unit: Unit,
    role: str,
    reason: str,
    case_worker=None,
    request: HttpRequest | None = None,
    expected_version: int | None = None,
    notify: bool = True,
) -> Assignment:
    """Reassign or add a unit by hand. Overriding the plan's lead records a deviation (R8). The person named,
    else the unit's case workers, are told (`notify=False`: the caller tells)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    now = timezone.now()
    active = list(case.assignments.filter(ended_at__isnull=True).select_related("unit"))
    for existing in active:
        if existing.unit_id == unit.pk or (role == AssignmentRole.LEAD and existing.role == AssignmentRole.LEAD):
            existing.ended_at = now
            existing.end_reason = reason[:300]
            existing.save(update_fields=["ended_at", "end_reason"])
            if existing.role == AssignmentRole.LEAD and existing.unit_id != unit.pk:
                Assignment.objects.create(
                    case=case,
                    unit=existing.unit,
                    user=existing.user,
                    role=AssignmentRole.ASSIGNED,
                    rules=existing.rules,
                    plan_version=existing.plan_version,
                    is_manual=True,
                    reason=reason,
                    created_at=now,
                )
    assignment = Assignment.objects.create(
        case=case,
        unit=unit,
        user=case_worker,
        role=role,
        is_manual=True,
        reason=reason,
        created_at=now,
    )
    if role == AssignmentRole.LEAD:
        Case.objects.filter(pk=case.pk).update(lead_unit=unit)
        Deviation.objects.create(
            organisation=case.organisation,
            case=case,
            kind=DeviationKind.ROUTING_OVERRIDE,
            automatic=True,
            created_by=user,
            **system_sentences.deviation("routing_override", unit=unit.code, reason=reason),
        )
    audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request, detail=f"{unit.code} {role}")
    _touch(case)
    if notify:
        work = case_work(case, unit_id=unit.pk, user_id=assignment.user_id, cause=f"manual:{assignment.pk}")
        notify_work([work], kind=NotificationKind.ASSIGNED, actor=user)
    return assignment


@transaction.atomic
def consent_record(
    *, case: Case, user: User, recipient: str, given_on: dt.date, note: str = "", request: HttpRequest | None = None,
) -> Consent:
    consent = Consent.objects.create(case=case, recipient=recipient, given_on=given_on, note=note, recorded_by=user)
    audit_log(user=user, action=AuditAction.CONSENT_RECORD, case=case, request=request, detail=recipient)
    _touch(case)
    return consent


@transaction.atomic
def case_close(
    *, case: Case, user: User, outcome: str, note: str = "", keep_task_ids: Iterable[int] = (),
    request: HttpRequest | None = None, expected_version: int | None = None,
) -> Case:
    """Close the case. Its open tasks are cancelled, except those in `keep_task_ids`: the user
    chose to keep them as follow-up (a consultation just sent, a BOSAM activity), and they stay open."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    now = timezone.now()
    open_tasks = case.tasks.filter(status=TaskStatus.OPEN)
    kept = set(open_tasks.filter(pk__in=list(keep_task_ids)).values_list("pk", flat=True))
    open_tasks.exclude(pk__in=kept).update(
        status=TaskStatus.CANCELLED, completed_at=now, **system_sentences.task_note("case_closed")
    )
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.outcome = outcome
    case.outcome_note = note
    case.urgent = False
    case.next_due_date = None
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db()
    memberships_sync(case, strict=True)  # the people may now get a new case
    detail = f"{outcome} behållna uppgifter={','.join(map(str, sorted(kept)))}" if kept else outcome
    audit_log(user=user, action=AuditAction.CASE_CLOSE, case=case, request=request, detail=detail)
    hooks.case_changed(case.pk)  # a closed case leaves the prepared BOSAM agendas
    return case


@transaction.atomic
def case_reopen(*, case: Case, user: User, reason: str, request: HttpRequest | None = None, today: dt.date | None = None) -> Case:
    """Reopen a closed case; refused (IntegrityError) if the household or one of its
    tenants has another open case (the constraints one_open_case_per_household and
    one_open_case_per_person)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    identity_numbers_lock(case.organisation_id, tenant_numbers_of(case))
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.outcome = ""
    case.outcome_note = (case.outcome_note + "\n" if case.outcome_note else "") + _("Återöppnat: %(reason)s") % {"reason": reason}
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db()
    memberships_sync(case, strict=True)
    audit_log(user=user, action=AuditAction.CASE_REOPEN, case=case, request=request, detail=reason)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.MANUAL, today=today)
    hooks.case_changed(case.pk)
    return case
