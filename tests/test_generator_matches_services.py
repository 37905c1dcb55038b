"""The generator and the services agree (issue 9, Done-when bullet 3).

generate_data writes at least 200 notices with its in-memory reconciliation; then every case
is replayed through the real service, `case_reevaluate`, notice by notice on the same days
(each notice put back only when its turn comes, the contact and the letter as the generator
had them on that day), and the tasks, assignments and flags are compared with what the
generator wrote.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from cases.models import Case, CaseStatus, Notice, RoutingDecision, TaskKind, TaskStatus
from cases.services import case_reevaluate, evaluation
from devdata.management.commands.generate_data import Generator

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 25)
NOTICES = 200


def snapshot(case: Case) -> dict:
    tasks = case.tasks.exclude(kind=TaskKind.BOSAM_ACTIVITY)
    return {
        "tasks": sorted(tasks.values_list("kind", "unit__code", "due_date", "assignee_id")),
        "assignments": sorted(
            (a.unit.code, a.role, a.user_id, a.ended_at is None, tuple(a.rules)) for a in case.assignments.select_related("unit")
        ),
        "flags": sorted(case.flags),
        # What each evaluation changed, in order (the audit trail of the plan: the same lines from both). A daily check
        # that changed only the case's own facts (urgency, next due date) is recorded by the services alone.
        "decisions": [(d.trigger, list(d.changes)) for d in RoutingDecision.objects.filter(case=case).order_by("id") if d.changes],
        "facts": (case.lead_unit_id, case.children_count, case.recovery_deadline, case.eviction_date, case.debt_amount,
                  case.latest_notice_type),
    }


def replay(case: Case, today: dt.date) -> None:
    """Rebuild the case's plan state with the services, as if each notice came in on its day."""
    was_open = case.status == CaseStatus.OPEN
    closed_at = case.closed_at
    contact_on = case.contact_established_on
    letter = case.tasks.filter(kind=TaskKind.SEND_LETTER, status=TaskStatus.DONE).first()
    letter_at = letter.completed_at if letter else None
    notices = list(case.notices.order_by("received_date", "id"))
    case.tasks.exclude(kind=TaskKind.BOSAM_ACTIVITY).delete()
    case.assignments.all().delete()
    RoutingDecision.objects.filter(case=case).delete()
    Notice.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN, closed_at=None)
    steps = [(n.received_date, RoutingDecision.Trigger.NOTICE, n) for n in notices]
    if was_open:
        steps.append((today, RoutingDecision.Trigger.DAILY, None))
    for day, trigger, notice in steps:
        if notice is not None:
            notice.save(force_insert=True)
        Case.objects.filter(pk=case.pk).update(contact_established_on=contact_on if contact_on and contact_on <= day else None)
        if letter_at and letter_at.astimezone(ZoneInfo("Europe/Stockholm")).date() <= day:
            case.tasks.filter(kind=TaskKind.SEND_LETTER).update(status=TaskStatus.DONE, completed_at=letter_at)
        case_reevaluate(Case.objects.get(pk=case.pk), trigger=trigger, today=day, notice=notice)
    Case.objects.filter(pk=case.pk).update(status=case.status, closed_at=closed_at)


@pytest.mark.django_db
def test_generator_and_services_write_the_same_tasks_assignments_and_flags(monkeypatch):
    generator = Generator(households=None, notices=NOTICES + 40, seed=5, organisations=1, today=TODAY, progress=lambda _text: None)
    generator.run()
    district = generator.orgs[0]
    # The generator answers "the next meeting" from its own meeting calendar; the services ask bosam. The same answer
    # for both, so that this test compares the reconciliation and not two calendars.
    monkeypatch.setattr(evaluation, "next_meeting_date", lambda organisation, day: generator.next_meeting(district, day))

    compared_notices = 0
    differences = []
    for case in Case.objects.order_by("id"):
        # A closed case is replayed as open for a moment; not while its household has another open case (one open per household).
        if case.status == CaseStatus.CLOSED and Case.objects.filter(~Q(pk=case.pk), household=case.household_id,
                                                                      status=CaseStatus.OPEN).exists():
            continue
        expected = snapshot(case)
        replay(case, TODAY)
        actual = snapshot(Case.objects.get(pk=case.pk))
        if actual != expected:
            differences.append((case.number, {k: (expected[k], actual[k]) for k in expected if expected[k] != actual[k]}))
        compared_notices += case.notices.count()
    assert compared_notices >= NOTICES
    assert differences == []
