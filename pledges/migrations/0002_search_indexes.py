"""Trigram indexes for the admin's search on PostgreSQL: a name or part of an
address found among a million signatures without reading every row.

PostgreSQL only (SQLite has no such index; its search reads the table). The
pg_trgm extension is "trusted" since PostgreSQL 13, so the database's owner
may create it; where that is refused, the indexes are skipped with a warning
and the search still works, only slower.
"""

import warnings

from django.db import DatabaseError, migrations, transaction

# The same expressions as Django's icontains lookup on PostgreSQL, so the
# planner can use them: UPPER("name"::text) LIKE UPPER('%…%').
INDEXES = {
    "signature_name_trgm": "UPPER((name)::text) gin_trgm_ops",
    "signature_email_trgm": "UPPER((email)::text) gin_trgm_ops",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, expression in INDEXES.items():
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON pledges_signature "
                    f"USING gin ({expression})"
                )
    except DatabaseError as error:
        warnings.warn(f"Admin search indexes skipped: {error}", stacklevel=1)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
