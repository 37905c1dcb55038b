"""Issue 12, item 6: the plan's explanations stored as rule-sentence ids and parameters.

Reads every stored Swedish sentence back (cases.explanations.parse); a sentence that
matches none is kept as text, which the pages show as it is. Backwards: the Swedish words.
"""

from django.db import migrations


BATCH = 2000


def _rewrite(apps, schema_editor, reword) -> None:
    """Rewrite the explanation of every Case and RoutingDecision with `reword`, a batch at a time."""
    from cases.bulk_writes import update_json_column

    for model_name in ("Case", "RoutingDecision"):
        model = apps.get_model("cases", model_name)
        changed = []
        for pk, explanation in model.objects.exclude(explanation=[]).values_list("pk", "explanation").iterator(chunk_size=BATCH):
            new = reword(explanation)
            if new != explanation:
                changed.append((pk, new))
            if len(changed) >= BATCH:
                update_json_column(schema_editor, model, "explanation", changed)
                changed = []
        update_json_column(schema_editor, model, "explanation", changed)


def to_data(apps, schema_editor):
    from cases.explanations import parse_all

    _rewrite(apps, schema_editor, parse_all)


def to_text(apps, schema_editor):
    from cases.rules.routing import swedish_sentence

    _rewrite(apps, schema_editor, lambda items: [i if isinstance(i, str) else swedish_sentence(i) for i in items])


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_legal")]

    operations = [migrations.RunPython(to_data, to_text)]
