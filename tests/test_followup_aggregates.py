"""The nightly per-day aggregates (issue 13, "Statistics survive retention"): incremental, idempotent (run twice),
read by the statistics for the days they cover, live data for the rest, summed over organisations at city level."""

import datetime as dt

import pytest
from django.test import Client

from cases.models import Deviation, EvictionOutcome, Notice
from followup import tasks
from followup.aggregates import aggregate_day, aggregate_days
from followup.models import AggregatedDay, CaseFact, DailyAggregate, HouseholdDay
from tests.factories import notice_data, register
from tests.test_followup_statistics import EXPECTED_OCTOBER, OCTOBER, dataset  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def snapshot():
    return sorted(DailyAggregate.objects.values_list("organisation_id", "day", "unit_code", "metric", "code", "count"))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.slow  # the nightly backfill of three months, twice (> 10 s)
def test_nightly_run_twice_writes_the_same_rows_and_the_figures_stay(dataset, personas, organisation):  # noqa: F811
    first = tasks.aggregate_days_task("2026-12-01")
    rows = snapshot()
    assert rows and first[str(organisation.pk)] > 30  # backfilled from the first data day (September) to 11-30
    days = sorted(AggregatedDay.objects.filter(organisation=organisation).values_list("day", flat=True))
    assert days[-1] == D("2026-11-30") and len(days) == (days[-1] - days[0]).days + 1  # contiguous
    second = tasks.aggregate_days_task("2026-12-01")
    assert snapshot() == rows
    assert second[str(organisation.pk)] == 7  # only the refresh window is rewritten
    assert not any(isinstance(v, str) and "Testsson" in v for row in rows for v in row)  # no personal data

    client = client_for(personas["styrgrupp"])
    assert client.get(f"/api/v1/statistics/?{OCTOBER}").json() == EXPECTED_OCTOBER

    # Retention: the case data goes; no figure of the past changes (households, children and first contacts are
    # stored per household-day and per case without personal data: tests/test_statistics_retention.py).
    EvictionOutcome.objects.all().delete()
    Deviation.objects.all().delete()
    Notice.objects.all().delete()
    assert client.get(f"/api/v1/statistics/?{OCTOBER}").json() == EXPECTED_OCTOBER


def stored_state():
    return (
        snapshot(),
        sorted(HouseholdDay.objects.values_list("organisation_id", "day", "unit_code", "area", "household_key", "children",
                                                "children_living", "children_alternating", "children_visiting", "adults",
                                                "known_since")),
        sorted(CaseFact.objects.values_list("organisation_id", "case_key", "first_notice_day", "unit_code", "area",
                                            "contact_working_days", "has_recovery_deadline", "contacted_before_deadline",
                                            "visited_before_deadline")),
        sorted(AggregatedDay.objects.values_list("organisation_id", "day")),
    )


def test_a_block_of_days_is_written_as_the_same_rows_as_day_by_day(dataset, organisation):  # noqa: F811
    """The catch-up writes a month in one pass (a first run over years of history took hours day by day)."""
    start, end = D("2026-09-01"), D("2026-11-30")
    day = start
    while day <= end:
        aggregate_day(organisation_id=organisation.pk, day=day)
        day += dt.timedelta(days=1)
    one_by_one = stored_state()
    assert one_by_one[0] and one_by_one[1] and one_by_one[2] and len(one_by_one[3]) == 91
    for model in (DailyAggregate, HouseholdDay, CaseFact, AggregatedDay):
        model.objects.all().delete()
    aggregate_days(organisation_id=organisation.pk, start=start, end=D("2026-10-15"))
    aggregate_days(organisation_id=organisation.pk, start=D("2026-10-16"), end=end)
    assert stored_state() == one_by_one
    aggregate_days(organisation_id=organisation.pk, start=start, end=end)  # again, over what is written: the same
    assert stored_state() == one_by_one


def test_today_is_live_and_late_registrations_land_within_the_refresh_window(dataset, personas, organisation):  # noqa: F811
    tasks.aggregate_days_task("2026-12-01")
    client = client_for(personas["styrgrupp"])
    late = register(organisation, personas["hyresradgivare"], serial=820, street="Sena gatan 1",
                    notice=notice_data(received="2026-11-27", served="2026-11-27", debt="1000"))
    november = "from=2026-11-01&to=2026-11-30"
    assert client.get(f"/api/v1/statistics/?{november}").json()["notices"]["total"] == 1  # only H6: the table is as written
    december = "from=2026-12-01&to=2026-12-31"
    register(organisation, personas["hyresradgivare"], serial=821, street="Dagens gata 1",
             notice=notice_data(received="2026-12-01", served="2026-12-01"), today=D("2026-12-01"))
    assert client.get(f"/api/v1/statistics/?{december}").json()["notices"]["total"] == 1  # not written yet: live
    tasks.aggregate_days_task("2026-12-02")  # the next night: 11-27 is within the last 7 days and is rewritten
    assert client.get(f"/api/v1/statistics/?{november}").json()["notices"]["total"] == 2
    assert client.get(f"/api/v1/statistics/?{december}").json()["notices"]["total"] == 1  # now from the table
    assert DailyAggregate.objects.filter(day=D("2026-12-01"), metric="notice_type").exists()
    assert late.case.pk


def test_city_level_sums_the_stored_days_of_every_organisation(dataset, personas):  # noqa: F811
    tasks.aggregate_days_task("2026-12-01")
    Notice.objects.all().delete()
    data = client_for(personas["stad"]).get(f"/api/v1/statistics/?{OCTOBER}").json()
    assert data["notices"]["total"] == 7
    assert data["notices"]["by_type"]["RENT_ARREARS_TERMINATION"] is None  # 4 over both: suppressed at city level
