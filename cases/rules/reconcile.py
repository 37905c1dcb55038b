"""The pure part of reconciling a case with a decision of the plan: which assignments end,
which are created, which tasks are added and which are cancelled.

`cases.services.evaluation` applies the result to the database; the data generator
(`devdata`) applies it to its in-memory rows. One copy of the rules, so both write the same
tasks and assignments for the same notices (tests/test_generator_matches_services.py).
Plain inputs, no Django.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .routing import EVICTION_BOUND, Decision, DecisionInput, PlannedAssignment, capped, due_cap

LEAD = "LEAD"
ASSIGNED = "ASSIGNED"

# Escalations that an established contact makes unnecessary (R2d, R3b, R3c).
ESCALATION_TASK_KINDS = ("HOME_VISIT", "HANDOVER_ADULT_INTAKE", "CONTACT_ELDERLY_OUTREACH")
# Open tasks an established contact cancels: the home visit is for reaching the household (R2d).
CANCELLED_BY_CONTACT = ("HOME_VISIT",)


@dataclass(frozen=True)
class ActiveAssignment:
    """What reconciliation needs of one active (not ended) assignment."""

    unit: str
    role: str
    user_id: int | None
    rules: tuple[str, ...] = ()
    is_manual: bool = False


@dataclass(frozen=True)
class NewAssignment:
    unit: str
    role: str
    user_id: int | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class AssignmentChanges:
    ended: tuple[tuple[str, str], ...]  # (unit, the role it wanted instead), in the order of `active`
    created: tuple[NewAssignment, ...]

    def change_lines(self, active: Mapping[str, ActiveAssignment]) -> list[str]:
        """The lines RoutingDecision.changes records: every END first, then every ASSIGN."""
        return [f"END {unit} {active[unit].role}" for unit, _wanted in self.ended] + [
            f"ASSIGN {new.unit} {new.role}" for new in self.created
        ]


def reconcile_assignments(
    active: Mapping[str, ActiveAssignment], decision: Decision, known_units: Collection[str]
) -> AssignmentChanges:
    """End every active assignment whose role the plan changes, then create the missing ones.

    Two phases (the caller ends before it creates) so that the one-lead constraint holds
    throughout. Assignments made by hand are never ended; a lead made by hand (R8) is not
    taken back: the plan's lead then joins as ASSIGNED."""
    planned = {p.unit: p for p in decision.assignments if p.unit in known_units}
    if any(a.role == LEAD and a.is_manual for a in active.values()):
        planned = {
            code: p if p.role != LEAD else PlannedAssignment(p.unit, ASSIGNED, p.user_id, p.rules) for code, p in planned.items()
        }
    new_lead = next((p.unit for p in planned.values() if p.role == LEAD), None)
    ended: list[tuple[str, str]] = []
    created: list[NewAssignment] = []
    for code, current in active.items():
        plan = planned.get(code)
        if plan is not None:
            wanted = plan.role
        elif current.role == LEAD and new_lead:
            wanted = ASSIGNED
        else:
            wanted = current.role
        if wanted == current.role or current.is_manual:
            continue
        ended.append((code, wanted))
        rules = tuple(plan.rules) if plan else tuple(current.rules)
        created.append(NewAssignment(code, wanted, plan.user_id if plan and plan.user_id else current.user_id, rules))
    for code, plan in planned.items():
        if code not in active and not any(new.unit == code for new in created):
            created.append(NewAssignment(code, plan.role, plan.user_id, tuple(plan.rules)))
    return AssignmentChanges(tuple(ended), tuple(created))


def tasks_to_create(decision: Decision, existing_kinds: Collection[str], known_units: Collection[str]) -> list:
    """The plan's tasks whose kind the case does not have yet (a kind is created once per case)."""
    seen = set(existing_kinds)
    new = []
    for plan in decision.tasks:
        if plan.kind in seen or plan.unit not in known_units:
            continue
        seen.add(plan.kind)
        new.append(plan)
    return new


def tasks_to_cancel(contact_established: bool, open_kinds: Iterable[str]) -> list[str]:
    """The open task kinds an established contact makes unnecessary (R2d)."""
    if not contact_established:
        return []
    return [kind for kind in CANCELLED_BY_CONTACT if kind in set(open_kinds)]


# Tasks whose due date follows a date that can move (the next meeting, the eviction
# date, the reply deadline): an open one is kept in line with the plan, so a
# cancelled meeting or a postponed eviction leaves no false "overdue" (issue 11).
FOLLOWING_TASK_KINDS = ("BOSAM_REVIEW", "ATTEND_EVICTION", "EVICTION_OUTCOME")
OPEN, CANCELLED = "OPEN", "CANCELLED"


@dataclass(frozen=True)
class ExistingTask:
    kind: str
    status: str
    due_date: date


def existing_task_kinds(decision: Decision, tasks: Iterable[ExistingTask]) -> set[str]:
    """The kinds the plan must not create again. A task bound to an eviction date belongs to
    that date: an open one moves with it, one done or cancelled for an earlier date does not
    stop a new date (after a postponement) from planning it again."""
    tasks = list(tasks)
    planned = {p.kind: p for p in decision.tasks}
    kinds = {t.kind for t in tasks if t.kind not in EVICTION_BOUND}
    for kind in EVICTION_BOUND:
        bound = [t for t in tasks if t.kind == kind]
        if bound and (
            kind not in planned
            or any(t.status == OPEN for t in bound)
            or any(t.status != CANCELLED and t.due_date >= planned[kind].due_date for t in bound)
        ):
            kinds.add(kind)
    return kinds


def new_letter_needed(eviction_registered_at, letter_tasks: Iterable[tuple[str, object]]) -> bool:
    """A letter for a new eviction date (issue 11): the current EVICTION_DATE notice was registered after every
    SEND_LETTER task of the case, and none is open (an open letter is printed from the case as it is when it is
    sent, so it will carry the new date). A sent letter stays as it was sent; the new one is a new task.
    `letter_tasks`: (status, created_at) of the case's SEND_LETTER tasks; no task yet: the plan creates the first."""
    letter_tasks = list(letter_tasks)
    if eviction_registered_at is None or not letter_tasks:
        return False
    if any(status == OPEN for status, _created in letter_tasks):
        return False
    return all(created < eviction_registered_at for _status, created in letter_tasks)


def moved_due(kind: str, due: date, decision: Decision, inp: DecisionInput | None) -> date:
    """The due date of an open task planned earlier: a following task moves with its date (but
    a move never makes it overdue by itself); an eviction date or deadline learnt later caps others."""
    planned = {p.kind: p for p in decision.tasks}
    if kind in FOLLOWING_TASK_KINDS and kind in planned:
        if inp is None or planned[kind].due_date >= inp.today:
            return planned[kind].due_date
        return due
    if inp is not None:
        return capped(due, due_cap(kind, inp), min(due, inp.today))
    return due


def eviction_tasks_cancelled(inp: DecisionInput | None) -> bool:
    """Open eviction-bound tasks are cancelled when the case has no eviction date (any more)."""
    return inp is not None and inp.eviction_date is None
