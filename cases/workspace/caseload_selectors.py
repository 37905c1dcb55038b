"""Reads for who works what: the case page's tasks block and worker line, the head of unit's caseload
page (issue 12 item 1, issue 15 §3). The writes are in cases/services/caseload.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from organisation.models import Role, Unit, User
from organisation.roles import has_role

from ..models import Assignment, Case, CaseStatus, Task, TaskStatus
from ..services.caseload import assignment_end_refusal, is_head_of, task_undo_refusal


def case_page_caseload(case: Case, user: User, data: dict) -> dict:
    """From what the case page has loaded: the open tasks as mine / my unit's / others', the user's
    unit's assignment, whether the user may take the case, and whether they head that unit."""
    tasks = data["open_tasks"]
    mine = [t for t in tasks if t.assignee_id == user.pk]
    unit = [t for t in tasks if t.assignee_id != user.pk and user.unit_id and t.unit_id == user.unit_id]
    others = [t for t in tasks if t not in mine and t not in unit]
    own_assignment = next((a for a in data["active_assignments"] if user.unit_id and a.unit_id == user.unit_id), None)
    heads = {a.pk for a in data["active_assignments"] if is_head_of(user, a.unit)}
    people = list(people_of(case.organisation).filter(unit_id__in={a.unit_id for a in data["active_assignments"] if a.pk in heads})) \
        if heads else []
    for a in data["active_assignments"]:
        a.may_set_worker = a.pk in heads
        a.unit_people = [p for p in people if p.unit_id == a.unit_id]
        a.may_end = case.is_open and not assignment_end_refusal(a)
    done_today = []
    for t in data.get("done_today", ()):
        letter_sent = t.pk in data.get("letter_task_ids", ())
        t.undo_refusal = task_undo_refusal(task=t, case=case, user=user, letter_sent=letter_sent)
        # Listed for the one who did it (or may undo it): the others' "klar" is on the timeline.
        if not t.undo_refusal or (t.completed_by_id == user.pk and letter_sent):
            done_today.append(t)
    return {
        "done_today": done_today,
        "task_groups": [group for group in (("mine", mine), ("unit", unit), ("others", others)) if group[1]],
        "own_assignment": own_assignment,
        # From the unit's queue only (no person, or a deactivated one): a colleague's case moves through the head.
        "may_take_case": own_assignment is not None and case.is_open
        and (own_assignment.user is None or not own_assignment.user.is_active),
        "heads_an_assignment": bool(heads),
    }


def people_of(organisation, unit=None) -> QuerySet[User]:
    """Active people with a name, of one unit or of the organisation's units (the picker narrows by unit)."""
    people = User.objects.filter(organisation=organisation, is_active=True, unit__isnull=False).exclude(first_name="")
    if unit is not None:
        people = people.filter(unit=unit)
    return people.order_by("first_name", "last_name", "pk")


def units_headed_by(user: User) -> QuerySet[Unit]:
    """The units a chef heads: those of their department (or only their own unit, without a department)."""
    if user.unit_id is None or not has_role(user, Role.CHEF):
        return Unit.objects.none()
    units = Unit.objects.filter(organisation_id=user.organisation_id, is_active=True)
    if user.unit.department_id:
        return units.filter(department_id=user.unit.department_id).order_by("name")
    return units.filter(pk=user.unit_id)


@dataclass
class UnitCaseload:
    unit: Unit
    people: list = field(default_factory=list)  # users with open_cases / open_tasks annotations
    queue_cases: int = 0  # active assignments without an active person
    queue_tasks: int = 0  # open tasks without an active person
    left_cases: int = 0  # of the queue: still on a deactivated person, until someone takes them
    left_tasks: int = 0


def unit_caseloads(user: User) -> list[UnitCaseload]:
    """Per headed unit: its people with their open cases and tasks, and its queue. A fixed number of
    queries whatever the number of units and people (three plus the units)."""
    units = list(units_headed_by(user))
    by_unit = {u.pk: UnitCaseload(u) for u in units}
    open_assignment = Q(assignments__ended_at__isnull=True, assignments__case__status=CaseStatus.OPEN,
                        assignments__unit_id=F("unit_id"))
    people = (
        User.objects.filter(unit_id__in=by_unit, is_active=True)
        .annotate(
            open_cases=Count("assignments", filter=open_assignment, distinct=True),
            open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN), distinct=True),
        )
        .order_by("first_name", "last_name", "pk")
    )
    for person in people:
        by_unit[person.unit_id].people.append(person)
    nobody = Q(user__isnull=True) | Q(user__is_active=False)
    for row in (
        Assignment.objects.filter(nobody, unit_id__in=by_unit, ended_at__isnull=True, case__status=CaseStatus.OPEN)
        .values("unit_id").annotate(n=Count("pk"), left=Count("pk", filter=Q(user__is_active=False)))
    ):
        by_unit[row["unit_id"]].queue_cases, by_unit[row["unit_id"]].left_cases = row["n"], row["left"]
    for row in (
        Task.objects.filter(Q(assignee__isnull=True) | Q(assignee__is_active=False), unit_id__in=by_unit, status=TaskStatus.OPEN)
        .values("unit_id").annotate(n=Count("pk"), left=Count("pk", filter=Q(assignee__is_active=False)))
    ):
        by_unit[row["unit_id"]].queue_tasks, by_unit[row["unit_id"]].left_tasks = row["n"], row["left"]
    return list(by_unit.values())


def person_for_head(user: User, person_pk: int) -> User | None:
    """A person of a unit the user heads (also a deactivated one, whose work waits), or None."""
    return (
        User.objects.filter(pk=person_pk, organisation_id=user.organisation_id, unit__in=units_headed_by(user))
        .select_related("unit", "organisation")
        .first()
    )


def person_open_work(person: User) -> tuple[list[Assignment], list[Task]]:
    assignments = list(
        Assignment.objects.filter(user=person, ended_at__isnull=True, case__status=CaseStatus.OPEN)
        .select_related("case", "unit").order_by("case__number")
    )
    tasks = list(Task.objects.filter(assignee=person, status=TaskStatus.OPEN).select_related("case", "unit").order_by("due_date", "pk"))
    return assignments, tasks
