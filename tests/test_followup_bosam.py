"""BOSAM in the statistics and the period report (R5, R6): meetings held, cases discussed, activities decided and
done on time, attendance per department — on the BOSAM scenario of tests/test_bosam_scenario.py, counted by hand:
the meeting of 2026-11-17 discussed D and F, decided one activity (due 11-24) and Äldreomsorg was absent."""

import datetime as dt

import pytest
from django.test import Client

from bosam.models import Activity
from cases import services as case_services
from followup import services
from followup.reports import report_content
from followup.statistics import Scope, compute
from tests.test_bosam_scenario import build_scenario

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_bosam_figures_and_attendance(organisation, personas):
    build_scenario(organisation, personas)
    figures = compute(Scope(organisation_ids=(organisation.pk,)), D("2026-11-01"), D("2026-11-30")).extra
    assert (figures["bosam_meetings"], figures["bosam_cases_discussed"], figures["bosam_activities"],
            figures["bosam_activities_on_time"]) == (1, 2, 1, 0)
    task = Activity.objects.get().task
    case_services.task_complete(task=task, user=personas["ekbistand"], note="Beviljat.")
    # Completed today (after the due date 11-24): not on time.
    assert compute(Scope(organisation_ids=(organisation.pk,)), D("2026-11-01"), D("2026-11-30")).extra["bosam_activities_on_time"] == 0
    type(task).objects.filter(pk=task.pk).update(completed_at=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC))
    assert compute(Scope(organisation_ids=(organisation.pk,)), D("2026-11-01"), D("2026-11-30")).extra["bosam_activities_on_time"] == 1

    report = services.report_prepare(organisation=organisation, kind="MONTH", period_start=D("2026-11-01"), period_end=D("2026-11-30"))
    content = report_content(report)
    attendance = {row["department"]: (row["present"], row["meetings"]) for row in content["bosam"]["attendance"]}
    assert attendance["Äldreomsorg"] == (0, 1)
    assert sum(1 for present, _meetings in attendance.values() if present == 1) == len(attendance) - 1
    assert (content["bosam"]["meetings"], content["bosam"]["activities"], content["bosam"]["activities_on_time"]) == (1, 1, 1)
    absence = next(row for row in content["deviations"]["by_kind"] if row["code"] == "BOSAM_ABSENCE")
    assert absence["now"] == 1

    client = Client()
    client.force_login(personas["styrgrupp"])
    html = client.get("/statistik/?date_from=2026-11-01&date_to=2026-11-30").content.decode()
    assert "Ärenden som behandlades" in html
