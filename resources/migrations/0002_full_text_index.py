from django.db import migrations

from resources.search import create_index_sql, drop_index_sql

TABLES = [
    "resources_achievement",
    "resources_demand",
    "resources_expert",
    "resources_platform",
    "resources_instrument",
    "resources_patent",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for sql in create_index_sql(table, vendor):
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for sql in drop_index_sql(table, vendor):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
