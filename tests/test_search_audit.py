"""Issue 10, defect 13 and issue 15 §7: searches and case lists write a SEARCH audit row
with the kind of query and the number of hits, never the searched personnummer; the
households listed by the intake search are no longer logged as case views."""

import pytest
from django.urls import reverse

from cases.models import AuditAction, AuditEvent
from tests.factories import pin_for, register
from tests.test_intake import SEARCH_URL

pytestmark = pytest.mark.django_db

PIN = pin_for("19860314", 801)


@pytest.fixture
def case(organisation, personas):
    return register(organisation, personas["hyresradgivare"]).case


def searches():
    return list(AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("id"))


@pytest.mark.parametrize(
    ("query", "kinds"), [(PIN, "personnummer"), (PIN[2:8] + "-" + PIN[8:], "personnummer"), ("Testsson", "namn/adress")]
)
def test_the_intake_search_writes_one_search_event(client, personas, case, query, kinds):
    client.force_login(personas["hyresradgivare"])
    assert client.post(SEARCH_URL, {"q": query}).status_code == 200
    [event] = searches()
    assert event.detail == f"intake: {kinds}, 1 träffar"
    assert event.case is None and event.organisation_id == case.organisation_id
    assert PIN not in event.detail and PIN[2:] not in event.detail and PIN[8:] not in event.detail
    # Listing the household is no longer a case view.
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_VIEW, case=case).exists()


@pytest.mark.parametrize("url_name", ["cases:overview", "cases:my_cases"])
def test_case_lists_write_a_search_row(client, personas, case, url_name):
    """Defect 13: case lists and the overview search wrote no audit row."""
    client.force_login(personas["hyresradgivare"])
    client.get(reverse(url_name))
    # The search is a POST (issue 12 item 2): the text goes to the session, the address carries an opaque id.
    for data in ({"q": PIN}, {"q": "Testsson", "area": "Årsta"}):
        response = client.post(reverse(url_name), data)
        assert response.status_code == 302 and "q=" not in response["Location"] and PIN[8:] not in response["Location"]
        client.get(response["Location"])
    first, by_pin, by_name = searches()
    assert ": lista, 1 träffar (status=OPEN" in first.detail
    assert ": personnummer, 1 träffar" in by_pin.detail and PIN not in by_pin.detail and PIN[8:] not in by_pin.detail
    assert ": ärendenummer/namn, 1 träffar (status=OPEN, area=Årsta" in by_name.detail
    assert "Testsson" not in by_name.detail
