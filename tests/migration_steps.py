"""Walking the schema back and forth in the migration tests.

A migration test moves the shared test database to an older schema. Whatever the test does, the schema must be at the
latest migrations again afterwards: the tests that follow (threads and processes with their own connections among
them) read the committed schema. Use the `latest_schema_afterwards` fixture (tests/conftest.py) with `migrate_to`."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate to `targets` ([(app, migration)]); return the apps as of there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
