import numpy as np

from kechuang.retrieval.fusion import Fusion, hybrid_rank, reciprocal_rank_fusion, top_rows, zscore
from kechuang.retrieval.vectors import VectorStore


def _corpus(n=300, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((n, dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    query = rng.standard_normal(dim)
    query /= np.linalg.norm(query)
    lexical = np.where(rng.random(n) < 0.1, rng.random(n) * 10, 0).astype(np.float32)
    return VectorStore.from_matrix(matrix), query, lexical


def test_similarity_mean_and_spread_come_exactly_from_the_stored_sums():
    store, query, _ = _corpus()
    store.delete(np.array([3, 50, 299]))
    store.append(np.eye(16, dtype=np.float32)[:4])
    direct = store.matrix @ query
    mean, std = store.stats(query)
    assert np.isclose(mean, direct.mean(), atol=1e-6) and np.isclose(std, direct.std(), atol=1e-6)


def test_the_best_equal_mix_match_keeps_rank_one_and_scores_decrease():
    for seed in range(20):
        store, query, lexical = _corpus(seed=seed)
        semantic = store.scores(query)
        ranking = hybrid_rank(lexical, semantic, query, store, k=10)
        equal_mix = 0.5 * zscore(lexical, lexical.mean(), lexical.std()) + 0.5 * zscore(
            semantic, *store.stats(query)
        )
        assert ranking.rows[0] == np.argmax(equal_mix) == ranking.lead_row
        assert np.all(np.diff(ranking.scores) <= 0)


def test_without_the_lead_rule_the_final_mix_alone_decides():
    moved = 0
    for seed in range(20):
        store, query, lexical = _corpus(seed=seed)
        semantic = store.scores(query)
        kept = hybrid_rank(lexical, semantic, query, store, k=5)
        free = hybrid_rank(lexical, semantic, query, store, k=5, fusion=Fusion(keep_lead=False))
        moved += kept.rows[0] != free.rows[0]
    assert moved > 0  # the rule does something on some queries


def test_only_allowed_rows_are_ranked_and_the_list_is_filled_from_them():
    store, query, lexical = _corpus()
    allowed = np.zeros(store.n, dtype=bool)
    allowed[::7] = True
    ranking = hybrid_rank(lexical, store.scores(query), query, store, k=20, allowed=allowed)
    assert len(ranking.rows) == 20 and allowed[ranking.rows].all()


def test_top_rows_are_best_first_with_ties_broken_by_row():
    assert top_rows(np.array([1.0, 3.0, 3.0, 2.0]), 3).tolist() == [1, 2, 3]


def test_reciprocal_rank_fusion_prefers_a_document_both_rankings_like():
    lexical = np.array([3.0, 2.0, 1.0])
    semantic = np.array([1.0, 3.0, 2.0])
    assert np.argmax(reciprocal_rank_fusion(lexical, semantic)) == 1
