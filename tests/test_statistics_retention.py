"""Issue 13, "Statistics survive retention": every figure of a past period is the same after the cases behind it
are deleted (retention), because the nightly run stores what the non-additive figures need — households and
children per household-day, first contacts per case — under opaque keys, without personal data. Also the area
filter (item 8) on the stored and the live days, and its query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import models as case_models
from cases import services
from cases.models import Case, Household, Person
from followup import tasks
from followup.models import CaseFact, DailyAggregate, HouseholdDay
from tests.factories import register
from tests.test_followup_statistics import EXPECTED_OCTOBER, OCTOBER, _household, _notice, dataset  # noqa: F401

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def delete_every_case():
    """Retention done by hand: everything about the cases goes, in the order the PROTECT relations need."""
    for model in (case_models.DeviationEvent, case_models.Deviation, case_models.SentLetter, case_models.EvictionOutcome,
                  case_models.PaymentCommitment, case_models.Contact, case_models.Task, case_models.Assignment,
                  case_models.RoutingDecision, case_models.OpenCaseMembership, case_models.Notice):
        model.objects.all().delete()
    # The audit log is append-only; retention severs its link to the case (branch access). Done here by hand.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_auditevent SET case_id = NULL")
    from bosam.models import AgendaItem

    AgendaItem.objects.all().delete()
    Case.objects.all().delete()
    case_models.ActiveInvolvement.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()


@pytest.mark.slow  # the nightly backfill of three months (> 10 s)
def test_every_figure_of_the_past_survives_the_deletion_of_the_cases(dataset, personas):  # noqa: F811
    tasks.aggregate_days_task("2026-12-01")
    client = client_for(personas["styrgrupp"])
    before = client.get(f"/api/v1/statistics/?{OCTOBER}").json()
    assert before == EXPECTED_OCTOBER
    dashboard = "/statistik/?date_from=2026-10-01&date_to=2026-10-31"
    page_before = client.get(dashboard).content.decode()
    csv_before = client.get("/statistik/export.csv?date_from=2026-10-01&date_to=2026-10-31").content

    delete_every_case()
    assert not Case.objects.exists() and not Person.objects.exists()
    after = client.get(f"/api/v1/statistics/?{OCTOBER}").json()
    assert after == before  # households, children, repeat, first contact and contacted-in-time included
    assert client.get(dashboard).content.decode().count("<td") == page_before.count("<td")
    assert client.get("/statistik/export.csv?date_from=2026-10-01&date_to=2026-10-31").content == csv_before


@pytest.mark.slow  # the nightly backfill of three months (> 10 s)
def test_the_stored_rows_hold_no_personal_data(dataset):  # noqa: F811
    tasks.aggregate_days_task("2026-12-01")
    secrets = set(Person.objects.values_list("name", flat=True)) | set(Person.objects.values_list("personal_identity_number", flat=True))
    secrets |= set(Household.objects.values_list("street_address", flat=True))
    ids = {str(pk) for pk in Household.objects.values_list("pk", flat=True)} | {str(pk) for pk in Case.objects.values_list("pk", flat=True)}
    rows = [list(HouseholdDay.objects.values_list()), list(CaseFact.objects.values_list()), list(DailyAggregate.objects.values_list())]
    values = {str(v) for table in rows for row in table for v in row}
    assert HouseholdDay.objects.exists() and CaseFact.objects.exists()
    assert not values & (secrets - {""})
    keys = set(HouseholdDay.objects.values_list("household_key", flat=True)) | set(CaseFact.objects.values_list("case_key", flat=True))
    assert not keys & ids and all(len(k) == 32 for k in keys)


def test_a_child_counts_once_per_household_and_period_across_stored_and_live_days(organisation, personas):
    hr = personas["hyresradgivare"]
    household = _household(860, children=("2016-05-01",), residences=("LIVING",))
    register(organisation, hr, household=household, notice=_notice(received="2026-10-05", served="2026-10-05"))
    tasks.aggregate_days_task("2026-10-10")  # 10-05 stored
    register(organisation, hr, household=household, notice=_notice("EVICTION_APPLICATION", received="2026-10-12"))  # live
    data = client_for(personas["styrgrupp"]).get(f"/api/v1/statistics/?{OCTOBER}").json()
    assert data["households"] == {"total": 1, "with_children": 1, "repeat": 0}
    assert data["children"]["total"] == 1 and data["notices"]["total"] == 2


# --- item 8: the area filter -------------------------------------------------------------------------------


def areas_dataset(organisation, hr):
    cases = []
    for serial, area, children in ((870, "Årsta", ("2016-01-01",)), (871, "Årsta", ()), (872, "Enskede", ("2018-01-01",)),
                                   (873, "Vantör", ())):
        data = _household(serial, children=children, residences=("LIVING",) * len(children))
        data.area = area
        cases.append(register(organisation, hr, household=data, notice=_notice(received="2026-10-05", served="2026-10-05",
                                                                                  debt="9000")).case)
    services.contact_register(case=cases[0], user=hr, date=D("2026-10-07"), channel="PHONE", established=True)
    protected = _household(874)
    protected.area = "Enskede"
    protected.members[0].protected_identity = True
    register(organisation, hr, household=protected, notice=_notice(received="2026-10-06", served="2026-10-06"))
    return cases


@pytest.mark.parametrize("stored", [False, True])
def test_every_figure_filters_by_area_stored_or_live(organisation, personas, stored):
    areas_dataset(organisation, personas["hyresradgivare"])
    if stored:
        tasks.aggregate_days_task("2026-12-01")
    client = client_for(personas["styrgrupp"])
    all_ = client.get(f"/api/v1/statistics/?{OCTOBER}").json()
    arsta = client.get(f"/api/v1/statistics/?{OCTOBER}&area=Årsta").json()
    enskede = client.get(f"/api/v1/statistics/?{OCTOBER}&area=Enskede").json()
    assert all_["notices"]["total"] == 5 and all_["households"]["total"] == 5
    assert arsta["notices"]["total"] == 2 and arsta["households"] == {"total": 2, "with_children": 1, "repeat": 0}
    assert arsta["children"]["total"] == 1 and arsta["debt_bands"]["UNDER_10000"] == 2
    assert arsta["first_contact_working_days"] == {"median": 2, "p90": 2}
    # The protected household is in no area (its area would tell where it lives).
    assert enskede["notices"]["total"] == 1 and enskede["households"]["total"] == 1
    assert set(arsta) == set(all_)  # the contract's keys, whatever the filter

    page = client.get("/statistik/?date_from=2026-10-01&date_to=2026-10-31&area=Vantör")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="Vantör" selected>' in html and '<option value="Enskede">' in html


@pytest.mark.slow  # the nightly backfill of three months (> 10 s)
def test_the_area_filter_keeps_query_counts_flat(organisation, personas):
    hr = personas["hyresradgivare"]
    client = client_for(personas["styrgrupp"])
    url = f"/api/v1/statistics/?{OCTOBER}&area=Årsta"
    areas_dataset(organisation, hr)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for serial in range(880, 888):
        data = _household(serial, children=("2016-01-01",), residences=("LIVING",))
        data.area = "Årsta"
        register(organisation, hr, household=data, notice=_notice(received="2026-10-06", served="2026-10-06"))
    assert queries() == small
    tasks.aggregate_days_task("2026-12-01")
    stored = queries()
    for serial in range(890, 895):
        data = _household(serial)
        data.area = "Årsta"
        register(organisation, hr, household=data, notice=_notice(received="2026-10-07", served="2026-10-07"))
    tasks.aggregate_days_task("2026-12-02")
    assert queries() == stored
