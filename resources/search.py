"""Chinese full-text search over published records, in the database itself.

Text is segmented with jieba when a record is saved (`search_tokens`, words separated by
spaces) and when a query comes in. SQLite keeps an FTS5 table per record kind, fed by triggers;
PostgreSQL uses a GIN index on to_tsvector('simple', search_tokens). Neither engine segments
Chinese itself, which is why the words are cut beforehand (docs/decisions.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import jieba
from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

_STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 是 在 对 中 为 以 于 其 并 将 由 从 把 被 之 而 一种 一个 本 该 所述 进行 通过 "
    "具有 包括 可以 能够 用于 使用 采用 基于 实现 提供 the a an of and or to in for on with by is are".split()
)
_WORD = re.compile(r"\w", re.UNICODE)


def _keep(token: str) -> bool:
    token = token.strip()
    return bool(token) and token not in _STOPWORDS and bool(_WORD.search(token))


def segment(text: str) -> list[str]:
    """Index words of a text: jieba's search mode (words and their sub-words), lower-cased."""
    return [t.strip().lower() for t in jieba.cut_for_search(text or "") if _keep(t)]


def tokens_for(record) -> str:
    parts: list[str] = []
    for name in record.search_fields:
        value = getattr(record, name, "")
        if isinstance(value, list):  # expert works: [{"title", "abstract", ...}]
            value = " ".join(
                f"{w.get('title', '')} {w.get('abstract', '')}"
                for w in value
                if isinstance(w, dict)
            )
        parts.append(str(value or ""))
    return " ".join(segment(" ".join(parts)) + facet_tokens(record))


# Facet values also go into the full-text index as tokens, so that a query with facets is one
# intersection inside the index instead of a row lookup for every match (docs/decisions.md).
# The prefix keeps them apart from any word a user could type.
FACET_FIELDS = (
    "region_id",
    "trl",
    "price_band",
    "hightech_field_id",
    "type",
    "level",
    "legal_status",
)
_FACET_PREFIX = "zzf"


def facet_token(field: str, value) -> str:
    return f"{_FACET_PREFIX}{field.removesuffix('_id').replace('_', '')}{value}".lower()


def facet_tokens(record) -> list[str]:
    tokens = []
    for field in FACET_FIELDS:
        value = getattr(record, field, None)
        if value not in (None, ""):
            tokens.append(facet_token(field, value))
    return tokens


def query_groups(query: str) -> list[list[str]]:
    """Each word of the query with its sub-words as alternatives; every group must match."""
    groups: list[list[str]] = []
    for word in jieba.cut(query or ""):
        word = word.strip().lower()
        if not _keep(word):
            continue
        alternatives = [word] + [t for t in segment(word) if t != word and len(t) > 1]
        groups.append(list(dict.fromkeys(alternatives)))
    return groups


def _fts5_expression(groups: Iterable[list[str]]) -> str:
    def quote(t: str) -> str:
        return '"' + t.replace('"', '""') + '"'

    return " AND ".join("(" + " OR ".join(quote(t) for t in g) + ")" for g in groups)


def _tsquery_expression(groups: Iterable[list[str]]) -> str:
    def quote(t: str) -> str:
        return "'" + t.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join("(" + " | ".join(quote(t) for t in g) + ")" for g in groups)


def fts_table(model) -> str:
    return f"{model._meta.db_table}_fts"


def search(queryset: QuerySet, query: str, facets: dict[str, object] | None = None) -> QuerySet:
    """Records matching every word of `query`, annotated with `rank` (higher is better).

    `facets` (field → value, fields from FACET_FIELDS) are matched inside the index too; the
    caller still filters on them in SQL, so the result is the same either way, only faster.
    """
    groups = query_groups(query)
    if groups and facets:
        groups = groups + [[facet_token(f, v)] for f, v in facets.items() if f in FACET_FIELDS]
    if not groups:
        return queryset.annotate(rank=RawSQL("0", [], output_field=FloatField()))
    model = queryset.model
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        expression = _tsquery_expression(groups)
        vector = f"{table}.search_vector"  # a stored, generated tsvector column
        return queryset.filter(
            RawSQL(
                f"{vector} @@ to_tsquery('simple', %s)", [expression], output_field=BooleanField()
            )
        ).annotate(
            rank=RawSQL(
                f"ts_rank({vector}, to_tsquery('simple', %s))",
                [expression],
                output_field=FloatField(),
            )
        )
    fts = fts_table(model)
    # A join with the FTS5 table lets SQLite compute bm25 once per match, in C; `rank` is
    # bm25, lower for better matches, so it is negated to sort like PostgreSQL's ts_rank.
    return queryset.extra(
        tables=[fts],
        where=[f"{fts}.rowid = {table}.id", f"{fts} MATCH %s"],
        params=[_fts5_expression(groups)],
        select={"rank": f"-{fts}.rank"},
    )
