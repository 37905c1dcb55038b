"""Issue 12, item 6: an agenda item's reason the application wrote (carried over, "Inte behandlat på BOSAM …")
stored as a sentence id and parameters (cases.system_sentences.AGENDA_SENTENCES), worded when shown.

Reads the stored Swedish reasons of the chair's items back; the chair's own words (anything that does not match
the sentence exactly) stay text. Frozen minutes are not rewritten: bosam.selectors._reword reads their old
words back when they are shown. In batches of one UPDATE … FROM (VALUES …) each on PostgreSQL. Backwards: Swedish.
"""

from django.db import migrations, models

BATCH = 2000
FIELDS = ["added_sentence", "added_params", "added_reason"]


def _batched(schema_editor, model, rows) -> None:
    from cases.bulk_writes import update_columns

    changed = []
    for row in rows:
        changed.append(row)
        if len(changed) >= BATCH:
            update_columns(schema_editor, model, FIELDS, changed)
            changed = []
    update_columns(schema_editor, model, FIELDS, changed)


def to_codes(apps, schema_editor):
    from cases.system_sentences import parse_closing

    AgendaItem = apps.get_model("bosam", "AgendaItem")

    def rows():
        for pk, text in (AgendaItem.objects.filter(added_by_chair=True, added_sentence="").exclude(added_reason="")
                         .values_list("pk", "added_reason").iterator(chunk_size=BATCH)):
            parsed = parse_closing(text, "agenda")
            if parsed is not None:
                yield (pk, *parsed, "")

    _batched(schema_editor, AgendaItem, rows())


def to_text(apps, schema_editor):
    from django.utils import translation

    from cases.explanations import agenda_reason_text

    AgendaItem = apps.get_model("bosam", "AgendaItem")
    with translation.override("sv"):
        _batched(schema_editor, AgendaItem, (
            (pk, "", {}, agenda_reason_text(sentence, params, text)[:300]) for pk, sentence, params, text in
            AgendaItem.objects.exclude(added_sentence="").values_list("pk", *FIELDS).iterator(chunk_size=BATCH)))


class Migration(migrations.Migration):

    dependencies = [
        ('bosam', '0002_bosamchair'),
        ('cases', '0030_codes2'),
    ]

    operations = [
        migrations.AddField(
            model_name='agendaitem',
            name='added_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='parametrar för systemets anledning'),
        ),
        migrations.AddField(
            model_name='agendaitem',
            name='added_sentence',
            field=models.CharField(blank=True, max_length=40, verbose_name='systemets anledning'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('added_sentence__in', ['', 'not_discussed'])), name='item_added_sentence_known'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('added_sentence', ''), ('added_reason', ''), _connector='OR'), name='item_added_sentence_or_text'),
        ),
        migrations.RunPython(to_codes, to_text, elidable=False),
    ]
