"""Issue 16 follow-up: the statistics dashboard and its print view cost one number of queries whatever the data —
no data, a few cases on a few days, many cases on many days; live and from the nightly aggregates."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from tests.factories import household_data, notice_data, register

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
PERIOD = "?date_from=2026-10-01&date_to=2026-10-31"
PAGES = ("/statistik/", "/statistik/utskrift/")


def _counts(client) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + PERIOD)
        assert response.status_code == 200
        counts[url] = len(captured.captured_queries)
    return counts


def _cases(organisation, hr, serials, days):
    for serial, day in zip(serials, days, strict=True):
        data = household_data(serial=serial, children=("2016-01-01",) if serial % 2 else (), surname=f"Fråga{serial}",
                              street=f"Frågegatan {serial}")
        case = register(organisation, hr, household=data,
                        notice=notice_data("RENT_ARREARS_TERMINATION", received=day, served=day, debt="9000")).case
        if serial % 3 == 0:
            services.contact_register(case=case, user=hr, date=D(day) + dt.timedelta(days=2), channel="PHONE",
                                      established=True)


def test_dashboard_and_print_view_queries_are_one_number(organisation, personas):
    client = Client()
    client.force_login(personas["styrgrupp"])
    client.get("/statistik/")  # the session and its first-request writes out of the way
    empty = _counts(client)
    hr = personas["hyresradgivare"]
    _cases(organisation, hr, [851, 852], ["2026-10-05", "2026-10-05"])
    few = _counts(client)
    _cases(organisation, hr, range(853, 873), [f"2026-10-{d:02d}" for d in range(2, 22)])
    many = _counts(client)
    print(f"\n[stats] queries empty {empty}, few {few}, many {many}")
    assert client.get("/statistik/" + PERIOD).context["figures"]["notices"]["total"] == 22
    assert empty == few == many
    assert many["/statistik/"] <= 35


def test_queries_from_the_nightly_aggregates_are_one_number_for_few_and_many_days(organisation, personas):
    """A period read from the stored days: a few stored rows or many, the same count."""
    from followup.aggregates import aggregate_day

    client = Client()
    client.force_login(personas["styrgrupp"])
    client.get("/statistik/")
    _cases(organisation, personas["hyresradgivare"], range(853, 863), [f"2026-10-{d:02d}" for d in range(2, 12)])
    aggregate_day(organisation_id=organisation.pk, day=D("2026-10-31"))  # aggregated through 10-31: no stored rows yet
    few = _counts(client)
    for day in range(2, 12):
        aggregate_day(organisation_id=organisation.pk, day=D(f"2026-10-{day:02d}"))
    many = _counts(client)
    print(f"\n[stats] stored: queries few days {few}, many days {many}")
    assert client.get("/statistik/" + PERIOD).context["figures"]["notices"]["total"] == 10
    assert few == many


def test_a_period_live_partly_stored_or_stored_costs_the_same_queries(organisation, personas):
    """Issue 13/16: the benchmark saw 28 queries where the month was live and 15 where it was stored (the live reads were
    skipped): both parts are read always, so the count does not depend on how much of the period the nightly task has
    written."""
    from followup.aggregates import aggregate_day

    client = Client()
    client.force_login(personas["styrgrupp"])
    client.get("/statistik/")
    _cases(organisation, personas["hyresradgivare"], range(853, 863), [f"2026-10-{d:02d}" for d in range(2, 12)])
    live = _counts(client)
    for day in range(1, 16):  # stored through the 15th, live after it
        aggregate_day(organisation_id=organisation.pk, day=D(f"2026-10-{day:02d}"))
    partly = _counts(client)
    assert client.get("/statistik/" + PERIOD).context["figures"]["notices"]["total"] == 10
    for day in range(16, 32):  # the whole month stored
        aggregate_day(organisation_id=organisation.pk, day=D(f"2026-10-{day:02d}"))
    stored = _counts(client)
    print(f"\n[stats] live {live}, partly stored {partly}, stored {stored}")
    assert live == partly == stored
    assert client.get("/statistik/" + PERIOD).context["figures"]["notices"]["total"] == 10


def test_the_nightly_aggregation_of_a_day_costs_the_same_statements_for_few_and_many_cases(organisation, personas):
    """Issue 13, Scale: the nightly run of one day reads and writes in a fixed number of statements, whether two or
    twelve cases got their first notice that day (the benchmark saw 22 and 21 at different sizes: a day without a new
    case writes no case facts; the benchmark now measures a day with new cases)."""
    from followup.aggregates import aggregate_day
    from followup.models import CaseFact, DailyAggregate, HouseholdDay

    hr = personas["hyresradgivare"]
    _cases(organisation, hr, [871, 872], ["2026-10-05", "2026-10-05"])
    _cases(organisation, hr, range(873, 885), ["2026-10-06"] * 12)
    counts = {}
    for day, expected in (("2026-10-05", 2), ("2026-10-06", 12)):
        with CaptureQueriesContext(connection) as captured:
            aggregate_day(organisation_id=organisation.pk, day=D(day))
        counts[day] = len(captured.captured_queries)
        assert CaseFact.objects.filter(organisation=organisation, first_notice_day=D(day)).count() == expected
        assert HouseholdDay.objects.filter(organisation=organisation, day=D(day)).count() == expected
        assert DailyAggregate.objects.filter(organisation=organisation, day=D(day), metric="notice_type").get().count == expected
    print(f"\n[stats] aggregate_day statements {counts}")
    assert counts["2026-10-05"] == counts["2026-10-06"]
