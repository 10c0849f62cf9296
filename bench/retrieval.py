"""Bridging engine (issue 4): ranking quality on csl-dev, expert affinity, and speed at scale.

    .venv/bin/python bench/retrieval.py [--data PATH] [--sizes 10000,100000] [--queries 100]
                                        [--skip-quality] [--skip-speed] [--no-write]

Quality: corpus = the 1,000 csl-dev abstracts, queries = their titles, then their author
keywords. Known item: the query's own abstract should be first (MRR@10). Topical: the other
papers of the query's discipline should fill the top 10, own paper excluded (P@10). Every
component is measured beside the platform's ranking, plus ablations and a small sensitivity
grid of the fusion's three constants.

Expert affinity: simulated experts (4 papers of one discipline each) scored against the
remaining papers; a pair is relevant when expert and item share the discipline.

Speed: synthetic records assembled from csl-dev sentences with 长春 metadata, at each size
in --sizes, each size in fresh processes (build, then load + query) so memory is that of one
index. Document vectors there are real abstract vectors plus noise (embedding 100,000 texts
would take most of an hour); query vectors come from the real model and their cost is
reported separately. The 1,000,000 level is not run (tokenising alone would take ~25 min):
its figures are estimated from the measured ones and a direct 1M × 512 product, and are
labelled so. Results are printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from kechuang.retrieval import Document, Engine, Fusion, Range, USEEmbedder  # noqa: E402
from kechuang.retrieval.affinity import AffinityScorer, top_mean  # noqa: E402
from kechuang.retrieval.ann import CellIndex  # noqa: E402
from kechuang.retrieval.embedders import USE_NAME, embed_in_batches  # noqa: E402
from kechuang.retrieval.fusion import reciprocal_rank_fusion, top_rows, zscore_mix  # noqa: E402
from kechuang.retrieval.lexical import LexicalIndex  # noqa: E402
from kechuang.retrieval.tokenize import Tokenizer  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "csl-dev" / "papers.jsonl"
WORK = ROOT / "var" / "bench" / "retrieval"
ISSUE_BASELINE = {  # issue 4, "Benchmarks": measured by the issue's author with plain components
    "BM25": ((0.978, 0.155), (0.989, 0.161)),
    "USE vectors": ((0.894, 0.212), (0.907, 0.215)),
}
DISTRICTS = ["南关区", "宽城区", "朝阳区", "二道区", "绿园区", "双阳区", "九台区", "榆树市",
             "德惠市", "农安县", "公主岭市"]  # fmt: skip
CHAINS = [
    "汽车",
    "新能源汽车",
    "光电信息",
    "生物医药",
    "农产品加工",
    "新材料",
    "装备制造",
    "数字经济",
]
FILTERS = {
    "none": None,
    "broad": {"status": "published", "region": DISTRICTS[:3], "trl": Range(4, 9)},
    "narrow": {"status": "published", "region": ["朝阳区"], "chain_node": ["光电信息"]},
}


class CachedEmbedder:
    """The real model, remembering each text's vector (quality runs embed a text once)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.memo: dict[str, np.ndarray] = {}

    def embed(self, texts):
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self.memo[text] = vector
        return np.stack([self.memo[t] for t in texts])


class LookupEmbedder:
    """Vectors prepared in advance, by text, in the USE space; unknown texts are an error."""

    name, dim = USE_NAME, 512

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def embed(self, texts):
        return np.stack([self.table[t] for t in texts])


# -- data ----------------------------------------------------------------------------------


def load_papers(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def csl_vectors(papers: list[dict], path: Path, embedder) -> dict[str, np.ndarray]:
    """Real vectors of abstracts, titles and keyword strings, cached under var/ per data file."""
    key = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    cache = WORK / f"csl-vectors-{key}.npz"
    if cache.exists():
        with np.load(cache) as stored:
            return {name: stored[name] for name in stored.files}
    texts = {
        "abstracts": [p["abstract"] for p in papers],
        "titles": [p["title"] for p in papers],
        "keywords": [" ".join(p["keywords"]) for p in papers],
    }
    out = {}
    for name, batch in texts.items():
        started = time.perf_counter()
        out[name] = embed_in_batches(embedder, batch)
        print(
            f"  embedded {len(batch)} {name} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **out)
    return out


# -- quality -------------------------------------------------------------------------------


def known_item_and_topical(
    rankings: list[list[int]], disciplines: list[str]
) -> tuple[float, float]:
    """MRR@10 of the query's own paper and P@10 of same-discipline papers (own excluded)."""
    reciprocal, precision = [], []
    for own, ranking in enumerate(rankings):
        top = list(ranking[:10])
        reciprocal.append(1.0 / (top.index(own) + 1) if own in top else 0.0)
        others = [row for row in ranking if row != own][:10]
        precision.append(np.mean([disciplines[row] == disciplines[own] for row in others]))
    return float(np.mean(reciprocal)), float(np.mean(precision))


def csl_queries(
    papers: list[dict], vectors: dict[str, np.ndarray]
) -> tuple[CachedEmbedder, dict[str, list[str]]]:
    """The quality runs' queries (titles, keyword strings) and a model that already knows the
    vectors of those and of the abstracts."""
    embedder = CachedEmbedder(USEEmbedder(threads=1))
    for text, vector in zip([p["abstract"] for p in papers], vectors["abstracts"], strict=True):
        embedder.memo[text] = vector
    query_sets = {
        "titles": [p["title"] for p in papers],
        "keywords": [" ".join(p["keywords"]) for p in papers],
    }
    for name, texts in query_sets.items():
        for text, vector in zip(texts, vectors[name], strict=True):
            embedder.memo.setdefault(text, vector)
    return embedder, query_sets


def quality(papers: list[dict], vectors: dict[str, np.ndarray]) -> tuple[str, dict]:
    disciplines = [p["discipline"] for p in papers]
    embedder, query_sets = csl_queries(papers, vectors)

    documents = [Document(p["id"], "", p["abstract"]) for p in papers]
    engine = Engine.build(documents, None, embedder=embedder)
    precise_tokenizer = Tokenizer(mode="precise")
    precise = LexicalIndex.empty()
    precise.append([precise_tokenizer(p["abstract"]) for p in papers])
    row_of = {doc_id: row for row, doc_id in enumerate(engine.ids)}
    half = engine.vectors.matrix.astype(np.float16).astype(np.float32)

    def full_array(scores_of) -> dict[str, list[list[int]]]:
        out = {}
        for name, texts in query_sets.items():
            out[name] = [
                top_rows(scores_of(name, i, text), 11).tolist() for i, text in enumerate(texts)
            ]
        return out

    def lexical(name, i, text):
        return engine.lexical.scores(engine.lexical.term_ids(engine.tokenizer(text)))

    def semantic(name, i, text):
        return engine.vectors.matrix @ vectors[name][i]

    def through_engine(fusion: Fusion) -> dict[str, list[list[int]]]:
        engine.fusion = fusion
        out = {}
        for name, texts in query_sets.items():
            out[name] = [
                [row_of[r.id] for r in results] for results in engine.search_many(texts, k=11)
            ]
        engine.fusion = Fusion()
        return out

    methods = {
        "BM25 (jieba search mode)": full_array(lexical),
        "BM25 (jieba precise mode)": full_array(
            lambda name, i, text: precise.scores(precise.term_ids(precise_tokenizer(text)))
        ),
        "USE vectors (float32)": full_array(semantic),
        "USE vectors (stored float16)": full_array(
            lambda name, i, text: half @ vectors[name][i].astype(np.float16).astype(np.float32)
        ),
        "RRF (k = 60)": full_array(
            lambda name, i, text: reciprocal_rank_fusion(
                lexical(name, i, text), semantic(name, i, text)
            )
        ),
        "z-score mix 50/50": full_array(
            lambda name, i, text: zscore_mix(lexical(name, i, text), semantic(name, i, text), 0.5)
        ),
        "z-score mix 20/80": full_array(
            lambda name, i, text: zscore_mix(lexical(name, i, text), semantic(name, i, text), 0.8)
        ),
        "platform, without lead rule": through_engine(Fusion(keep_lead=False)),
        "platform, without feedback": through_engine(Fusion(feedback_docs=0)),
        "**platform hybrid**": through_engine(Fusion()),
    }
    figures = {
        method: {name: known_item_and_topical(r, disciplines) for name, r in runs.items()}
        for method, runs in methods.items()
    }

    lines = [
        "### Ranking quality on csl-dev (1,000 abstracts; 1,000 title and 1,000 keyword queries)",
        "",
        "| method | known item MRR@10, titles | keywords | topical P@10, titles | keywords |",
        "|---|---|---|---|---|",
    ]
    for method, name_figures in figures.items():
        t, kw = name_figures["titles"], name_figures["keywords"]
        lines.append(f"| {method} | {t[0]:.3f} | {kw[0]:.3f} | {t[1]:.3f} | {kw[1]:.3f} |")
    for method, (t, kw) in ISSUE_BASELINE.items():
        lines.append(
            f"| {method}, issue's figure | {t[0]:.3f} | {kw[0]:.3f} | {t[1]:.3f} | {kw[1]:.3f} |"
        )
    platform = figures["**platform hybrid**"]
    bm25 = figures["BM25 (jieba search mode)"]
    use = figures["USE vectors (float32)"]
    verdicts = []
    for name, position in (("titles", 0), ("keywords", 1)):
        known_bar = max(bm25[name][0], ISSUE_BASELINE["BM25"][position][0])
        topical_bar = max(use[name][1], ISSUE_BASELINE["USE vectors"][position][1])
        ok = platform[name][0] >= known_bar and platform[name][1] >= topical_bar
        verdicts.append(
            f"{name}: known item {platform[name][0]:.3f} vs BM25 {known_bar:.3f}, topical "
            f"{platform[name][1]:.3f} vs vectors {topical_bar:.3f} → {'met' if ok else 'NOT met'}"
        )
    lines += [
        "",
        "Both bars (the better of this run's and the issue's baseline): "
        + "; ".join(verdicts)
        + ".",
    ]
    lines += ["", sensitivity(engine, query_sets, row_of, disciplines)]
    return "\n".join(lines), figures


def sensitivity(engine: Engine, query_sets, row_of, disciplines) -> str:
    lines = [
        "Sensitivity of the fusion's constants (semantic weight w, feedback documents m, feedback "
        "weight β); chosen: w 0.8, m 3, β 0.5. Each cell: known item MRR@10 / topical P@10.",
        "",
        "| w | m | β | titles | keywords |",
        "|---|---|---|---|---|",
    ]
    for w in (0.7, 0.8, 0.9):
        for m, beta in ((3, 0.5), (5, 0.5), (5, 1.0)):
            engine.fusion = Fusion(semantic_weight=w, feedback_docs=m, feedback_weight=beta)
            cells = []
            for texts in query_sets.values():
                rankings = [[row_of[r.id] for r in res] for res in engine.search_many(texts, k=11)]
                known, topical = known_item_and_topical(rankings, disciplines)
                cells.append(f"{known:.3f} / {topical:.3f}")
            lines.append(f"| {w} | {m} | {beta} | {cells[0]} | {cells[1]} |")
    engine.fusion = Fusion()
    return "\n".join(lines)


def affinity_quality(papers: list[dict]) -> str:
    """Two kinds of simulated expert: focused (4 papers of one discipline) and broad (2 papers
    of the discipline among 5, the others from elsewhere, as a real publication list is)."""
    disciplines = np.array([p["discipline"] for p in papers])
    texts = [f"{p['title']}\n{p['abstract']}" for p in papers]
    scorer = AffinityScorer(CachedEmbedder(USEEmbedder(threads=1))).fit(texts)
    lines = [
        "### Expert affinity on csl-dev, simulated experts",
        "",
        "Relevant pair = expert and item share a discipline. AUC over all pairs (the assignment "
        "compares scores across experts and items); item MRR = reciprocal rank of the first "
        "relevant expert for each item. Focused experts: 4 papers of one discipline. Broad "
        "experts: 2 papers of the discipline and 3 from other disciplines.",
        "",
        "| scoring | focused AUC | focused item MRR | broad AUC | broad item MRR |",
        "|---|---|---|---|---|",
    ]
    cells: dict[str, list[str]] = {}
    semantic_all = lexical_all = None
    for kind in ("focused", "broad"):
        experts, items = simulated_experts(disciplines, kind)
        if semantic_all is None:
            semantic_all, lexical_all = scorer.pairwise(texts, texts)
        semantic, lexical = semantic_all[:, items], lexical_all[:, items]
        relevant = np.array([[disciplines[i] == d for i in items] for d, _ in experts])

        def aggregate(similarity, how, experts=experts, items=items):
            out = np.zeros((len(experts), len(items)))
            for e, (_, pubs) in enumerate(experts):
                block = similarity[pubs]
                out[e] = {"max": block.max(0), "mean": block.mean(0)}.get(how, top_mean(block, 2))
            return out

        experts_map = {f"e{e}": [texts[r] for r in pubs] for e, (_, pubs) in enumerate(experts)}
        items_map = {f"i{j}": texts[i] for j, i in enumerate(items)}
        pairs = [(f"e{e}", f"i{j}") for e in range(len(experts)) for j in range(len(items))]
        platform = scorer.score_pairs(experts_map, items_map, pairs)
        mixed = 0.5 * semantic + 0.5 * lexical
        variants = {
            "semantic, max over publications": aggregate(semantic, "max"),
            "semantic, mean of top 2": aggregate(semantic, "top2"),
            "lexical (TF-IDF), mean of top 2": aggregate(lexical, "top2"),
            "½ semantic + ½ lexical, max": aggregate(mixed, "max"),
            "½ semantic + ½ lexical, mean of all": aggregate(mixed, "mean"),
            "**platform: ½ semantic + ½ lexical, mean of top 2**": platform.reshape(
                len(experts), len(items)
            ),
        }
        for name, scores in variants.items():
            cells.setdefault(name, []).append(
                f"{auc(scores.ravel(), relevant.ravel()):.3f} | {item_mrr(scores, relevant):.3f}"
            )
        sizes = f"{len(experts)} experts × {len(items)} items"
    for name, values in cells.items():
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    lines[0] += f" ({sizes} of each kind)"
    return "\n".join(lines)


def simulated_experts(disciplines: np.ndarray, kind: str):
    """(discipline, publication rows) per expert, and the item rows no expert wrote."""
    rng = np.random.default_rng(1)
    experts, items = [], []
    for discipline in sorted(set(disciplines)):
        rows = np.flatnonzero(disciplines == discipline)
        rng.shuffle(rows)
        if len(rows) < 8:
            continue
        experts.append((discipline, rows[:4] if kind == "focused" else rows[:2]))
        items += rows[4:].tolist()
    if kind == "broad":
        # Other-discipline papers that are neither items nor anyone's topic papers.
        taken = {int(r) for _, pubs in experts for r in pubs} | set(items)
        spare = np.array([r for r in range(len(disciplines)) if r not in taken])
        widened = []
        for discipline, pubs in experts:
            extra = rng.choice(spare[disciplines[spare] != discipline], size=3, replace=False)
            widened.append((discipline, np.concatenate([pubs, extra])))
        experts = widened
    return experts, np.array(items)


def auc(scores: np.ndarray, relevant: np.ndarray) -> float:
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    positives = relevant.sum()
    negatives = len(relevant) - positives
    return float(
        (ranks[relevant].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def item_mrr(scores: np.ndarray, relevant: np.ndarray) -> float:
    values = []
    for j in range(scores.shape[1]):
        best_relevant = scores[relevant[:, j], j].max()
        values.append(1.0 / (1 + int(np.sum(scores[:, j] > best_relevant))))
    return float(np.mean(values))


# -- speed ---------------------------------------------------------------------------------


def synthetic_records(papers: list[dict], vectors: np.ndarray, n: int, seed: int):
    """n records from csl-dev sentences with 长春 metadata, and a vector per text."""
    rng = np.random.default_rng(seed)
    sentences = [
        [s for s in re.split(r"(?<=[。；.;])", p["abstract"]) if len(s) > 4] or [p["abstract"]]
        for p in papers
    ]
    documents, table = [], {}
    noise_scale = 0.6 / np.sqrt(vectors.shape[1])
    for i in range(n):
        base = int(rng.integers(len(papers)))
        other = int(rng.integers(len(papers)))
        own = sentences[base]
        picked = [
            own[j] for j in sorted(rng.choice(len(own), size=min(len(own), 3), replace=False))
        ]
        picked.append(sentences[other][int(rng.integers(len(sentences[other])))])
        chains = rng.choice(len(CHAINS), size=int(rng.integers(1, 3)), replace=False)
        document = Document(
            f"r{i:07d}",
            papers[base]["title"],
            "".join(picked),
            {
                "kind": "achievement",
                "region": DISTRICTS[int(rng.integers(len(DISTRICTS)))],
                "chain_node": [CHAINS[c] for c in chains],
                "trl": int(rng.integers(1, 10)),
                "status": "published" if rng.random() < 0.9 else "draft",
            },
        )
        vector = vectors[base] + 0.3 * vectors[other] + rng.normal(0, noise_scale, vectors.shape[1])
        table[document.full_text] = (vector / np.linalg.norm(vector)).astype(np.float32)
        documents.append(document)
    return documents, table


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    current = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return current, peak


def worker_build(args) -> dict:
    papers = load_papers(Path(args.data))
    vectors = csl_vectors(papers, Path(args.data), None)
    documents, table = synthetic_records(papers, vectors["abstracts"], args.size, seed=args.size)
    extra, extra_table = synthetic_records(papers, vectors["abstracts"], 101, seed=7)
    extra = [Document(f"new{i}", d.title, d.text, d.meta) for i, d in enumerate(extra)]
    table.update(extra_table)
    path = Path(args.path)
    shutil.rmtree(path, ignore_errors=True)
    marks: dict[str, list[float]] = {}

    def progress(done, total, stage):
        marks.setdefault(stage, []).append(time.perf_counter())

    started = time.perf_counter()
    engine = Engine.build(documents, path, embedder=LookupEmbedder(table), progress=progress)
    built = time.perf_counter()
    rss_now, rss_peak = rss_mb()
    timings = {
        "build_s": built - started,
        "tokenise_s": marks["tokenise"][-1] - started,
        "bm25_s": marks["index"][-1] - marks["embed"][-1],
        "save_s": marks["save"][-1] - marks["index"][-1],
        "build_rss_mb": rss_now,
        "build_peak_mb": rss_peak,
    }
    for label, batch in (("upsert_1_s", extra[:1]), ("upsert_100_s", extra[1:101])):
        t = time.perf_counter()
        engine.upsert(batch)
        timings[label] = time.perf_counter() - t
    t = time.perf_counter()
    engine.remove([extra[0].id])
    timings["remove_1_s"] = time.perf_counter() - t
    generation = next(path.glob("gen-*"))
    sizes = {f.name: f.stat().st_size for f in sorted(generation.rglob("*")) if f.is_file()}
    timings["disk_mb"] = sum(sizes.values()) / 1e6
    timings["files_mb"] = {name: size / 1e6 for name, size in sizes.items()}
    timings["nnz"] = int(len(engine.lexical.weights.scores["data"]))
    if engine.ann is not None:
        t = time.perf_counter()
        CellIndex.train(engine.vectors.matrix, engine.ann_settings)
        timings["train_ann_s"] = time.perf_counter() - t
    timings["vocab"] = len(engine.lexical.vocab)
    return timings


def worker_query(args) -> dict:
    papers = load_papers(Path(args.data))
    queries = [p["title"] if i % 2 else " ".join(p["keywords"]) for i, p in enumerate(papers)]
    queries = queries[: args.queries]
    use = USEEmbedder(threads=1)
    use.embed(["预热"])
    embed_ms = []
    table = {}
    for query in queries:
        t = time.perf_counter()
        table[query] = use.embed([query])[0]
        embed_ms.append((time.perf_counter() - t) * 1000)
    gc.collect()
    before, _ = rss_mb()
    t = time.perf_counter()
    engine = Engine.load(args.path, embedder=LookupEmbedder(table))
    load_s = time.perf_counter() - t
    out = {"load_s": load_s, "embed_query_ms": summary(embed_ms)}
    for query in queries[:5]:  # page the memory-mapped arrays in
        for filters in FILTERS.values():
            engine.search(query, k=20, filters=filters)
    # Filters interleaved query by query, and the parts timed right after the whole search,
    # so that contention from other work on the machine falls on all of them alike.
    latencies = {name: [] for name in FILTERS}
    hits = {name: [] for name in FILTERS}
    parts: dict[str, list[float]] = {"tokenise": [], "bm25": [], "vectors": [], "filter": []}
    for query in queries:
        for name, filters in FILTERS.items():
            t = time.perf_counter()
            results = engine.search(query, k=20, filters=filters)
            latencies[name].append((time.perf_counter() - t) * 1000)
            hits[name].append(len(results))
        t0 = time.perf_counter()
        term_ids = engine.lexical.term_ids(engine.tokenizer(query))
        t1 = time.perf_counter()
        engine.lexical.scores(term_ids)
        t2 = time.perf_counter()
        vector = table[query].astype(np.float32)
        if engine.ann is None:
            engine.vectors.scores(vector)
        else:  # the vector part of a search through the cells: choose rows, score them
            rows = engine.ann.candidates(vector, engine.ann_settings, None)
            engine.vectors.scores_of(rows, vector)
        t3 = time.perf_counter()
        engine.meta.mask(FILTERS["broad"])
        t4 = time.perf_counter()
        for key, a, b in (
            ("tokenise", t0, t1),
            ("bm25", t1, t2),
            ("vectors", t2, t3),
            ("filter", t3, t4),
        ):
            parts[key].append((b - a) * 1000)
    for name, filters in FILTERS.items():
        out[f"search_{name}_ms"] = summary(latencies[name])
        out[f"search_{name}_allowed"] = float(engine.meta.mask(filters).mean()) if filters else 1.0
        out[f"search_{name}_hits"] = float(np.mean(hits[name]))
    out["parts_ms"] = {key: statistics.median(values) for key, values in parts.items()}
    out["ann"] = engine.ann is not None
    if engine.ann is not None:
        # The same queries with every vector scored (the engine below its threshold): the
        # baseline in time, and the reference for what the cells miss.
        approximate = {
            (q, name): [r.id for r in engine.search(q, k=20, filters=f)]
            for q in queries
            for name, f in FILTERS.items()
        }
        cells, engine.ann = engine.ann, None
        exact_ms = {name: [] for name in FILTERS}
        recall = {name: [] for name in FILTERS}
        top1 = {name: [] for name in FILTERS}
        for query in queries:
            for name, filters in FILTERS.items():
                t = time.perf_counter()
                exact = [r.id for r in engine.search(query, k=20, filters=filters)]
                exact_ms[name].append((time.perf_counter() - t) * 1000)
                got = approximate[(query, name)]
                recall[name].append(len(set(got) & set(exact)) / max(1, len(exact)))
                top1[name].append(bool(exact) and bool(got) and got[0] == exact[0])
        engine.ann = cells
        for name in FILTERS:
            out[f"exact_{name}_ms"] = summary(exact_ms[name])
            out[f"recall_{name}"] = float(np.mean(recall[name]))
            out[f"top1_{name}"] = float(np.mean(top1[name]))
        out["nlist"] = cells.nlist
    now, peak = rss_mb()
    out["rss_mb"], out["peak_mb"], out["rss_before_load_mb"] = now, peak, before
    return out


def worker_million(args) -> dict:
    """The one 1M-sized cost that can be measured directly: the brute-force vector product."""
    rng = np.random.default_rng(0)
    matrix = np.empty((1_000_000, 512), dtype=np.float32)
    for start in range(0, len(matrix), 100_000):
        block = rng.standard_normal((100_000, 512), dtype=np.float32)
        matrix[start : start + 100_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
    query = matrix[0].copy()
    for _ in range(3):
        matrix @ query
    times = []
    for _ in range(20):
        t = time.perf_counter()
        matrix @ query
        times.append((time.perf_counter() - t) * 1000)
    return {"matvec_ms": summary(times)}


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
    }


def run_worker(kind: str, **options) -> dict:
    argv = [sys.executable, __file__, "--worker", kind]
    for key, value in options.items():
        argv += [f"--{key}", str(value)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def embedding_throughput(papers: list[dict]) -> dict:
    """Texts per second of the real model, after a warm-up on other texts of the same kind."""
    documents, _ = synthetic_records(papers, np.zeros((len(papers), 512)), 300, seed=3)
    records = [d.full_text for d in documents]
    titles = [p["title"] for p in papers]
    out = {}
    for threads in (1, 2):
        model = USEEmbedder(threads=threads)
        for name, warm, timed in (
            ("records", records[:100], records[100:300]),
            ("titles", titles[:100], titles[100:400]),
        ):
            embed_in_batches(model, warm)
            t = time.perf_counter()
            embed_in_batches(model, timed)
            out[f"{name}_threads{threads}"] = len(timed) / (time.perf_counter() - t)
    out["record_chars"] = float(np.mean([len(t) for t in records]))
    return out


def speed(args, papers: list[dict]) -> str:
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    throughput = embedding_throughput(papers)
    rows = {}
    for size in args.sizes:
        path = WORK / f"index-{size}"
        print(f"  speed: building {size:,} records …", file=sys.stderr)
        build = run_worker("build", data=args.data, size=size, path=path)
        print(f"  speed: querying {size:,} records …", file=sys.stderr)
        query = run_worker("query", data=args.data, path=path, queries=args.queries)
        rows[size] = {**build, **query}
        shutil.rmtree(path, ignore_errors=True)
    million = run_worker("million")
    (WORK / "speed.json").write_text(json.dumps({"rows": rows, "million": million}, indent=1))
    load_after = os.getloadavg()
    return speed_table(rows, million, throughput, load_before, load_after, args.queries)


def at_million(rows: dict, key: str) -> float:
    """A figure at 1,000,000 records: the line through the smallest and largest size measured."""
    sizes = sorted(rows)
    low, high = sizes[0], sizes[-1]
    if low == high:
        return rows[high][key] * 1_000_000 / high
    slope = (rows[high][key] - rows[low][key]) / (high - low)
    return rows[high][key] + slope * (1_000_000 - high)


def speed_table(rows, million, throughput, load_before, load_after, n_queries) -> str:
    rate = throughput["records_threads1"]
    measured_million = 1_000_000 in rows
    lines = [
        "### Speed",
        "",
        f"Synthetic records (title + ~{throughput['record_chars']:.0f} characters of csl-dev "
        f"sentences, region / chain node / TRL / status). {n_queries} queries (titles and "
        "keyword strings), top 20. Engine time excludes the query's embedding, shown on its own "
        "line. Filters: broad = published, 3 of 11 districts, TRL 4–9; narrow = published, "
        "朝阳区, chain node 光电信息.",
        "",
        "| records | "
        + " | ".join(f"{size:,}" for size in rows)
        + (" |" if measured_million else " | 1,000,000 (estimated) |"),
        "|---|" + "---|" * (len(rows) + (0 if measured_million else 1)),
    ]
    sizes = list(rows)
    # Vector product: measured at 1M. The rest of the engine time: line through the sizes run.
    for size in rows.values():
        size["rest_broad_median"] = size["search_broad_ms"]["median"] - size["parts_ms"]["vectors"]
        size["rest_broad_p95"] = size["search_broad_ms"]["p95"] - size["parts_ms"]["vectors"]
    est_broad = million["matvec_ms"]["median"] + at_million(rows, "rest_broad_median")
    est_broad_p95 = million["matvec_ms"]["p95"] + at_million(rows, "rest_broad_p95")

    def row(label, values, estimate):
        tail = " |" if measured_million else f" | {estimate} |"
        lines.append(f"| {label} | " + " | ".join(values) + tail)

    def ann_row(label, value):
        row(label, [value(rows[s]) if rows[s].get("ann") else "all vectors" for s in sizes], "")

    for name in ("broad", "narrow", "none"):
        row(
            f"engine latency, {name} filter: median / p95 (ms)",
            [
                f"{rows[s][f'search_{name}_ms']['median']:.1f} / {rows[s][f'search_{name}_ms']['p95']:.1f}"
                for s in sizes
            ],
            f"~{est_broad:.0f} / ~{est_broad_p95:.0f}" if name == "broad" else "",
        )
        row(
            f"share of records passing ({name})",
            [
                f"{rows[s][f'search_{name}_allowed']:.1%}, {rows[s][f'search_{name}_hits']:.0f} hits"
                for s in sizes
            ],
            "",
        )
    ann_row(
        "approximate search: cells; share of the exact top 20 found, broad / narrow / none",
        lambda r: (
            f"{r['nlist']:,}; "
            + " / ".join(f"{r[f'recall_{n}']:.1%}" for n in ("broad", "narrow", "none"))
        ),
    )
    ann_row(
        "same first result as the exact ranking, broad / narrow / none",
        lambda r: " / ".join(f"{r[f'top1_{n}']:.0%}" for n in ("broad", "narrow", "none")),
    )
    ann_row(
        "baseline, every vector scored (same queries, same run), broad filter: median / p95 (ms)",
        lambda r: f"{r['exact_broad_ms']['median']:.1f} / {r['exact_broad_ms']['p95']:.1f}",
    )
    ann_row(
        "training the cells (k-means on a sample, then every row to its cell) (s)",
        lambda r: f"{r['train_ann_s']:.0f}",
    )
    row(
        "query embedding: median / p95 (ms)",
        [
            f"{rows[s]['embed_query_ms']['median']:.1f} / {rows[s]['embed_query_ms']['p95']:.1f}"
            for s in sizes
        ],
        "same",
    )
    row(
        "where engine time goes, median ms: tokenise / BM25 / vectors (every row; through "
        "the cells from 200,000, no filter) / filter mask / the rest (fusion, feedback, "
        "explanations) of a broad-filter search",
        [
            " / ".join(
                f"{rows[s]['parts_ms'][k]:.1f}" for k in ("tokenise", "bm25", "vectors", "filter")
            )
            + f" / {rows[s]['search_broad_ms']['median'] - sum(rows[s]['parts_ms'].values()):.1f}"
            for s in sizes
        ],
        f"vector product {million['matvec_ms']['median']:.0f} (measured on 1M × 512 float32)",
    )
    row(
        "index build without embedding (s): total = tokenise + BM25 + save",
        [
            f"{rows[s]['build_s']:.1f} = {rows[s]['tokenise_s']:.1f} + {rows[s]['bm25_s']:.1f} + {rows[s]['save_s']:.1f}"
            for s in sizes
        ],
        f"~{at_million(rows, 'build_s') / 60:.0f} min",
    )
    row(
        f"embedding the records at {rate:.0f} texts/s (s)",
        [f"{s / rate:,.0f}" for s in sizes],
        f"~{1_000_000 / rate / 3600:.1f} h",
    )
    row(
        "update: upsert 1 / upsert 100 / remove 1 (s)",
        [
            f"{rows[s]['upsert_1_s']:.2f} / {rows[s]['upsert_100_s']:.2f} / {rows[s]['remove_1_s']:.2f}"
            for s in sizes
        ],
        " / ".join(
            f"~{at_million(rows, key):.0f}" for key in ("upsert_1_s", "upsert_100_s", "remove_1_s")
        ),
    )
    row(
        "load (s)",
        [f"{rows[s]['load_s']:.2f}" for s in sizes],
        f"~{at_million(rows, 'load_s'):.0f}",
    )
    row(
        "resident memory after load + queries / peak (MB)",
        [f"{rows[s]['rss_mb']:.0f} / {rows[s]['peak_mb']:.0f}" for s in sizes],
        f"~{at_million(rows, 'rss_mb'):.0f}",
    )
    row(
        "build process resident / peak (MB), including the benchmark's records and vector table",
        [f"{rows[s]['build_rss_mb']:.0f} / {rows[s]['build_peak_mb']:.0f}" for s in sizes],
        f"~{at_million(rows, 'build_peak_mb'):.0f}",
    )
    row(
        "index on disk (MB); BM25 postings; vocabulary",
        [f"{rows[s]['disk_mb']:.0f}; {rows[s]['nnz']:,}; {rows[s]['vocab']:,}" for s in sizes],
        f"~{at_million(rows, 'disk_mb'):.0f}",
    )
    if measured_million:
        lines += [
            "",
            "Every column was run: records built, indexed, loaded and queried in fresh processes "
            "(document vectors are real csl-dev abstract vectors mixed with noise, so the cells "
            "see the clustering of 1,000 source texts; see docs/retrieval.md). From 200,000 "
            "records the engine searches through cells (kechuang/retrieval/ann.py) and the "
            "exact-scoring rows are the baseline measured in the same process.",
        ]
    lines += [
        "",
        f"Embedding throughput, real model: records {throughput['records_threads1']:.0f} texts/s "
        f"with 1 thread, {throughput['records_threads2']:.0f} with 2; titles "
        f"{throughput['titles_threads1']:.0f} / {throughput['titles_threads2']:.0f}.",
        "",
        (
            ""
            if measured_million
            else "The 1,000,000 column is an estimate, not a run: the vector product is measured "
            "on a random 1M × 512 float32 matrix; every other figure is extended along the "
            "straight line through the smallest and the largest size measured. "
        )
        + "Embedding throughput is taken after a warm-up on other texts. "
        f"Load average {load_before[0]:.1f} before and {load_after[0]:.1f} after the speed runs "
        "on 2 cores shared with other work: figures include that contention.",
    ]
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--worker", choices=["build", "query", "million"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()

    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    if args.worker:
        worker = {"build": worker_build, "query": worker_query, "million": worker_million}
        print(json.dumps(worker[args.worker](args)))
        return 0

    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    data = Path(args.data)
    if not data.exists():
        print(f"csl-dev not found at {data}: the retrieval benchmark needs it; skipped.")
        return 0
    papers = load_papers(data)
    sections = ["## Bridging engine (issue 4)", ""]
    if not args.skip_quality:
        print("quality: embedding csl-dev (cached after the first run) …", file=sys.stderr)
        vectors = csl_vectors(papers, data, USEEmbedder(threads=1))
        table, _ = quality(papers, vectors)
        print(table)
        sections += [table, ""]
        print("affinity: simulated experts …", file=sys.stderr)
        affinity = affinity_quality(papers)
        print(affinity)
        sections += [affinity, ""]
    if not args.skip_speed:
        csl_vectors(papers, data, USEEmbedder(threads=1))
        table = speed(args, papers)
        print(table)
        sections += [table, ""]
    if not args.no_write:
        from _report import write_section

        write_section("retrieval", "\n".join(sections))
        print("written to docs/benchmarks.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
