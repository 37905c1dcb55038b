"""The daily checks are set-based (issue 16): the number of queries does not depend on the number of open
cases, neither on a day that changes things (new tasks, urgency, deviations) nor on a day that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Deviation, RoutingDecision, Task
from tests.factories import household_data, notice_data, register

D = dt.date.fromisoformat


def _open_cases(organisation, user, n: int, offset: int = 0) -> None:
    """n open cases in three kinds: a family (orosanmälan, home visit), an adult alone, one with an eviction date."""
    for i in range(offset, offset + n):
        kind = i % 3
        household = household_data(
            serial=100 + i, tenant_birth="19800808", street=f"Sockenvägen {i + 1}", children=("2015-09-16",) if kind == 0 else ()
        )
        if kind == 2:
            notice = notice_data(notice_type="EVICTION_DATE", received="2026-12-18", served="2026-12-17", eviction_date="2027-01-20")
        else:
            notice = notice_data(received="2026-12-18", served="2026-12-18")
        register(organisation, user, household=household, notice=notice, today=D("2026-12-18"))


def _queries(day: str) -> tuple[int, dict]:
    """The run's queries, with what it leaves for after the commit run and counted too: the BOSAM agendas follow the
    changed cases once per batch, not once per case (cases.hooks.cases_changed), and the e-mails go."""
    with CaptureQueriesContext(connection) as captured, TestCase.captureOnCommitCallbacks(execute=True) as after_commit:
        summary = services.run_daily_checks(today=D(day))
    assert after_commit or not summary["changed"]
    return len(captured), summary


def _counts_for(organisation, user, n: int) -> tuple[int, int, dict]:
    _open_cases(organisation, user, n)
    changing, summary = _queries("2027-01-08")  # deadlines reached: urgency, overdue tasks, the home visit planned
    assert summary["evaluated"] == n and summary["changed"] == n and summary["deviations"] > n
    steady, again = _queries("2027-01-08")  # the same day again: nothing new
    assert again == {"evaluated": n, "changed": 0, "deviations": 0}
    return changing, steady, summary


def _sizes(organisation, user, n: int) -> tuple[int, int]:
    """The queries of a changing and of a steady run with n open cases; the cases are rolled back afterwards."""
    with transaction.atomic():
        changing, steady, _ = _counts_for(organisation, user, n)
        transaction.set_rollback(True)
    return changing, steady


@pytest.mark.django_db
def test_the_daily_checks_run_the_same_number_of_queries_for_6_and_12_open_cases(organisation, personas):
    # 12, not more: SQLite takes at most 999 parameters per statement, so Django splits a bulk insert of the
    # deviations of 18 such cases in two (PostgreSQL does not). The count grows only per DAILY_BATCH_SIZE (500) open
    # cases. Pinned: 30 on a changing day (what runs after the commit, the immediate e-mails and a prepared agenda's
    # refresh, is queued for the worker: 3 statements fewer), 22 on a day that changes nothing.
    user = personas["hyresradgivare"]
    small, large = _sizes(organisation, user, 6), _sizes(organisation, user, 12)
    assert small == large, f"6 cases: {small} queries (changing day, steady day), 12 cases: {large}"
    assert small == (30, 22)


@pytest.mark.django_db
def test_a_second_run_records_nothing(organisation, personas):
    _open_cases(organisation, personas["hyresradgivare"], 6)
    services.run_daily_checks(today=D("2027-01-08"))
    state = (Task.objects.count(), RoutingDecision.objects.count(), Deviation.objects.count())
    assert services.run_daily_checks(today=D("2027-01-08"))["changed"] == 0
    assert (Task.objects.count(), RoutingDecision.objects.count(), Deviation.objects.count()) == state
