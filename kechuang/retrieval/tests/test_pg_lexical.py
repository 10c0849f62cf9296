"""The engine with its words in PostgreSQL ranks as with its words in the index directory.

These tests talk to the PostgreSQL server (KECHUANG_TEST_POSTGRES, default 127.0.0.1:5432 as
postgres) in a scratch database of their own, and are skipped where there is none.
"""

from __future__ import annotations

import os

import numpy as np
import psycopg
import pytest

from kechuang.retrieval import Document, Engine, IndexMismatch, explain_zh
from kechuang.retrieval.pg_lexical import PostgresLexical, PsycopgSession

from .conftest import documents, update_all_ways
from .fakes import HashingEmbedder

SERVER = os.environ.get("KECHUANG_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres")
QUERIES = ("锂电池正极材料", "玉米乙醇", "红外镜头国产化", "动力电池回收利用")


@pytest.fixture(scope="module")
def connection():
    name = f"test_kc_lexical_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server to keep the words in")
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        with psycopg.connect(f"{SERVER} dbname={name}", autocommit=True) as connection:
            yield connection
    finally:
        with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def store(connection, request):
    table = "words_" + request.node.name.removeprefix("test_")[:30]
    made = PostgresLexical(PsycopgSession(connection), table=table)
    made.drop()
    made.create()
    return made


def ids(results):
    return [r.id for r in results]


def assert_same_rankings(got: Engine, want: Engine, **options) -> None:
    for query in QUERIES:
        mine = got.search(query, k=20, **options)
        theirs = want.search(query, k=20, **options)
        assert ids(mine) == ids(theirs), query
        assert [r.score for r in mine] == pytest.approx([r.score for r in theirs], rel=1e-5)
        assert [r.shared_terms for r in mine] == [r.shared_terms for r in theirs]


def test_words_in_postgresql_rank_exactly_as_words_in_the_index(store):
    in_index = Engine.build(documents(), None, embedder=HashingEmbedder())
    shared = Engine.build(documents(), None, embedder=HashingEmbedder(), lexical_store=store)

    assert_same_rankings(shared, in_index)
    assert_same_rankings(shared, in_index, filters={"kind": "achievement"})
    for doc_id in [document.id for document in documents()]:
        mine = shared.similar(doc_id, k=10, filters={"kind": "achievement"})
        theirs = in_index.similar(doc_id, k=10, filters={"kind": "achievement"})
        assert ids(mine) == ids(theirs)
        assert [explain_zh(r) for r in mine] == [explain_zh(r) for r in theirs]
    lexical, _semantic = shared.component_scores("锂电池正极材料")
    want, _semantic = in_index.component_scores("锂电池正极材料")
    assert lexical == pytest.approx(want, rel=1e-5)


def test_updates_keep_frequencies_and_totals_as_a_fresh_build_has_them(connection, store, tmp_path):
    engine = Engine.build(
        documents()[:6], tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store
    )
    final = update_all_ways(engine)

    scratch_store = PostgresLexical(PsycopgSession(connection), table="words_scratch")
    scratch_store.drop()
    scratch_store.create()
    scratch = Engine.build(final, None, embedder=HashingEmbedder(), lexical_store=scratch_store)

    def table(sql):
        return sorted(connection.execute(sql).fetchall())

    assert table(f"SELECT * FROM {store.term}") == table(f"SELECT * FROM {scratch_store.term}")
    assert store.totals() == scratch_store.totals()
    assert table(f"SELECT doc_id, terms::text, length FROM {store.doc}") == table(
        f"SELECT doc_id, terms::text, length FROM {scratch_store.doc}"
    )
    assert_same_rankings(engine, scratch)


def test_a_reader_process_sees_a_writers_words_after_refresh(store, tmp_path):
    writer = Engine.build(
        documents(), tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store
    )
    reader = Engine.load(tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store)

    writer.upsert([Document("ach-new", "量子点显示材料", "量子点发光显示材料。")])

    assert reader.refresh() is True
    assert ids(reader.search("量子点显示", k=1)) == ["ach-new"]
    assert "显示" in reader.search("量子点显示", k=1)[0].shared_terms


def test_an_index_opens_only_with_the_words_it_was_built_with(store, tmp_path):
    Engine.build(documents(), tmp_path / "shared", embedder=HashingEmbedder(), lexical_store=store)
    Engine.build(documents(), tmp_path / "own", embedder=HashingEmbedder())

    with pytest.raises(IndexMismatch, match="keeps its words in postgresql"):
        Engine.load(tmp_path / "shared", embedder=HashingEmbedder())
    with pytest.raises(IndexMismatch, match="keeps its words in index"):
        Engine.load(tmp_path / "own", embedder=HashingEmbedder(), lexical_store=store)
    assert not (tmp_path / "shared" / "gen-000001" / "bm25").exists()


def test_words_with_quotes_backslashes_and_spaces_are_stored_verbatim(store):
    odd = [
        Document("q", "O'Brien 定律", "O'Brien 定律 测试", {"kind": "achievement"}),
        Document("s", "路径 C:\\data", "C:\\data 目录", {"kind": "achievement"}),
        *documents(),
    ]
    shared = Engine.build(odd, None, embedder=HashingEmbedder(), lexical_store=store)
    in_index = Engine.build(odd, None, embedder=HashingEmbedder())

    for query in ("O'Brien", "C:\\data"):
        assert ids(shared.search(query, k=3)) == ids(in_index.search(query, k=3))
        assert (
            shared.search(query, k=1)[0].shared_terms == in_index.search(query, k=1)[0].shared_terms
        )


def test_a_failed_write_to_the_store_changes_neither_the_index_nor_the_words(
    store, tmp_path, monkeypatch
):
    engine = Engine.build(
        documents(), tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store
    )
    before = ids(engine.search("锂电池正极材料", k=10))

    def refuse(*args, **kwargs):
        raise psycopg.OperationalError("the server closed the connection")

    monkeypatch.setattr(store, "_insert", refuse)
    with pytest.raises(psycopg.OperationalError):
        engine.upsert([Document("ach-new", "量子点显示材料", "量子点发光显示材料。")])
    monkeypatch.undo()

    assert "ach-new" not in engine and engine.generation == 1
    assert ids(engine.search("锂电池正极材料", k=10)) == before
    assert store.scores({"量子点": 1}).scores == {}
    assert store.totals()[0] == len(documents())


def test_queries_of_unknown_or_no_words_find_nothing_lexically(store):
    shared = Engine.build(documents(), None, embedder=HashingEmbedder(), lexical_store=store)
    lexical, _semantic = shared.component_scores("完全没有出现过的词汇组合")
    assert not np.any(lexical)
    assert store.scores({}).scores == {}


def test_moving_the_words_to_postgresql_reuses_every_vector(store, tmp_path):
    embedder = HashingEmbedder()
    Engine.build(documents(), tmp_path / "index", embedder=embedder)
    embedder.texts.clear()

    moved = Engine.build(documents(), tmp_path / "index", embedder=embedder, lexical_store=store)

    assert embedder.texts == []
    assert_same_rankings(moved, Engine.build(documents(), None, embedder=HashingEmbedder()))
    assert store.totals()[0] == len(documents())


def test_a_write_retried_after_the_index_failed_leaves_words_and_rows_in_step(
    store, tmp_path, monkeypatch
):
    engine = Engine.build(
        documents(), tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store
    )
    new = Document("ach-new", "量子点显示材料", "量子点发光显示材料。")

    def disk_full(progress):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine, "_save", disk_full)
    with pytest.raises(OSError):
        engine.upsert([new])  # the words are committed, the generation is not written
    monkeypatch.undo()

    retried = Engine.load(tmp_path / "index", embedder=HashingEmbedder(), lexical_store=store)
    assert "ach-new" not in retried
    retried.upsert([new])  # what the flush task does again: its queue was kept

    assert store.totals()[0] == len(retried) == len(documents()) + 1
    assert ids(retried.search("量子点显示", k=1)) == ["ach-new"]
