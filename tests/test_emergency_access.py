"""Emergency access, "break the glass" (issue 15 §4): socialjouren takes time-limited access to one case with a
reason; the grant is logged with its own action, the head of the lead unit is e-mailed (no personal data), the
monthly log review lists it first, it expires on time, and it never crosses organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.access import can_write, case_get_for_user, visible_cases
from cases.models import AuditAction, AuditEvent, EmergencyAccess
from cases.services.emergency import emergency_access_grant
from organisation.roles import sync_role_permissions
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def jour(make_user):
    sync_role_permissions()
    return make_user("jour", "socialjour", None, email="jour@example.se")


@pytest.fixture
def family(organisation, personas):
    personas["chef"].email = "chef@example.se"
    personas["chef"].save()
    return register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received="2026-11-20", served="2026-11-19")).case


def test_jour_is_refused_until_it_takes_emergency_access_then_reads_and_is_logged(celery_worker_inline, client, jour, family, personas,
                                                                                   django_capture_on_commit_callbacks):
    client.force_login(jour)
    # The refused case page sends a user with the permission to the emergency access form, the case named.
    response = client.get(reverse("cases:detail", args=[family.pk]))
    assert response.status_code == 302 and response["Location"] == f"{reverse('cases:emergency_access')}?arende={family.pk}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and family.number in page.content.decode()

    # No reason: the form comes back with a Swedish error, nothing granted.
    response = client.post(reverse("cases:emergency_access"), {"arende": family.pk, "case_ref": family.number, "reason": ""})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert not EmergencyAccess.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:emergency_access"), {
            "arende": family.pk, "case_ref": family.number, "reason": "Polisen ringde kl. 02, barnen behöver akut boende."})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[family.pk])
    assert client.get(response["Location"]).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.EMERGENCY_ACCESS)
    assert event.case == family and event.user == jour and "barnen behöver akut boende" in event.detail
    assert event.without_assignment
    access = EmergencyAccess.objects.get()
    assert access.expires_at - access.granted_at == dt.timedelta(hours=4) and not access.write

    # The head of the lead unit is told at once: the case number and an absolute link, no personal data.
    assert [m.to for m in mail.outbox] == [["chef@example.se"]]
    message = mail.outbox[0]
    assert family.number in message.subject
    assert "http://" in message.body and "/arenden/logguppfoljning/" in message.body
    member = family.household.members.first()
    for secret in (member.name, member.personal_identity_number, family.household.street_address, "akut boende", "jour"):
        assert secret not in message.body and secret not in message.subject

    # Read only: writing is still refused.
    assert client.post(reverse("cases:contact_register", args=[family.pk]), {}).status_code == 404


def test_write_access_when_asked_and_lookup_by_personnummer(client, jour, family):
    client.force_login(jour)
    pin = family.household.members.first().personal_identity_number
    response = client.post(reverse("cases:emergency_access"), {
        "case_ref": f"{pin[:8]}-{pin[8:]}", "reason": "Hushållet är på socialjouren nu.", "write": "on"})
    assert response.status_code == 302
    assert can_write(jour, family)
    assert client.post(reverse("cases:contact_register", args=[family.pk]), {}).status_code == 400  # the form, not 404


def test_unknown_reference_is_a_form_error_and_logged_without_the_reference(client, jour, family):
    client.force_login(jour)
    response = client.post(reverse("cases:emergency_access"), {"case_ref": "2026-9999", "reason": "Akut ärende i natt."})
    assert response.status_code == 400 and "Inget ärende hittades" in response.content.decode()
    denied = AuditEvent.objects.get(action=AuditAction.CASE_VIEW_DENIED)
    assert "2026-9999" not in denied.detail


def test_expires_on_time(jour, family):
    granted = timezone.now() - dt.timedelta(hours=1)
    access = emergency_access_grant(user=jour, case=family, reason="Akut i natt, polisen på plats.", write=True, now=granted)
    assert case_get_for_user(jour, family.pk, now=granted + dt.timedelta(hours=3, minutes=59)) == family
    assert can_write(jour, family, now=granted + dt.timedelta(hours=3, minutes=59))
    expired = access.expires_at
    with pytest.raises(Http404):
        case_get_for_user(jour, family.pk, now=expired)
    assert not visible_cases(jour, now=expired).exists()
    assert not can_write(jour, family, now=expired)
    # At the present (one hour after the grant) it is still open; with the clock past it, not.
    assert visible_cases(jour).filter(pk=family.pk).exists()


def test_never_across_organisations(client, jour, family, other_organisation, make_user, organisation, personas):
    other_jour = make_user("jour2", "socialjour", None, org=other_organisation)
    with pytest.raises(PermissionDenied):
        emergency_access_grant(user=other_jour, case=family, reason="Fel organisation, borde nekas.")
    client.force_login(other_jour)
    assert client.get(reverse("cases:detail", args=[family.pk])).status_code == 404
    assert client.get(reverse("cases:emergency_access") + f"?arende={family.pk}").status_code == 404
    response = client.post(reverse("cases:emergency_access"), {"case_ref": family.number, "reason": "Försök över gränsen."})
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()


def test_without_the_permission_there_is_no_emergency_access(client, family, personas):
    client.force_login(personas["vuxna"])
    assert client.get(reverse("cases:emergency_access")).status_code == 403
    assert client.post(reverse("cases:emergency_access"), {"case_ref": family.number, "reason": "x" * 20}).status_code == 403
    assert client.get(reverse("cases:detail", args=[family.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        emergency_access_grant(user=personas["vuxna"], case=family, reason="Ingen behörighet här.")


def test_log_review_lists_emergency_access_first_with_reason(client, jour, family, personas):
    emergency_access_grant(user=jour, case=family, reason="Socialjouren: akut placering av barnen.")
    client.force_login(personas["chef"])
    month = timezone.localdate().strftime("%Y-%m")
    # Even filtered to another action, the emergency accesses are listed, before the events.
    html = client.get(reverse("cases:audit_review"), {"month": month, "action": AuditAction.PIN_REVEAL}).content.decode()
    section = html.index('id="emergency-heading"')
    assert "Socialjouren: akut placering av barnen." in html[section:]
    assert section < html.index("Händelser totalt")
    printed = client.get(reverse("cases:audit_review_print"), {"month": month}).content.decode()
    assert "Socialjouren: akut placering av barnen." in printed


def test_the_jour_role_lands_on_the_form_and_sees_it_in_the_menu(client, jour):
    client.force_login(jour)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("cases:emergency_access")
    page = client.get(reverse("cases:emergency_access")).content.decode()
    assert 'aria-current="page">Nödåtkomst' in page
    assert "jour" not in Client().get(reverse("cases:emergency_access")).get("Location", "jour-absent")


def test_jour_reads_no_case_through_any_url_without_emergency_access(jour, organisation, personas):
    """The URL walk of tests/test_access_matrix.py as socialjouren: every URL naming the family case answers no
    content (the case page only redirects to the emergency access form)."""
    from tests.test_access_matrix import all_routes, points_at_family_case, url_for

    family = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                      notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    data = {"family": family, "person": family.household.members.first(), "task": family.tasks.first(),
            "notice": family.notices.first(), "deviation": None, "barn": personas["barn"],
            "assignment": family.assignments.filter(ended_at__isnull=True).first()}
    client = Client()
    client.force_login(jour)
    leaks = []
    for route in (r for r in all_routes() if points_at_family_case(r)):
        url = url_for(route, data)
        for method in ("GET", "POST"):
            response = client.post(url, {}) if method == "POST" else client.get(url)
            redirect_to_form = response.status_code == 302 and response["Location"].startswith(reverse("cases:emergency_access"))
            if (200 <= response.status_code < 400 and not redirect_to_form) or response.status_code >= 500:
                leaks.append(f"{method} {route.name} {url}: {response.status_code}")
    assert not leaks, "\n".join(leaks)
