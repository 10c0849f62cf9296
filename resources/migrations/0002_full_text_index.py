"""Full-text indexes of the record tables, written for each database engine.

SQLite: an FTS5 table per record table over `search_tokens` (already segmented by jieba),
kept up to date by triggers. PostgreSQL: a GIN index over to_tsvector('simple', …)
(replaced by a stored column in 0003).
"""

from django.db import migrations

from resources.migrations._tables import TABLES


def sqlite_sql(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_tokens, content='{table}', content_rowid='id', tokenize='unicode61')",
        f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
        f"CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END",
        f"CREATE TRIGGER {table}_fts_au AFTER UPDATE OF search_tokens ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    ]


def create(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            statements = [
                f"CREATE INDEX {table}_search_gin ON {table} USING GIN (to_tsvector('simple', search_tokens))"
            ]
        else:
            statements = sqlite_sql(table)
        for sql in statements:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            statements = [f"DROP INDEX IF EXISTS {table}_search_gin"]
        else:
            statements = [
                f"DROP TRIGGER IF EXISTS {table}_fts_ai",
                f"DROP TRIGGER IF EXISTS {table}_fts_ad",
                f"DROP TRIGGER IF EXISTS {table}_fts_au",
                f"DROP TABLE IF EXISTS {table}_fts",
            ]
        for sql in statements:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
