"""Issue 12 item 4: closing a case asks first and lists the open tasks it would cancel; each may be kept as follow-up."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import AuditAction, AuditEvent, Case, CaseStatus, Task, TaskStatus
from tests.test_workspace import family_case, login, post_action  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_confirmation_lists_the_open_tasks_and_changes_nothing(client, personas, family_case):  # noqa: F811
    client = login(client, personas["barn"])
    consult = services.consult_tenancy_advisor(case=family_case, user=personas["barn"], question="Avbetalningsplan?")
    open_before = set(Task.objects.filter(case=family_case, status=TaskStatus.OPEN).values_list("pk", flat=True))
    response = post_action(client, family_case, "case_close", {"outcome": "PREVENTED_PAID", "note": "Betalt i tid."}, "close")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="close-keep" value="{consult.pk}"' in html and consult.label in html
    assert 'value="Betalt i tid."' in html  # the note travels with the confirmation
    assert Case.objects.get(pk=family_case.pk).status == CaseStatus.OPEN
    assert set(Task.objects.filter(case=family_case, status=TaskStatus.OPEN).values_list("pk", flat=True)) == open_before
    assert AuditEvent.objects.filter(case=family_case, action=AuditAction.CASE_VIEW, detail="avsluta: bekräftelse").exists()


def test_a_kept_task_stays_open_as_follow_up_and_the_others_are_cancelled(client, personas, family_case):  # noqa: F811
    client = login(client, personas["barn"])
    consult = services.consult_tenancy_advisor(case=family_case, user=personas["barn"], question="Avbetalningsplan?")
    others = list(Task.objects.filter(case=family_case, status=TaskStatus.OPEN).exclude(pk=consult.pk).values_list("pk", flat=True))
    assert others
    response = post_action(client, family_case, "case_close",
                           {"outcome": "PREVENTED_PAID", "note": "", "confirmed": "yes", "keep": str(consult.pk)}, "close")
    assert response.status_code == 302
    case = Case.objects.get(pk=family_case.pk)
    assert case.status == CaseStatus.CLOSED
    assert Task.objects.get(pk=consult.pk).status == TaskStatus.OPEN
    assert set(Task.objects.filter(pk__in=others).values_list("status", flat=True)) == {TaskStatus.CANCELLED}
    # The kept task is completed on the closed case.
    key = f"complete-{consult.pk}"
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:task_complete", args=[case.pk, consult.pk]) in html
    response = post_action(client, case, "task_complete", {"note": "Samrått."}, key, consult.pk)
    assert response.status_code == 302 and Task.objects.get(pk=consult.pk).status == TaskStatus.DONE


def test_a_task_of_another_case_cannot_be_kept(client, personas, family_case, organisation):  # noqa: F811
    from tests.factories import household_data, notice_data, register

    other = register(organisation, personas["hyresradgivare"], notice=notice_data(),
                     household=household_data(serial=805, surname="Annansson", street="Annanvägen 2")).case
    foreign = Task.objects.filter(case=other, status=TaskStatus.OPEN).first()
    services.case_close(case=family_case, user=personas["barn"], outcome="PREVENTED_PAID", keep_task_ids=[foreign.pk])
    assert Task.objects.get(pk=foreign.pk).status == TaskStatus.OPEN  # untouched, still the other case's
    assert not Task.objects.filter(case=family_case, status=TaskStatus.OPEN).exists()
