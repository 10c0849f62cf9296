"""PostgreSQL: keep the tsvector in a stored generated column instead of an expression index.

Ranking needs the vector of every matching row; with only an expression index PostgreSQL
parsed `search_tokens` again for each of them (seconds for common words at a million rows).
SQLite is unchanged.
"""

from django.db import migrations

from resources.migrations._tables import TABLES


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_gin ON {table} USING GIN (search_vector)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(
            f"CREATE INDEX {table}_search_gin ON {table} USING GIN (to_tsvector('simple', search_tokens))"
        )


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_full_text_index")]

    operations = [migrations.RunPython(forwards, backwards)]
