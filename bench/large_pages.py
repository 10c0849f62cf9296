"""The two pages that were slow on the large demo data, each beside the method it replaced.

    scripts/scale-tier.sh python bench/large_pages.py [--words N] [--records N] [--write]
    (with the tier's KC_SCALE_* settings, e.g. KC_SCALE_DEMO=large KC_SCALE_DB=kechuang_large …)

Catalog search: for each word of the load test, alone and with a facet, the database work of
one result page (count, the page's rows, the facet counts) as the catalog did it before
(every match ranked, counted and faceted) and as it does now (the newest search.MAX_LISTED
matches, ranked among themselves). In-process, no HTTP, the search cache off (this is the
work a search first asked does), each timed after one warm-up run.

Record pages: for records sampled from the index, the rankings one recommendation panel
needs (a demand: achievements and experts; an achievement: demands), with all of the record's
words as the lexical query and with its SIMILAR_TERMS most telling ones; how many of the ten
shown stay the same. On csl-dev (when present), the topical precision of the same choice:
each abstract's other papers of its discipline in its ten most similar.

Results are printed and, with --write, written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
# The work itself is measured, not the search cache in front of it.
os.environ["KECHUANG_SEARCH_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from load_test import WORDS  # noqa: E402

from bridging.services.index import engine, parse_id  # noqa: E402
from kechuang.retrieval.engine import SIMILAR_MAX_DF, SIMILAR_TERMS  # noqa: E402
from resources import search  # noqa: E402
from resources.choices import RecordStatus  # noqa: E402
from resources.filtersets import filterset_for  # noqa: E402
from resources.registry import KINDS  # noqa: E402
from resources.views import _facet_counts  # noqa: E402

PAGE = 20


def timed(function) -> float:
    function()  # warm-up: plans cached, pages in memory
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def catalog(words: list[str]) -> str:
    kind = KINDS["achievements"]
    base = kind.model.objects.filter(status=RecordStatus.PUBLISHED).select_related(
        "owner", "region"
    )

    def before(params):
        fs = filterset_for(kind)(QueryDict(params), queryset=base)
        qs = fs.qs
        count = qs.count()
        list(qs[:PAGE])
        _facet_counts(qs, kind.facet_fields)
        return count

    def now(params):
        fs = filterset_for(kind)(QueryDict(params), queryset=base)
        listed = fs.listing()
        list(listed[0:PAGE])
        _facet_counts(listed.queryset(), kind.facet_fields)
        return len(listed)

    rows, old_all, new_all = [], [], []
    for word in words:
        for params in (f"q={word}", f"q={word}&trl=6"):
            total = filterset_for(kind)(QueryDict(params), queryset=base).qs.count()
            old_ms, new_ms = timed(lambda p=params: before(p)), timed(lambda p=params: now(p))
            old_all.append(old_ms)
            new_all.append(new_ms)
            listed = min(total, search.MAX_LISTED)
            rows.append(f"| `{params}` | {total:,} | {listed:,} | {old_ms:,.0f} | {new_ms:,.0f} |")
    published = kind.model.objects.filter(status=RecordStatus.PUBLISHED).count()
    return "\n".join(
        [
            f"### Catalog search page, database work ({published:,} published achievements, "
            f"{connection.vendor})",
            "",
            "| query | matches | listed now | before: all matches ranked, ms | now, ms |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Median over the {len(rows)} queries: before {statistics.median(old_all):,.0f} ms, "
            f"now {statistics.median(new_all):,.0f} ms; slowest before "
            f"{max(old_all):,.0f} ms, now {max(new_all):,.0f} ms.",
        ]
    )


def panels(records: int, rng: random.Random) -> str:
    current = engine()
    if current is None:
        return "### Record pages\n\nNo index: run `build_index` first."
    by_kind: dict[str, list[str]] = {"demand": [], "achievement": []}
    for doc_id in current.ids:
        kind = parse_id(doc_id)[0]
        if kind in by_kind:
            by_kind[kind].append(doc_id)
    wanted = {"demand": ("achievement", "expert"), "achievement": ("demand",)}
    variants = {
        "all of the record's words (before)": {"max_terms": None, "max_df": None},
        f"its {SIMILAR_TERMS} most telling words": {"max_terms": SIMILAR_TERMS, "max_df": None},
        f"the same, without words in over {SIMILAR_MAX_DF:.0%} of records (now)": {},
    }
    reference = next(iter(variants))
    times: dict[str, list[float]] = {name: [] for name in variants}
    overlap: dict[str, list[float]] = {name: [] for name in variants}
    for source_kind, targets in wanted.items():
        for doc_id in rng.sample(by_kind[source_kind], min(records, len(by_kind[source_kind]))):
            heads = {}
            for name, options in variants.items():
                started = time.perf_counter()
                heads[name] = [
                    [
                        r.id
                        for r in current.similar(
                            doc_id, k=100, filters={"kind": target}, **options
                        )[:10]
                    ]
                    for target in targets
                ]
                times[name].append((time.perf_counter() - started) * 1000)
            for name in variants:
                for full, other in zip(heads[reference], heads[name], strict=True):
                    if full:
                        overlap[name].append(len(set(full) & set(other)) / len(full))

    def line(label, values):
        values = sorted(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        same = 100 * statistics.mean(overlap[label])
        return f"| {label} | {statistics.median(values):,.0f} | {p90:,.0f} | {same:.0f} % |"

    return "\n".join(
        [
            f"### Record pages: the rankings of one recommendation panel ({len(current):,} "
            f"indexed records, {len(times[reference])} records sampled)",
            "",
            "| lexical query | median ms | p90 ms | of the ten shown, same as before |",
            "|---|---|---|---|",
            *(line(name, values) for name, values in times.items()),
        ]
    )


def csl_quality() -> str:
    import numpy as np
    import retrieval as R

    from kechuang.retrieval import Document, Engine, USEEmbedder

    if not R.DATA.exists():
        return "csl-dev not found: the quality check of the shorter query was skipped."
    papers = R.load_papers(R.DATA)
    vectors = R.csl_vectors(papers, R.DATA, USEEmbedder(threads=1))
    embedder = R.CachedEmbedder(USEEmbedder(threads=1))
    for paper, vector in zip(papers, vectors["abstracts"], strict=True):
        embedder.memo[paper["abstract"]] = vector
    engine_ = Engine.build(
        [Document(p["id"], "", p["abstract"]) for p in papers], None, embedder=embedder
    )
    discipline = {p["id"]: p["discipline"] for p in papers}
    terms = np.diff(np.asarray(engine_.lexical.indptr))
    rows = []
    for max_terms, max_df in (
        (None, None),
        (64, None),
        (SIMILAR_TERMS, None),
        (16, None),
        (SIMILAR_TERMS, 0.2),
        (SIMILAR_TERMS, SIMILAR_MAX_DF),
        (SIMILAR_TERMS, 0.05),
    ):
        precision = [
            np.mean(
                [
                    discipline[r.id] == p["discipline"]
                    for r in engine_.similar(p["id"], k=10, max_terms=max_terms, max_df=max_df)
                ]
            )
            for p in papers
        ]
        label = "all" if max_terms is None else str(max_terms)
        common = "–" if max_df is None else f"in over {max_df:.0%} of abstracts"
        rows.append(f"| {label} | {common} | {np.mean(precision):.4f} |")
    return "\n".join(
        [
            f"### Record pages: quality of the shorter query on csl-dev ({len(papers):,} "
            f"abstracts; a median abstract has {np.median(terms):.0f} distinct words)",
            "",
            "| most telling words kept | common words left out | topical P@10 |",
            "|---|---|---|",
            *rows,
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=len(WORDS))
    parser.add_argument("--records", type=int, default=30, help="sampled per source kind")
    parser.add_argument(
        "--parts", default="catalog,panels,quality", help="which of catalog, panels, quality"
    )
    parser.add_argument("--write", action="store_true", help="(all three parts only)")
    args = parser.parse_args()
    parts = {
        "catalog": lambda: catalog(WORDS[: args.words]),
        "panels": lambda: panels(args.records, random.Random(1)),
        "quality": csl_quality,
    }
    chosen = [name.strip() for name in args.parts.split(",") if name.strip()]
    if args.write and set(chosen) != set(parts):
        parser.error("--write needs all three parts")
    sections = ["## The large demo data's slow pages, before and after", ""]
    for name in chosen:
        text = parts[name]()
        print(text, "\n", flush=True)
        sections += [text, ""]
    if args.write:
        from _report import write_section

        write_section("large-pages", "\n".join(sections))
        print("written to docs/benchmarks.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
