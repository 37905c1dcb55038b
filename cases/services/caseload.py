"""Named case workers and the unit's caseload (issue 12 item 1, issue 15 §3).

An assignment names a unit and optionally a person of that unit (Assignment.user); a task belongs to
a unit and optionally a person (Task.assignee). The head of the unit (role chef, same department)
sets the person, or the person takes the case themselves ("Ta ärendet"). A task is completed by its
own unit, or by the lead unit with a reason. A head of unit moves a person's open work to another
person or to the unit's queue (no person), and a person who moves to another unit takes their work
only where the new unit holds the case. Every change is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Role, Unit, User
from organisation.roles import has_role

from ..audit import audit_log
from ..models import (
    REPEATABLE_TASK_KINDS,
    Assignment,
    AssignmentRole,
    AuditAction,
    Case,
    NotificationKind,
    RoutingDecision,
    SentLetter,
    Task,
    TaskKind,
    TaskStatus,
)
from ..rules.caseload import LEAD_UNIT, task_completion_right, work_follows_person
from .actions import _check_version, _touch, task_complete
from .evaluation import case_reevaluate
from .notifications import case_work, notify_work, task_work


class CaseloadRefused(Exception):
    """The user may not make this change; the message says why, in Swedish."""


def is_head_of(user: User, unit: Unit) -> bool:
    """The unit's head: a chef whose own unit is in the same department (the demo's chef heads IFO barn och unga)."""
    if not has_role(user, Role.CHEF) or user.unit_id is None or unit.organisation_id != user.organisation_id:
        return False
    return user.unit_id == unit.pk or (user.unit.department_id is not None and user.unit.department_id == unit.department_id)


def _who(person) -> str:
    return f"user_id={person.pk}" if person is not None else "kö"


def _check_worker(worker, unit: Unit) -> None:
    if worker is not None and (worker.unit_id != unit.pk or not worker.is_active):
        raise CaseloadRefused(_("Personen hör inte till enheten %(unit)s.") % {"unit": unit.name})


@transaction.atomic
def case_worker_set(*, case: Case, unit: Unit, worker: User | None, user: User, request: HttpRequest | None = None) -> Assignment:
    """Name `worker` (None = back to the unit's queue) on the unit's active assignment of the case.
    The unit's head may name anyone of the unit; a person of the unit may take it themselves.
    The unit's open tasks on the case that had the previous person (or nobody) follow."""
    assignment = Assignment.objects.select_for_update().filter(case=case, unit=unit, ended_at__isnull=True).first()
    if assignment is None:
        raise CaseloadRefused(_("Enheten har ingen tilldelning i ärendet."))
    # Taking is from the unit's queue only: a colleague's case moves through the head of unit.
    free = assignment.user is None or not assignment.user.is_active
    taking = worker is not None and worker.pk == user.pk and user.unit_id == unit.pk and free
    if not (taking or is_head_of(user, unit)):
        raise CaseloadRefused(_("Bara enhetens chef kan ange handläggare. Du kan själv ta ett ärende som ligger i enhetens kö."))
    _check_worker(worker, unit)
    previous = assignment.user
    if previous is not None and worker is not None and previous.pk == worker.pk:
        return assignment
    assignment.user = worker
    assignment.save(update_fields=["user"])
    follow = Q(assignee__isnull=True) | (Q(assignee=previous) if previous is not None else Q(pk__in=[]))
    case.tasks.filter(follow, unit=unit, status=TaskStatus.OPEN).update(assignee=worker)
    audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request,
              detail=f"handläggare {unit.code}: {_who(previous)} -> {_who(worker)}")
    _touch(case)
    notify_work([case_work(case, unit_id=unit.pk, user_id=assignment.user_id)], kind=NotificationKind.ASSIGNED, actor=user)
    return assignment


@transaction.atomic
def task_assignee_set(*, task: Task, worker: User | None, user: User, request: HttpRequest | None = None) -> Task:
    """Name the person of the task's unit who does it (None = the unit's queue)."""
    task = Task.objects.select_for_update().select_related("unit", "case").get(pk=task.pk)
    free = task.assignee is None or not task.assignee.is_active
    taking = worker is not None and worker.pk == user.pk and user.unit_id == task.unit_id and free
    if not (taking or is_head_of(user, task.unit)):
        raise CaseloadRefused(_("Bara enhetens chef kan ange vem som gör uppgiften. Du kan själv ta en uppgift som ligger i enhetens kö."))
    _check_worker(worker, task.unit)
    previous = task.assignee
    task.assignee = worker
    task.save(update_fields=["assignee"])
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=task.case, request=request,
              detail=f"uppgift {task.pk} {task.kind}: {_who(previous)} -> {_who(worker)}")
    _touch(task.case)
    notify_work([task_work(task, task.case)], kind=NotificationKind.ASSIGNED, actor=user)
    return task


def task_complete_by_worker(*, task: Task, case: Case, user: User, note: str = "", reason: str = "", request: HttpRequest | None = None,
                            expected_version: int | None = None) -> Task:
    """Complete a task from the case page or the API: only the task's unit, or the lead unit with a reason."""
    right = task_completion_right(user_unit_id=user.unit_id, task_unit_id=task.unit_id, lead_unit_id=case.lead_unit_id)
    if right is None:
        raise CaseloadRefused(
            _("Uppgiften hör till %(unit)s. Bara den enheten, eller ansvarig enhet med en motivering, kan markera den som klar.")
            % {"unit": task.unit.name}
        )
    reason = reason.strip()
    if right == LEAD_UNIT and not reason:
        raise CaseloadRefused(_("Uppgiften hör till en annan enhet. Skriv varför din enhet markerar den som klar."))
    with transaction.atomic():
        done = task_complete(task=task, user=user, note=note, request=request, expected_version=expected_version)
        if right == LEAD_UNIT:
            audit_log(user=user, action=AuditAction.TASK_COMPLETE, case=case, request=request,
                      detail=f"ansvarig enhet för {task.unit.code}: {reason}")
    return done


# --- undo "klar" the same day (issue 12 item 4) ---


def task_undo_refusal(*, task: Task, case: Case, user: User, letter_sent: bool, today: dt.date | None = None) -> str:
    """Why `user` may not undo `task`'s "klar" now, in Swedish; "" when they may.

    Only a task marked done today (the codebase's clock, timezone.localdate), by the user or by someone of a
    unit the user heads. A letter that was frozen as sent (cases/services/letters.py) stays sent: what was
    sent must stay provable, so a correction is a new letter. A task done before the case was closed stays
    done (reopening it would leave an open task on a closed case)."""
    today = today or timezone.localdate()
    if task.status != TaskStatus.DONE or task.completed_at is None:
        return _("Uppgiften är inte markerad som klar.")
    if timezone.localdate(task.completed_at) != today:
        return _("Att en uppgift är klar kan bara ångras samma dag som den markerades.")
    completer = task.completed_by
    if completer is None or not (completer.pk == user.pk or (completer.unit_id and is_head_of(user, completer.unit))):
        return _("Bara den som markerade uppgiften som klar, eller chefen för dennes enhet, kan ångra det.")
    if task.kind == TaskKind.SEND_LETTER and letter_sent:
        return _("Brevet är sparat som skickat och kan inte ångras. Skapa ett nytt brev om något behöver rättas.")
    if not case.is_open and (case.closed_at is None or task.completed_at < case.closed_at):
        return _("Ärendet är avslutat.")
    return ""


@transaction.atomic
def task_undo_done(*, task: Task, case: Case, user: User, request: HttpRequest | None = None,
                   today: dt.date | None = None) -> Task:
    """Reopen a task marked done today (task_undo_refusal says who and when); audited, on the timeline,
    and the plan re-evaluated as after any change of a task."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    task = Task.objects.select_for_update(of=("self",)).select_related("completed_by__unit").get(pk=task.pk, case=case)
    refusal = task_undo_refusal(task=task, case=case, user=user, today=today,
                                letter_sent=SentLetter.objects.filter(task=task).exists())
    if refusal:
        raise CaseloadRefused(refusal)
    if task.kind not in REPEATABLE_TASK_KINDS and case.tasks.filter(kind=task.kind, status=TaskStatus.OPEN).exists():
        raise CaseloadRefused(_("Det finns redan en öppen uppgift av samma slag i ärendet."))
    completer = task.completed_by
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.completed_by = None
    task.completion_note = ""
    task.undone_at = timezone.now()
    task.undone_by = user
    task.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "undone_at", "undone_by"])
    audit_log(user=user, action=AuditAction.TASK_UNDO, case=case, request=request,
              detail=f"uppgift {task.pk} {task.kind}: klar av {_who(completer)}")
    _touch(case)
    case.refresh_from_db()
    if case.is_open:
        case_reevaluate(case, trigger=RoutingDecision.Trigger.TASK, today=today)
    return task


# --- ending a unit's assignment (issue 12 item 4: asks first) ---


def assignment_end_refusal(assignment: Assignment) -> str:
    """Why this assignment cannot be ended by hand; "" when it can. The lead is changed, not ended
    ("Ändra tilldelning"); an assignment the plan made would come back at its next evaluation."""
    if assignment.ended_at is not None:
        return _("Tilldelningen är redan avslutad.")
    if assignment.role == AssignmentRole.LEAD:
        return _("Ansvarig enhet avslutas inte: flytta ansvaret med Ändra tilldelning.")
    if not assignment.is_manual:
        return _("Planen kräver den här tilldelningen (regel %(rules)s); den kan inte avslutas för hand.") % {
            "rules": ", ".join(assignment.rules) or "–"}
    return ""


def assignment_open_tasks(assignment: Assignment) -> list[Task]:
    """The unit's open tasks on the case: what ending its assignment cancels (or moves to the lead unit)."""
    return list(assignment.case.tasks.filter(unit_id=assignment.unit_id, status=TaskStatus.OPEN)
                .select_related("unit", "assignee").order_by("due_date", "id"))


@transaction.atomic
def assignment_end(*, assignment: Assignment, user: User, reason: str, move_task_ids=(), request: HttpRequest | None = None,
                   expected_version: int | None = None) -> Assignment:
    """End a unit's (manual, non-lead) assignment. Its open tasks on the case are cancelled, except those
    in `move_task_ids`, which go to the lead unit's queue (the ended unit can no longer write on the case)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=assignment.case_id)
    _check_version(case, expected_version)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=assignment.pk)
    refusal = assignment_end_refusal(assignment)
    if refusal:
        raise CaseloadRefused(refusal)
    if not reason.strip():
        raise CaseloadRefused(_("Skriv en motivering."))
    now = timezone.now()
    assignment.ended_at = now
    assignment.end_reason = reason.strip()[:300]
    assignment.save(update_fields=["ended_at", "end_reason"])
    tasks = case.tasks.filter(unit_id=assignment.unit_id, status=TaskStatus.OPEN)
    moved = sorted(tasks.filter(pk__in=list(move_task_ids)).values_list("pk", flat=True)) if case.lead_unit_id else []
    Task.objects.filter(pk__in=moved).update(unit_id=case.lead_unit_id, assignee=None)
    # The note is stored in Swedish and worded for the reader at display (explanations.task_note).
    cancelled = tasks.exclude(pk__in=moved).update(
        status=TaskStatus.CANCELLED, completed_at=now, completion_note="Enhetens tilldelning avslutades.")
    audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request,
              detail=f"avslutad {assignment.unit.code}: {assignment.end_reason}; avbrutna={cancelled} "
                     f"flyttade={','.join(map(str, moved)) or '-'}")
    _touch(case)
    return assignment


# --- a head of unit moves a person's work (issue 15 §3) ---


def open_work_of(person: User) -> tuple[list[Assignment], list[Task]]:
    """The person's active assignments on open cases and their open tasks, within their organisation."""
    assignments = list(Assignment.objects.filter(user=person, ended_at__isnull=True, case__status="OPEN").select_related("case", "unit"))
    tasks = list(Task.objects.filter(assignee=person, status=TaskStatus.OPEN).select_related("case", "unit"))
    return assignments, tasks


@transaction.atomic
def caseload_move(*, person: User, to_person: User | None, user: User, reason: str, request: HttpRequest | None = None) -> tuple[int, int]:
    """Move all of `person`'s open work in their unit to `to_person` of the same unit, or to the unit's
    queue (to_person None). One audit row per case. Returns (assignments, tasks) moved."""
    if person.unit is None or not is_head_of(user, person.unit):
        raise CaseloadRefused(_("Bara enhetens chef kan flytta en persons ärenden."))
    if not reason.strip():
        raise CaseloadRefused(_("Skriv en motivering."))
    if to_person is not None and to_person.pk == person.pk:
        raise CaseloadRefused(_("Välj en annan person än den vars ärenden flyttas."))
    _check_worker(to_person, person.unit)
    assignments, tasks = open_work_of(person)
    assignments = [a for a in assignments if a.unit_id == person.unit_id]
    tasks = [t for t in tasks if t.unit_id == person.unit_id]
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(user=to_person)
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(assignee=to_person)
    cases = {a.case_id: a.case for a in assignments} | {t.case_id: t.case for t in tasks}
    for t in tasks:
        t.assignee = to_person
    moved = [case_work(a.case, unit_id=a.unit_id, user_id=to_person.pk if to_person else None) for a in assignments]
    moved += [task_work(t, t.case) for t in tasks if t.case_id not in {a.case_id for a in assignments}]
    notify_work(moved, kind=NotificationKind.ASSIGNED, actor=user)
    for case in cases.values():
        audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request,
                  detail=f"ärendebalans {person.unit.code}: {_who(person)} -> {_who(to_person)}: {reason.strip()}")
        _touch(case)
    return len(assignments), len(tasks)


@transaction.atomic
def person_unit_change(
    *, person: User, new_unit: Unit, move_work: bool, user: User, reason: str, request: HttpRequest | None = None
) -> tuple[int, int]:
    """Move a person to another unit of the organisation. Their open work goes with them only where
    asked to and the new unit holds the case (rules.caseload.work_follows_person); everything else
    stays in the old unit's queue. Returns (moved, left in the queue)."""
    old_unit = person.unit
    if old_unit is None or not is_head_of(user, old_unit):
        raise CaseloadRefused(_("Bara enhetens chef kan flytta en person till en annan enhet."))
    if new_unit.organisation_id != person.organisation_id or not new_unit.is_active or new_unit.pk == old_unit.pk:
        raise CaseloadRefused(_("Välj en annan aktiv enhet i organisationen."))
    if not reason.strip():
        raise CaseloadRefused(_("Skriv en motivering."))
    assignments, tasks = open_work_of(person)
    holds = set(Assignment.objects.filter(case_id__in={a.case_id for a in assignments} | {t.case_id for t in tasks},
                                          unit=new_unit, ended_at__isnull=True).values_list("case_id", flat=True))
    moved = queued = 0
    touched = {}
    for assignment in assignments:
        touched[assignment.case_id] = assignment.case
        Assignment.objects.filter(pk=assignment.pk).update(user=None)
        if work_follows_person(move_work=move_work, new_unit_holds_case=assignment.case_id in holds):
            Assignment.objects.filter(
                case_id=assignment.case_id, unit=new_unit, ended_at__isnull=True, user__isnull=True
            ).update(user=person)
            moved += 1
        else:
            queued += 1
    for task in tasks:
        touched[task.case_id] = task.case
        if work_follows_person(move_work=move_work, new_unit_holds_case=task.case_id in holds):
            Task.objects.filter(pk=task.pk).update(unit=new_unit)
            moved += 1
        else:
            Task.objects.filter(pk=task.pk).update(assignee=None)
            queued += 1
    User.objects.filter(pk=person.pk).update(unit=new_unit)
    person.unit = new_unit
    for case in touched.values():
        audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request,
                  detail=f"byter enhet {old_unit.code} -> {new_unit.code}: {_who(person)}: {reason.strip()}")
        _touch(case)
    return moved, queued
