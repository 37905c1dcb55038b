"""Issue 12, item 6: the last sentences the application stored as Swedish text, as a sentence id and parameters.

The note written when an automatic deviation closes itself (Deviation.status_comment, DeviationEvent.comment;
cases.system_sentences.CLOSING_SENTENCES) and the plan's reason for ending an assignment (Assignment.end_reason;
END_REASON_SENTENCES). Every stored text is read back in Swedish (the daily checks and the plan wrote Swedish);
a text that matches no sentence exactly (a person's words) stays text. In batches of one UPDATE … FROM (VALUES …)
each on PostgreSQL, no query per row. Backwards: the Swedish words.
"""

from django.conf import settings
from django.db import migrations, models

BATCH = 2000

DEVIATION_FIELDS = ["status_sentence", "status_params", "status_comment"]
EVENT_FIELDS = ["comment_sentence", "comment_params", "comment"]
ASSIGNMENT_FIELDS = ["end_sentence", "end_params", "end_reason"]


def _batched(schema_editor, model, fields, rows) -> None:
    from cases.bulk_writes import update_columns

    changed = []
    for row in rows:
        changed.append(row)
        if len(changed) >= BATCH:
            update_columns(schema_editor, model, fields, changed)
            changed = []
    update_columns(schema_editor, model, fields, changed)


def _parsed(queryset, text_field, parse):
    for pk, text in queryset.exclude(**{text_field: ""}).values_list("pk", text_field).iterator(chunk_size=BATCH):
        parsed = parse(text)
        if parsed is not None:
            yield (pk, *parsed, "")


def to_codes(apps, schema_editor):
    from cases.models import AssignmentRole
    from cases.system_sentences import choice_codes, parse_closing, parse_end_reason

    Deviation = apps.get_model("cases", "Deviation")
    DeviationEvent = apps.get_model("cases", "DeviationEvent")
    Assignment = apps.get_model("cases", "Assignment")
    # Only the application closes with no user: a person's comment is never read as a sentence.
    _batched(schema_editor, Deviation, DEVIATION_FIELDS,
             _parsed(Deviation.objects.filter(automatic=True, status_sentence="", status_changed_by__isnull=True), "status_comment",
                     parse_closing))
    _batched(schema_editor, DeviationEvent, EVENT_FIELDS,
             _parsed(DeviationEvent.objects.filter(comment_sentence="", user__isnull=True), "comment", parse_closing))
    roles = choice_codes(AssignmentRole)
    _batched(schema_editor, Assignment, ASSIGNMENT_FIELDS,
             _parsed(Assignment.objects.filter(end_sentence="", ended_at__isnull=False), "end_reason",
                     lambda text: parse_end_reason(text, roles=roles)))


def to_text(apps, schema_editor):
    from django.utils import translation

    from cases.explanations import closing_text, end_reason_text

    Deviation = apps.get_model("cases", "Deviation")
    DeviationEvent = apps.get_model("cases", "DeviationEvent")
    Assignment = apps.get_model("cases", "Assignment")
    with translation.override("sv"):
        _batched(schema_editor, Deviation, DEVIATION_FIELDS, (
            (pk, "", {}, closing_text(sentence, params, text)) for pk, sentence, params, text in
            Deviation.objects.exclude(status_sentence="").values_list("pk", *DEVIATION_FIELDS).iterator(chunk_size=BATCH)))
        _batched(schema_editor, DeviationEvent, EVENT_FIELDS, (
            (pk, "", {}, closing_text(sentence, params, text)) for pk, sentence, params, text in
            DeviationEvent.objects.exclude(comment_sentence="").values_list("pk", *EVENT_FIELDS).iterator(chunk_size=BATCH)))
        _batched(schema_editor, Assignment, ASSIGNMENT_FIELDS, (
            (row.pk, "", {}, end_reason_text(row)[:300]) for row in
            Assignment.objects.exclude(end_sentence="").only("pk", *ASSIGNMENT_FIELDS).iterator(chunk_size=BATCH)))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0029_lifecycle'),
        ('organisation', '0005_landlord'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='deviation',
            name='deviation_closed_with_comment',
        ),
        migrations.AddField(
            model_name='assignment',
            name='end_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='parametrar för systemets anledning'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='end_sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systemets anledning till avslut'),
        ),
        migrations.AddField(
            model_name='deviation',
            name='status_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='systemkommentarens parametrar'),
        ),
        migrations.AddField(
            model_name='deviation',
            name='status_sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systemkommentar'),
        ),
        migrations.AddField(
            model_name='deviationevent',
            name='comment_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='systemkommentarens parametrar'),
        ),
        migrations.AddField(
            model_name='deviationevent',
            name='comment_sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systemkommentar'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(('end_sentence__in', ['', 'plan_new_role'])), name='assignment_end_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(('end_sentence', ''), ('end_reason', ''), _connector='OR'), name='assignment_end_sentence_or_text'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(('end_sentence', ''), ('ended_at__isnull', False), _connector='OR'), name='assignment_end_sentence_when_ended'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['NEW', 'UNDER_REVIEW']), models.Q(models.Q(models.Q(('status_comment', ''), _negated=True), models.Q(('status_sentence', ''), _negated=True), _connector='OR'), ('status_changed_at__isnull', False)), _connector='OR'), name='deviation_closed_with_comment'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('status_sentence__in', ['', 'task_gone', 'task_done_same_day', 'task_due_moved', 'contact_registered_late', 'eviction_date_changed'])), name='deviation_status_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='deviation',
            constraint=models.CheckConstraint(condition=models.Q(('status_sentence', ''), ('status_comment', ''), _connector='OR'), name='deviation_status_sentence_or_text'),
        ),
        migrations.AddConstraint(
            model_name='deviationevent',
            constraint=models.CheckConstraint(condition=models.Q(('comment_sentence__in', ['', 'task_gone', 'task_done_same_day', 'task_due_moved', 'contact_registered_late', 'eviction_date_changed'])), name='deviation_event_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='deviationevent',
            constraint=models.CheckConstraint(condition=models.Q(('comment_sentence', ''), ('comment', ''), _connector='OR'), name='deviation_event_sentence_or_text'),
        ),
        migrations.RunPython(to_codes, to_text, elidable=False),
    ]
