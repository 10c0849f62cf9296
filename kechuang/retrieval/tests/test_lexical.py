import bm25s
import numpy as np

from kechuang.retrieval.lexical import LexicalIndex
from kechuang.retrieval.tokenize import Tokenizer

from .conftest import documents


def _tokens():
    tokenizer = Tokenizer()
    return [tokenizer(d.full_text) for d in documents()]


def test_bm25_weights_are_those_of_bm25s_own_index():
    tokens = _tokens()
    ours = LexicalIndex.empty()
    ours.append(tokens)
    reference = bm25s.BM25()
    reference.index(
        ([[ours.vocab[t] for t in doc] for doc in tokens], dict(ours.vocab)),
        show_progress=False,
        create_empty_token=False,
    )
    for query in (["锂电池", "正极"], ["玉米", "乙醇", "玉米"], ["红外", "镜头"]):
        ids = ours.term_ids(query)
        np.testing.assert_allclose(
            ours.scores(ids), reference.get_scores_from_ids(ids.tolist()), rtol=1e-5
        )


def test_the_document_that_contains_the_query_words_scores_highest():
    index = LexicalIndex.empty()
    index.append(_tokens())
    scores = index.scores(index.term_ids(Tokenizer()("红外光学镜头")))
    assert [d.id for d in documents()][int(np.argmax(scores))] == "ach-optics"


def test_deleting_rows_gives_the_weights_of_an_index_built_without_them():
    tokens = _tokens()
    updated = LexicalIndex.empty()
    updated.append(tokens)
    updated.delete(np.array([1, 4]))
    fresh = LexicalIndex.empty()
    fresh.append([t for i, t in enumerate(tokens) if i not in (1, 4)])
    for query in (["电池"], ["玉米", "秸秆"], ["镜头", "材料"]):
        np.testing.assert_allclose(
            updated.scores(updated.term_ids(query)), fresh.scores(fresh.term_ids(query)), rtol=1e-6
        )


def test_unknown_query_words_score_nothing():
    index = LexicalIndex.empty()
    index.append(_tokens())
    assert not index.scores(index.term_ids(["量子计算"])).any()
