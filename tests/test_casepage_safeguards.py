"""Issue 12 item 4, the rest: "klar" is undone the same day by the one who did it (or their unit's head), never for
a letter that was sent; ending a unit's assignment asks first and says what ends with it. Service rules and audit rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Assignment, AssignmentRole, AuditAction, AuditEvent, SentLetter, Task, TaskKind, TaskStatus
from cases.services import caseload
from cases.workspace.selectors import case_page_data
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(organisation, personas):
    received = timezone.localdate() - dt.timedelta(days=3)
    return register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received=str(received), served=str(received - dt.timedelta(days=1)))).case


def _manual_task(case, user, unit, title="Ring hyresvärden"):
    return services.task_create(case=case, user=user, kind=TaskKind.MANUAL, unit=unit, due_date=timezone.localdate(), title=title)


def _done(case, task, user):
    return caseload.task_complete_by_worker(task=task, case=case, user=user, note="Klart.")


def test_the_one_who_marked_it_done_undoes_it_the_same_day_audited_and_on_the_timeline(family, personas):
    barn = personas["barn"]
    task = _manual_task(family, barn, barn.unit)
    _done(family, task, barn)
    reopened = caseload.task_undo_done(task=task, case=family, user=barn)
    reopened.refresh_from_db()
    assert reopened.status == TaskStatus.OPEN and reopened.completed_at is None and reopened.completed_by is None
    assert reopened.undone_by == barn and reopened.undone_at is not None
    row = AuditEvent.objects.get(action=AuditAction.TASK_UNDO, case=family)
    assert row.user == barn and f"uppgift {task.pk} MANUAL" in row.detail and f"user_id={barn.pk}" in row.detail
    family.refresh_from_db()
    timeline = case_page_data(family, everything=True)["timeline"]
    assert [e.obj.pk for e in timeline if e.kind == "task_undone"] == [task.pk]


def test_the_head_of_the_completers_unit_may_undo_a_colleague_may_not(family, personas, make_user):
    barn = personas["barn"]
    colleague = make_user("barn2", "handlaggare", "MOTTAGNING_BARN_UNGA")
    task = _manual_task(family, barn, barn.unit)
    _done(family, task, barn)
    task.refresh_from_db()
    with pytest.raises(caseload.CaseloadRefused, match="Bara den som markerade"):
        caseload.task_undo_done(task=task, case=family, user=colleague)
    with pytest.raises(caseload.CaseloadRefused, match="Bara den som markerade"):
        caseload.task_undo_done(task=task, case=family, user=personas["hyresradgivare"])
    assert not AuditEvent.objects.filter(action=AuditAction.TASK_UNDO).exists()
    caseload.task_undo_done(task=task, case=family, user=personas["chef"])  # heads IFO barn och unga
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert AuditEvent.objects.get(action=AuditAction.TASK_UNDO).user == personas["chef"]


def test_the_next_day_it_is_refused(family, personas):
    barn = personas["barn"]
    task = _manual_task(family, barn, barn.unit)
    _done(family, task, barn)
    task.refresh_from_db()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(caseload.CaseloadRefused, match="samma dag"):
        caseload.task_undo_done(task=task, case=family, user=barn, today=tomorrow)
    # And by the clock itself: a task done yesterday.
    Task.objects.filter(pk=task.pk).update(completed_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(caseload.CaseloadRefused, match="samma dag"):
        caseload.task_undo_done(task=task, case=family, user=barn)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_sent_letter_is_never_undone(family, personas):
    advisor = personas["hyresradgivare"]
    letter = family.tasks.get(kind=TaskKind.SEND_LETTER, status=TaskStatus.OPEN)
    caseload.task_complete_by_worker(task=letter, case=family, user=advisor)
    assert SentLetter.objects.filter(task=letter).exists()
    letter.refresh_from_db()
    with pytest.raises(caseload.CaseloadRefused, match="Brevet är sparat som skickat"):
        caseload.task_undo_done(task=letter, case=family, user=advisor)
    letter.refresh_from_db()
    assert letter.status == TaskStatus.DONE


def test_a_task_done_before_the_case_was_closed_stays_done(family, personas):
    advisor = personas["hyresradgivare"]
    task = _manual_task(family, advisor, advisor.unit)
    _done(family, task, advisor)
    family.refresh_from_db()
    services.case_close(case=family, user=advisor, outcome="NO_CONTACT")
    task.refresh_from_db()
    family.refresh_from_db()
    with pytest.raises(caseload.CaseloadRefused, match="avslutat"):
        caseload.task_undo_done(task=task, case=family, user=advisor)


def test_the_case_page_offers_undo_to_the_completer_only(client, family, personas):
    barn = personas["barn"]
    task = _manual_task(family, barn, barn.unit, title="Hembesök bokat")
    _done(family, task, barn)
    url = reverse("cases:detail", args=[family.pk])
    undo = reverse("cases:task_undo", args=[family.pk, task.pk])
    client.force_login(barn)
    assert undo in client.get(url).content.decode()
    client.force_login(personas["hyresradgivare"])
    assert undo not in client.get(url).content.decode()
    response = client.post(undo)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


# --- ending an assignment ---


def _added_unit(case, user, units, code="MOTTAGNING_VUXNA"):
    return services.assignment_change(case=case, user=user, unit=units[code], role=AssignmentRole.ASSIGNED, reason="Vuxen i hushållet.")


def test_ending_a_manual_assignment_cancels_or_moves_its_units_tasks_and_is_logged(family, personas, units):
    advisor = personas["hyresradgivare"]
    family.refresh_from_db()
    added = _added_unit(family, advisor, units)
    cancelled = _manual_task(family, advisor, units["MOTTAGNING_VUXNA"], title="Boka möte")
    moved = _manual_task(family, advisor, units["MOTTAGNING_VUXNA"], title="Skicka intyg")
    assert [t.pk for t in caseload.assignment_open_tasks(added)] == [cancelled.pk, moved.pk]
    caseload.assignment_end(assignment=added, user=advisor, reason="Inte aktuellt längre.", move_task_ids=[moved.pk])
    added.refresh_from_db()
    cancelled.refresh_from_db()
    moved.refresh_from_db()
    assert added.ended_at is not None and added.end_reason == "Inte aktuellt längre."
    assert cancelled.status == TaskStatus.CANCELLED and cancelled.completion_note == "Enhetens tilldelning avslutades."
    assert moved.status == TaskStatus.OPEN and moved.unit == family.lead_unit and moved.assignee is None
    row = AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_CHANGE, case=family).latest("at")
    assert "avslutad MOTTAGNING_VUXNA" in row.detail and f"flyttade={moved.pk}" in row.detail and "avbrutna=1" in row.detail


def test_the_lead_and_the_plans_assignments_are_not_ended_by_hand(family, personas):
    lead = family.assignments.get(role=AssignmentRole.LEAD, ended_at__isnull=True)
    plan = family.assignments.get(unit__code="MOTTAGNING_BARN_UNGA", ended_at__isnull=True)
    for assignment, message in ((lead, "Ansvarig enhet"), (plan, "Planen kräver")):
        with pytest.raises(caseload.CaseloadRefused, match=message):
            caseload.assignment_end(assignment=assignment, user=personas["hyresradgivare"], reason="Fel.")
    assert Assignment.objects.filter(pk__in=[lead.pk, plan.pk], ended_at__isnull=True).count() == 2


def test_ending_asks_first_then_ends_only_when_confirmed(client, family, personas, units):
    advisor = personas["hyresradgivare"]
    family.refresh_from_db()
    added = _added_unit(family, advisor, units)
    task = _manual_task(family, advisor, units["MOTTAGNING_VUXNA"], title="Boka möte")
    client.force_login(advisor)
    url = reverse("cases:assignment_end", args=[family.pk, added.pk])
    assert url in client.get(reverse("cases:detail", args=[family.pk])).content.decode()
    page = client.post(url)
    assert page.status_code == 200 and "Boka möte" in page.content.decode()
    added.refresh_from_db()
    assert added.ended_at is None
    family.refresh_from_db()
    # Confirmed without a reason: the page again, with the error; nothing ends.
    assert client.post(url, {"end-confirmed": "yes", "end-version": family.version}).status_code == 400
    added.refresh_from_db()
    assert added.ended_at is None
    response = client.post(url, {"end-confirmed": "yes", "end-version": family.version, "end-reason": "Klart."})
    assert response.status_code == 302
    added.refresh_from_db()
    task.refresh_from_db()
    assert added.ended_at is not None and task.status == TaskStatus.CANCELLED
