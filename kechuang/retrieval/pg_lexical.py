"""BM25 in PostgreSQL: the engine's lexical half kept in a database every process shares.

A deployment that prefers one shared engine to per-process files (several machines, no shared
disk for the index's words) gives the engine a `PostgresLexical`: each indexed document is one
row holding its words as a tsvector with a GIN index, beside a table of document frequencies
and one row of corpus totals. A query reads the rows that hold any of its words and sums the
same Lucene BM25 as `lexical.py` in SQL, so the rankings are the in-process index's
(docs/benchmarks.md, section "pg-lexical"); the cost is reading every matching row.

    store = PostgresLexical(PsycopgSession(connection), table="bridging_lexical")
    store.create()                                        # once (a migration in the platform)
    engine = Engine.build(documents, path, lexical_store=store)

A word's count is kept as its positions 1…count (a tsvector keeps at most 256 positions per
word, so a word repeated more often counts 256 times: BM25's saturation makes that a change
in the fourth digit). Words of 2 KB or more, which a tsvector cannot hold, are left out.
Writes take a transaction-level advisory lock, so two machines writing at once queue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .lexical import K1, B, idf_of

MAX_POSITIONS = 256
MAX_WORD_BYTES = 2046
BATCH = 2000
_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,40}")
# A document's words among the query's (the parameter): marked with weight A, then kept. Three
# times faster than joining every word of every matching document to the query's (0.64 s
# against 2.1 s for a query matching 80,000 of 100,000 documents).
_ONLY = "ts_filter(setweight(d.terms, 'A', %s::text[]), '{a}')"


class Session(Protocol):
    """A database connection as the store uses it: `%s` parameters, nested transactions."""

    def cursor(self) -> AbstractContextManager[Any]: ...

    def atomic(self) -> AbstractContextManager[Any]: ...


class PsycopgSession:
    """A psycopg 3 connection as a `Session` (the platform passes Django's connection)."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def cursor(self):
        return self.connection.cursor()

    def atomic(self):
        return self.connection.transaction()


def storable(word: str) -> bool:
    """Whether a tsvector can hold this word."""
    return bool(word) and len(word.encode("utf-8")) <= MAX_WORD_BYTES


def _quoted(word: str) -> str:
    """A word as tsvector and tsquery input take it verbatim."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Sequence[str]) -> str:
    """A document's words as tsvector input: each distinct word with positions 1…count."""
    return " ".join(
        _quoted(word) + ":" + ",".join(map(str, range(1, min(count, MAX_POSITIONS) + 1)))
        for word, count in sorted(Counter(tokens).items())
        if storable(word)
    )


def tsquery_any(words: Iterable[str]) -> str:
    """A tsquery matching documents holding any of these (storable) words."""
    return " | ".join(_quoted(word) for word in sorted(set(words)))


@dataclass
class Scored:
    """One query's BM25 score per matching document, and the idf of each of its words."""

    scores: dict[str, float]
    idf: dict[str, float]


class PostgresLexical:
    kind = "postgresql"

    def __init__(self, session: Session, *, table: str, k1: float = K1, b: float = B) -> None:
        if not _TABLE.fullmatch(table):
            raise ValueError(f"table name {table!r}: use lower-case letters, digits and _")
        self.session, self.table, self.k1, self.b = session, table, k1, b
        self.doc, self.term, self.total = f"{table}_doc", f"{table}_term", f"{table}_total"

    @property
    def name(self) -> str:
        """What the index manifest records, so that an index is opened with its own words."""
        return f"{self.kind}:{self.table}"

    # -- schema --------------------------------------------------------------------------------

    def create(self) -> None:
        with self.session.atomic(), self.session.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.doc} ("
                "doc_id text PRIMARY KEY, terms tsvector NOT NULL, length integer NOT NULL)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {self.doc}_terms ON {self.doc} USING gin (terms)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.term} (term text PRIMARY KEY, df integer NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.total} (only_row boolean PRIMARY KEY "
                "DEFAULT true CHECK (only_row), documents bigint NOT NULL, length bigint NOT NULL)"
            )
            cursor.execute(f"INSERT INTO {self.total} VALUES (true, 0, 0) ON CONFLICT DO NOTHING")

    def drop(self) -> None:
        with self.session.atomic(), self.session.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.doc}, {self.term}, {self.total}")

    # -- writing -------------------------------------------------------------------------------

    def replace_all(self, documents: Sequence[tuple[str, str, int]]) -> None:
        """Make the store hold exactly these (id, tsvector literal, length) documents."""
        with self.session.atomic(), self.session.cursor() as cursor:
            self._lock(cursor)
            cursor.execute(f"TRUNCATE {self.doc}, {self.term}")
            self._insert(cursor, documents)
            cursor.execute(
                f"INSERT INTO {self.term} (term, df) SELECT u.lexeme, count(*) "
                f"FROM {self.doc} d, unnest(d.terms) u GROUP BY u.lexeme"
            )
            cursor.execute(
                f"UPDATE {self.total} SET (documents, length) = "
                f"(SELECT count(*), coalesce(sum(length), 0) FROM {self.doc})"
            )

    def change(self, documents: Sequence[tuple[str, str, int]], remove: Iterable[str]) -> None:
        """Upsert these (id, tsvector literal, length) documents and remove others, in one
        transaction; frequencies and totals follow."""
        ids = [doc_id for doc_id, _terms, _length in documents]
        touched = list(dict.fromkeys([*ids, *remove]))
        if not touched:
            return
        with self.session.atomic(), self.session.cursor() as cursor:
            self._lock(cursor)
            cursor.execute(
                f"UPDATE {self.term} t SET df = t.df - c.n FROM ("
                f"SELECT u.lexeme AS term, count(*) AS n FROM {self.doc} d, unnest(d.terms) u "
                "WHERE d.doc_id = ANY(%s) GROUP BY u.lexeme) c "
                "WHERE t.term = c.term RETURNING t.term, t.df",
                [touched],
            )
            unused = [term for term, df in cursor.fetchall() if df <= 0]
            cursor.execute(
                f"DELETE FROM {self.doc} WHERE doc_id = ANY(%s) RETURNING length", [touched]
            )
            gone = [length for (length,) in cursor.fetchall()]
            self._insert(cursor, documents)
            cursor.execute(
                f"INSERT INTO {self.term} (term, df) SELECT u.lexeme, count(*) "
                f"FROM {self.doc} d, unnest(d.terms) u WHERE d.doc_id = ANY(%s) "
                "GROUP BY u.lexeme ORDER BY u.lexeme "
                f"ON CONFLICT (term) DO UPDATE SET df = {self.term}.df + excluded.df",
                [ids],
            )
            cursor.execute(f"DELETE FROM {self.term} WHERE term = ANY(%s) AND df <= 0", [unused])
            cursor.execute(
                f"UPDATE {self.total} SET documents = documents + %s, length = length + %s",
                [
                    len(documents) - len(gone),
                    sum(length for _id, _terms, length in documents) - sum(gone),
                ],
            )

    def _lock(self, cursor) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.doc])

    def _insert(self, cursor, documents: Sequence[tuple[str, str, int]]) -> None:
        for start in range(0, len(documents), BATCH):
            batch = documents[start : start + BATCH]
            cursor.execute(
                f"INSERT INTO {self.doc} (doc_id, terms, length) "
                "SELECT * FROM unnest(%s::text[], %s::tsvector[], %s::integer[])",
                [[d[0] for d in batch], [d[1] for d in batch], [d[2] for d in batch]],
            )

    # -- reading -------------------------------------------------------------------------------

    def totals(self) -> tuple[int, float]:
        """How many documents, and their mean length in words."""
        with self.session.cursor() as cursor:
            cursor.execute(f"SELECT documents, length FROM {self.total}")
            row = cursor.fetchone()
        documents, length = (int(row[0]), int(row[1])) if row else (0, 0)
        return documents, (length / documents if documents else 1.0)

    def scores(self, query: Mapping[str, int]) -> Scored:
        """BM25 of every document holding a query word; `query` maps word → times asked."""
        words = [word for word in query if storable(word)]
        if not words:
            return Scored({}, {})
        with self.session.cursor() as cursor:
            cursor.execute(
                f"SELECT t.term, t.df, s.documents, s.length FROM {self.total} s "
                f"LEFT JOIN {self.term} t ON t.term = ANY(%s)",
                [words],
            )
            rows = cursor.fetchall()
            if not rows:
                return Scored({}, {})
            n, total_length = int(rows[0][2]), int(rows[0][3])
            known = {term: int(df) for term, df, _n, _l in rows if term is not None}
            if not known or n == 0:
                return Scored({}, {})
            idf = {term: float(idf_of(df, n)) for term, df in known.items()}
            terms = sorted(known)
            average = max(total_length / n, 1e-9)
            cursor.execute(
                "SELECT d.doc_id, sum(q.weight * u.tf / (u.tf + %s + %s * d.length)) "
                f"FROM {self.doc} d CROSS JOIN LATERAL ("
                f"SELECT lexeme, array_length(positions, 1) AS tf FROM unnest({_ONLY})) u "
                "JOIN unnest(%s::text[], %s::float8[]) AS q(term, weight) ON q.term = u.lexeme "
                "WHERE d.terms @@ %s::tsquery GROUP BY d.doc_id",
                [
                    self.k1 * (1 - self.b),
                    self.k1 * self.b / average,
                    terms,
                    terms,
                    [query[t] * idf[t] for t in terms],
                    tsquery_any(terms),
                ],
            )
            return Scored({doc_id: float(score) for doc_id, score in cursor.fetchall()}, idf)

    def present(self, words: Sequence[str], doc_ids: Sequence[str]) -> np.ndarray:
        """Which of `words` each document holds: shape (len(doc_ids), len(words))."""
        out = np.zeros((len(doc_ids), len(words)), dtype=bool)
        if not words or not doc_ids:
            return out
        with self.session.cursor() as cursor:
            cursor.execute(
                f"SELECT d.doc_id, u.lexeme FROM {self.doc} d, unnest({_ONLY}) u "
                "WHERE d.doc_id = ANY(%s)",
                [list(words), list(doc_ids)],
            )
            pairs = cursor.fetchall()
        row_of = {doc_id: i for i, doc_id in enumerate(doc_ids)}
        column_of = {word: j for j, word in enumerate(words)}
        for doc_id, word in pairs:
            out[row_of[doc_id], column_of[word]] = True
        return out

    def document_terms(self, doc_id: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """A stored document's words (in code point order), their counts and their document
        frequencies."""
        with self.session.cursor() as cursor:
            cursor.execute(
                f"SELECT u.lexeme, array_length(u.positions, 1), t.df "
                f"FROM {self.doc} d, unnest(d.terms) u JOIN {self.term} t ON t.term = u.lexeme "
                "WHERE d.doc_id = %s",
                [doc_id],
            )
            rows = sorted(cursor.fetchall())
        return (
            [word for word, _count, _df in rows],
            np.asarray([count for _w, count, _df in rows], dtype=np.int64),
            np.asarray([df for _w, _count, df in rows], dtype=np.int64),
        )
