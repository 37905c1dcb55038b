from django.db import migrations

from organisation.defaults import DEFAULT_ORGANISATION, create_organisation


def load_defaults(apps, schema_editor):
    create_organisation(
        apps.get_model("organisation", "Organisation"),
        apps.get_model("organisation", "Department"),
        apps.get_model("organisation", "Unit"),
        **DEFAULT_ORGANISATION,
    )


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
