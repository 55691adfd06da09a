"""Trigram indexes for the folded search columns of tasks and agencies (PostgreSQL only; issue 16).

``search_text LIKE '%word%'`` scanned all 134,000 tasks of the country for every admin search (40–110 ms, more
under load); with a GIN trigram index PostgreSQL reads the matching rows only. SQLite keeps its plain scan. Where
the database user may not create the pg_trgm extension, the indexes are skipped and searches still work.
"""

from django.db import migrations

INDEXES = [
    ("task_search_trgm", "tasks_task"),
    ("agency_search_trgm", "agencies_agency"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _table in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0006_i15_discussion_periods_locks"),
        ("agencies", "0002_import_export_permissions"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
