"""The BOSAM pages: who sees what, the chair's actions, form errors; and Celery beat's schedule."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bosam.models import Attendance, MeetingStatus
from cases.models import AuditAction, AuditEvent, Task, TaskKind
from tests.test_bosam_scenario import build_scenario


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_and_detail_for_participants(scenario, personas):
    for name in ("ordforande", "barn", "chef", "hyresradgivare"):
        client = client_for(personas[name])
        response = client.get(reverse("bosam:meeting_list"))
        assert response.status_code == 200
        assert "BOSAM" in response.content.decode()
        response = client.get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert scenario.cases["A"].number in html and "Sockenvägen" not in html
        assert ("Ordförandens verktyg" in html) == (name == "ordforande")
    # One row per agenda item and reader, against the item's case (issue 10, defect 8; was one row per reader).
    items = scenario.meeting.items.filter(removed_at__isnull=True).count()
    reads = AuditEvent.objects.filter(action=AuditAction.AGENDA_VIEW, detail__startswith=f"meeting={scenario.meeting.pk}")
    assert reads.count() == 4 * items


def test_admin_and_other_organisations_see_nothing(scenario, personas, make_user, other_organisation):
    assert client_for(personas["admin"]).get(reverse("bosam:meeting_list")).status_code == 404
    assert client_for(personas["admin"]).get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk])).status_code == 404
    outsider = make_user("skarholmen-ordf", "bosam_ordforande", "HYRESRADGIVNING", org=other_organisation)
    assert client_for(outsider).get(reverse("bosam:meeting_detail", args=[scenario.meeting.pk])).status_code == 404
    assert client_for(outsider).post(reverse("bosam:meeting_close", args=[scenario.meeting.pk])).status_code == 404


def test_only_the_chair_changes_anything(scenario, personas):
    meeting = scenario.meeting
    for name in ("barn", "hyresradgivare", "chef"):
        client = client_for(personas[name])
        assert client.post(reverse("bosam:meeting_close", args=[meeting.pk])).status_code == 403
        assert client.post(reverse("bosam:agenda_regenerate", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_form_errors_rerender_with_the_users_data(scenario, personas):
    client = client_for(personas["ordforande"])
    meeting = scenario.meeting
    response = client.post(reverse("bosam:item_add", args=[meeting.pk]),
                           {"add-number": "2026-9999", "add-section": "AT_RISK", "add-reason": "Viktigt ärende"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Det finns inget ärende med det numret." in html and "Viktigt ärende" in html
    response = client.post(reverse("bosam:meeting_reschedule", args=[meeting.pk]),
                           {"date": "2026-12-24", "time": "09:00", "place": "Sal Årsta"})
    assert response.status_code == 400 and "inte en arbetsdag" in response.content.decode()
    item = meeting.items.get(case=scenario.cases["A"])
    response = client.post(reverse("bosam:activity_add", args=[meeting.pk, item.pk]), {"what": "Hembesök", "unit": "", "due_date": ""})
    assert response.status_code == 400 and "Hembesök" in response.content.decode()


def test_chair_runs_the_meeting(scenario, personas, organisation):
    client = client_for(personas["ordforande"])
    meeting = scenario.meeting
    item = meeting.items.get(case=scenario.cases["A"])
    departments = list(meeting.series.departments.all())
    data = {f"att-present_{d.pk}": "on" for d in departments if d.code != "FUNKTIONSNEDSATTNING"}
    response = client.post(reverse("bosam:attendance", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == len(departments) - 1
    unit = organisation.units.get(code="MOTTAGNING_BARN_UNGA")
    response = client.post(reverse("bosam:activity_add", args=[meeting.pk, item.pk]),
                           {"what": "Hembesök med familjen", "unit": unit.pk, "due_date": "2026-12-10"})
    assert response.status_code == 302
    assert Task.objects.filter(case=scenario.cases["A"], kind=TaskKind.BOSAM_ACTIVITY, unit=unit, title="Hembesök med familjen").exists()
    response = client.post(reverse("bosam:item_note", args=[meeting.pk, item.pk]), {"note": "Familjen har kontakt med skolan."})
    assert response.status_code == 302
    # Closing cannot be undone: it asks first (issue 12), and without the confirmation nothing happens.
    response = client.get(reverse("bosam:meeting_close", args=[meeting.pk]))
    assert response.status_code == 200 and "Ja, lås protokollet" in response.content.decode()
    response = client.post(reverse("bosam:meeting_close", args=[meeting.pk]))
    assert response.status_code == 400
    assert "Bekräfta att du vill låsa protokollet" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status != MeetingStatus.CLOSED
    response = client.post(reverse("bosam:meeting_close", args=[meeting.pk]), {"confirm": "yes"}, follow=True)
    assert "Protokollet är låst" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    assert meeting.minutes["attendance"][2]["present"] in (True, False)
    # The agenda can no longer be changed.
    response = client.post(reverse("bosam:item_note", args=[meeting.pk, item.pk]), {"note": "Ändrat"}, follow=True)
    assert "Protokollet är låst" in response.content.decode()
    item.refresh_from_db()
    assert item.note == "Familjen har kontakt med skolan."


def test_reorder_and_strike(scenario, personas):
    client = client_for(personas["ordforande"])
    meeting = scenario.meeting
    c = scenario.cases
    item_e = meeting.items.get(case=c["E"])
    assert client.post(reverse("bosam:item_move", args=[meeting.pk, item_e.pk, "up"])).status_code == 302
    order = list(meeting.items.filter(section="AT_RISK").order_by("position").values_list("case_id", flat=True))
    assert order == [c["E"].pk, c["D"].pk]
    response = client.post(reverse("bosam:item_remove", args=[meeting.pk, item_e.pk]), {"remove-reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("bosam:item_remove", args=[meeting.pk, item_e.pk]), {"remove-reason": "Flyttat"})
    assert response.status_code == 302
    item_e.refresh_from_db()
    assert item_e.removed_reason == "Flyttat"


def test_prepare_agendas_command(scenario, organisation):
    call_command("prepare_agendas", "--date", "2026-12-11")
    assert scenario.series.meetings.get(date=dt.date(2026, 12, 15)).agenda_ready


@pytest.mark.django_db(transaction=True)
def test_beat_schedule_reaches_the_database_scheduler():
    """django-celery-beat copies CELERY_BEAT_SCHEDULE into its tables: all three jobs must be there."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from avhysning.celery import app

    scheduler = DatabaseScheduler(app=app)
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"cases.tasks.run_daily_checks_task", "bosam.tasks.plan_meetings_task", "bosam.tasks.prepare_agendas_task"} <= tasks
    assert {"plan-bosam-meetings", "prepare-bosam-agendas"} <= set(scheduler.schedule)
    app.loader.import_default_modules()
    assert {"bosam.tasks.plan_meetings_task", "bosam.tasks.prepare_agendas_task"} <= set(app.tasks)
