"""Issue 12, item 6: the last sentences the application wrote as Swedish text (an automatic close's note, the
plan's end of an assignment, an agenda item carried over) are a sentence id and parameters, worded when shown;
migrations cases/0030_codes2 and bosam/0003_codes2 read the old Swedish texts back."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from bosam import selectors as bosam_selectors
from cases import explanations, services, system_sentences
from cases.models import ActiveInvolvement, Assignment, AssignmentRole, Deviation, DeviationEvent
from tests.factories import register
from tests.migration_steps import migrate_to

pytestmark = pytest.mark.django_db

CASES_MIGRATION = importlib.import_module("cases.migrations.0030_codes2")
BEFORE = [("cases", "0029_lifecycle"), ("bosam", "0002_bosamchair")]
AFTER = [("cases", "0030_codes2"), ("bosam", "0003_codes2")]




def test_the_sentences_are_worded_in_the_readers_language():
    with translation.override("en"):
        assert explanations.closing_text("task_due_moved", {"date": "2026-12-01"}, "") == (
            "The task's due date was moved to 2026-12-01; the deviation was closed automatically.")
        assert explanations.end_reason_text(Assignment(end_sentence="plan_new_role", end_params={"role": "ASSIGNED"})) == (
            "New role according to the plan: Assigned")
        assert explanations.agenda_reason_text("not_discussed", {"date": "2026-11-17"}, "") == "Not discussed at BOSAM 2026-11-17."
        # A person's words stay as written.
        assert explanations.closing_text("", {}, "Vi ringde.") == "Vi ringde."
        assert explanations.agenda_reason_text("", {}, "Ordföranden vill ta upp det.") == "Ordföranden vill ta upp det."
    with translation.override("sv"):
        assert explanations.end_reason_text(Assignment(end_sentence="plan_new_role", end_params={"role": "ASSIGNED"})) == (
            "Ny roll enligt planen: Tilldelad")


def test_the_plan_ending_an_assignment_stores_its_sentence(organisation, personas, units):
    """The household becomes aktuell at a unit (R1): that unit leads, the old lead stays with another role."""
    case = register(organisation, personas["hyresradgivare"], serial=880, tenant_birth="19800101").case
    lead = case.assignments.get(ended_at__isnull=True, role="LEAD")
    ActiveInvolvement.objects.create(household=case.household, unit=units["EKONOMISKT_BISTAND"])
    services.case_reevaluate(case, trigger="MANUAL")
    lead.refresh_from_db()
    assert case.assignments.get(ended_at__isnull=True, role="LEAD").unit.code == "EKONOMISKT_BISTAND"
    assert lead.ended_at is not None
    assert (lead.end_sentence, lead.end_reason) == ("plan_new_role", "")
    new_role = case.assignments.get(ended_at__isnull=True, unit=lead.unit).role
    assert lead.end_params == {"role": new_role}
    with translation.override("en"):
        assert lead.shown_end_reason.startswith("New role according to the plan: ")


def test_frozen_minutes_word_the_carried_over_reason_again():
    content = {"sections": [{"items": [
        {"added_reason": "Inte behandlat på BOSAM 2026-11-17."},  # frozen before the sentence was stored
        {"added_reason": "", "added_sentence": {"id": "not_discussed", "params": {"date": "2026-11-18"}}},
        {"added_reason": "Ordföranden vill ta upp det."},
    ]}]}
    with translation.override("en"):
        items = bosam_selectors._reword(content, organisation_id=0)["sections"][0]["items"]
    assert [i["added_reason"] for i in items] == [
        "Not discussed at BOSAM 2026-11-17.", "Not discussed at BOSAM 2026-11-18.", "Ordföranden vill ta upp det."]


def test_reading_the_old_texts_back():
    assert system_sentences.parse_closing("Uppgiften finns inte längre; avvikelsen stängdes automatiskt.") == ("task_gone", {})
    assert system_sentences.parse_closing(
        "En kontakt 2026-11-02 registrerades i efterhand; avvikelsen stängdes automatiskt.") == (
        "contact_registered_late", {"date": "2026-11-02"})
    assert system_sentences.parse_closing("En kontakt igår registrerades i efterhand; avvikelsen stängdes automatiskt.") is None
    assert system_sentences.parse_closing("Vi ringde.") is None
    roles = system_sentences.choice_codes(AssignmentRole)
    assert system_sentences.parse_end_reason("Ny roll enligt planen: Tilldelad", roles=roles) == ("plan_new_role", {"role": "ASSIGNED"})
    assert system_sentences.parse_end_reason("Ny roll enligt planen: vet inte", roles=roles) is None
    assert system_sentences.parse_closing("Inte behandlat på BOSAM 2026-11-17.", "agenda") == ("not_discussed", {"date": "2026-11-17"})


def _old_rows(old_apps, organisation, case, personas):
    now = timezone.now()
    OldDeviation = old_apps.get_model("cases", "Deviation")
    OldEvent = old_apps.get_model("cases", "DeviationEvent")
    OldAssignment = old_apps.get_model("cases", "Assignment")
    closing = "Uppgiftens sista dag flyttades till 2026-11-30; avvikelsen stängdes automatiskt."
    auto = OldDeviation.objects.create(organisation_id=organisation.pk, case_id=case.pk, kind="TASK_OVERDUE", dedupe_key="old-1",
                                       description="x", status="DISMISSED", status_comment=closing, status_changed_at=now)
    person = OldDeviation.objects.create(organisation_id=organisation.pk, case_id=case.pk, kind="TASK_OVERDUE", dedupe_key="old-2",
                                         description="y", status="HANDLED", status_comment=closing, status_changed_at=now,
                                         status_changed_by_id=personas["chef"].pk)
    event = OldEvent.objects.create(deviation_id=auto.pk, from_status="NEW", to_status="DISMISSED", comment=closing, at=now)
    person_event = OldEvent.objects.create(deviation_id=person.pk, from_status="NEW", to_status="HANDLED", comment="Vi ringde.",
                                           user_id=personas["chef"].pk, at=now)
    lead = OldAssignment.objects.filter(case_id=case.pk, ended_at__isnull=True).first()
    plan = OldAssignment.objects.create(case_id=case.pk, unit_id=lead.unit_id, role="COPY", created_at=now, ended_at=now,
                                        end_reason="Ny roll enligt planen: Kopia")
    manual = OldAssignment.objects.create(case_id=case.pk, unit_id=lead.unit_id, role="COPY", created_at=now, ended_at=now,
                                          end_reason="Sonen har flyttat.")
    return {"auto": auto.pk, "person": person.pk, "event": event.pk, "person_event": person_event.pk, "plan": plan.pk,
            "manual": manual.pk, "closing": closing}


def _old_items(old_apps, organisation, case, series):
    OldMeeting, OldItem = old_apps.get_model("bosam", "Meeting"), old_apps.get_model("bosam", "AgendaItem")
    meeting = OldMeeting.objects.create(organisation_id=organisation.pk, series_id=series.pk, date=dt.date(2030, 1, 8),
                                        scheduled_date=dt.date(2030, 1, 8), time=dt.time(9, 0), place="Rum 1")
    carried = OldItem.objects.create(meeting_id=meeting.pk, case_id=case.pk, section="AT_RISK", added_by_chair=True,
                                     added_reason="Inte behandlat på BOSAM 2026-11-17.")
    return meeting, carried


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_afterwards")
def test_migrations_turn_stored_sentences_into_codes_and_back(organisation, personas):
    from tests.test_bosam_scenario import make_series

    case = register(organisation, personas["hyresradgivare"], serial=881).case
    other = register(organisation, personas["hyresradgivare"], serial=882).case
    series = make_series(organisation, start_date=dt.date(2030, 1, 1))
    old_apps = migrate_to(BEFORE)
    ids = _old_rows(old_apps, organisation, case, personas)
    meeting, carried = _old_items(old_apps, organisation, case, series)
    chair_item = old_apps.get_model("bosam", "AgendaItem").objects.create(
        meeting_id=meeting.pk, case_id=other.pk,
        section="AT_RISK", added_by_chair=True, added_reason="Inte behandlat på BOSAM förra gången.")
    migrate_to(AFTER)
    from bosam.models import AgendaItem

    auto, person = Deviation.objects.get(pk=ids["auto"]), Deviation.objects.get(pk=ids["person"])
    assert (auto.status_sentence, auto.status_params, auto.status_comment) == ("task_due_moved", {"date": "2026-11-30"}, "")
    assert (person.status_sentence, person.status_comment) == ("", ids["closing"])  # a person's step stays text
    event = DeviationEvent.objects.get(pk=ids["event"])
    assert (event.comment_sentence, event.comment_params, event.comment) == ("task_due_moved", {"date": "2026-11-30"}, "")
    assert DeviationEvent.objects.get(pk=ids["person_event"]).comment == "Vi ringde."
    plan, manual = Assignment.objects.get(pk=ids["plan"]), Assignment.objects.get(pk=ids["manual"])
    assert (plan.end_sentence, plan.end_params, plan.end_reason) == ("plan_new_role", {"role": "COPY"}, "")
    assert (manual.end_sentence, manual.end_reason) == ("", "Sonen har flyttat.")
    item = AgendaItem.objects.get(pk=carried.pk)
    assert (item.added_sentence, item.added_params, item.added_reason) == ("not_discussed", {"date": "2026-11-17"}, "")
    assert AgendaItem.objects.get(pk=chair_item.pk).added_reason == "Inte behandlat på BOSAM förra gången."
    with translation.override("en"):
        assert auto.shown_status_comment == "The task's due date was moved to 2026-11-30; the deviation was closed automatically."
        assert plan.shown_end_reason == "New role according to the plan: Copy"
        assert item.shown_added_reason == "Not discussed at BOSAM 2026-11-17."

    # Backwards: the Swedish words again.
    old_apps = migrate_to(BEFORE)
    assert old_apps.get_model("cases", "Deviation").objects.get(pk=ids["auto"]).status_comment == ids["closing"]
    assert old_apps.get_model("cases", "DeviationEvent").objects.get(pk=ids["event"]).comment == ids["closing"]
    assert old_apps.get_model("cases", "Assignment").objects.get(pk=ids["plan"]).end_reason == "Ny roll enligt planen: Kopia"
    assert old_apps.get_model("bosam", "AgendaItem").objects.get(pk=carried.pk).added_reason == (
        "Inte behandlat på BOSAM 2026-11-17.")


def test_the_cases_migration_reads_many_rows_in_batches_without_a_query_per_row(organisation, personas):
    case = register(organisation, personas["hyresradgivare"], serial=883).case
    n = CASES_MIGRATION.BATCH + 500
    now = timezone.now()
    Deviation.objects.bulk_create([
        Deviation(organisation=organisation, case=case, kind="TASK_OVERDUE", dedupe_key=f"many-{i}", status="DISMISSED",
                  status_comment=f"Uppgiftens sista dag flyttades till 2026-11-{1 + i % 28:02d}; avvikelsen stängdes automatiskt.",
                  status_changed_at=now)
        for i in range(n)
    ])
    with CaptureQueriesContext(connection) as queries:
        CASES_MIGRATION.to_codes(global_apps, SimpleNamespace(connection=connection))
    assert Deviation.objects.filter(status_sentence="task_due_moved", status_comment="").count() == n
    assert len(queries) <= (12 if connection.vendor == "postgresql" else 40), [q["sql"][:80] for q in queries]
