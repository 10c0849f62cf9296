"""PostgreSQL as the matching engine's lexical half: its own rankers, and the engine's BM25
kept in PostgreSQL (KECHUANG_MATCH_LEXICAL=postgresql) measured end to end.

    .venv/bin/python bench/pg_lexical.py [--parts rankers,hybrid,scale] [--size 100000] [--write]

Everything happens in a scratch PostgreSQL database (created and dropped here, on
127.0.0.1:5432 as postgres).

rankers: csl-dev's 1,000 abstracts, cut into words by the engine's own tokenizer, as a
`simple` tsvector with a GIN index. Each title and each keyword string is then a query whose
words are alternatives (OR, as in BM25), ranked by ts_rank and ts_rank_cd with PostgreSQL's
length normalisations, beside the engine's BM25 over the same words. Measures as in
bench/retrieval.py: known item MRR@10 (the query's own abstract first) and topical P@10 (the
other papers of its discipline).

hybrid: the bridging benchmark's platform ranking (bench/retrieval.py, real sentence vectors)
through the engine with its words in the index directory and with its words in PostgreSQL:
quality, how many lists are identical, time per search, per "similar records" ranking and per
one-record update (the write that makes a publication visible).

scale: the same two engines over --size synthetic records (bench/retrieval.py's, built from
csl-dev sentences with 长春 metadata and vectors near the real ones): build, search and
update times, and how many lists are identical.

Results are printed and, with --write (which needs all three parts), written to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval import (  # noqa: E402
    DATA,
    FILTERS,
    LookupEmbedder,
    csl_queries,
    csl_vectors,
    load_papers,
    synthetic_records,
)

from kechuang.retrieval import Document, Engine, USEEmbedder  # noqa: E402
from kechuang.retrieval.lexical import LexicalIndex  # noqa: E402
from kechuang.retrieval.pg_lexical import (  # noqa: E402
    PostgresLexical,
    PsycopgSession,
    tsquery_any,
)
from kechuang.retrieval.tokenize import Tokenizer  # noqa: E402

SCRATCH = "kc_bench_pg_lexical"
SERVER = "host=127.0.0.1 port=5432 user=postgres"
WORK = ROOT / "var" / "bench" / "pg_lexical"
PARTS = ("rankers", "hybrid", "scale")
RANKERS = {
    "ts_rank": "ts_rank(v, q)",
    "ts_rank, ÷ (1 + log length)": "ts_rank(v, q, 1)",
    "ts_rank, ÷ length": "ts_rank(v, q, 2)",
    "ts_rank_cd": "ts_rank_cd(v, q)",
    "ts_rank_cd, ÷ (1 + log length)": "ts_rank_cd(v, q, 1)",
}


def known_item_and_topical(
    rankings: list[list[int]], disciplines: list[str]
) -> tuple[float, float]:
    """MRR@10 of the query's own paper, and P@10 of same-discipline papers among the first ten
    others (a list shorter than ten counts its missing places as misses)."""
    reciprocal, precision = [], []
    for own, ranking in enumerate(rankings):
        top = ranking[:10]
        reciprocal.append(1.0 / (top.index(own) + 1) if own in top else 0.0)
        others = [row for row in ranking if row != own][:10]
        precision.append(sum(disciplines[row] == disciplines[own] for row in others) / 10)
    return float(np.mean(reciprocal)), float(np.mean(precision))


@contextlib.contextmanager
def scratch_database() -> Iterator[psycopg.Connection]:
    with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        with psycopg.connect(f"{SERVER} dbname={SCRATCH}", autocommit=True) as connection:
            yield connection
    finally:
        with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")


def new_store(connection: psycopg.Connection, table: str) -> PostgresLexical:
    store = PostgresLexical(PsycopgSession(connection), table=table)
    store.drop()
    store.create()
    return store


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(round(0.9 * (len(ordered) - 1)))]


# -- rankers ---------------------------------------------------------------------------------


def rankers(papers: list[dict], connection: psycopg.Connection) -> str:
    disciplines = [p["discipline"] for p in papers]
    tokenizer = Tokenizer()
    doc_tokens = [tokenizer(p["abstract"]) for p in papers]
    query_sets = {
        "titles": [tokenizer(p["title"]) for p in papers],
        "keywords": [tokenizer(" ".join(p["keywords"])) for p in papers],
    }
    results: dict[str, dict[str, tuple[float, float]]] = {}
    timing: dict[str, float] = {}
    with connection.transaction():
        connection.execute("DROP TABLE IF EXISTS doc")
        connection.execute("CREATE TABLE doc (row int PRIMARY KEY, v tsvector)")
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO doc (row, v) VALUES (%s, to_tsvector('simple', %s))",
                [(row, " ".join(t)) for row, t in enumerate(doc_tokens)],
            )
        connection.execute("CREATE INDEX ON doc USING gin (v)")
    connection.execute("ANALYZE doc")
    for name, expression in RANKERS.items():
        results[name] = {}
        started = time.perf_counter()
        for set_name, queries in query_sets.items():
            rankings = []
            for words in queries:
                rows = connection.execute(
                    f"SELECT row FROM doc, to_tsquery('simple', %s) q WHERE v @@ q "
                    f"ORDER BY {expression} DESC, row LIMIT 11",
                    (tsquery_any(words),),
                ).fetchall()
                rankings.append([r for (r,) in rows])
            results[name][set_name] = known_item_and_topical(rankings, disciplines)
        timing[name] = (time.perf_counter() - started) * 1000 / 2000

    lexical = LexicalIndex.empty()
    lexical.append(doc_tokens)
    results["BM25 (the engine's)"] = {}
    for set_name, queries in query_sets.items():
        rankings = []
        for words in queries:
            scores = lexical.scores(lexical.term_ids(words))
            top = np.argsort(-scores, kind="stable")[:11]
            rankings.append([int(r) for r in top if scores[r] > 0])
        results["BM25 (the engine's)"][set_name] = known_item_and_topical(rankings, disciplines)

    lines = [
        "### PostgreSQL's own full-text ranking as the lexical half (csl-dev, 1,000 abstracts; "
        "1,000 title and 1,000 keyword queries; the engine's words)",
        "",
        "| ranker | known item MRR@10, titles | keywords | topical P@10, titles | keywords "
        "| ms per query |",
        "|---|---|---|---|---|---|",
    ]
    for name, by_set in results.items():
        (t_mrr, t_p), (k_mrr, k_p) = by_set["titles"], by_set["keywords"]
        took = f"{timing[name]:.1f}" if name in timing else "–"
        lines.append(f"| {name} | {t_mrr:.3f} | {k_mrr:.3f} | {t_p:.3f} | {k_p:.3f} | {took} |")
    return "\n".join(lines)


# -- the engine with its words in PostgreSQL -------------------------------------------------


def identical(lists: dict, names: tuple[str, ...]) -> list[float]:
    """For each kind of list, the share of queries whose two lists are the same, in order."""
    out = []
    for name in names:
        first, second = lists[("index directory", name)], lists[("PostgreSQL", name)]
        out.append(sum(a == b for a, b in zip(first, second, strict=True)) / len(first))
    return out


def timed_searches(engine: Engine, queries: list[str], filters=None) -> tuple[list, list]:
    lists, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        results = engine.search(query, k=11, filters=filters)
        seconds.append(time.perf_counter() - started)
        lists.append([r.id for r in results])
    return lists, seconds


def timed_similar(engine: Engine, doc_ids: list[str]) -> tuple[list, list]:
    lists, seconds = [], []
    for doc_id in doc_ids:
        started = time.perf_counter()
        results = engine.similar(doc_id, k=10)
        seconds.append(time.perf_counter() - started)
        lists.append([r.id for r in results])
    return lists, seconds


def timed_update(engine: Engine, document: Document) -> float:
    started = time.perf_counter()
    engine.upsert([document])
    return time.perf_counter() - started


def hybrid(papers: list[dict], vectors: dict, connection: psycopg.Connection) -> str:
    disciplines = [p["discipline"] for p in papers]
    embedder, query_sets = csl_queries(papers, vectors)
    documents = [Document(p["id"], "", p["abstract"]) for p in papers]
    row_of = {p["id"]: row for row, p in enumerate(papers)}
    extra = Document("extra", "", papers[0]["abstract"] + papers[1]["abstract"])
    embedder.memo[extra.full_text] = vectors["abstracts"][0]

    figures = {}
    lists = {}
    for where in ("index directory", "PostgreSQL"):
        store = new_store(connection, "hybrid_words") if where == "PostgreSQL" else None
        path = WORK / ("hybrid-" + ("pg" if store else "index"))
        shutil.rmtree(path, ignore_errors=True)
        engine = Engine.build(documents, path, embedder=embedder, lexical_store=store)
        for texts in query_sets.values():  # warm
            engine.search(texts[0], k=11)
        quality, seconds = {}, []
        for name, texts in query_sets.items():
            found, took = timed_searches(engine, texts)
            lists[(where, name)] = found
            seconds += took
            quality[name] = known_item_and_topical(
                [[row_of[i] for i in ranking] for ranking in found], disciplines
            )
        similar, similar_s = timed_similar(engine, [p["id"] for p in papers[:200]])
        lists[(where, "similar")] = similar
        updates = [timed_update(engine, extra) for _ in range(5)]
        figures[where] = (
            quality,
            quantiles(seconds),
            quantiles(similar_s),
            statistics.median(updates),
        )
        shutil.rmtree(path, ignore_errors=True)

    lines = [
        "### The platform's ranking with its words in PostgreSQL (the bridging benchmark: "
        "csl-dev, 1,000 abstracts, real sentence vectors; 2,000 searches, 200 similar-record "
        "rankings)",
        "",
        "| the words are in | known item MRR@10, titles | keywords | topical P@10, titles "
        "| keywords | search ms, median | p90 | similar ms, median | p90 | one-record update ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for where, (quality, search, similar, update) in figures.items():
        (t_mrr, t_p), (k_mrr, k_p) = quality["titles"], quality["keywords"]
        lines.append(
            f"| {where} | {t_mrr:.3f} | {k_mrr:.3f} | {t_p:.3f} | {k_p:.3f} | "
            f"{ms(search[0])} | {ms(search[1])} | {ms(similar[0])} | {ms(similar[1])} | "
            f"{ms(update)} |"
        )
    same = identical(lists, ("titles", "keywords", "similar"))
    lines += [
        "",
        f"Identical lists (first 11 results, in order): titles {same[0]:.1%}, keywords "
        f"{same[1]:.1%}, similar records {same[2]:.1%}.",
    ]
    return "\n".join(lines)


def scale(papers: list[dict], vectors: dict, connection: psycopg.Connection, size: int) -> str:
    documents, table = synthetic_records(papers, vectors["abstracts"], size, seed=size)
    extra, extra_table = synthetic_records(papers, vectors["abstracts"], 1, seed=7)
    extra = Document("new-record", extra[0].title, extra[0].text, extra[0].meta)
    table.update(extra_table)
    queries = [p["title"] if i % 2 else " ".join(p["keywords"]) for i, p in enumerate(papers)]
    queries = queries[:200]
    for i, p in enumerate(papers[:200]):
        table[p["title"]] = vectors["titles"][i]
        table[" ".join(p["keywords"])] = vectors["keywords"][i]
    embedder = LookupEmbedder(table)
    sample = [d.id for d in documents[:: max(1, size // 100)]][:100]

    rows, lists = {}, {}
    for where in ("index directory", "PostgreSQL"):
        store = new_store(connection, "scale_words") if where == "PostgreSQL" else None
        path = WORK / ("scale-" + ("pg" if store else "index"))
        shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()
        engine = Engine.build(documents, path, embedder=embedder, lexical_store=store)
        build_s = time.perf_counter() - started
        if store is not None:
            connection.execute(f"ANALYZE {store.doc}")
        timed_searches(engine, queries[:10])  # warm
        row = {"build": build_s}
        for label, filters in (("search", None), ("narrow", FILTERS["narrow"])):
            found, took = timed_searches(engine, queries, filters)
            lists[(where, label)] = found
            row[label] = quantiles(took)
        found, took = timed_similar(engine, sample)
        lists[(where, "similar")] = found
        row["similar"] = quantiles(took)
        row["update"] = statistics.median(timed_update(engine, extra) for _ in range(3))
        folder = next(path.glob("gen-*"))
        row["disk"] = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
        if store is not None:
            row["disk_db"] = connection.execute(
                "SELECT (pg_total_relation_size(%s) + pg_total_relation_size(%s)) / 1e6",
                [store.doc, store.term],
            ).fetchone()[0]
        rows[where] = row
        del engine
        shutil.rmtree(path, ignore_errors=True)

    lines = [
        f"### At {size:,} synthetic records (csl-dev sentences with 长春 metadata; 200 searches, "
        "100 similar-record rankings)",
        "",
        "| the words are in | build s | search ms, median | p90 | narrow filter, median | p90 "
        "| similar ms, median | p90 | one-record update ms | index directory MB | in PostgreSQL MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for where, row in rows.items():
        lines.append(
            f"| {where} | {row['build']:.0f} | {ms(row['search'][0])} | {ms(row['search'][1])} | "
            f"{ms(row['narrow'][0])} | {ms(row['narrow'][1])} | {ms(row['similar'][0])} | "
            f"{ms(row['similar'][1])} | {ms(row['update'])} | {row['disk']:,.0f} | "
            f"{row.get('disk_db', 0):,.0f} |"
        )
    same = identical(lists, ("search", "narrow", "similar"))
    lines += [
        "",
        f"Identical lists: searches {same[0]:.1%}, with the narrow filter "
        f"{same[1]:.1%}, similar records {same[2]:.1%}.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    if args.write and set(parts) != set(PARTS):
        parser.error("--write needs every part, so that the section is whole")
    if not DATA.exists():
        print(f"csl-dev not found at {DATA}: skipped.")
        return 0
    ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False)
    if ready.returncode != 0:
        print("PostgreSQL is not running on 127.0.0.1:5432: skipped.")
        return 0
    papers = load_papers(DATA)
    vectors = csl_vectors(papers, DATA, USEEmbedder()) if set(parts) - {"rankers"} else {}
    WORK.mkdir(parents=True, exist_ok=True)
    sections = []
    with scratch_database() as connection:
        if "hybrid" in parts:
            sections.append(hybrid(papers, vectors, connection))
            print(sections[-1] + "\n", flush=True)
        if "scale" in parts:
            sections.append(scale(papers, vectors, connection, args.size))
            print(sections[-1] + "\n", flush=True)
        if "rankers" in parts:
            sections.append(rankers(papers, connection))
            print(sections[-1] + "\n", flush=True)
    if args.write:
        from _report import write_section

        write_section("pg-lexical", "\n\n".join(sections))
        print("written to docs/benchmarks.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
