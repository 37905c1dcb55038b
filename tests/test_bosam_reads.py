"""Issue 10, defect 8: who may read which BOSAM agenda entry (docs/bosam-access.md), and
every agenda read logged against each item's case."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.access import visible_cases
from cases.models import AuditAction, AuditEvent
from tests.test_bosam_scenario import build_scenario


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_department_outside_the_series_sees_no_meeting(scenario, personas):
    """Defect 8: every handläggare opened every meeting, also of series their department is not part of."""
    scenario.meeting.series.departments.remove(personas["aldre"].unit.department)
    client = client_for(personas["aldre"])
    assert client.get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk])).status_code == 404
    assert scenario.meeting.date.isoformat() not in client.get(reverse("bosam:meeting_list")).content.decode()
    assert client.get(f"/api/v1/bosam/meetings/{scenario.meeting.pk}/").status_code in (403, 404)
    # A department of the series still does.
    assert client_for(personas["barn"]).get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk])).status_code == 200


def test_an_agenda_item_of_a_case_the_user_cannot_open_is_404(scenario, personas):
    """Defect 8: the agenda item page opened for cases the user could not open."""
    user = personas["aldre"]
    hidden = next(i for i in scenario.meeting.items.all() if not visible_cases(user).filter(pk=i.case_id).exists())
    url = reverse("bosam:item_detail", args=[scenario.meeting.pk, hidden.pk])
    assert client_for(user).get(url).status_code == 404
    assert client_for(personas["ordforande"]).get(url).status_code == 200
    assert client_for(personas["hyresradgivare"]).get(url).status_code == 200


def test_each_agenda_read_is_logged_against_every_items_case(scenario, personas):
    """Defect 8: reads of an agenda were logged without the case, so the case's trail missed them."""
    client_for(personas["barn"]).get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk]))
    items = list(scenario.meeting.items.filter(removed_at__isnull=True))
    assert items
    events = AuditEvent.objects.filter(action=AuditAction.AGENDA_VIEW, user=personas["barn"])
    assert sorted(events.values_list("case_id", flat=True)) == sorted(i.case_id for i in items)
