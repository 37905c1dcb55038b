"""The statistics' figures by hand (issue 13, "Done when"): a known set of notices, contacts, outcomes and evictions,
built through the real services, and every figure of GET /api/v1/statistics/ and of the XLSX export checked against
values computed by hand, including a child counted once per household when several notices arrive, and the
suppression below the threshold.

The period is October 2026. Households (tenant serial numbers make them distinct):
  H1 (801 + co-tenant 811, children 2× LIVING): RENT_ARREARS_TERMINATION 10-05 (served 10-02, debt 8 000) and
     EVICTION_APPLICATION 10-20 (Kronofogden, debt 25 000) on the same case; contact established 10-09 (Fri) →
     4 working days; recovery deadline 10-05 + 21 = 10-26, in time. Eviction CANCELLED 10-30 (not executed).
  H2 (802, no children, private landlord, e-mail): RENT_ARREARS_TERMINATION 10-12 (debt 15 000); home visit 10-20
     (not established), contact established 11-20 → 29 working days; deadline 11-02, too late; closed
     PREVENTED_AGREEMENT on 10-28; eviction EXECUTED 10-30 (no children).
  H3 (803, child ALTERNATING): first notice 2026-09-10, then DISTURBANCE_WARNING 10-15 (no debt): a repeat household,
     not in the first-contact figures; eviction EXECUTED 10-22, children present, social services absent.
  H4 (804, single adult, child VISITING): EVICTION_DATE 10-01 (Kronofogden, not served, debt 60 000); no contact;
     eviction EXECUTED 10-29, children not present, social services present.
  H5 (805): a case in September (closed, MOVED, on 09-20) in another household; a new household with the same
     tenant gets RENT_ARREARS_TERMINATION 10-26 (served 10-26, debt exactly 50 000): repeat by personnummer;
     contact established the same day → 0 working days; deadline 11-16, in time.
  H6 (806): a notice on 11-05, outside the period. Another organisation: a notice on 10-10, never counted.
Deviations: MANUAL on 10-10 and 10-20, BOSAM_ABSENCE on 10-14, MANUAL on 09-15 (outside).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.models import Case, EvictionOutcome, Landlord, LandlordKind, Notice, PaymentCommitment
from followup.exports import neutralise
from followup.services import deviation_register
from tests.factories import household_data, notice_data, pin_for, register

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
OCTOBER = "from=2026-10-01&to=2026-10-31"


def _notice(notice_type="RENT_ARREARS_TERMINATION", received="2026-10-05", served=None, debt=None, **changes):
    data = notice_data(notice_type, received=received, served=served, debt=debt)
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _household(serial, *, children=(), residences=(), co_tenant=None, street=None):
    data = household_data(serial=serial, children=children, surname=f"Hushåll{serial}", street=street or f"Testgatan {serial}")
    for member, residence in zip([m for m in data.members if m.role == "CHILD"], residences, strict=True):
        member.child_residence = residence
    if co_tenant:
        data.members.append(services.MemberData(name=f"Med Hushåll{serial}", role="CO_TENANT",
                                                personal_identity_number=pin_for("19880101", co_tenant)))
    return data


def _close(case, user, outcome, on):
    services.case_close(case=case, user=user, outcome=outcome)
    # Closing stamps "now"; the period under test lies in the past, so the clock of the row is set back.
    opened = case.notices.order_by("received_date").first().received_date
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.make_aware(dt.datetime.combine(opened, dt.time(9))),
                                           closed_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12))))


@pytest.fixture
def dataset(organisation, personas, make_user, other_organisation):
    hr = personas["hyresradgivare"]
    h1 = _household(801, children=("2016-05-01", "2019-02-01"), residences=("LIVING", "LIVING"), co_tenant=811)
    c1 = register(organisation, hr, household=h1, notice=_notice(received="2026-10-05", served="2026-10-02", debt="8000")).case
    again = register(organisation, hr, household=h1, notice=_notice("EVICTION_APPLICATION", received="2026-10-20", debt="25000"))
    assert again.case.pk == c1.pk
    services.contact_register(case=c1, user=hr, date=D("2026-10-09"), channel="PHONE", established=True)

    private = services.LandlordData(name="Årsta Fastigheter AB", org_number="556670-0455")
    c2 = register(organisation, hr, household=_household(802),
                  notice=_notice(received="2026-10-12", served="2026-10-12", debt="15000", landlord=private, channel="EMAIL")).case
    services.contact_register(case=c2, user=hr, date=D("2026-10-20"), channel="VISIT", established=False)
    services.contact_register(case=c2, user=hr, date=D("2026-11-20"), channel="PHONE", established=True)
    _close(c2, hr, "PREVENTED_AGREEMENT", D("2026-10-28"))

    h3 = _household(803, children=("2012-01-01",), residences=("ALTERNATING",))
    c3 = register(organisation, hr, household=h3, notice=_notice(received="2026-09-10", served="2026-09-09", debt="18450")).case
    assert register(organisation, hr, household=h3, notice=_notice("DISTURBANCE_WARNING", received="2026-10-15")).case.pk == c3.pk

    c4 = register(organisation, hr, household=_household(804, children=("2015-06-01",), residences=("VISITING",)),
                  notice=_notice("EVICTION_DATE", received="2026-10-01", debt="60000", eviction_date=D("2026-10-29"))).case

    c5a = register(organisation, hr, household=_household(805, street="Gamla vägen 1"),
                   notice=_notice(received="2026-09-03", served="2026-09-03", debt="12000")).case
    _close(c5a, hr, "MOVED", D("2026-09-20"))
    c5 = register(organisation, hr, household=_household(805, street="Nya vägen 2"),
                  notice=_notice(received="2026-10-26", served="2026-10-26", debt="50000")).case
    # Issue 11: a notice for the tenants of a closed case opens a new case on the same household (its history stays).
    assert c5.pk != c5a.pk and c5.household_id == c5a.household_id
    services.contact_register(case=c5, user=hr, date=D("2026-10-26"), channel="PHONE", established=True)

    register(organisation, hr, household=_household(806), notice=_notice(received="2026-11-05", served="2026-11-05", debt="9000"))
    outsider = make_user("skarholmen-hr", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    register(other_organisation, outsider, household=_household(807, children=("2017-01-01",), residences=("LIVING",)),
             notice=_notice(received="2026-10-10", served="2026-10-10", debt="5000"))

    Landlord.objects.filter(organisation=organisation, org_number="556035-8672").update(kind=LandlordKind.MUNICIPAL)
    Landlord.objects.filter(organisation=organisation, org_number="556670-0455").update(kind=LandlordKind.PRIVATE)

    EvictionOutcome.objects.create(case=c1, eviction_date=D("2026-10-30"), result="CANCELLED")
    EvictionOutcome.objects.create(case=c2, eviction_date=D("2026-10-30"), result="EXECUTED", children_present=False,
                                   social_services_present=False)
    EvictionOutcome.objects.create(case=c3, eviction_date=D("2026-10-22"), result="EXECUTED", children_present=True,
                                   social_services_present=False)
    EvictionOutcome.objects.create(case=c4, eviction_date=D("2026-10-29"), result="EXECUTED", children_present=False,
                                   social_services_present=True)

    # Payment commitments (issue 11): H2 applied and was granted, the commitment sent; H4 denied; H1 applied in September.
    PaymentCommitment.objects.create(case=c2, application_received_on=D("2026-10-12"), decision="GRANTED",
                                     decision_date=D("2026-10-14"), sent_to_landlord_on=D("2026-10-15"), amount=Decimal("18000"))
    PaymentCommitment.objects.create(case=c4, application_received_on=D("2026-10-20"), decision="DENIED", decision_date=D("2026-10-22"))
    PaymentCommitment.objects.create(case=c1, application_received_on=D("2026-09-28"))
    deviation_register(organisation=organisation, user=hr, case=c1, description="Brev för sent.", occurred_on=D("2026-10-10"))
    deviation_register(organisation=organisation, user=hr, description="Rutinen följdes inte.", occurred_on=D("2026-10-20"))
    deviation_register(organisation=organisation, user=hr, description="Utanför perioden.", occurred_on=D("2026-09-15"))
    services.deviation_raise_once(organisation=organisation, kind="BOSAM_ABSENCE", key="bosam-absence-test",
                                  description="Äldreomsorg var inte närvarande.", occurred_on=D("2026-10-14"))

    # The hand computation above rests on these deadlines (served or received, whichever is later, + 21 days).
    assert [Case.objects.get(pk=c.pk).recovery_deadline for c in (c1, c2, c4, c5)] == [
        D("2026-10-26"), D("2026-11-02"), None, D("2026-11-16")]
    assert Notice.objects.filter(case__organisation=organisation).count() == 9
    return {"cases": (c1, c2, c3, c4, c5)}


def zeros(*codes):
    return dict.fromkeys(codes, 0)


NOTICE_TYPES = ("RENT_ARREARS_TERMINATION", "DISTURBANCE_WARNING", "DISTURBANCE_TERMINATION", "OTHER_TERMINATION",
                "EVICTION_APPLICATION", "EVICTION_DATE", "EVICTION_CANCELLED")
OUTCOMES = ("PREVENTED_PAID", "PREVENTED_AGREEMENT", "PREVENTED_SOCIAL_SERVICES", "PREVENTED_WITHDRAWN", "MOVED",
            "NEW_HOUSING", "EVICTED", "OTHER")
DEVIATIONS = ("TASK_OVERDUE", "NO_REPORT_OF_CONCERN", "EVICTION_WITHOUT_CONTACT", "BOSAM_ABSENCE", "ROUTING_OVERRIDE",
              "ABSENT_AT_EVICTION_WITH_CHILDREN", "MANUAL")

EXPECTED_OCTOBER = {
    "period": {"from": "2026-10-01", "to": "2026-10-31"},
    "notices": {
        "total": 6,  # H1 twice, H2, H3 (its October notice), H4, H5
        "by_type": {**zeros(*NOTICE_TYPES), "RENT_ARREARS_TERMINATION": 3, "EVICTION_APPLICATION": 1,
                    "DISTURBANCE_WARNING": 1, "EVICTION_DATE": 1},
        "by_sender_kind": {"LANDLORD": 4, "KRONOFOGDEN": 2, "RENT_TRIBUNAL": 0},
        "by_month": {"2026-10": 6},
    },
    "households": {"total": 5, "with_children": 3, "repeat": 2},  # repeat: H3 (same household), H5 (same tenant)
    "children": {"total": 4, "by_residence": {"LIVING": 2, "ALTERNATING": 1, "VISITING": 1}},  # H1's two once
    "outcomes": {**zeros(*OUTCOMES), "PREVENTED_AGREEMENT": 1},  # H5's MOVED was in September
    "evictions": {"executed": 3, "executed_with_children": 2, "children_present": 1, "social_services_present": 1},
    "first_contact_working_days": {"median": 4, "p90": 29},  # H1 4, H2 29, H5 0; nearest rank ⌈0.9·3⌉ = 3rd
    "contacted_before_recovery_deadline": {"count": 2, "share": 0.667},  # H1 and H5 of H1, H2, H5
    "debt_bands": {"UNDER_10000": 1, "10000_20000": 1, "20000_50000": 1, "OVER_50000": 2},
    "landlord_kinds": {"MUNICIPAL": 5, "PRIVATE": 1, "HOUSING_COOPERATIVE": 0, "OTHER": 0},
    "deviations": {**zeros(*DEVIATIONS), "MANUAL": 2, "BOSAM_ABSENCE": 1},
    "payment_commitments": {"applications": 2, "granted": 1, "denied": 1, "sent": 1},
}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_figure_of_the_api_by_hand(dataset, personas):
    response = _client(personas["styrgrupp"]).get(f"/api/v1/statistics/?{OCTOBER}")
    assert response.status_code == 200, response.content
    assert response.json() == EXPECTED_OCTOBER


def test_by_month_over_two_months(dataset, personas):
    data = _client(personas["styrgrupp"]).get("/api/v1/statistics/?from=2026-09-01&to=2026-10-31").json()
    assert data["notices"]["by_month"] == {"2026-09": 2, "2026-10": 6}
    # September's MOVED now falls inside the period as well.
    assert data["outcomes"]["MOVED"] == 1 and data["outcomes"]["PREVENTED_AGREEMENT"] == 1


def test_suppression_for_publication(dataset, personas):
    data = _client(personas["styrgrupp"]).get(f"/api/v1/statistics/?{OCTOBER}&publish=true").json()
    # 1–4 are hidden, 0 and 5 or more stay; figures over fewer than five cases are hidden too.
    assert data["notices"]["total"] == 6
    assert data["notices"]["by_type"]["RENT_ARREARS_TERMINATION"] is None
    assert data["notices"]["by_type"]["OTHER_TERMINATION"] == 0
    assert data["households"] == {"total": 5, "with_children": None, "repeat": None}
    assert data["children"] == {"total": None, "by_residence": {"LIVING": None, "ALTERNATING": None, "VISITING": None}}
    assert data["landlord_kinds"]["MUNICIPAL"] == 5
    assert data["first_contact_working_days"] == {"median": None, "p90": None}
    assert data["contacted_before_recovery_deadline"] == {"count": None, "share": None}
    assert data["period"] == EXPECTED_OCTOBER["period"]


def test_city_level_sums_organisations_and_always_suppresses(dataset, personas):
    data = _client(personas["stad"]).get(f"/api/v1/statistics/?{OCTOBER}").json()
    assert data["notices"]["total"] == 7  # the other organisation's notice joins
    assert data["households"]["total"] == 6
    assert data["children"]["total"] == 5
    assert data["households"]["with_children"] is None  # 4: suppressed without asking


def test_chef_sees_their_department_only(dataset, personas):
    client = _client(personas["chef"])
    data = client.get(f"/api/v1/statistics/?{OCTOBER}").json()
    lead_units = {c.pk: Case.objects.get(pk=c.pk).lead_unit.department.code for c in dataset["cases"]}
    in_department = [pk for pk, code in lead_units.items() if code == "IFO_BARN_UNGA"]
    assert data["notices"]["total"] == Notice.objects.filter(
        case_id__in=in_department, received_date__gte=D("2026-10-01"), received_date__lte=D("2026-10-31")).count()
    assert data["notices"]["total"] < 6
    assert client.get(f"/api/v1/statistics/?{OCTOBER}&unit=VUXNA").status_code == 400


@pytest.mark.parametrize("query, field", [
    ("", "from"), ("from=2026-10-01", "to"), ("from=2026-13-01&to=2026-10-31", "from"),
    ("from=2026-10-31&to=2026-10-01", "to"), ("from=2026-10-01&to=2026-10-31&unit=NOPE", "unit"),
])
def test_bad_query_is_400_with_field_errors(personas, query, field):
    response = _client(personas["styrgrupp"]).get(f"/api/v1/statistics/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def _xlsx_values(content: bytes) -> dict[tuple[str, str], object]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[:4] == ("Tabell", "Kod", "Benämning", "Värde"))
    return {(row[0], row[1]): row[3] for row in rows[start + 1:]}


def test_xlsx_export_has_the_same_figures(dataset, personas):
    response = _client(personas["styrgrupp"]).get("/statistik/export.xlsx?date_from=2026-10-01&date_to=2026-10-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    values = _xlsx_values(response.content)
    assert values[("Underrättelser per typ", "RENT_ARREARS_TERMINATION")] == 3
    assert values[("Underrättelser per typ", "EVICTION_CANCELLED")] == 0
    assert values[("Underrättelser per månad", "2026-10")] == 6
    assert values[("Hushåll och barn", "households")] == 5
    assert values[("Hushåll och barn", "households_repeat")] == 2
    assert values[("Hushåll och barn", "households_with_children")] == 3
    assert values[("Hushåll och barn", "single_adult_with_children")] == 2  # H3 and H4; H1 has two tenants
    assert values[("Hushåll och barn", "children")] == 4
    assert values[("Barn per boendeform", "LIVING")] == 2
    assert values[("Utfall i avslutade ärenden", "PREVENTED_AGREEMENT")] == 1
    assert values[("Avhysningar", "executed")] == 3
    assert values[("Avhysningar", "executed_with_children")] == 2
    assert values[("Avhysningar", "children_present")] == 1
    assert values[("Avhysningar", "social_services_present")] == 1
    assert values[("Kontakt med hushållen", "first_contact_median")] == 4
    assert values[("Kontakt med hushållen", "first_contact_p90")] == 29
    assert values[("Kontakt med hushållen", "contacted_before_recovery_deadline")] == 2
    assert values[("Kontakt med hushållen", "contacted_before_recovery_deadline_share")] == pytest.approx(0.667)
    assert values[("Kontakt med hushållen", "home_visits_before_deadline")] == 1  # H2's visit on 10-20
    assert values[("Skuldbelopp", "OVER_50000")] == 2
    assert values[("Typ av hyresvärd", "PRIVATE")] == 1
    assert values[("Underrättelser per kanal", "EMAIL")] == 1
    assert values[("Avvikelser per typ", "MANUAL")] == 2


def test_xlsx_for_publication_shows_suppressed_counts(dataset, personas):
    response = _client(personas["styrgrupp"]).get("/statistik/export.xlsx?date_from=2026-10-01&date_to=2026-10-31&publish=on")
    values = _xlsx_values(response.content)
    assert values[("Hushåll och barn", "households")] == 5
    assert values[("Hushåll och barn", "children")] == "<5"
    assert values[("Underrättelser per typ", "OTHER_TERMINATION")] == 0


def test_every_cell_is_neutralised_against_formula_injection(dataset, personas, organisation):
    organisation.name = '=HYPERLINK("http://evil.example","klicka")'
    organisation.save()
    client = _client(personas["styrgrupp"])
    sheet = load_workbook(io.BytesIO(client.get("/statistik/export.xlsx?date_from=2026-10-01&date_to=2026-10-31").content)).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any("HYPERLINK" in t for t in texts)
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    csv_text = client.get("/statistik/export.csv?date_from=2026-10-01&date_to=2026-10-31").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    assert neutralise("-1+2") == "'-1+2" and neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise(5) == 5
    assert neutralise(Decimal("-5")) == Decimal("-5")


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_data(organisation, personas):
    """The statistics read in a fixed number of queries, however many notices and households (N+1 guard)."""
    client = _client(personas["styrgrupp"])
    url = "/api/v1/statistics/?from=2026-10-01&to=2026-10-31"
    hr = personas["hyresradgivare"]
    register(organisation, hr, household=_household(840, children=("2016-01-01",), residences=("LIVING",)),
             notice=_notice(received="2026-10-05", served="2026-10-05", debt="9000"))
    small = _queries(client, url)
    for serial in range(841, 849):
        case = register(organisation, hr, household=_household(serial, children=("2016-01-01",), residences=("VISITING",)),
                        notice=_notice(received="2026-10-06", served="2026-10-06", debt="30000")).case
        services.contact_register(case=case, user=hr, date=D("2026-10-08"), channel="PHONE", established=True)
        EvictionOutcome.objects.create(case=case, eviction_date=D("2026-10-20"), result="EXECUTED", children_present=True)
    assert _queries(client, url) == small
    assert client.get("/statistik/?date_from=2026-10-01&date_to=2026-10-31").status_code == 200


def test_dashboard_per_department_and_unit(dataset, personas):
    client = _client(personas["styrgrupp"])
    base = "/statistik/?date_from=2026-10-01&date_to=2026-10-31"
    total = client.get(base).context["figures"]["notices"]["total"]
    assert total == 6
    by_department = sum(
        client.get(f"{base}&department={code}").context["figures"]["notices"]["total"]
        for code in ("IFO_BARN_UNGA", "IFO_VUXNA", "ALDREOMSORG", "FUNKTIONSNEDSATTNING")  # stab has no units
    )
    assert by_department == total  # every case has a lead unit, each in one department
    mismatch = client.get(f"{base}&department=ALDREOMSORG&unit=HYRESRADGIVNING")
    assert mismatch.status_code == 400 and "hör inte till avdelningen" in mismatch.content.decode()
    assert client.get(f"{base}&department=NOPE").status_code == 400
