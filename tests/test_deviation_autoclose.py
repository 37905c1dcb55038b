"""Automatic deviations close themselves when their cause is gone and nobody has touched them (issue 13),
always with a note in their history, never silently; a deviation someone has handled is left alone."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from cases import services
from cases.models import Deviation, DeviationEvent, DeviationKind, DeviationStatus, Task, TaskStatus
from followup import services as followup_services
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(organisation, personas):
    """A family case whose letter task is overdue; the daily check raises TASK_OVERDUE today."""
    today = timezone.localdate()
    received = today - dt.timedelta(days=14)
    case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received=str(received), served=str(received)), today=received).case
    services.run_daily_checks(today=today)
    deviations = Deviation.objects.filter(case=case, kind=DeviationKind.TASK_OVERDUE)
    assert deviations.exists()
    return {"case": case, "today": today, "deviations": deviations}


def _task_of(deviation):
    return Task.objects.get(pk=int(deviation.dedupe_key.rsplit("-", 1)[1]))


def test_overdue_task_done_the_same_day_closes_its_deviation_with_a_note(overdue, personas):
    deviation = overdue["deviations"].first()
    services.task_complete(task=_task_of(deviation), user=personas["hyresradgivare"], note="Klart.")
    services.run_daily_checks(today=overdue["today"] + dt.timedelta(days=1))
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.DISMISSED
    # The note is the application's sentence, stored as an id and its date, worded when shown (issue 12, item 6).
    done_on = timezone.localdate(_task_of(deviation).completed_at).isoformat()
    assert (deviation.status_sentence, deviation.status_params, deviation.status_comment) == (
        "task_done_same_day", {"date": done_on}, "")
    assert "stängdes automatiskt" in deviation.shown_status_comment and done_on in deviation.shown_status_comment
    with translation.override("en"):
        assert "closed automatically" in deviation.shown_status_comment
    event = DeviationEvent.objects.get(deviation=deviation)
    assert (event.from_status, event.to_status, event.user) == ("NEW", "DISMISSED", None)
    assert (event.comment_sentence, event.comment_params, event.comment) == ("task_done_same_day", {"date": done_on}, "")
    assert event.shown_comment == deviation.shown_status_comment
    # Running the checks again changes nothing more.
    services.run_daily_checks(today=overdue["today"] + dt.timedelta(days=1))
    assert DeviationEvent.objects.filter(deviation=deviation).count() == 1


def test_a_touched_deviation_stays_as_people_left_it(overdue, personas):
    deviation = overdue["deviations"].first()
    followup_services.deviation_handle(deviation=deviation, user=personas["chef"], status="UNDER_REVIEW", comment="Vi tittar.")
    services.task_complete(task=_task_of(deviation), user=personas["hyresradgivare"])
    services.run_daily_checks(today=overdue["today"] + dt.timedelta(days=1))
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.UNDER_REVIEW


def test_a_task_done_days_later_is_still_a_deviation(overdue, personas):
    deviation = overdue["deviations"].first()
    task = _task_of(deviation)
    services.task_complete(task=task, user=personas["hyresradgivare"])
    late = timezone.now() + dt.timedelta(days=3)
    Task.objects.filter(pk=task.pk).update(completed_at=late)  # as if it was done three days after the check
    services.run_daily_checks(today=overdue["today"] + dt.timedelta(days=4))
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.NEW
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_eviction_without_contact_closes_when_an_earlier_contact_is_registered(organisation, personas):
    today = timezone.localdate()
    received = today - dt.timedelta(days=10)
    case = register(organisation, personas["hyresradgivare"], serial=830, street="Avhysningsvägen 1",
                    notice=notice_data("EVICTION_DATE", received=str(received), served=None,
                                       eviction_date=str(today - dt.timedelta(days=1))), today=received).case
    services.run_daily_checks(today=today)
    deviation = Deviation.objects.get(case=case, kind=DeviationKind.EVICTION_WITHOUT_CONTACT)
    services.contact_register(case=case, user=personas["hyresradgivare"], date=today - dt.timedelta(days=2), channel="PHONE",
                              established=True)
    services.run_daily_checks(today=today)
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.DISMISSED and deviation.status_sentence == "contact_registered_late"
    assert "kontakt" in deviation.shown_status_comment
