"""Migration cases/0027_codes: the deviations and task notes the application stored as sentences become a sentence
id and parameters; what it cannot read back (a person's words, an older wording) stays text (issue 12, item 6)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases import services
from cases.models import Deviation, TaskKind
from tests.factories import register
from tests.migration_steps import migrate_to

BEFORE = [("cases", "0026_passkeys")]
AFTER = [("cases", "0027_codes")]
MIGRATION = importlib.import_module("cases.migrations.0027_codes")




def _old_rows(old_apps, organisation, case, tasks, unit, department) -> dict:
    """Rows as the code before 0022 stored them: Swedish (or English) sentences in the text fields."""
    OldDeviation, OldTask = old_apps.get_model("cases", "Deviation"), old_apps.get_model("cases", "Task")
    with translation.override("sv"):
        home_visit = str(TaskKind.HOME_VISIT.label)
    texts = {
        "overdue": ("TASK_OVERDUE", True, f"{home_visit} skulle vara klar 2026-11-20."),
        "overdue_code": ("TASK_OVERDUE", True, "HOME_VISIT skulle vara klar 2026-11-21."),  # the old data generator's wording
        "absence": ("BOSAM_ABSENCE", True, f"{department.name} var inte närvarande på BOSAM-mötet 2026-11-17."),
        "override_en": ("ROUTING_OVERRIDE", True, f"Responsibility was moved manually to {unit.name}: Talked to the head: agreed."),
        "unknown": ("TASK_OVERDUE", True, "Något helt annat hände."),
        "not_a_date": ("EVICTION_WITHOUT_CONTACT", True, "Avhysningsdatumet igår nåddes utan etablerad kontakt."),
        "manual": ("MANUAL", False, f"Ansvaret flyttades manuellt till {unit.name}: det skrev en person."),
    }
    ids = {}
    for key, (kind, automatic, text) in texts.items():
        ids[key] = OldDeviation.objects.create(organisation_id=organisation.pk, case_id=case.pk, kind=kind, automatic=automatic,
                                               description=text, occurred_on=timezone.localdate()).pk
    now = timezone.now()
    notes = {
        "closed": ("MANUAL", "Ärendet avslutades."),
        "bosam": ("MANUAL", "Behandlat på BOSAM 2026-12-01."),
        "person": ("MANUAL", "Ringde, inget svar."),
        "eviction": ("EVICTION_OUTCOME", "Verkställd: Grannen hjälpte till."),
        "label_elsewhere": ("MANUAL", "Verkställd"),  # an eviction result's words on another task: a person's
    }
    for (key, (kind, note)), task in zip(notes.items(), tasks, strict=True):
        OldTask.objects.filter(pk=task.pk).update(kind=kind, status="CANCELLED", completed_at=now, completion_note=note)
        ids[key] = task.pk
    return {"texts": texts, "notes": notes, "ids": ids}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_afterwards")
def test_migration_turns_stored_sentences_into_codes_and_back(organisation, personas, units):
    advisor = personas["hyresradgivare"]
    case = register(organisation, advisor, serial=870).case
    tasks = [services.task_create(case=case, user=advisor, kind="MANUAL", unit=case.lead_unit, due_date=timezone.localdate(),
                                  title=f"Uppgift {i}") for i in range(5)]
    unit = units["VUXNA"]
    department = organisation.departments.order_by("name").first()
    rows = _old_rows(migrate_to(BEFORE), organisation, case, tasks, unit, department)
    # Read through the models as of 0027: later migrations add columns the current models have.
    new_apps = migrate_to(AFTER)
    Deviation, Task = new_apps.get_model("cases", "Deviation"), new_apps.get_model("cases", "Task")
    ids = rows["ids"]
    deviations = {key: Deviation.objects.get(pk=ids[key]) for key in rows["texts"]}
    coded = {key: (d.sentence, d.params, d.description) for key, d in deviations.items()}
    assert coded["overdue"] == ("task_overdue", {"task": "HOME_VISIT", "date": "2026-11-20"}, "")
    assert coded["overdue_code"] == ("task_overdue", {"task": "HOME_VISIT", "date": "2026-11-21"}, "")
    assert coded["absence"] == ("bosam_absence", {"department": department.code, "name": department.name, "date": "2026-11-17"}, "")
    assert coded["override_en"] == ("routing_override", {"unit": "VUXNA", "reason": "Talked to the head: agreed."}, "")
    for key in ("unknown", "not_a_date", "manual"):
        assert coded[key] == ("", {}, rows["texts"][key][2]), key
    notes = {key: Task.objects.get(pk=ids[key]) for key in rows["notes"]}
    assert (notes["closed"].note_sentence, notes["closed"].completion_note) == ("case_closed", "")
    assert (notes["bosam"].note_sentence, notes["bosam"].note_params) == ("bosam_discussed", {"date": "2026-12-01"})
    assert (notes["eviction"].note_sentence, notes["eviction"].note_params) == (
        "eviction_result_note", {"result": "EXECUTED", "note": "Grannen hjälpte till."})
    for key in ("person", "label_elsewhere"):
        assert (notes[key].note_sentence, notes[key].completion_note) == ("", rows["notes"][key][1]), key
    with translation.override("en"):
        from cases.explanations import deviation_text, task_note_text

        assert deviation_text(deviations["overdue"]) == f"{TaskKind.HOME_VISIT.label} was due on 2026-11-20."
        assert deviation_text(deviations["overdue"]).startswith("Home visit")
        assert task_note_text(notes["bosam"]) == "Discussed at BOSAM on 2026-12-01."

    # Backwards: the Swedish words again (the English override too), with the unit's current name.
    old_apps = migrate_to(BEFORE)
    OldDeviation, OldTask = old_apps.get_model("cases", "Deviation"), old_apps.get_model("cases", "Task")
    assert OldDeviation.objects.get(pk=ids["overdue"]).description == rows["texts"]["overdue"][2]
    assert OldDeviation.objects.get(pk=ids["override_en"]).description == (
        f"Ansvaret flyttades manuellt till {unit.name}: Talked to the head: agreed.")
    assert OldTask.objects.get(pk=ids["eviction"]).completion_note == "Verkställd: Grannen hjälpte till."


@pytest.mark.django_db
def test_migration_reads_many_rows_in_batches_without_a_query_per_row(organisation, personas):
    """2,500 stored sentences (more than a batch): the reading back costs a handful of queries, not one per row."""
    case = register(organisation, personas["hyresradgivare"], serial=871).case
    with translation.override("sv"):
        label = str(TaskKind.HOME_VISIT.label)
    n = MIGRATION.BATCH + 500
    Deviation.objects.bulk_create([
        Deviation(organisation=organisation, case=case, kind="TASK_OVERDUE", dedupe_key=f"many-{i}",
                  description=f"{label} skulle vara klar 2026-11-{1 + i % 28:02d}.")
        for i in range(n)
    ])
    with CaptureQueriesContext(connection) as queries:
        MIGRATION.to_codes(global_apps, SimpleNamespace(connection=connection))
    assert Deviation.objects.filter(sentence="task_overdue", description="").count() == n
    # Units, departments, the two reads and two batches of updates (each batch one UPDATE … FROM (VALUES …) on PostgreSQL).
    # Elsewhere bulk_update in batches of 500 (or what SQLite's variable limit allows): still far from one per row.
    assert len(queries) <= (12 if connection.vendor == "postgresql" else 40), [q["sql"][:80] for q in queries]
