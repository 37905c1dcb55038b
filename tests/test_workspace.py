"""The case workers' workspace: lists, filters, search, the case page, its actions, optimistic locking."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Assignment,
    AuditAction,
    AuditEvent,
    Case,
    CaseStatus,
    Consent,
    Contact,
    Deviation,
    DeviationKind,
    Task,
    TaskKind,
    TaskStatus,
)
from cases.rules import routing
from tests import factories
from tests.factories import household_data, notice_data, register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECEIVED = (TODAY - dt.timedelta(days=2)).isoformat()
CHILD_BIRTH = (TODAY - dt.timedelta(days=365 * 8)).isoformat()


def _register(organisation, user, **kwargs):
    notice = kwargs.pop("notice", None) or notice_data(received=RECEIVED, served=RECEIVED)
    return register(organisation, user, notice=notice, today=TODAY, **kwargs).case


@pytest.fixture
def family_case(organisation, personas):
    return _register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,))


@pytest.fixture
def single_case(organisation, personas):
    return _register(organisation, personas["hyresradgivare"], serial=802, surname="Ensamsson", street="Ensamvägen 1")


def login(client, user):
    client.force_login(user)
    return client


def case_numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def search(client, url, data):
    """The list's search is a POST (the text may be a personnummer): it redirects to an address with an opaque id."""
    response = client.post(url, data)
    assert response.status_code == 302
    assert "q=" not in response["Location"]
    return client.get(response["Location"])


# --- Mina ärenden ----------------------------------------------------------------


def test_family_case_shows_in_barn_my_cases_with_designation_children_and_tasks(client, personas, family_case):
    response = login(client, personas["barn"]).get(reverse("cases:my_cases"))
    assert response.status_code == 200
    html = response.content.decode()
    assert case_numbers(response) == [family_case.number]
    assert "Testsson T." in html
    assert "1 barn" in html
    assert family_case.lead_unit.name in html
    tenant = family_case.household.members.get(role="TENANT")
    # Personnummer never in full in lists.
    assert tenant.personal_identity_number not in html
    assert tenant.personal_identity_number[8:] not in html
    # The row lists every open task of barn's unit, and counts the other units' (issue 12 item 2).
    own = Task.objects.filter(case=family_case, status=TaskStatus.OPEN, unit=personas["barn"].unit)
    others = Task.objects.filter(case=family_case, status=TaskStatus.OPEN).exclude(unit=personas["barn"].unit).count()
    for task in own:
        assert task.label in html
    assert others and f"{others} hos andra enheter" in html
    assert "Ingen handläggare" in html  # barn's unit holds the case, nobody is named yet


def test_vuxna_has_an_empty_my_cases_with_a_useful_message(client, personas, family_case):
    response = login(client, personas["vuxna"]).get(reverse("cases:my_cases"))
    assert response.status_code == 200
    assert case_numbers(response) == []
    assert "Din enhet har inga ärenden just nu" in response.content.decode()


def test_empty_state_after_filtering_says_so(client, personas, family_case):
    response = search(login(client, personas["barn"]), reverse("cases:my_cases"), {"q": "finns-inte"})
    assert case_numbers(response) == []
    assert "Inga ärenden matchar filtret" in response.content.decode()


def test_filters_children_notice_type_area_unit_urgent_overdue_status(client, organisation, personas, family_case, single_case):
    client = login(client, personas["hyresradgivare"])
    url = reverse("cases:my_cases")
    assert set(case_numbers(client.get(url))) == {family_case.number, single_case.number}
    assert case_numbers(client.get(url, {"children": "yes"})) == [family_case.number]
    assert case_numbers(client.get(url, {"children": "no"})) == [single_case.number]
    assert case_numbers(client.get(url, {"notice_type": "EVICTION_DATE"})) == []
    assert len(case_numbers(client.get(url, {"notice_type": "RENT_ARREARS_TERMINATION"}))) == 2
    assert len(case_numbers(client.get(url, {"area": "Årsta"}))) == 2
    barn_unit = personas["barn"].unit
    assert case_numbers(client.get(url, {"unit": barn_unit.pk})) == [family_case.number]

    Case.objects.filter(pk=single_case.pk).update(urgent=True)
    Case.objects.filter(pk=family_case.pk).update(urgent=False)
    assert case_numbers(client.get(url, {"urgent": "on"})) == [single_case.number]

    Task.objects.filter(case=family_case, status=TaskStatus.OPEN).update(due_date=TODAY + dt.timedelta(days=5))
    Task.objects.filter(case=single_case, status=TaskStatus.OPEN).update(due_date=TODAY + dt.timedelta(days=5))
    assert case_numbers(client.get(url, {"overdue": "on"})) == []
    Task.objects.filter(case=family_case, status=TaskStatus.OPEN, kind=TaskKind.SEND_LETTER).update(due_date=TODAY - dt.timedelta(days=1))
    response = client.get(url, {"overdue": "on"})
    assert case_numbers(response) == [family_case.number]
    assert "Försenad" in response.content.decode()

    Case.objects.filter(pk=single_case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    assert case_numbers(client.get(url, {"status": "CLOSED"})) == [single_case.number]
    assert set(case_numbers(client.get(url, {"status": "alla"}))) == {family_case.number, single_case.number}
    assert case_numbers(client.get(url)) == [family_case.number]  # open by default


def test_overdue_first_then_urgency(client, personas, family_case, single_case):
    Task.objects.filter(case__in=[family_case, single_case], status=TaskStatus.OPEN).update(due_date=TODAY + dt.timedelta(days=9))
    Case.objects.filter(pk=family_case.pk).update(eviction_date=TODAY + dt.timedelta(days=3), urgent=True)
    Case.objects.filter(pk=single_case.pk).update(eviction_date=None, recovery_deadline=TODAY + dt.timedelta(days=20), urgent=False)
    client = login(client, personas["hyresradgivare"])
    assert case_numbers(client.get(reverse("cases:my_cases"))) == [family_case.number, single_case.number]
    Task.objects.filter(case=single_case, kind=TaskKind.SEND_LETTER).update(due_date=TODAY - dt.timedelta(days=1))
    assert case_numbers(client.get(reverse("cases:my_cases"))) == [single_case.number, family_case.number]


def test_search_by_case_number_name_and_personnummer(client, personas, family_case, single_case):
    client = login(client, personas["hyresradgivare"])
    url = reverse("cases:my_cases")
    assert case_numbers(search(client, url, {"q": family_case.number})) == [family_case.number]
    assert case_numbers(search(client, url, {"q": "ensamsson"})) == [single_case.number]
    assert case_numbers(search(client, url, {"q": "Barn1"})) == [family_case.number]
    pin = factories.pin_for("19860314", 802)  # the single case's tenant
    ten_digits_with_dash = f"{pin[2:8]}-{pin[8:]}"
    assert case_numbers(search(client, url, {"q": ten_digits_with_dash})) == [single_case.number]
    assert case_numbers(search(client, url, {"q": pin})) == [single_case.number]
    # A wrong check digit is not a personnummer, and matches nothing.
    wrong = pin[:-1] + str((int(pin[-1]) + 1) % 10)
    assert case_numbers(search(client, url, {"q": wrong})) == []


def test_sorting_by_case_number(client, personas, family_case, single_case):
    client = login(client, personas["hyresradgivare"])
    ascending = case_numbers(client.get(reverse("cases:my_cases"), {"sort": "number"}))
    descending = case_numbers(client.get(reverse("cases:my_cases"), {"sort": "-number"}))
    assert ascending == sorted(ascending) and descending == list(reversed(ascending))
    # An unknown sort key is ignored, not an error.
    assert client.get(reverse("cases:my_cases"), {"sort": "drop table"}).status_code == 200


def _many_cases(organisation, user, count, start=0):
    for i in range(start, start + count):
        _register(organisation, user, serial=810 + i, surname=f"Fam{i:02d}", street=f"Gatan {i}")


def test_pagination_25_per_page_keeps_filters(client, organisation, personas):
    _many_cases(organisation, personas["hyresradgivare"], 30)
    client = login(client, personas["hyresradgivare"])
    first = client.get(reverse("cases:my_cases"), {"sort": "number"})
    assert len(case_numbers(first)) == 25
    assert "sort=number&amp;page=2" in first.content.decode()
    second = client.get(reverse("cases:my_cases"), {"sort": "number", "page": 2})
    assert len(case_numbers(second)) == 5
    assert not set(case_numbers(first)) & set(case_numbers(second))
    assert client.get(reverse("cases:my_cases"), {"page": "999"}).status_code == 200


def test_a_search_over_several_pages_counts_and_pages_as_the_list_does(client, organisation, personas,
                                                                      django_assert_num_queries):
    """Issue 16: after a search the page and the total come from one query (COUNT(*) OVER ()). 30 households named
    Fam..: 25 and 5 on the two pages, the total on both, a number past the end gives the last page, and a search
    with no match says so; the same number of queries for a page of 25 and a page of 5."""
    _many_cases(organisation, personas["hyresradgivare"], 30)
    client = login(client, personas["hyresradgivare"])
    first = search(client, reverse("cases:overview"), {"q": "Fam", "sort": "number"})
    address = first.wsgi_request.get_full_path()
    assert first.context["page"].paginator.count == 30 and len(case_numbers(first)) == 25
    assert "30 ärenden" in first.content.decode()
    with CaptureQueriesContext(connection) as on_first:
        client.get(address)
    with django_assert_num_queries(len(on_first)):
        second = client.get(address + "&page=2")
    assert second.context["page"].paginator.count == 30 and len(case_numbers(second)) == 5
    assert not set(case_numbers(first)) & set(case_numbers(second))
    assert sorted(case_numbers(first) + case_numbers(second)) == case_numbers(first) + case_numbers(second)
    past = client.get(address + "&page=999")
    assert past.context["page"].number == 2 and case_numbers(past) == case_numbers(second)
    nothing = search(client, reverse("cases:overview"), {"q": "Finnsinte"})
    assert nothing.context["page"].paginator.count == 0 and case_numbers(nothing) == []


# 14 since issue 10 (defect 13): the list writes one SEARCH audit row. 16 since issue 12: "Mina ärenden"
# without a chosen tab asks whether the user has cases of their own (one EXISTS), and each row names its case
# workers (one prefetch of the active assignments with their person). 17 since issue 14 §2: the menu counts the
# landlords' submissions waiting in the queue for a hyresrådgivare (one COUNT, whatever the number of cases).
# 13 since issue 16: the user comes with its organisation and roles in one query, and the session is saved at most
# once a minute (avhysning.middleware.SessionIdleRefreshMiddleware), not on every request (that was 4 on PostgreSQL).
# 12: the user's unit comes with the user (organisation.roles.user_for_request).
LIST_QUERIES = 12


def _count_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_my_cases_query_count_does_not_grow_with_rows(client, organisation, personas, django_assert_num_queries):
    user = personas["hyresradgivare"]
    _many_cases(organisation, user, 3)
    client = login(client, user)
    url = reverse("cases:my_cases")
    client.get(url)  # warm up (session, content types)
    few = _count_list_queries(client, url)
    _many_cases(organisation, user, 27, start=3)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    # Pinned: session, user, roles, own cases?, areas, units, count, rows, members, tasks, assignments, the SEARCH audit row,
    # the queue's count in the menu.
    assert few == LIST_QUERIES


def test_overview_query_count_does_not_grow_with_rows(client, organisation, personas, django_assert_num_queries):
    user = personas["hyresradgivare"]
    _many_cases(organisation, user, 3)
    client = login(client, user)
    url = reverse("cases:overview")
    client.get(url)
    few = _count_list_queries(client, url)
    _many_cases(organisation, user, 27, start=3)
    with django_assert_num_queries(few):
        client.get(url)


def test_overview_for_hyresradgivare_and_chef_not_for_handlaggare(client, organisation, personas, family_case, single_case):
    response = login(client, personas["hyresradgivare"]).get(reverse("cases:overview"))
    assert set(case_numbers(response)) == {family_case.number, single_case.number}
    # The chef of Mottagningsenheten barn och unga sees the department's cases: the family case only.
    response = login(client, personas["chef"]).get(reverse("cases:overview"))
    assert case_numbers(response) == [family_case.number]
    assert login(client, personas["barn"]).get(reverse("cases:overview")).status_code == 403
    assert login(client, personas["admin"]).get(reverse("cases:my_cases")).status_code == 403


def test_case_of_another_organisation_never_shows_and_404s(client, organisation, other_organisation, personas, make_user, family_case):
    outsider = make_user("hr-skarholmen", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    other_case = _register(other_organisation, outsider, serial=803, surname="Annansson")
    client = login(client, personas["hyresradgivare"])
    listed = [c.pk for c in client.get(reverse("cases:overview"), {"status": "alla"}).context["page"].object_list]
    assert other_case.pk not in listed and family_case.pk in listed
    assert case_numbers(search(client, reverse("cases:overview"), {"q": "Annansson", "status": "alla"})) == []
    assert client.get(reverse("cases:detail", args=[other_case.pk])).status_code == 404
    assert client.post(reverse("cases:contact_register", args=[other_case.pk]), {}).status_code == 404
    # and the other way round
    client = login(client, outsider)
    assert [c.pk for c in client.get(reverse("cases:overview")).context["page"].object_list] == [other_case.pk]
    assert client.get(reverse("cases:detail", args=[family_case.pk])).status_code == 404


# --- the case page -----------------------------------------------------------------


def test_case_page_shows_household_timeline_and_is_logged(client, personas, family_case):
    response = login(client, personas["barn"]).get(reverse("cases:detail", args=[family_case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sockenvägen 290" in html
    assert "AB Familjebostäder" in html and "H-1234" in html
    assert "Förstahandskontrakt" in html
    # the routing decision, in words, with its rules
    decision = family_case.decisions.first()
    assert decision.explanation and routing.swedish_sentence(decision.explanation[0]) in html
    assert "R2c" in html
    tenant = family_case.household.members.get(role="TENANT")
    assert tenant.personal_identity_number[:8] + "-XXXX" in html
    assert tenant.personal_identity_number[8:] not in html
    assert AuditEvent.objects.filter(case=family_case, user=personas["barn"], action=AuditAction.CASE_VIEW).count() == 1
    # Every action form carries the version.
    assert f'name="contact-version" value="{family_case.version}"' in html


def test_reveal_personnummer_is_logged_and_shown_once(client, personas, family_case):
    tenant = family_case.household.members.get(role="TENANT")
    client = login(client, personas["barn"])
    url = reverse("cases:reveal_pin", args=[family_case.pk, tenant.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert f"{tenant.personal_identity_number[:8]}-{tenant.personal_identity_number[8:]}" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PIN_REVEAL)
    assert event.case_id == family_case.pk and event.user == personas["barn"] and str(tenant.pk) in event.detail
    again = client.get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    assert tenant.personal_identity_number[8:] not in again
    # A person of another household cannot be revealed through this case.
    other = _register(family_case.organisation, personas["hyresradgivare"], serial=804, surname="Annan", street="Annangatan 2")
    other_person = other.household.members.first()
    assert client.post(reverse("cases:reveal_pin", args=[family_case.pk, other_person.pk])).status_code == 404
    # vuxna cannot see the case at all
    assert login(client, personas["vuxna"]).post(url).status_code == 404


def test_protected_identity_hides_the_address_everywhere(client, organisation, personas):
    case = _register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,), protected=True, serial=805,
                     surname="Skyddsson", street="Hemliga gatan 7")
    client = login(client, personas["barn"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Skyddade personuppgifter" in html
    assert "Hemliga gatan" not in html and "12040" not in html and "1102" not in html
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert "Hemliga gatan" not in listing and "Årsta" not in listing.split("<tbody>")[1]


def test_attachment_download_is_logged_and_guarded(client, personas, family_case):
    notice = family_case.notices.first()
    notice.attachment.save("scan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    client = login(client, personas["barn"])
    html = client.get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    url = reverse("cases:attachment", args=[notice.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, case=family_case).count() == 1
    assert login(client, personas["vuxna"]).get(url).status_code == 404
    assert login(client, personas["barn"]).get(reverse("cases:attachment", args=[notice.pk + 1000])).status_code == 404


# --- actions -------------------------------------------------------------------------


def post_action(client, case, name, data, prefix, *args):
    payload = {f"{prefix}-{k}": v for k, v in data.items()}
    payload.setdefault(f"{prefix}-version", Case.objects.get(pk=case.pk).version)
    return client.post(reverse(f"cases:{name}", args=[case.pk, *args]), payload)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_complete_task_with_note(client, personas, family_case):
    task = Task.objects.get(case=family_case, kind=TaskKind.NOTIFY_CHILD_INTAKE, status=TaskStatus.OPEN)
    # The task is Hyresrådgivningen's: barn's unit may not complete it (issue 12 item 1).
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "task_complete", {"note": "Ringde Mottagningen."}, f"complete-{task.pk}", task.pk)
    assert response.status_code == 302
    assert any("Uppgiften hör till Hyresrådgivningen" in m for m in messages_of(response))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    client = login(client, personas["hyresradgivare"])
    response = post_action(client, family_case, "task_complete", {"note": "Ringde Mottagningen."}, f"complete-{task.pk}", task.pk)
    assert response.status_code == 302
    assert "Uppgiften är markerad som klar." in messages_of(response)
    task.refresh_from_db()
    advisor = personas["hyresradgivare"]
    assert task.status == TaskStatus.DONE and task.completion_note == "Ringde Mottagningen." and task.completed_by == advisor
    # A task of another case cannot be completed through this case.
    assert post_action(client, family_case, "task_complete", {}, "complete-999999", 999999).status_code == 404


def test_complete_task_without_version_is_an_error(client, personas, family_case):
    task = Task.objects.filter(case=family_case, status=TaskStatus.OPEN).first()
    client = login(client, personas["barn"])
    response = client.post(reverse("cases:task_complete", args=[family_case.pk, task.pk]), {f"complete-{task.pk}-note": "x"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_register_established_contact(client, personas, family_case):
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "contact_register",
                           {"date": TODAY.isoformat(), "channel": "PHONE", "established": "on", "note": "Pratade med mamman."}, "contact")
    assert response.status_code == 302
    assert "Kontakten är registrerad." in messages_of(response)
    contact = Contact.objects.get(case=family_case)
    assert contact.established and contact.note == "Pratade med mamman."
    assert Case.objects.get(pk=family_case.pk).contact_established_on == TODAY


def test_register_contact_with_a_future_date_keeps_the_input(client, personas, family_case):
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "contact_register",
                           {"date": (TODAY + dt.timedelta(days=3)).isoformat(), "channel": "PHONE", "note": "Min anteckning"}, "contact")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datumet kan inte ligga i framtiden." in html
    assert "Min anteckning" in html
    assert not Contact.objects.exists()


def test_create_manual_task(client, personas, family_case, units):
    client = login(client, personas["barn"])
    due = (TODAY + dt.timedelta(days=7)).isoformat()
    response = post_action(client, family_case, "task_create",
                           {"title": "Boka möte med skolan", "unit": units["BARN_UNGA"].pk, "due_date": due}, "task")
    assert response.status_code == 302
    task = Task.objects.get(case=family_case, kind=TaskKind.MANUAL)
    assert task.title == "Boka möte med skolan" and task.unit == units["BARN_UNGA"]
    response = post_action(client, family_case, "task_create",
                           {"title": "För sent", "unit": units["BARN_UNGA"].pk, "due_date": "2020-01-01"}, "task")
    assert response.status_code == 400
    assert "Datumet har redan passerat." in response.content.decode()
    assert "För sent" in response.content.decode()


def test_manual_task_with_a_unit_of_another_organisation_is_refused(client, personas, family_case, other_organisation):
    foreign_unit = other_organisation.units.get(code="BARN_UNGA")
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "task_create",
                           {"title": "X", "unit": foreign_unit.pk, "due_date": TODAY.isoformat()}, "task")
    assert response.status_code == 400
    assert not Task.objects.filter(kind=TaskKind.MANUAL).exists()


def test_reassign_lead_records_a_deviation(client, personas, family_case, units):
    client = login(client, personas["hyresradgivare"])
    response = post_action(client, family_case, "assignment_change",
                           {"unit": units["BARN_UNGA"].pk, "role": "LEAD", "reason": "Familjen är känd sedan tidigare."}, "assignment")
    assert response.status_code == 302
    case = Case.objects.get(pk=family_case.pk)
    assert case.lead_unit == units["BARN_UNGA"]
    assert Deviation.objects.filter(case=case, kind=DeviationKind.ROUTING_OVERRIDE).count() == 1
    assert Assignment.objects.filter(case=case, unit=units["BARN_UNGA"], role="LEAD", ended_at__isnull=True).exists()
    response = post_action(client, family_case, "assignment_change", {"unit": units["VUXNA"].pk, "role": "ASSIGNED", "reason": ""},
                           "assignment")
    assert response.status_code == 400
    assert not Assignment.objects.filter(case=case, unit=units["VUXNA"]).exists()


def test_consult_tenancy_advisor_creates_a_task_for_hyresradgivningen(client, personas, family_case, units):
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "consult", {"question": "Kan hyresvärden tänka sig en avbetalningsplan?"}, "consult")
    assert response.status_code == 302
    task = Task.objects.get(case=family_case, kind=TaskKind.CONSULT_TENANCY_ADVISOR)
    assert task.unit == units["HYRESRADGIVNING"] and task.rules == ["R1b"]
    assert post_action(client, family_case, "consult", {"question": ""}, "consult").status_code == 400


def test_record_consent(client, personas, family_case):
    client = login(client, personas["barn"])
    response = post_action(client, family_case, "consent_record", {"recipient": "LANDLORD", "given_on": TODAY.isoformat()}, "consent")
    assert response.status_code == 302
    assert Consent.objects.get(case=family_case).recipient == "LANDLORD"
    assert post_action(client, family_case, "consent_record", {"recipient": "NOBODY", "given_on": TODAY.isoformat()},
                       "consent").status_code == 400
    assert Consent.objects.count() == 1


def test_close_and_reopen(client, personas, family_case):
    client = login(client, personas["hyresradgivare"])
    assert post_action(client, family_case, "case_close", {"outcome": ""}, "close").status_code == 400
    # Closing asks first (issue 12): the confirmation page lists the open tasks and closes nothing yet.
    response = post_action(client, family_case, "case_close", {"outcome": "PREVENTED_PAID", "note": "Betalt."}, "close")
    assert response.status_code == 200 and "Ja, avsluta ärendet" in response.content.decode()
    assert Case.objects.get(pk=family_case.pk).status == CaseStatus.OPEN
    response = post_action(client, family_case, "case_close", {"outcome": "PREVENTED_PAID", "note": "Betalt.", "confirmed": "yes"},
                           "close")
    assert response.status_code == 302 and "Ärendet är avslutat." in messages_of(response)
    case = Case.objects.get(pk=family_case.pk)
    assert case.status == CaseStatus.CLOSED and case.outcome == "PREVENTED_PAID"
    assert not case.tasks.filter(status=TaskStatus.OPEN).exists()
    # A closed case offers reopening only; other actions are refused with a message.
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_reopen", args=[case.pk]) in html
    assert reverse("cases:contact_register", args=[case.pk]) not in html
    response = post_action(client, case, "contact_register", {"date": TODAY.isoformat(), "channel": "PHONE"}, "contact")
    assert response.status_code == 302 and not Contact.objects.exists()
    assert post_action(client, case, "case_reopen", {"reason": ""}, "reopen").status_code == 400
    response = post_action(client, case, "case_reopen", {"reason": "Ny skuld."}, "reopen")
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_concurrent_change_shows_a_conflict_and_keeps_the_input(client, personas, family_case):
    client = login(client, personas["barn"])
    stale_version = Case.objects.get(pk=family_case.pk).version
    # Someone else saves in between.
    other = login(type(client)(), personas["hyresradgivare"])
    saved = post_action(other, family_case, "consent_record", {"recipient": "LANDLORD", "given_on": TODAY.isoformat()}, "consent")
    assert saved.status_code == 302
    response = post_action(client, family_case, "contact_register",
                           {"date": TODAY.isoformat(), "channel": "PHONE", "note": "Min viktiga anteckning", "version": stale_version},
                           "contact")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Någon annan har ändrat ärendet" in html
    assert "Min viktiga anteckning" in html
    assert not Contact.objects.exists()
    # The kept form now carries the current version: saving again works.
    current = Case.objects.get(pk=family_case.pk).version
    assert re.search(rf'name="contact-version" value="{current}"', html)
    response = post_action(client, family_case, "contact_register",
                           {"date": TODAY.isoformat(), "channel": "PHONE", "note": "Min viktiga anteckning", "version": current}, "contact")
    assert response.status_code == 302
    assert Contact.objects.get().note == "Min viktiga anteckning"


def test_additive_actions_check_the_version_too(client, personas, family_case):
    client = login(client, personas["barn"])
    stale = Case.objects.get(pk=family_case.pk).version - 1
    response = post_action(client, family_case, "consult", {"question": "Fråga", "version": stale}, "consult")
    assert response.status_code == 409
    assert not Task.objects.filter(kind=TaskKind.CONSULT_TENANCY_ADVISOR).exists()


def test_read_only_after_the_assignment_ended(client, personas, family_case):
    Assignment.objects.filter(case=family_case, unit=personas["barn"].unit).update(ended_at=timezone.now(), end_reason="Test")
    client = login(client, personas["barn"])
    response = client.get(reverse("cases:detail", args=[family_case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "läsbehörighet" in html
    assert reverse("cases:contact_register", args=[family_case.pk]) not in html
    assert "Markera som klar" not in html
    response = post_action(client, family_case, "contact_register", {"date": TODAY.isoformat(), "channel": "PHONE"}, "contact")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.CASE_VIEW_DENIED, user=personas["barn"], case=family_case).exists()
    # After 30 days the case is gone from the unit.
    Assignment.objects.filter(case=family_case, unit=personas["barn"].unit).update(
        created_at=timezone.now() - dt.timedelta(days=60), ended_at=timezone.now() - dt.timedelta(days=31))
    assert client.get(reverse("cases:detail", args=[family_case.pk])).status_code == 404


def test_household_designation_in_list_is_surname_and_initials(client, organisation, personas):
    household = household_data(serial=806, surname="Långnamn", street="Gatan 9")
    household.members[0].name = "Anna Maria Långnamn"
    case = register(organisation, personas["hyresradgivare"], notice=notice_data(received=RECEIVED, served=RECEIVED),
                    household=household, today=TODAY).case
    html = login(client, personas["hyresradgivare"]).get(reverse("cases:my_cases")).content.decode()
    assert "Långnamn A. M." in html and "Anna Maria" not in html
    assert case.number in html


def test_case_timeline_shows_bosam_discussion_and_decided_activities(client, organisation, personas):
    from bosam import services as bosam_services
    from tests.test_bosam_scenario import make_series

    # Received before the meeting of 1 December, whatever the real today (a notice of today's date-2 fell after it).
    family_case = _register(organisation, personas["hyresradgivare"], children=(CHILD_BIRTH,),
                            notice=notice_data(received="2026-11-25", served="2026-11-24"))

    make_series(organisation)
    bosam_services.plan_meetings(today=dt.date(2026, 11, 16), organisation=organisation)
    meeting = organisation.meetings.get(date=dt.date(2026, 12, 1))
    bosam_services.agenda_prepare(meeting=meeting, today=dt.date(2026, 11, 27))
    item = meeting.items.get(case=family_case)
    chair = personas["ordforande"]
    bosam_services.item_note_save(item=item, user=chair, note="Familjen har fått tid hos budgetrådgivningen.")
    bosam_services.activity_create(item=item, user=chair, what="Följ upp avbetalningsplanen",
                                   unit=organisation.units.get(code="MOTTAGNING_BARN_UNGA"), due_date=dt.date(2026, 12, 8))

    html = login(client, personas["barn"]).get(reverse("cases:detail", args=[family_case.pk])).content.decode()
    assert "BOSAM 2026-12-01" in html
    assert "Familjen har fått tid hos budgetrådgivningen." in html
    assert "Beslutad aktivitet: Följ upp avbetalningsplanen – Mottagningsenheten barn och unga, senast 2026-12-08" in html
