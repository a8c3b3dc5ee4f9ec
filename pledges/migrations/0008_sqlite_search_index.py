"""A trigram index for the admin's search on SQLite, as 0002 made for PostgreSQL.

SQLite has no trigram index on a column, but its FTS5 module has a trigram
tokenizer (SQLite 3.34 and later): a name or part of an address is then found
among a million signatures without reading every row. The index is an
external-content FTS5 table over the signatures' name and email, kept up to
date by triggers, so no code path can forget it. SQLite only; PostgreSQL has
its trigram indexes (0002).
"""

from django.db import migrations

TABLE = "pledges_signature_search"

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "name, email, content='pledges_signature', content_rowid='id', tokenize='trigram')",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON pledges_signature BEGIN "
    f"INSERT INTO {TABLE}(rowid, name, email) VALUES (new.id, new.name, new.email); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON pledges_signature BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, name, email) "
    "VALUES ('delete', old.id, old.name, old.email); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF name, email "
    f"ON pledges_signature BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, name, email) "
    "VALUES ('delete', old.id, old.name, old.email); "
    f"INSERT INTO {TABLE}(rowid, name, email) VALUES (new.id, new.name, new.email); END",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0007_email_as_typed")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
