"""A trigram index for searching people by part of their name (PostgreSQL only).

Django's `name__icontains` on PostgreSQL is `UPPER(name::text) LIKE UPPER('%…%')`, which no
B-tree index can serve: at 100 000 notices the search scanned every person (docs/benchmarks.md).
pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it. On SQLite
this migration does nothing."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS cases_person_name_upper_trgm ON cases_person USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_person_name_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_household_area_index")]
    operations = [migrations.RunPython(create_index, drop_index)]
