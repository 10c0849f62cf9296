"""Chinese full-text search over published records, in the database itself.

Text is segmented with jieba when a record is saved (`search_tokens`, words separated by
spaces) and when a query comes in. SQLite keeps an FTS5 table per record kind, fed by triggers;
PostgreSQL uses a GIN index on to_tsvector('simple', search_tokens). Neither engine segments
Chinese itself, which is why the words are cut beforehand (docs/decisions.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jieba
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from core.caching import remember

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


# A text search lists at most this many matches: the newest ones, ranked among themselves.
# Ranking, counting and faceting every match of a common word costs time in proportion to the
# matches (a word in a quarter of a million records: seconds); finding the newest MAX_LISTED
# reads only their dates, and only they are ranked and counted (docs/decisions.md).
MAX_LISTED = 5000


class Listing(Sequence):
    """Records in a decided order, known by their keys: what Django's and the API's
    paginators need (a length and slices), with only the slice shown read from the database."""

    def __init__(self, pks: list[int], queryset: QuerySet) -> None:
        self.pks = pks
        self._queryset = queryset

    def __len__(self) -> int:
        return len(self.pks)

    def count(self) -> int:  # Paginator asks for count() when there is one
        return len(self.pks)

    @property
    def truncated(self) -> bool:
        """True when the search may have matched more records than are listed."""
        return len(self.pks) >= MAX_LISTED

    def queryset(self) -> QuerySet:
        """All the listed records, unordered (for facet counts)."""
        if not self.pks:
            return self._queryset.none()
        return self._queryset.filter(pk__in=self.pks)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.pks[index]
            found = self._queryset.filter(pk__in=wanted).in_bulk()
            return [found[pk] for pk in wanted if pk in found]
        return self[index : index + 1 or None][0]


def listing(matches: QuerySet, base: QuerySet, *, by_relevance: bool) -> Listing:
    """The newest MAX_LISTED of a text search's matches (`search()`'s queryset), most relevant
    first unless `by_relevance` is False; equally relevant records stay newest first."""

    def ranked() -> list[int]:
        if connection.vendor != "postgresql":
            rows = list(
                matches.order_by("-published_at", "-id").values_list("pk", "rank")[:MAX_LISTED]
            )
        else:
            pks = _newest_matches(matches)
            rank = dict(matches.order_by().filter(pk__in=pks).values_list("pk", "rank"))
            rows = [(pk, rank.get(pk, 0.0)) for pk in pks]
        if by_relevance:
            rows.sort(key=lambda row: -row[1])  # a stable sort: ties keep the date order
        return [pk for pk, _rank in rows]

    key = f"listing:{by_relevance}:{MAX_LISTED}:{matches.query}"
    return Listing(cached(matches.model, key, ranked), base)


def _newest_matches(matches: QuerySet) -> list[int]:
    """PostgreSQL: the newest MAX_LISTED matches, found through the GIN index. Left to itself
    the planner walks the date index and tests each row's text vector, which it costs as
    nothing; on the large demo data that took 0.3–1 s for common words, against 0.16–0.27 s
    for collecting the matches from the index (the rows hold no long text: migration 0004)."""
    inner, params = matches.order_by().values_list("pk", "published_at").query.sql_with_params()
    sql = (
        f"WITH found (pk, published_at) AS MATERIALIZED ({inner}) "
        "SELECT pk FROM found ORDER BY published_at DESC, pk DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, MAX_LISTED])
        return [pk for (pk,) in cursor.fetchall()]


# What a search found is kept for a few minutes (settings.SEARCH_CACHE_SECONDS), under a key
# that holds the query's whole SQL and a version of the record kind that changes whenever one
# of its records is published, changed or archived: a popular search costs its work once per
# change, and a new record shows at once, in every process when the cache is shared (Redis).


def _version_key(label: str) -> str:
    return f"catalog-version:{label}"


def cached(model, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept until a record of `model`'s kind changes (or the cache time ends)."""
    if not settings.SEARCH_CACHE_SECONDS:
        return compute()
    label = model._meta.label_lower
    version = cache.get(_version_key(label), 0)
    return remember(f"catalog:{label}:{version}", key, compute)


def catalog_changed(label: str) -> None:
    """A record of this kind (model label) was published, changed or archived."""
    cache.set(_version_key(label), time.time_ns(), None)
