"""The tables that keep the matching engine's words on PostgreSQL when
KECHUANG_MATCH_LEXICAL=postgresql (bridging/services/index.py). Not on SQLite, which cannot
run that option; the tables stay empty until an index is built with it."""

import contextlib

from django.db import migrations

from kechuang.retrieval.pg_lexical import PostgresLexical


def _store(schema_editor) -> PostgresLexical:
    class Session:  # the migration's own transaction
        cursor = schema_editor.connection.cursor
        atomic = contextlib.nullcontext

    return PostgresLexical(Session(), table="bridging_lexical")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _store(schema_editor).create()


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _store(schema_editor).drop()


class Migration(migrations.Migration):
    dependencies = [("bridging", "0002_index_change")]

    operations = [migrations.RunPython(create, drop)]
