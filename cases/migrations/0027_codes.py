"""Issue 12, item 6: the deviations and task notes the application writes, stored as a sentence id and parameters.

Reads every stored sentence back (cases.system_sentences.parse_deviation / parse_task_note, in Swedish and in
English: they were worded in the language of whoever caused them); a text that matches no sentence exactly (a
person's words, an older wording) is kept as text, which the pages show as it is. Only automatic deviations
and closed tasks are read: a manual deviation's description and an open task have none of the application's.
In batches of one UPDATE … FROM (VALUES …) each on PostgreSQL, without a query per row (100k+ rows). Backwards: the Swedish words.
"""

from collections import defaultdict

from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def _names(apps):
    """Per organisation: (unit name → code, department name → code) and (code → name) for both."""
    from cases.rules.routing import UNIT_NAMES

    unit_codes, department_codes = defaultdict(lambda: {v: k for k, v in UNIT_NAMES.items()}), defaultdict(dict)
    unit_names, department_names = defaultdict(dict), defaultdict(dict)
    for organisation_id, code, name in apps.get_model("organisation", "Unit").objects.values_list("organisation_id", "code", "name"):
        unit_codes[organisation_id][name] = code
        unit_names[organisation_id][code] = name
    for organisation_id, code, name in apps.get_model("organisation", "Department").objects.values_list("organisation_id", "code", "name"):
        department_codes[organisation_id][name] = code
        department_names[organisation_id][code] = name
    return unit_codes, department_codes, unit_names, department_names


def _batched(schema_editor, model, fields, rows) -> None:
    """Write (pk, *values) rows a batch at a time: one statement per batch (cases.bulk_writes)."""
    from cases.bulk_writes import update_columns

    changed = []
    for row in rows:
        changed.append(row)
        if len(changed) >= BATCH:
            update_columns(schema_editor, model, fields, changed)
            changed = []
    update_columns(schema_editor, model, fields, changed)


DEVIATION_FIELDS = ["sentence", "params", "description"]
TASK_FIELDS = ["note_sentence", "note_params", "completion_note"]


def to_codes(apps, schema_editor):
    from cases.models import EvictionResult, PaymentDecision, TaskKind
    from cases.system_sentences import choice_codes, parse_deviation, parse_task_note

    unit_codes, department_codes, _u, _d = _names(apps)
    task_kinds = choice_codes(TaskKind)
    Deviation = apps.get_model("cases", "Deviation")

    def deviations():
        rows = (Deviation.objects.filter(automatic=True, sentence="").exclude(kind="MANUAL").exclude(description="")
                .values_list("pk", "organisation_id", "kind", "description").iterator(chunk_size=BATCH))
        for pk, organisation_id, kind, description in rows:
            parsed = parse_deviation(kind, description, task_kinds=task_kinds, units=unit_codes[organisation_id],
                                     departments=department_codes[organisation_id])
            if parsed is not None:
                yield (pk, *parsed, "")

    _batched(schema_editor, Deviation, DEVIATION_FIELDS, deviations())

    results, decisions = choice_codes(EvictionResult), choice_codes(PaymentDecision)
    Task = apps.get_model("cases", "Task")

    def tasks():
        rows = (Task.objects.filter(note_sentence="").exclude(completion_note="").exclude(status="OPEN")
                .values_list("pk", "kind", "completion_note").iterator(chunk_size=BATCH))
        for pk, kind, note in rows:
            parsed = parse_task_note(kind, note, results=results, decisions=decisions)
            if parsed is not None:
                yield (pk, *parsed, "")

    _batched(schema_editor, Task, TASK_FIELDS, tasks())


def to_text(apps, schema_editor):
    from django.utils import translation

    from cases.explanations import deviation_text, task_note_text

    _uc, _dc, unit_names, department_names = _names(apps)
    Deviation, Task = apps.get_model("cases", "Deviation"), apps.get_model("cases", "Task")
    with translation.override("sv"):
        def deviations():
            for row in Deviation.objects.exclude(sentence="").only("pk", "organisation_id", "sentence", "params", "description").iterator(
                    chunk_size=BATCH):
                yield (row.pk, "", {}, deviation_text(row, unit_names[row.organisation_id], department_names[row.organisation_id]))

        _batched(schema_editor, Deviation, DEVIATION_FIELDS, deviations())

        def tasks():
            for row in Task.objects.exclude(note_sentence="").only("pk", "note_sentence", "note_params", "completion_note").iterator(
                    chunk_size=BATCH):
                yield (row.pk, "", {}, task_note_text(row))

        _batched(schema_editor, Task, TASK_FIELDS, tasks())


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0026_passkeys'),
        ('organisation', '0004_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='deviation',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='systembeskrivningens parametrar'),
        ),
        migrations.AddField(
            model_name='deviation',
            name='sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systembeskrivning'),
        ),
        migrations.AddField(
            model_name='task',
            name='note_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='systemanteckningens parametrar'),
        ),
        migrations.AddField(
            model_name='task',
            name='note_sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systemanteckning'),
        ),
        migrations.AlterField(
            model_name='deviation',
            name='description',
            field=models.TextField(blank=True, verbose_name='beskrivning'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('sentence__in', ['', 'task_overdue', 'eviction_without_contact', 'no_report_of_concern', 'absent_at_eviction_with_children', 'bosam_absence', 'routing_override'])), name='deviation_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('sentence', ''), ('description', ''), _connector='OR'), name='deviation_sentence_or_text'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('sentence', ''), ('automatic', True), _connector='OR'), name='deviation_sentence_only_automatic'),
        ),
        migrations.AddConstraint(
            model_name='task',
            constraint=models.CheckConstraint(condition=models.Q(('note_sentence__in', ['', 'eviction_cancelled', 'contact_no_home_visit', 'case_closed', 'assignment_ended', 'bosam_discussed', 'eviction_result', 'eviction_result_note', 'payment_decision'])), name='task_note_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='task',
            constraint=models.CheckConstraint(condition=models.Q(('note_sentence', ''), ('completion_note', ''), _connector='OR'), name='task_note_sentence_or_text'),
        ),
        migrations.AddConstraint(
            model_name='task',
            constraint=models.CheckConstraint(condition=models.Q(('note_sentence', ''), models.Q(('status', 'OPEN'), _negated=True), _connector='OR'), name='task_note_sentence_when_closed'),
        ),
        migrations.RunPython(to_codes, to_text, elidable=False),
    ]
