"""Bulk writes of many rows: data migrations that rewrite columns, an import's rows after its commit.

Django's bulk_update writes `CASE WHEN id = … THEN …` with one branch per row, which PostgreSQL
evaluates branch by branch: at 100,000 rows migration 0017 spent 380 s there. On PostgreSQL this
writes each batch as one `UPDATE … FROM (VALUES …)` instead (a join); elsewhere bulk_update.
"""

from __future__ import annotations

import json


def update_json_column(schema_editor, model, field: str, rows: list[tuple[int, object]]) -> None:
    """Set `field` (a JSONField) to the given value for each (pk, value). Of the schema editor only its
    connection is used."""
    if not rows:
        return
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column = quote(model._meta.get_field(field).column)
        pk = quote(model._meta.pk.column)
        sql = f"UPDATE {table} AS t SET {column} = v.value::jsonb FROM (VALUES %s) AS v(id, value) WHERE t.{pk} = v.id"  # noqa: S608 (names from the model, quoted)
        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                sql,
                [(pk_value, json.dumps(value)) for pk_value, value in rows],
                page_size=2000,
            )
        return
    objects = [model(pk=pk_value, **{field: value}) for pk_value, value in rows]
    model.objects.bulk_update(objects, [field], batch_size=500)


def update_columns(schema_editor, model, fields: list[str], rows: list[tuple]) -> None:
    """Set `fields` for each row given as (pk, value of the first field, …): on PostgreSQL one
    `UPDATE … FROM (VALUES …)` per batch (JSON fields cast to jsonb), elsewhere bulk_update."""
    update_columns_on(schema_editor.connection, model, fields, rows)


def update_objects(model, objects: list, fields: list[str]) -> None:
    """`model.objects.bulk_update(objects, fields)` as one join per batch on PostgreSQL. Foreign keys by name
    ("case") are written from their id attribute."""
    from django.db import connections, router

    attributes = [model._meta.get_field(name).attname for name in fields]
    rows = [(obj.pk, *(getattr(obj, attribute) for attribute in attributes)) for obj in objects]
    update_columns_on(connections[router.db_for_write(model)], model, fields, rows)


def update_columns_on(connection, model, fields: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    columns = [model._meta.get_field(name) for name in fields]
    is_json = [column.get_internal_type() == "JSONField" for column in columns]
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        # Every value cast to its column's type: a VALUES column of NULLs alone would be text.
        sets = ", ".join(
            f"{quote(column.column)} = v.c{i}::{'jsonb' if json_column else column.db_type(connection)}"
            for i, (column, json_column) in enumerate(zip(columns, is_json, strict=True))
        )
        names = ", ".join(["id", *(f"c{i}" for i in range(len(columns)))])
        sql = f"UPDATE {table} AS t SET {sets} FROM (VALUES %s) AS v({names}) WHERE t.{pk} = v.id"  # noqa: S608 (names from the model, quoted)
        values = [
            (row[0], *(json.dumps(value) if json_column else value for value, json_column in zip(row[1:], is_json, strict=True)))
            for row in rows
        ]
        with connection.cursor() as cursor:
            # Through Django's cursor, so that the statement is counted and logged like any other.
            execute_values(cursor, sql, values, page_size=2000)
        return
    objects = [model(pk=row[0], **{column.attname: value for column, value in zip(columns, row[1:], strict=True)}) for row in rows]
    model.objects.using(connection.alias).bulk_update(objects, fields, batch_size=500)
