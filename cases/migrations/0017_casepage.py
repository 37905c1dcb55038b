"""Issue 12, item 6: the plan's explanations stored as rule-sentence ids and parameters.

Reads every stored Swedish sentence back (cases.explanations.parse); a sentence that
matches none is kept as text, which the pages show as it is. Backwards: the Swedish words.
"""

from django.db import migrations


def to_data(apps, schema_editor):
    from cases.explanations import parse_all

    for model_name in ("Case", "RoutingDecision"):
        model = apps.get_model("cases", model_name)
        changed = []
        for row in model.objects.exclude(explanation=[]).only("pk", "explanation").iterator(chunk_size=2000):
            parsed = parse_all(row.explanation)
            if parsed != row.explanation:
                row.explanation = parsed
                changed.append(row)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["explanation"])
                changed = []
        model.objects.bulk_update(changed, ["explanation"])


def to_text(apps, schema_editor):
    from cases.rules.routing import swedish_sentence

    for model_name in ("Case", "RoutingDecision"):
        model = apps.get_model("cases", model_name)
        changed = []
        for row in model.objects.exclude(explanation=[]).only("pk", "explanation").iterator(chunk_size=2000):
            row.explanation = [item if isinstance(item, str) else swedish_sentence(item) for item in row.explanation]
            changed.append(row)
        model.objects.bulk_update(changed, ["explanation"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_legal")]

    operations = [migrations.RunPython(to_data, to_text)]
