"""PostgreSQL: keep the records' long texts out of the table's rows.

A text search reads the row of every match it considers (for visibility and the publication
date), and with the texts inline about six achievements filled a page: on the large demo data
the table was 1.3 GB and listing a common word's newest matches read most of it. With
`toast_tuple_target` at its minimum and the text vector stored out of line, a row keeps little
more than its short columns (docs/decisions.md has the figures). Rows written before move out
when they are next written; `VACUUM FULL <table>` moves all of them at once. SQLite is
unchanged.
"""

from django.db import migrations

from resources.migrations._tables import TABLES


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 128)")
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE EXTERNAL"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_stored_search_vector")]

    operations = [migrations.RunPython(forwards, backwards)]
