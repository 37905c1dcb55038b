"""The audit log: append-only (ORM and admin), written on every read and change, and the chef's monthly review."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.audit import audit_log
from cases.models import AuditAction, AuditEvent, Landlord
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=15)


@pytest.fixture
def family_case(organisation, personas):
    received = (TODAY - dt.timedelta(days=2)).isoformat()
    return register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received=received, served=received), today=TODAY).case


def event_at(when: dt.date, **kwargs) -> AuditEvent:
    """An event written through audit_log, on a given day (the log's own time stamp is `at`)."""
    event = audit_log(**kwargs)
    # Moving an event in time needs the raw table: the model refuses updates, which is the point.
    from django.db import connection

    moment = timezone.make_aware(dt.datetime.combine(when, dt.time(10, 0)))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET at = %s WHERE id = %s", [moment, event.pk])  # noqa: S608
    return AuditEvent.objects.get(pk=event.pk)


# --- append-only -----------------------------------------------------------------


def test_the_orm_cannot_change_or_delete_an_event(personas, family_case):
    event = AuditEvent.objects.filter(case=family_case).first()
    event.detail = "ändrad"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="ändrad")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["detail"])
    assert AuditEvent.objects.get(pk=event.pk).detail != "ändrad"


def test_the_admin_shows_the_log_read_only_to_superusers_only(client, django_user_model, personas, family_case):
    event = AuditEvent.objects.filter(case=family_case).first()
    changelist = reverse("admin:cases_auditevent_changelist")
    change = reverse("admin:cases_auditevent_change", args=[event.pk])
    delete = reverse("admin:cases_auditevent_delete", args=[event.pk])

    client.force_login(personas["admin"])  # systemadministratör: staff, not superuser
    assert client.get(changelist).status_code == 403
    assert client.get(change).status_code == 403

    root = django_user_model.objects.create_superuser("root", "root@example.se", "test-password-123")
    client.force_login(root)
    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    before = AuditEvent.objects.count()
    assert client.post(change, {"detail": "ändrad", "action": "CASE_VIEW"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:cases_auditevent_add")).status_code == 403
    # No bulk "delete selected" action either.
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
    assert AuditEvent.objects.count() == before
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).detail == event.detail


def test_the_system_administrator_manages_landlords_of_their_own_organisation_only(client, personas, family_case, other_organisation):
    Landlord.objects.create(organisation=other_organisation, name="Annans AB", org_number="556677-8899")
    client.force_login(personas["admin"])
    response = client.get(reverse("admin:cases_landlord_changelist"))
    assert response.status_code == 200
    assert "AB Familjebostäder" in response.content.decode()
    assert "Annans AB" not in response.content.decode()
    # No case contents in the admin.
    assert client.get("/admin/cases/case/").status_code == 404
    assert client.get("/admin/cases/person/").status_code == 404


# --- what is logged -----------------------------------------------------------------


def test_reads_and_changes_are_logged_with_address(client, personas, family_case):
    client.force_login(personas["barn"])
    client.get(reverse("cases:detail", args=[family_case.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditAction.CASE_VIEW)
    assert (event.user, event.case, event.ip_address, event.user_unit) == (personas["barn"], family_case, "10.1.2.3", personas["barn"].unit)
    assert event.without_assignment is False
    client.force_login(personas["hyresradgivare"])
    client.post(reverse("cases:consent_record", args=[family_case.pk]),
                {"consent-version": family_case.version, "consent-recipient": "LANDLORD", "consent-given_on": TODAY.isoformat()})
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_RECORD, case=family_case, user=personas["hyresradgivare"]).exists()


def test_denied_attempts_are_logged(client, personas, family_case):
    client.force_login(personas["vuxna"])
    assert client.get(reverse("cases:detail", args=[family_case.pk])).status_code == 404
    event = AuditEvent.objects.get(action=AuditAction.CASE_VIEW_DENIED)
    assert event.user == personas["vuxna"] and event.case == family_case and event.without_assignment


# --- logguppföljning -------------------------------------------------------------------


@pytest.fixture
def month_of_events(personas, family_case, organisation, other_organisation, make_user):
    barn, vuxna, hr = personas["barn"], personas["vuxna"], personas["hyresradgivare"]
    outsider = make_user("annan", "handlaggare", "VUXNA", org=other_organisation)
    return {
        "view": event_at(LAST_MONTH, user=barn, action=AuditAction.CASE_VIEW, case=family_case),
        "reveal": event_at(LAST_MONTH, user=barn, action=AuditAction.PIN_REVEAL, case=family_case, detail="person_id=1"),
        "denied": event_at(LAST_MONTH, user=vuxna, action=AuditAction.CASE_VIEW_DENIED, case=family_case, without_assignment=True),
        "unassigned": event_at(LAST_MONTH, user=hr, action=AuditAction.CASE_VIEW, case=family_case, without_assignment=True),
        "export": event_at(LAST_MONTH, user=hr, action=AuditAction.EXPORT, organisation=organisation, detail="statistik"),
        "this_month": event_at(TODAY, user=barn, action=AuditAction.CASE_VIEW, case=family_case),
        "other_org": event_at(LAST_MONTH, user=outsider, action=AuditAction.CASE_VIEW, organisation=other_organisation),
    }


def listed(response) -> set[int]:
    return {e.pk for e in response.context["page"].object_list}


def test_review_defaults_to_the_previous_month_and_stays_in_the_organisation(client, personas, month_of_events):
    client.force_login(personas["chef"])
    response = client.get(reverse("cases:audit_review"))
    assert response.status_code == 200
    ids = listed(response)
    e = month_of_events
    assert {e["view"].pk, e["reveal"].pk, e["denied"].pk, e["unassigned"].pk, e["export"].pk} <= ids
    assert e["this_month"].pk not in ids and e["other_org"].pk not in ids
    summary = response.context["summary"]
    assert summary["reveals"] == 1 and summary["exports"] == 1 and summary["denied"] == 1 and summary["without_assignment"] == 2


def test_review_highlights_and_filters(client, personas, units, month_of_events):
    e = month_of_events
    client.force_login(personas["chef"])
    month = LAST_MONTH.strftime("%Y-%m")
    response = client.get(reverse("cases:audit_review"), {"month": month, "highlighted": "on"})
    assert listed(response) == {e["reveal"].pk, e["denied"].pk, e["unassigned"].pk, e["export"].pk}
    html = response.content.decode()
    assert html.count("audit-highlight") == 4
    assert "Utan tilldelning" in html and "Nekad" in html
    assert listed(client.get(reverse("cases:audit_review"), {"month": month, "user": personas["vuxna"].pk})) == {e["denied"].pk}
    assert listed(client.get(reverse("cases:audit_review"), {"month": month, "unit": units["MOTTAGNING_BARN_UNGA"].pk})) == {
        e["view"].pk, e["reveal"].pk}
    assert listed(client.get(reverse("cases:audit_review"), {"month": month, "action": "PIN_REVEAL"})) == {e["reveal"].pk}
    assert listed(client.get(reverse("cases:audit_review"), {"month": TODAY.strftime("%Y-%m")})) >= {e["this_month"].pk}


def test_review_is_paginated(client, personas, family_case):
    for _ in range(55):
        event_at(LAST_MONTH, user=personas["barn"], action=AuditAction.CASE_VIEW, case=family_case)
    client.force_login(personas["chef"])
    assert len(client.get(reverse("cases:audit_review")).context["page"].object_list) == 50
    assert len(client.get(reverse("cases:audit_review"), {"page": 2}).context["page"].object_list) == 5


def test_printable_review_has_a_print_stylesheet_and_is_logged_as_export(client, personas, month_of_events):
    client.force_login(personas["chef"])
    response = client.get(reverse("cases:audit_review_print"), {"month": LAST_MONTH.strftime("%Y-%m")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "css/audit_print.css" in html
    assert "<nav" not in html  # no menu on paper
    assert html.count("audit-highlight") == 4
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=personas["chef"], detail__contains="logguppföljning").exists()
    from django.contrib.staticfiles import finders

    with open(finders.find("css/audit_print.css"), encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_only_chefs_review_the_log(client, personas):
    for persona in ("hyresradgivare", "barn", "ordforande", "admin"):
        client.force_login(personas[persona])
        assert client.get(reverse("cases:audit_review")).status_code == 403
        assert client.get(reverse("cases:audit_review_print")).status_code == 403
