"""How lexical and semantic scores become one ranking (chosen on csl-dev, docs/retrieval.md).

1. Both scores are z-scored over the whole corpus: BM25 against the mean and spread of every
   document's BM25 score for this query, cosine likewise (exactly, from the stored sums).
2. First pass: the equal mix ½·z_lex + ½·z_sem. Its best document is the query's clear match
   and keeps rank 1 ("lead"): a query that names one record finds that record first.
3. Feedback: the query vector moves towards the mean vector of the first pass's top 3
   (q' = q + ½·mean), which gathers documents on the same topic that share few words with
   the query.
4. Final order of the rest: 0.2·z_lex + 0.8·z_sem(q') over the first pass's best 200.

Three constants (semantic weight 0.8, 3 feedback documents, feedback weight ½); the equal
first-pass mix is not tuned. They were chosen on the title queries and hold on the keyword
queries, and the neighbouring values are all within 0.01 (sensitivity table in
docs/retrieval.md). Filters act before all of this: the pool, the lead and the feedback
documents are drawn only from the rows the filters allow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .vectors import VectorStore


@dataclass(frozen=True)
class Fusion:
    semantic_weight: float = 0.8
    feedback_docs: int = 3
    feedback_weight: float = 0.5
    keep_lead: bool = True
    pool: int = 200

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Ranking:
    """The ranked rows of one query and the two weighted parts of each row's score."""

    rows: np.ndarray
    scores: np.ndarray
    lexical_parts: np.ndarray
    semantic_parts: np.ndarray
    lead_row: int | None


def zscore(values: np.ndarray, mean: float, std: float) -> np.ndarray:
    if std <= 1e-12:
        return np.zeros(len(values), dtype=np.float64)
    return (np.asarray(values, dtype=np.float64) - mean) / std


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest scores, best first (ties by row, so results are reproducible)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


def hybrid_rank(
    lexical: np.ndarray,
    semantic: np.ndarray,
    query_vector: np.ndarray,
    vectors: VectorStore,
    k: int,
    *,
    allowed: np.ndarray | None = None,
    fusion: Fusion = Fusion(),
    rows: np.ndarray | None = None,
    lexical_stats: tuple[float, float] | None = None,
) -> Ranking:
    """Rank the corpus for one query. `allowed` (bool per row) is applied before anything else.

    With `rows` (sorted row numbers), `lexical`, `semantic` and `allowed` hold the scores of
    those candidate rows only, and `lexical_stats` the mean and spread of BM25 over the whole
    corpus, so that the z-scores are the same as when every row is scored.
    """
    n = len(lexical)
    if lexical_stats is None:
        lexical_stats = (float(lexical.mean()), float(lexical.std())) if n else (0.0, 0.0)
    z_lex = zscore(lexical, *lexical_stats)
    z_sem = zscore(semantic, *vectors.stats(query_vector))
    first = 0.5 * z_lex + 0.5 * z_sem
    if allowed is not None:
        first = np.where(allowed, first, -np.inf)
        available = int(allowed.sum())
    else:
        available = n
    local = top_rows(first, min(available, max(fusion.pool, 5 * k)))
    pool = rows[local] if rows is not None else local
    if len(pool) == 0:
        empty = np.zeros(0)
        return Ranking(pool, empty, empty, empty, None)

    w = fusion.semantic_weight
    if fusion.feedback_docs > 0:
        feedback = np.asarray(vectors.matrix[pool[: fusion.feedback_docs]], dtype=np.float64)
        expanded = query_vector + fusion.feedback_weight * feedback.mean(axis=0)
        expanded = expanded / max(np.linalg.norm(expanded), 1e-12)
        pool_semantic = zscore(vectors.scores_of(pool, expanded), *vectors.stats(expanded))
    else:
        pool_semantic = z_sem[local]
    lexical_parts = (1 - w) * z_lex[local]
    semantic_parts = w * pool_semantic
    scores = lexical_parts + semantic_parts

    lead_row = None
    if fusion.keep_lead:
        lead_row = int(pool[0])
        others = scores[1:]
        if len(others) and scores[0] <= others.max():
            # Just above the best other score, so the order can be read from the scores alone.
            scores[0] = others.max() + max(1e-6, 1e-6 * abs(others.max()))
    order = np.lexsort((pool, -scores))[:k]
    return Ranking(
        pool[order], scores[order], lexical_parts[order], semantic_parts[order], lead_row
    )


# -- the simple fusions the benchmark compares against --------------------------------------


def reciprocal_rank_fusion(lexical: np.ndarray, semantic: np.ndarray, k: int = 60) -> np.ndarray:
    """RRF (Cormack et al. 2009): Σ 1/(k + rank) over the two rankings."""
    fused = np.zeros(len(lexical))
    for scores in (lexical, semantic):
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[np.lexsort((np.arange(len(scores)), -scores))] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def zscore_mix(
    lexical: np.ndarray, semantic: np.ndarray, semantic_weight: float = 0.5
) -> np.ndarray:
    """(1 − w)·z(lexical) + w·z(semantic), both z-scored over the corpus."""
    z_lex = zscore(lexical, float(lexical.mean()), float(lexical.std()))
    z_sem = zscore(semantic, float(semantic.mean()), float(semantic.std()))
    return (1 - semantic_weight) * z_lex + semantic_weight * z_sem
