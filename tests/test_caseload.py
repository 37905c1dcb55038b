"""Named case workers, task ownership per unit, lists that answer "what must I do today", and the head of
unit's caseload (issue 12 items 1-2, issue 15 §3)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Assignment, AuditAction, AuditEvent, Case, Task, TaskKind, TaskStatus
from cases.rules.caseload import (
    EVICTION_DATE,
    LEAD_UNIT,
    OWN_UNIT,
    RECOVERY_DEADLINE,
    REPLY_DEADLINE,
    earliest_legal_date,
    task_completion_right,
    work_follows_person,
)
from cases.services import caseload
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECEIVED = (TODAY - dt.timedelta(days=2)).isoformat()
CHILD_BIRTH = (TODAY - dt.timedelta(days=365 * 8)).isoformat()
D = dt.date


# --- the pure rules --------------------------------------------------------------


def test_earliest_legal_date_is_the_nearest_ahead_else_the_latest_passed():
    today = D(2026, 12, 2)
    assert earliest_legal_date(recovery_deadline=None, reply_deadline=None, eviction_date=None, today=today) is None
    found = earliest_legal_date(recovery_deadline=D(2026, 12, 20), reply_deadline=D(2026, 12, 9), eviction_date=D(2027, 1, 15), today=today)
    assert (found.kind, found.date, found.days_left) == (REPLY_DEADLINE, D(2026, 12, 9), 7)
    # A passed date is not the nearest while another is still ahead; today counts as ahead.
    found = earliest_legal_date(recovery_deadline=D(2026, 11, 30), reply_deadline=None, eviction_date=today, today=today)
    assert (found.kind, found.days_left) == (EVICTION_DATE, 0)
    found = earliest_legal_date(recovery_deadline=D(2026, 11, 30), reply_deadline=D(2026, 11, 1), eviction_date=None, today=today)
    assert (found.kind, found.days_left) == (RECOVERY_DEADLINE, -2)


def test_task_completion_right_own_unit_or_lead_unit():
    assert task_completion_right(user_unit_id=1, task_unit_id=1, lead_unit_id=2) == OWN_UNIT
    assert task_completion_right(user_unit_id=2, task_unit_id=1, lead_unit_id=2) == LEAD_UNIT
    assert task_completion_right(user_unit_id=3, task_unit_id=1, lead_unit_id=2) is None
    assert task_completion_right(user_unit_id=None, task_unit_id=1, lead_unit_id=None) is None
    assert work_follows_person(move_work=True, new_unit_holds_case=True)
    assert not work_follows_person(move_work=True, new_unit_holds_case=False)
    assert not work_follows_person(move_work=False, new_unit_holds_case=True)


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture
def family_case(organisation, personas):
    """Routed to Mottagningsenheten barn och unga (R2c) with Hyresrådgivningen leading."""
    return register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,),
                    notice=notice_data(received=RECEIVED, served=RECEIVED), today=TODAY).case


@pytest.fixture
def colleague(make_user):
    return make_user("barn2", "handlaggare", "MOTTAGNING_BARN_UNGA", first_name="Bodil", last_name="Barnström")


def barn_assignment(case) -> Assignment:
    return case.assignments.get(unit__code="MOTTAGNING_BARN_UNGA", ended_at__isnull=True)


def login(client, user):
    client.force_login(user)
    return client


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


# --- case workers -----------------------------------------------------------------


def test_a_case_worker_takes_the_case_logged_and_the_units_tasks_follow(client, personas, family_case, units):
    barn = personas["barn"]
    task = Task.objects.create(case=family_case, kind=TaskKind.MANUAL, title="Hembesök", unit=units["MOTTAGNING_BARN_UNGA"],
                               due_date=TODAY + dt.timedelta(days=5))
    # Before: the unit holds the case, nobody is named; "Mina" is empty, the unit's tab lists it.
    assert numbers(login(client, barn).get(reverse("cases:my_cases"), {"tab": "mine"})) == []
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit"})) == [family_case.number]
    response = client.post(reverse("cases:case_take", args=[family_case.pk]))
    assert response.status_code == 302
    assert barn_assignment(family_case).user == barn
    task.refresh_from_db()
    assert task.assignee == barn
    event = AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_CHANGE, case=family_case).first()
    assert event.user == barn and f"kö -> user_id={barn.pk}" in event.detail
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "mine"})) == [family_case.number]
    # Without a chosen tab, a worker with cases of their own lands on "Mina".
    response = client.get(reverse("cases:my_cases"))
    assert response.context["tab"] == "mine" and numbers(response) == [family_case.number]
    # The row names the worker by full name, never the user name.
    html = client.get(reverse("cases:my_cases"), {"tab": "unit"}).content.decode()
    assert "Barn Testsson" in html


def test_only_the_units_head_names_another_person(personas, family_case, colleague, units):
    unit = units["MOTTAGNING_BARN_UNGA"]
    with pytest.raises(caseload.CaseloadRefused):
        caseload.case_worker_set(case=family_case, unit=unit, worker=colleague, user=personas["barn"])
    with pytest.raises(caseload.CaseloadRefused):  # hyresrådgivaren heads no unit
        caseload.case_worker_set(case=family_case, unit=unit, worker=colleague, user=personas["hyresradgivare"])
    caseload.case_worker_set(case=family_case, unit=unit, worker=colleague, user=personas["chef"])
    assert barn_assignment(family_case).user == colleague
    # A person of another unit is never named on this unit's assignment.
    with pytest.raises(caseload.CaseloadRefused):
        caseload.case_worker_set(case=family_case, unit=unit, worker=personas["vuxna"], user=personas["chef"])
    # Back to the queue.
    caseload.case_worker_set(case=family_case, unit=unit, worker=None, user=personas["chef"])
    assert barn_assignment(family_case).user is None


def test_chef_sets_the_worker_from_the_case_page(client, personas, family_case, colleague):
    assignment = barn_assignment(family_case)
    client = login(client, personas["chef"])
    page = client.get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    assert reverse("cases:case_worker_set", args=[family_case.pk, assignment.pk]) in page
    assert "Bodil Barnström" in page and ">barn2<" not in page
    response = client.post(reverse("cases:case_worker_set", args=[family_case.pk, assignment.pk]),
                           {f"worker-{assignment.pk}-unit": assignment.unit_id, f"worker-{assignment.pk}-version": 1,
                            f"worker-{assignment.pk}-worker": colleague.pk})
    assert response.status_code == 302
    assert barn_assignment(family_case).user == colleague
    # barn (not the head) sees no picker and cannot post one.
    page = login(client, personas["barn"]).get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    assert reverse("cases:case_worker_set", args=[family_case.pk, assignment.pk]) not in page
    client.post(reverse("cases:case_worker_set", args=[family_case.pk, assignment.pk]),
                {f"worker-{assignment.pk}-unit": assignment.unit_id, f"worker-{assignment.pk}-version": 1,
                 f"worker-{assignment.pk}-worker": personas["barn"].pk})
    assert barn_assignment(family_case).user == colleague


def test_person_picker_lists_full_names_of_units_never_user_names(client, personas, family_case, colleague, make_user):
    make_user("nameless", "handlaggare", "MOTTAGNING_VUXNA", first_name="", last_name="")
    page = login(client, personas["hyresradgivare"]).get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    start = page.rindex("<select", 0, page.index('name="task-assignee"'))
    picker = page[start:page.index("</select>", start)]
    assert 'data-person-picker-for="unit"' in picker[:picker.index(">")]
    assert "Bodil Barnström" in picker and f'data-unit="{colleague.unit_id}"' in picker
    assert "barn2" not in picker and "nameless" not in picker


def test_task_create_refuses_a_person_of_another_unit(client, personas, family_case, units):
    client = login(client, personas["hyresradgivare"])
    response = client.post(reverse("cases:task_create", args=[family_case.pk]), {
        "task-version": Case.objects.get(pk=family_case.pk).version, "task-title": "Ring", "task-unit": units["MOTTAGNING_BARN_UNGA"].pk,
        "task-assignee": personas["vuxna"].pk, "task-due_date": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    assert "Handläggaren hör inte till den valda enheten." in response.content.decode()
    assert not Task.objects.filter(case=family_case, title="Ring").exists()


# --- who completes a task -----------------------------------------------------------


def test_another_unit_cannot_complete_a_task_and_the_lead_unit_needs_a_reason(client, personas, family_case, units):
    """The defect: barn marked Hyresrådgivningen's report of concern as done."""
    concern = family_case.tasks.get(kind=TaskKind.REPORT_OF_CONCERN, status=TaskStatus.OPEN)
    assert concern.unit.code == "HYRESRADGIVNING"
    with pytest.raises(caseload.CaseloadRefused):
        caseload.task_complete_by_worker(task=concern, case=family_case, user=personas["barn"])
    concern.refresh_from_db()
    assert concern.status == TaskStatus.OPEN
    # The lead unit (Hyresrådgivningen) completes barn's task only with a reason, which is logged.
    visit = Task.objects.create(case=family_case, kind=TaskKind.MANUAL, title="Hembesök", unit=units["MOTTAGNING_BARN_UNGA"],
                                due_date=TODAY + dt.timedelta(days=5))
    client = login(client, personas["hyresradgivare"])
    url = reverse("cases:task_complete", args=[family_case.pk, visit.pk])
    version = Case.objects.get(pk=family_case.pk).version
    response = client.post(url, {f"complete-{visit.pk}-version": version, f"complete-{visit.pk}-note": "Gjort"})
    assert response.status_code == 400  # the reason is required, the note is kept
    assert "Gjort" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == TaskStatus.OPEN
    response = client.post(url, {f"complete-{visit.pk}-version": version, f"complete-{visit.pk}-note": "Gjort",
                                 f"complete-{visit.pk}-reason": "Handläggaren är sjuk, vi gjorde besöket."})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE
    assert AuditEvent.objects.filter(case=family_case, action=AuditAction.TASK_COMPLETE,
                                     detail__contains="ansvarig enhet för MOTTAGNING_BARN_UNGA: Handläggaren är sjuk").exists()


def test_case_page_groups_tasks_mine_my_unit_others(client, personas, family_case, units):
    barn = personas["barn"]
    Task.objects.create(case=family_case, kind=TaskKind.MANUAL, title="Min egen", unit=units["MOTTAGNING_BARN_UNGA"], assignee=barn,
                        due_date=TODAY + dt.timedelta(days=5))
    Task.objects.create(case=family_case, kind=TaskKind.MANUAL, title="Enhetens", unit=units["MOTTAGNING_BARN_UNGA"],
                        due_date=TODAY + dt.timedelta(days=6))
    response = login(client, barn).get(reverse("cases:detail", args=[family_case.pk]))
    groups = {name: [t.label for t in tasks] for name, tasks in response.context["task_groups"]}
    assert groups["mine"] == ["Min egen"] and groups["unit"] == ["Enhetens"]
    assert "Gör en orosanmälan" in groups["others"]
    html = response.content.decode()
    assert html.index("Mina uppgifter") < html.index("Min enhets uppgifter") < html.index("Andra enheters uppgifter")


# --- the lists ---------------------------------------------------------------------


def test_list_columns_legal_date_contact_and_my_tasks(client, personas, organisation, units):
    barn = personas["barn"]
    eviction = TODAY + dt.timedelta(days=9)
    case = register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,), today=TODAY,
                    notice=notice_data(received=RECEIVED, served=RECEIVED)).case
    Case.objects.filter(pk=case.pk).update(eviction_date=eviction, recovery_deadline=TODAY + dt.timedelta(days=20))
    for i in range(5):
        Task.objects.create(case=case, kind=TaskKind.MANUAL, title=f"Egen {i}", unit=units["MOTTAGNING_BARN_UNGA"], assignee=barn,
                            due_date=TODAY + dt.timedelta(days=3 + i))
    response = login(client, barn).get(reverse("cases:my_cases"), {"tab": "unit"})
    html = response.content.decode()
    row = response.context["rows"][0]
    assert (row.legal_date.kind, row.legal_date.date, row.legal_date.days_left) == (EVICTION_DATE, eviction, 9)
    assert "Avhysning" in html and "om 9 dagar" in html
    # Every own task is listed, none hidden behind "och 3 till".
    for i in range(5):
        assert f"Egen {i}" in html
    assert "och 2 till" not in html
    # Contact: no, then filters and sorts.
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit", "contact": "no"})) == [case.number]
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit", "contact": "yes"})) == []
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit", "legal_within": "7"})) == []
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit", "legal_within": "14"})) == [case.number]
    assert numbers(client.get(reverse("cases:my_cases"), {"tab": "unit", "my_tasks": "on"})) == [case.number]
    for sort in ("legal", "contact", "mytasks"):
        assert client.get(reverse("cases:my_cases"), {"tab": "unit", "sort": sort}).status_code == 200


def test_unit_tab_lists_unassigned_first_and_a_deactivated_persons_case_as_unassigned(
    client, personas, organisation, colleague, units,
):
    cases = [register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,), serial=810 + i, surname=f"Fam{i}", today=TODAY,
                      street=f"Gatan {i}", notice=notice_data(received=RECEIVED, served=RECEIVED)).case for i in range(3)]
    unit = units["MOTTAGNING_BARN_UNGA"]
    caseload.case_worker_set(case=cases[0], unit=unit, worker=personas["barn"], user=personas["chef"])
    caseload.case_worker_set(case=cases[1], unit=unit, worker=colleague, user=personas["chef"])
    colleague.is_active = False
    colleague.save()
    listed = numbers(login(client, personas["barn"]).get(reverse("cases:my_cases"), {"tab": "unit", "sort": "number"}))
    assert listed == [cases[1].number, cases[2].number, cases[0].number]
    # The head of unit sees the deactivated person's case counted in the queue until someone takes it.
    loads = {load.unit.code: load for load in login(client, personas["chef"]).get(reverse("cases:unit_caseload")).context["caseloads"]}
    assert (loads["MOTTAGNING_BARN_UNGA"].queue_cases, loads["MOTTAGNING_BARN_UNGA"].left_cases) == (2, 1)
    caseload.case_worker_set(case=cases[1], unit=unit, worker=personas["barn"], user=personas["chef"])
    loads = {load.unit.code: load for load in client.get(reverse("cases:unit_caseload")).context["caseloads"]}
    assert (loads["MOTTAGNING_BARN_UNGA"].queue_cases, loads["MOTTAGNING_BARN_UNGA"].left_cases) == (1, 0)


def test_search_is_posted_kept_in_the_session_and_pagination_keeps_it(client, personas, organisation):
    advisor = personas["hyresradgivare"]
    for i in range(27):
        register(organisation, advisor, serial=820 + i, surname="Sökesson", street=f"Sökvägen {i}", today=TODAY,
                 notice=notice_data(received=RECEIVED, served=RECEIVED))
    register(organisation, advisor, serial=870, surname="Annan", street="Annanvägen 1", today=TODAY,
             notice=notice_data(received=RECEIVED, served=RECEIVED))
    client = login(client, advisor)
    url = reverse("cases:overview")
    response = client.post(url, {"q": "Sökesson", "status": "OPEN", "sort": "number"})
    assert response.status_code == 302
    location = response["Location"]
    assert "Sökesson" not in location and "q=" not in location and "s=" in location and "sort=number" in location
    first = client.get(location)
    assert first.context["page"].paginator.count == 27
    assert "Sökesson" in first.content.decode()  # the box still shows what was searched
    second = client.get(location + "&page=2")
    assert second.context["page"].paginator.count == 27 and len(second.context["page"].object_list) == 2
    assert "page=2" in first.content.decode() and "s=" in first.content.decode()
    # A search text in an address is ignored (it would be in the access log), an unknown id says the search is gone.
    assert client.get(url, {"q": "Sökesson"}).context["page"].paginator.count == 28
    gone = client.get(url, {"s": "nonexistent"})
    assert gone.context["search_expired"] and gone.context["page"].paginator.count == 28


# --- the head of unit's caseload ------------------------------------------------------


def test_caseload_move_to_a_colleague_and_to_the_queue_confirmed_with_reason(client, personas, family_case, colleague, units):
    barn = personas["barn"]
    unit = units["MOTTAGNING_BARN_UNGA"]
    caseload.case_worker_set(case=family_case, unit=unit, worker=barn, user=barn)
    task = Task.objects.create(case=family_case, kind=TaskKind.MANUAL, title="Hembesök", unit=unit, assignee=barn,
                               due_date=TODAY + dt.timedelta(days=5))
    client = login(client, personas["chef"])
    url = reverse("cases:person_caseload", args=[barn.pk])
    page = client.get(url)
    assert page.status_code == 200 and family_case.number in page.content.decode()
    # Not confirmed: nothing moves, the reason is kept.
    response = client.post(url, {"move-to_person": colleague.pk, "move-reason": "Föräldraledig"})
    assert response.status_code == 400 and "Föräldraledig" in response.content.decode()
    assert barn_assignment(family_case).user == barn
    response = client.post(url, {"move-to_person": colleague.pk, "move-reason": "Föräldraledig", "move-confirm": "on"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert barn_assignment(family_case).user == colleague and task.assignee == colleague
    assert AuditEvent.objects.filter(case=family_case, action=AuditAction.ASSIGNMENT_CHANGE,
                                     detail__contains=f"user_id={barn.pk} -> user_id={colleague.pk}: Föräldraledig").exists()
    to_queue = {"move-to_person": "", "move-reason": "Slutar", "move-confirm": "on"}
    client.post(reverse("cases:person_caseload", args=[colleague.pk]), to_queue)
    task.refresh_from_db()
    assert barn_assignment(family_case).user is None and task.assignee is None
    # Only the head of the person's unit: barn, vuxna's people and other organisations are refused.
    assert login(client, barn).get(url).status_code == 404
    assert login(client, personas["chef"]).get(reverse("cases:person_caseload", args=[personas["vuxna"].pk])).status_code == 404


def test_moving_a_person_to_another_unit_takes_work_only_where_the_new_unit_holds_the_case(
    personas, organisation, family_case, units, make_user,
):
    chef = personas["chef"]
    barn_unit, vuxna_unit = units["MOTTAGNING_BARN_UNGA"], units["MOTTAGNING_VUXNA"]
    mover = make_user("flytt", "handlaggare", "MOTTAGNING_BARN_UNGA", first_name="Frida", last_name="Flytt")
    other = register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,), serial=890, surname="Tvåsson", street="Två 2",
                     today=TODAY, notice=notice_data(received=RECEIVED, served=RECEIVED)).case
    for case in (family_case, other):
        caseload.case_worker_set(case=case, unit=barn_unit, worker=mover, user=chef)
    # The adults' unit holds the other case too.
    services_assign = Assignment.objects.create(case=other, unit=vuxna_unit, role="ASSIGNED", is_manual=True, reason="Stöd")
    moved, queued = caseload.person_unit_change(person=mover, new_unit=vuxna_unit, move_work=True, user=chef, reason="Ny tjänst")
    assert (moved, queued) == (1, 1)
    mover.refresh_from_db()
    services_assign.refresh_from_db()
    assert mover.unit == vuxna_unit
    assert services_assign.user == mover  # went along where the new unit holds the case
    assert barn_assignment(family_case).user is None and barn_assignment(other).user is None  # the old unit's queue
    assert AuditEvent.objects.filter(case=family_case, detail__contains="byter enhet MOTTAGNING_BARN_UNGA -> MOTTAGNING_VUXNA").exists()


def test_caseload_page_query_count_does_not_grow_with_people(client, personas, make_user, django_assert_num_queries):
    client = login(client, personas["chef"])
    url = reverse("cases:unit_caseload")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        make_user(f"extra{i}", "handlaggare", "MOTTAGNING_BARN_UNGA", first_name=f"Extra{i}")
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_caseload_pages_refuse_everyone_but_chef(client, personas):
    for persona in ("hyresradgivare", "barn", "ordforande", "admin", "styrgrupp", "stad"):
        assert login(client, personas[persona]).get(reverse("cases:unit_caseload")).status_code == 403
    assert login(client, personas["chef"]).get(reverse("cases:unit_caseload")).status_code == 200


def test_caseload_pages_never_reach_another_organisation(client, personas, other_organisation, make_user):
    outsider = make_user("annan", "handlaggare", "MOTTAGNING_BARN_UNGA", org=other_organisation, first_name="Olle", last_name="Utsida")
    client = login(client, personas["chef"])
    assert client.get(reverse("cases:person_caseload", args=[outsider.pk])).status_code == 404
    assert client.post(reverse("cases:person_unit_change", args=[outsider.pk]), {}).status_code == 404
    assert "Olle Utsida" not in client.get(reverse("cases:unit_caseload")).content.decode()
