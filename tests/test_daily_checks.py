"""The daily checks: the Celery beat task and `manage.py run_daily_checks`, both calling
services.run_daily_checks; idempotent when run twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases import services
from cases.models import Deviation, RoutingDecision, Task
from cases.tasks import run_daily_checks_task
from tests.factories import household_data, notice_data

D = dt.date.fromisoformat


@pytest.fixture
def family_case(organisation, personas):
    """Received Fri 2026-12-18, not aktuell, no contact: R2d's home visit is due from Mon 2027-01-11."""
    return services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"], notice=notice_data(received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    ).case


def state(case) -> tuple[int, int, int]:
    return (Task.objects.filter(case=case).count(), RoutingDecision.objects.filter(case=case).count(), Deviation.objects.count())


def test_the_task_is_the_one_in_the_beat_schedule():
    from avhysning.celery import app

    assert run_daily_checks_task.name == "cases.tasks.run_daily_checks_task"
    assert settings.CELERY_BEAT_SCHEDULE["run-daily-checks"]["task"] == run_daily_checks_task.name
    app.loader.import_default_modules()
    # The project app's own registration: the one its worker runs when beat sends the name.
    registered = app.tasks[run_daily_checks_task.name]
    assert registered.run is run_daily_checks_task.run
    assert 0 < registered.soft_time_limit < registered.time_limit


def test_the_task_runs_eagerly_and_returns_the_summary(family_case):
    # Fri 2027-01-08: the recovery deadline (served 18 Dec + 21 days) is today, so the case turns urgent, and letter,
    # phone, notify and orosanmälan (due in December) are overdue (R8), and the orosanmälan is still not made after
    # 5 working days (NO_REPORT_OF_CONCERN). The home visit (R2d) is planned today, not after the deadline (issue 11:
    # it had to come 5 working days before it; the daily checks did not run in between, so it is due at once).
    assert run_daily_checks_task.apply(args=["2027-01-08"]).get() == {"date": "2027-01-08", "evaluated": 1, "changed": 1, "deviations": 5}
    family_case.refresh_from_db()
    assert family_case.urgent
    visit = family_case.tasks.get(kind="HOME_VISIT")
    assert visit.due_date == D("2027-01-08")

    # Mon 2027-01-11: nothing new to plan (the visit exists); it and the BOSAM review due on 8 January are overdue.
    first = run_daily_checks_task.apply(args=["2027-01-11"]).get()
    assert first == {"date": "2027-01-11", "evaluated": 1, "changed": 0, "deviations": 2}
    assert family_case.tasks.filter(kind="HOME_VISIT").count() == 1
    after_first = state(family_case)

    second = run_daily_checks_task.apply(args=["2027-01-11"]).get()
    assert second == {"date": "2027-01-11", "evaluated": 1, "changed": 0, "deviations": 0}
    assert state(family_case) == after_first


def test_the_task_defaults_to_today(family_case):
    result = run_daily_checks_task.apply().get()
    assert result["date"] == timezone.localdate().isoformat()
    assert result["evaluated"] == 1


def test_the_command_prints_a_swedish_summary(family_case):
    # Five overdue tasks and the orosanmälan not made after 5 working days (NO_REPORT_OF_CONCERN, issue 11).
    out = io.StringIO()
    call_command("run_daily_checks", "--date", "2027-01-11", stdout=out)
    assert out.getvalue().strip() == "Dagliga kontroller 2027-01-11: 1 öppet ärende kontrollerat, 1 ändrat, 6 nya avvikelser."
    assert family_case.tasks.filter(kind="HOME_VISIT").count() == 1

    out = io.StringIO()
    call_command("run_daily_checks", "--date", "2027-01-11", stdout=out)
    assert out.getvalue().strip() == "Dagliga kontroller 2027-01-11: 1 öppet ärende kontrollerat, 0 ändrade, 0 nya avvikelser."
    assert family_case.tasks.filter(kind="HOME_VISIT").count() == 1


def test_the_command_can_be_limited_to_one_organisation(family_case, other_organisation):
    out = io.StringIO()
    call_command("run_daily_checks", "--date", "2027-01-11", "--organisation", other_organisation.code, stdout=out)
    assert "0 öppna ärenden kontrollerade" in out.getvalue()
    assert not family_case.tasks.filter(kind="HOME_VISIT").exists()


@pytest.mark.parametrize("args", [["--date", "11/1/2027"], ["--date", "2027-02-30"], ["--organisation", "narnia"]])
def test_the_command_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError):
        call_command("run_daily_checks", *args, stdout=io.StringIO())
