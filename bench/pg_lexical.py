"""Would PostgreSQL's full-text ranking do as the matching engine's lexical half?

    .venv/bin/python bench/pg_lexical.py [--write]

csl-dev's 1,000 abstracts go into a scratch PostgreSQL database (created and dropped here, on
127.0.0.1:5432 as postgres), cut into words by the engine's own tokenizer, as a `simple`
tsvector with a GIN index. Each title and each keyword string is then a query whose words are
alternatives (OR, as in BM25), ranked by ts_rank and ts_rank_cd with PostgreSQL's length
normalisations, beside the engine's BM25 over the same words. Measures as in
bench/retrieval.py: known item MRR@10 (the query's own abstract first) and topical P@10 (the
other papers of its discipline). Results are printed and, with --write, written to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval import DATA, load_papers  # noqa: E402

from kechuang.retrieval.lexical import LexicalIndex  # noqa: E402
from kechuang.retrieval.tokenize import Tokenizer  # noqa: E402

SCRATCH = "kc_bench_pg_lexical"
SERVER = "host=127.0.0.1 port=5432 user=postgres"
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


def tsquery(words: list[str]) -> str:
    quoted = {"'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words}
    return " | ".join(sorted(quoted))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"csl-dev not found at {DATA}: skipped.")
        return 0
    ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False)
    if ready.returncode != 0:
        print("PostgreSQL is not running on 127.0.0.1:5432: skipped.")
        return 0
    papers = load_papers(DATA)
    disciplines = [p["discipline"] for p in papers]
    tokenizer = Tokenizer()
    doc_tokens = [tokenizer(p["abstract"]) for p in papers]
    query_sets = {
        "titles": [tokenizer(p["title"]) for p in papers],
        "keywords": [tokenizer(" ".join(p["keywords"])) for p in papers],
    }
    with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.execute(f"CREATE DATABASE {SCRATCH}")
    results: dict[str, dict[str, tuple[float, float]]] = {}
    timing: dict[str, float] = {}
    try:
        with psycopg.connect(f"{SERVER} dbname={SCRATCH}") as db:
            db.execute("CREATE TABLE doc (row int PRIMARY KEY, v tsvector)")
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO doc (row, v) VALUES (%s, to_tsvector('simple', %s))",
                    [(row, " ".join(t)) for row, t in enumerate(doc_tokens)],
                )
            db.execute("CREATE INDEX ON doc USING gin (v)")
            db.execute("ANALYZE doc")
            for name, expression in RANKERS.items():
                results[name] = {}
                started = time.perf_counter()
                for set_name, queries in query_sets.items():
                    rankings = []
                    for words in queries:
                        rows = db.execute(
                            f"SELECT row FROM doc, to_tsquery('simple', %s) q WHERE v @@ q "
                            f"ORDER BY {expression} DESC, row LIMIT 11",
                            (tsquery(words),),
                        ).fetchall()
                        rankings.append([r for (r,) in rows])
                    results[name][set_name] = known_item_and_topical(rankings, disciplines)
                timing[name] = (time.perf_counter() - started) * 1000 / 2000
    finally:
        with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")

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
        "### PostgreSQL full-text ranking as the lexical half (csl-dev, 1,000 abstracts; "
        "1,000 title and 1,000 keyword queries; the engine's words)",
        "",
        "| ranker | known item MRR@10, titles | keywords | topical P@10, titles | keywords "
        "| ms per query |",
        "|---|---|---|---|---|---|",
    ]
    for name, by_set in results.items():
        (t_mrr, t_p), (k_mrr, k_p) = by_set["titles"], by_set["keywords"]
        ms = f"{timing[name]:.1f}" if name in timing else "–"
        lines.append(f"| {name} | {t_mrr:.3f} | {k_mrr:.3f} | {t_p:.3f} | {k_p:.3f} | {ms} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        from _report import write_section

        write_section("pg-lexical", table)
        print("written to docs/benchmarks.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
