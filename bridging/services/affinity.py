"""How expert each expert is for each piece of work: the scorer the review module asks.

The texts of an expert are their works (title + abstract), their keywords and their bio; the
scorer is the bridging index's (same tokeniser, model and IDF) when the index exists, else one
fitted on the texts at hand. Scores are comparable within one call of `affinity_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bridging.services import index
from kechuang.retrieval import AffinityScorer


def expert_texts(expert) -> list[str]:
    texts = [f"{w.get('title', '')} {w.get('abstract', '')}".strip() for w in expert.works or []]
    texts.append(f"{expert.keywords} {expert.bio}".strip())
    return [t for t in texts if t]


def scorer_for(texts: Sequence[str]) -> AffinityScorer:
    engine = index.engine()
    if engine is not None:
        return AffinityScorer.from_engine(engine)
    return AffinityScorer(index.embedder()).fit(texts)


def affinity_matrix(
    experts: Sequence, items: Sequence[str], *, progress: Callable | None = None
) -> np.ndarray:
    """experts × items affinity (experts without any text score 0 everywhere)."""
    profiles = {str(e.pk): expert_texts(e) for e in experts}
    item_texts = {str(i): text for i, text in enumerate(items)}
    scorer = scorer_for([t for ts in profiles.values() for t in ts] + list(items))
    pairs = [(e, i) for e in profiles for i in item_texts]
    if not pairs:
        return np.zeros((len(experts), len(items)))
    scores = scorer.score_pairs(profiles, item_texts, pairs, progress=progress)
    return np.asarray(scores, dtype=np.float64).reshape(len(experts), len(items))


def shared_keywords(expert, text: str, limit: int = 4) -> list[str]:
    """The expert's own keywords that occur in the text, for the "why this expert" line."""
    words = [
        w.strip()
        for w in expert.keywords.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
    ]
    return [w for w in words if len(w) > 1 and w in text][:limit]
