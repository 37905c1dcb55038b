"""Person.organisation (issue 16): the household's organisation on each person, and a trigram index on
(organisation, name) so that a name search reads only the list's own organisation's persons.

Fast at 1,000,000 persons on PostgreSQL: the column is added bare, filled by ONE `UPDATE … FROM` of the
households, made NOT NULL, and only then given its foreign key (validated in one scan, no per-row trigger
events) and its index. The old name-only trigram index is dropped before the update (the new one serves a
name-only condition as well: a GIN index can be used with any subset of its columns), so the update does not
maintain it row by row. The composite index needs `btree_gin` for the integer column; where that extension is
not available, the old name-only trigram index is kept beside a B-tree on the organisation (PostgreSQL can
combine the two with a BitmapAnd).

A small partial index on the household of protected persons serves `protected_household_ids()` (every list page's
area choices), which scanned every person.

On SQLite (the tests' default) the schema editor adds the column, one correlated UPDATE fills it, the schema
editor makes it NOT NULL; no trigram index there."""

import django.db.models.deletion
from django.db import migrations, models

OLD_INDEX = "cases_person_name_upper_trgm"
NEW_INDEX = "cases_person_org_name_trgm"
FALLBACK_INDEX = "cases_person_organisation_id_btree"
FK = "cases_person_organisation_id_fk_organisation"


def _field(to, null: bool) -> models.ForeignKey:
    field = models.ForeignKey(
        to, on_delete=django.db.models.deletion.PROTECT, related_name="+", db_index=False, null=null,
        verbose_name="organisation",
    )
    field.set_attributes_from_name("organisation")
    return field


def _btree_gin_available(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gin'")
    return cursor.fetchone() is not None


def _postgresql_forwards(schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_person ADD COLUMN organisation_id bigint NULL")
        cursor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        cursor.execute(
            "UPDATE cases_person AS p SET organisation_id = h.organisation_id FROM cases_household AS h WHERE h.id = p.household_id"
        )
        cursor.execute("ALTER TABLE cases_person ALTER COLUMN organisation_id SET NOT NULL")
        cursor.execute(
            f"ALTER TABLE cases_person ADD CONSTRAINT {FK} FOREIGN KEY (organisation_id) "
            "REFERENCES organisation_organisation (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        if _btree_gin_available(cursor):
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
            cursor.execute(f"CREATE INDEX {NEW_INDEX} ON cases_person USING gin (organisation_id, UPPER(name::text) gin_trgm_ops)")
        else:  # pragma: no cover - btree_gin ships with PostgreSQL's contrib
            cursor.execute(f"CREATE INDEX {OLD_INDEX} ON cases_person USING gin (UPPER(name::text) gin_trgm_ops)")
            cursor.execute(f"CREATE INDEX {FALLBACK_INDEX} ON cases_person (organisation_id)")
        cursor.execute("ANALYZE cases_person")  # the planner's statistics for the new column and index expression


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _postgresql_forwards(schema_editor)
        return
    Person = apps.get_model("cases", "Person")
    Organisation = apps.get_model("organisation", "Organisation")
    nullable = _field(Organisation, null=True)
    nullable.contribute_to_class(Person, "organisation")
    schema_editor.add_field(Person, nullable)
    schema_editor.execute(
        "UPDATE cases_person SET organisation_id = "
        "(SELECT h.organisation_id FROM cases_household AS h WHERE h.id = cases_person.household_id)"
    )
    not_null = _field(Organisation, null=False)
    not_null.model = Person
    schema_editor.alter_field(Person, nullable, not_null)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in (NEW_INDEX, FALLBACK_INDEX):
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute("ALTER TABLE cases_person DROP COLUMN organisation_id")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON cases_person USING gin (UPPER(name::text) gin_trgm_ops)")
        return
    Person = apps.get_model("cases", "Person")
    schema_editor.remove_field(Person, Person._meta.get_field("organisation"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0022_casepage"),
        ("organisation", "0004_api_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddField(
                    model_name="person",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="organisation.organisation", verbose_name="organisation",
                    ),
                    preserve_default=False,
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(condition=models.Q(("protected_identity", True)), fields=["household"], name="person_protected_household"),
        ),
    ]
