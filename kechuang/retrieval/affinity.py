"""How expert an expert is for an item, from the expert's publications.

similarity(publication, item) = ½ · cosine of their sentence vectors
                              + ½ · cosine of their TF-IDF term vectors (log tf × idf, jieba terms)
affinity(expert, item)        = mean of the two highest similarities over the publications
                                (the only one when there is one publication)

Chosen on csl-dev with simulated experts (bench/retrieval.py, "Expert affinity"): the mean of
the top two beats the maximum (one lucky paper) and the plain mean (an expert's other topics
dilute the score); adding the lexical cosine to the semantic one helps a little on both
measures. Equal weights, not tuned: a higher lexical weight gained less than 0.01 AUC.
The score lies in about [0, 1], comparable across experts and items, which the assignment
solver needs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .embedders import Embedder, USEEmbedder, embed_in_batches
from .tokenize import Tokenizer

TOP = 2


class AffinityScorer:
    """Scores (expert, item) pairs; holds the embedder, the tokeniser and the IDF table.

    Make one with `fit(texts)` on the texts at hand (what the command line does), or with
    `from_engine(engine)` to reuse the platform index's tokeniser, model and IDF.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        tokenizer: Tokenizer | None = None,
        idf: Mapping[str, float] | None = None,
        unseen_idf: float | None = None,
    ) -> None:
        self.embedder = embedder or USEEmbedder()
        self.tokenizer = tokenizer or Tokenizer()
        self.idf: dict[str, float] = dict(idf or {})
        self.unseen_idf = unseen_idf if unseen_idf is not None else _max_or(self.idf, 1.0)

    @classmethod
    def from_engine(cls, engine) -> AffinityScorer:
        idf = engine.lexical.idf
        table = {term: float(idf[i]) for term, i in engine.lexical.vocab.items() if idf[i] > 0}
        return cls(engine.embedder, engine.tokenizer, table)

    def fit(self, texts: Iterable[str]) -> AffinityScorer:
        """Learn the IDF table from `texts` (smoothed: ln((1 + N)/(1 + df)) + 1)."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            df.update(set(self.tokenizer(text)))
            n += 1
        self.idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}
        self.unseen_idf = math.log(1 + n) + 1
        return self

    # -- scoring ---------------------------------------------------------------------------

    def score(self, publications: Sequence[str], item: str) -> float:
        scores = self.score_pairs(
            {"expert": list(publications)}, {"item": item}, [("expert", "item")]
        )
        return float(scores[0])

    def score_pairs(
        self,
        experts: Mapping[str, Sequence[str]],
        items: Mapping[str, str],
        pairs: Sequence[tuple[str, str]],
        *,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> np.ndarray:
        """Affinity of each (expert id, item id) pair, in the order given.

        Each distinct text is tokenised and embedded once. An expert without publications
        scores 0 with every item.
        """
        expert_ids = sorted({e for e, _ in pairs})
        item_ids = sorted({i for _, i in pairs})
        pub_texts, pub_owner = [], []
        for e in expert_ids:
            for text in experts[e]:
                pub_texts.append(text)
                pub_owner.append(e)
        item_texts = [items[i] for i in item_ids]

        texts = pub_texts + item_texts
        vectors = embed_in_batches(self.embedder, texts, progress=progress).astype(np.float32)
        terms = self._tfidf(texts)
        pub_vec, item_vec = vectors[: len(pub_texts)], vectors[len(pub_texts) :]
        pub_terms, item_terms = terms[: len(pub_texts)], terms[len(pub_texts) :]

        pubs_of: dict[str, list[int]] = {}
        for row, owner in enumerate(pub_owner):
            pubs_of.setdefault(owner, []).append(row)
        item_row = {item_id: row for row, item_id in enumerate(item_ids)}
        items_of: dict[str, list[int]] = {}
        for position, (e, _item) in enumerate(pairs):
            items_of.setdefault(e, []).append(position)

        out = np.zeros(len(pairs), dtype=np.float64)
        for done, (e, positions) in enumerate(items_of.items()):
            pubs = pubs_of.get(e)
            if not pubs:
                continue
            rows = [item_row[pairs[p][1]] for p in positions]
            semantic = pub_vec[pubs] @ item_vec[rows].T
            lexical = (pub_terms[pubs] @ item_terms[rows].T).toarray()
            similarity = 0.5 * semantic + 0.5 * lexical
            out[positions] = top_mean(similarity, TOP)
            if progress is not None:
                progress(done + 1, len(items_of), "score")
        return out

    def pairwise(
        self, texts_a: Sequence[str], texts_b: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Semantic and lexical cosine of every (a, b): two arrays of shape (len(a), len(b))."""
        texts = [*texts_a, *texts_b]
        vectors = embed_in_batches(self.embedder, texts)
        terms = self._tfidf(texts)
        split = len(texts_a)
        semantic = vectors[:split] @ vectors[split:].T
        lexical = (terms[:split] @ terms[split:].T).toarray()
        return semantic, lexical

    def _tfidf(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised log(1 + tf) × idf rows; terms are columns local to this call."""
        columns: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(self.tokenizer(text))
            weights = {
                columns.setdefault(term, len(columns)): math.log1p(count)
                * self.idf.get(term, self.unseen_idf)
                for term, count in counts.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            indices.extend(weights)
            data.extend(w / norm for w in weights.values())
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int64), np.asarray(indptr)),
            shape=(len(texts), max(len(columns), 1)),
        )


def top_mean(similarity: np.ndarray, top: int) -> np.ndarray:
    """Per column, the mean of the `top` largest values (fewer rows: all of them)."""
    top = min(top, similarity.shape[0])
    best = np.partition(similarity, similarity.shape[0] - top, axis=0)[-top:]
    return best.mean(axis=0)


def expert_affinity(
    expert_publications: Sequence[str], item_text: str, *, scorer: AffinityScorer | None = None
) -> float:
    """Affinity of one expert (publication texts, e.g. title + abstract) for one item.

    Without a `scorer` the IDF comes from these texts alone; pass one made with
    `AffinityScorer.from_engine(engine)` (or fitted on the platform's texts) for scores that
    compare across calls.
    """
    if scorer is None:
        scorer = AffinityScorer().fit([*expert_publications, item_text])
    return scorer.score(expert_publications, item_text)


def _max_or(table: Mapping[str, float], default: float) -> float:
    return max(table.values()) if table else default
