"""The deviations register (issue 13): the handling workflow and its history, who sees which deviations,
manual registration, bulk handling, and the API with its field errors."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cases import services as case_services
from cases.models import AuditAction, AuditEvent, Deviation, DeviationEvent, DeviationStatus
from followup import services
from followup.access import visible_deviations
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(organisation, personas):
    hr = personas["hyresradgivare"]
    family = register(organisation, hr, children=("2018-03-01",), notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    single = register(organisation, hr, serial=802, surname="Ensamsson", street="Ensamvägen 1",
                      notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    return {"family": family, "single": single}


@pytest.fixture
def deviations(organisation, personas, cases):
    hr = personas["hyresradgivare"]
    return {
        "family": services.deviation_register(organisation=organisation, user=hr, case=cases["family"], description="Brevet gick sent."),
        "single": services.deviation_register(organisation=organisation, user=personas["vuxna"], case=cases["single"],
                                              description="Ingen ringde."),
    }


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_handling_workflow_keeps_who_when_and_history(deviations, personas):
    deviation = deviations["family"]
    chef = personas["chef"]
    assert deviation.status == DeviationStatus.NEW
    services.deviation_handle(deviation=deviation, user=chef, status=DeviationStatus.UNDER_REVIEW, comment="Vi tittar på det.")
    services.deviation_handle(deviation=deviation, user=chef, status=DeviationStatus.HANDLED, comment="Rutinen är uppdaterad.")
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.HANDLED
    assert deviation.status_changed_by == chef and deviation.status_changed_at is not None
    steps = list(DeviationEvent.objects.filter(deviation=deviation).values_list("from_status", "to_status", "comment", "user"))
    assert steps == [("NEW", "UNDER_REVIEW", "Vi tittar på det.", chef.pk), ("UNDER_REVIEW", "HANDLED", "Rutinen är uppdaterad.", chef.pk)]
    assert AuditEvent.objects.filter(case=deviation.case, action=AuditAction.DEVIATION_HANDLE).count() == 2
    # Closed is closed: a handled deviation cannot be reopened or dismissed.
    with pytest.raises(ValidationError) as exc:
        services.deviation_handle(deviation=deviation, user=chef, status=DeviationStatus.DISMISSED, comment="Nej")
    assert "status" in exc.value.message_dict


def test_closing_needs_a_comment(deviations, personas):
    with pytest.raises(ValidationError) as exc:
        services.deviation_handle(deviation=deviations["family"], user=personas["chef"], status=DeviationStatus.DISMISSED, comment=" ")
    assert "comment" in exc.value.message_dict
    assert Deviation.objects.get(pk=deviations["family"].pk).status == DeviationStatus.NEW


def test_existing_deviations_are_new(organisation, cases):
    case_services.deviation_raise_once(organisation=organisation, kind="BOSAM_ABSENCE", key="k", description="Frånvaro.")
    assert Deviation.objects.get(dedupe_key="k").status == DeviationStatus.NEW


def test_who_sees_which_deviations(deviations, personas, other_organisation, make_user):
    family, single = deviations["family"].pk, deviations["single"].pk

    def seen(name):
        return set(visible_deviations(personas[name]).values_list("pk", flat=True))

    assert seen("styrgrupp") == {family, single}
    assert seen("chef") == {family}  # IFO barn och unga: the family case is routed there; the single case is not
    assert seen("barn") == {family}
    assert seen("vuxna") == {single}  # registered by someone in the unit
    assert seen("hyresradgivare") >= {family}
    assert seen("stad") == set() and seen("admin") == set() and seen("ordforande") == set()
    outsider = make_user("skarholmen-styr", "styrgrupp", None, org=other_organisation)
    assert set(visible_deviations(outsider).values_list("pk", flat=True)) == set()


def test_register_lists_filters_and_counts(deviations, personas):
    client = client_for(personas["chef"])
    response = client.get("/avvikelser/")
    html = response.content.decode()
    assert response.status_code == 200
    assert deviations["family"].case.number in html and deviations["single"].case.number not in html
    response = client.get("/avvikelser/?status=HANDLED")
    assert response.context["total"] == 0
    response = client.get("/avvikelser/?kind=MANUAL&children=yes&sort=case")
    assert response.context["total"] == 1
    assert dict((code, n) for code, _label, n in response.context["counts"])["MANUAL"] == 1
    # A bad filter does not 500: the form shows its error and the list is unfiltered.
    assert client.get("/avvikelser/?date_from=nej&sort=x").status_code == 200


def test_styrgrupp_sees_the_register_without_case_contents(deviations, personas):
    html = client_for(personas["styrgrupp"]).get("/avvikelser/").content.decode()
    assert deviations["single"].case.number in html
    assert "Ingen ringde." not in html  # free text written by a person is case content
    assert f'href="/arenden/{deviations["single"].case.pk}/"' not in html


def test_bulk_handling_with_one_comment(organisation, deviations, personas):
    chef = personas["chef"]
    extra = services.deviation_register(organisation=organisation, user=personas["barn"], description="Utan ärende.")
    client = client_for(chef)
    response = client.post("/avvikelser/hantera/", {"ids": [deviations["family"].pk, extra.pk], "status": "DISMISSED",
                                                    "comment": "Felaktigt larm."})
    assert response.status_code == 302
    assert set(Deviation.objects.filter(status="DISMISSED").values_list("pk", flat=True)) == {deviations["family"].pk, extra.pk}
    # A row the chef may not handle stops the whole batch, with a Swedish error.
    response = client.post("/avvikelser/hantera/", {"ids": [deviations["single"].pk], "status": "DISMISSED", "comment": "x"})
    assert response.status_code == 400
    assert "får inte hanteras av dig" in response.content.decode()
    assert Deviation.objects.get(pk=deviations["single"].pk).status == "NEW"
    response = client.post("/avvikelser/hantera/", {"status": "HANDLED", "comment": ""})
    assert response.status_code == 400 and "Välj minst en avvikelse" in response.content.decode()


def test_manual_registration_from_a_case_page_link(cases, personas):
    client = client_for(personas["barn"])
    number = cases["family"].number
    response = client.get(f"/avvikelser/ny/?arende={number}")
    assert response.status_code == 200 and number in response.content.decode()
    response = client.post("/avvikelser/ny/", {"kind": "MANUAL", "case_number": number, "occurred_on": "2026-11-25",
                                               "description": "Hembesöket blev inte av."})
    assert response.status_code == 302
    deviation = Deviation.objects.get(description="Hembesöket blev inte av.")
    assert deviation.case == cases["family"] and not deviation.automatic and deviation.created_by == personas["barn"]
    # A case the user may not see is refused like an unknown number; the form keeps what was written.
    response = client.post("/avvikelser/ny/", {"kind": "MANUAL", "case_number": cases["single"].number,
                                               "occurred_on": "2026-11-25", "description": "Min text"})
    assert response.status_code == 400
    assert "Min text" in response.content.decode() and "behörighet" in response.content.decode()


def test_case_page_links_to_registering_a_deviation(cases, personas):
    html = client_for(personas["barn"]).get(f"/arenden/{cases['family'].pk}/").content.decode()
    assert f"/avvikelser/ny/?arende={cases['family'].number}" in html


def test_api_list_create_handle(deviations, personas, cases):
    chef = client_for(personas["chef"])
    data = chef.get("/api/v1/deviations/?from=2000-01-01&to=2100-01-01&kind=MANUAL&status=NEW").json()
    assert [r["id"] for r in data["results"]] == [deviations["family"].pk]
    assert data["results"][0]["case_number"] == cases["family"].number

    bad = chef.get("/api/v1/deviations/?from=igår&status=OKÄND")
    assert bad.status_code == 400 and set(bad.json()) == {"from", "status"}

    barn = client_for(personas["barn"])
    created = barn.post("/api/v1/deviations/", {"description": "Via API.", "case": cases["family"].number,
                                                "occurred_on": dt.date(2026, 11, 26).isoformat()}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "MANUAL" and created.json()["status"] == "NEW"
    assert barn.post("/api/v1/deviations/", {"kind": "NOPE"}, content_type="application/json").json().keys() >= {"kind", "description"}
    refused = barn.post("/api/v1/deviations/", {"description": "x", "case": cases["single"].number}, content_type="application/json")
    assert refused.status_code == 400 and "case" in refused.json()

    pk = created.json()["id"]
    assert barn.post(f"/api/v1/deviations/{pk}/handle/", {"status": "HANDLED", "comment": "x"},
                     content_type="application/json").status_code == 404  # handläggare do not handle
    missing = chef.post(f"/api/v1/deviations/{pk}/handle/", {"status": "HANDLED"}, content_type="application/json")
    assert missing.status_code == 400 and "comment" in missing.json()
    bad_status = chef.post(f"/api/v1/deviations/{pk}/handle/", {"status": "NEW"}, content_type="application/json")
    assert bad_status.status_code == 400 and "status" in bad_status.json()
    done = chef.post(f"/api/v1/deviations/{pk}/handle/", {"status": "HANDLED", "comment": "Rutin påmind."},
                     content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "HANDLED" and done.json()["status_comment"] == "Rutin påmind."
    again = chef.post(f"/api/v1/deviations/{pk}/handle/", {"status": "DISMISSED", "comment": "x"}, content_type="application/json")
    assert again.status_code == 400 and "status" in again.json()
