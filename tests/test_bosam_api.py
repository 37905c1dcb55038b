"""The stable addresses under /api/v1/meetings/: shapes, the PDF, access and the audit log."""

import pytest
from django.test import Client

from cases.models import AuditAction, AuditEvent
from tests.test_bosam_scenario import build_scenario


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_meeting_list_shape(scenario, personas):
    response = client_for(personas["barn"]).get("/api/v1/meetings/?from=2026-11-17")
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list)
    assert data[0] == {"id": scenario.first.pk, "date": "2026-11-17", "time": "09:00", "status": "CLOSED", "agenda_ready": True}
    assert data[1] == {"id": scenario.meeting.pk, "date": "2026-12-01", "time": "09:00", "status": "PLANNED", "agenda_ready": True}
    assert data[2]["agenda_ready"] is False
    assert [m["date"] for m in client_for(personas["barn"]).get("/api/v1/meetings/?from=2026-12-02").json()][:1] == ["2026-12-15"]


def test_meeting_list_rejects_a_bad_date(scenario, personas):
    response = client_for(personas["ordforande"]).get("/api/v1/meetings/?from=1-12-2026")
    assert response.status_code == 400
    assert "ÅÅÅÅ-MM-DD" in response.json()["from"][0]


def test_meeting_detail_shape(scenario, personas):
    response = client_for(personas["ordforande"]).get(f"/api/v1/meetings/{scenario.first.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert {"id", "date", "time", "status", "agenda_ready", "items", "activities"} <= set(data)
    item = data["items"][0]
    assert {"case", "section", "urgent", "children_count"} <= set(item)
    assert {i["case"] for i in data["items"]} == {scenario.cases["D"].pk, scenario.cases["E"].pk}
    activity = data["activities"][0]
    assert (activity["case"], activity["unit"], activity["status"], activity["due_date"]) == (
        scenario.cases["D"].pk, "EKONOMISKT_BISTAND", "OPEN", "2026-11-24")
    text = response.content.decode()
    assert "Sockenvägen" not in text and "Bandhagen" not in text
    assert AuditEvent.objects.filter(user=personas["ordforande"], action=AuditAction.AGENDA_VIEW).exists()


def test_agenda_pdf(scenario, personas):
    response = client_for(personas["hyresradgivare"]).get(f"/api/v1/meetings/{scenario.meeting.pk}/agenda.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="bosam-dagordning-2026-12-01.pdf"' in response["Content-Disposition"]
    event = AuditEvent.objects.filter(user=personas["hyresradgivare"], action=AuditAction.AGENDA_VIEW).first()
    assert event is not None and "pdf" in event.detail
    # Minutes only once closed.
    assert client_for(personas["ordforande"]).get(f"/api/v1/meetings/{scenario.meeting.pk}/minutes.pdf").status_code == 404
    assert client_for(personas["ordforande"]).get(f"/api/v1/meetings/{scenario.first.pk}/minutes.pdf").status_code == 200


@pytest.mark.parametrize("persona", ["ordforande", "hyresradgivare", "barn", "chef"])
def test_participants_may_read(scenario, personas, persona):
    assert client_for(personas[persona]).get(f"/api/v1/meetings/{scenario.meeting.pk}/").status_code == 200


def test_others_may_not(scenario, personas, make_user, other_organisation):
    url = f"/api/v1/meetings/{scenario.meeting.pk}/"
    assert client_for(personas["admin"]).get(url).status_code == 404
    assert client_for(personas["admin"]).get("/api/v1/meetings/").json() == []
    outsider = make_user("skarholmen-ordf", "bosam_ordforande", "HYRESRADGIVNING", org=other_organisation)
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).get(url + "agenda.pdf").status_code == 404
    assert client_for(outsider).get("/api/v1/meetings/?from=2026-01-01").json() == []
    assert Client().get(url).status_code in (401, 403)
    assert Client().get(url + "agenda.pdf").status_code in (401, 403)
