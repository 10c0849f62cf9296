import numpy as np
import pytest

from kechuang.retrieval import (
    Document,
    Engine,
    FilterError,
    IndexMismatch,
    Range,
    explain_zh,
)

from .conftest import documents, update_all_ways
from .fakes import HashingEmbedder


def ids(results):
    return [r.id for r in results]


def test_a_query_naming_a_record_finds_it_first(engine):
    assert ids(engine.search("红外光学镜头设计", k=3))[0] == "ach-optics"


def test_filters_apply_before_truncation_so_a_filtered_list_is_still_full(engine):
    unfiltered = engine.search("锂电池正极材料", k=2)
    assert not any("农产品加工" in r.meta["chain_node"] for r in unfiltered)  # post-filtering: 0

    filtered = engine.search("锂电池正极材料", k=2, filters={"chain_node": ["农产品加工"]})

    assert sorted(ids(filtered)) == ["ach-corn", "ach-rice"]


def test_filters_combine_values_ranges_and_list_valued_fields(engine):
    results = engine.search(
        "电池",
        k=10,
        filters={"kind": "achievement", "status": ["published"], "trl": Range(6, None)},
    )
    assert sorted(ids(results)) == [
        "ach-battery",
        "ach-corn",
        "ach-light",
        "ach-optics",
        "ach-recycle",
    ]
    by_dict = engine.search("电池", k=10, filters={"trl": {"min": 3, "max": 4}})
    assert sorted(ids(by_dict)) == ["ach-draft", "ach-solid"]


def test_a_filter_on_a_field_no_record_has_returns_nothing(engine):
    assert engine.search("电池", k=5, filters={"district": "朝阳区"}) == []


def test_a_range_with_a_text_bound_is_refused(engine):
    with pytest.raises(FilterError):
        engine.search("电池", k=5, filters={"trl": {"min": "高"}})


def test_excluded_ids_are_left_out_and_the_list_stays_full(engine):
    results = engine.search("锂电池正极材料", k=3, exclude=["dem-battery"])
    assert "dem-battery" not in ids(results) and len(results) == 3


def test_each_result_lists_shared_terms_most_informative_first(engine):
    result = engine.search("锂电池正极材料", k=1)[0]
    assert result.shared_terms[:2] == ["正极", "锂电池"]
    assert "电池" not in result.shared_terms  # inside 锂电池, named once
    idf = engine.lexical.idf
    weights = [idf[engine.lexical.vocab[t]] for t in result.shared_terms]
    assert weights == sorted(weights, reverse=True)


def test_score_parts_add_up_and_scores_decrease_down_the_list(engine):
    results = engine.search("动力电池回收", k=6)
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results[1:]:
        assert r.score == pytest.approx(r.lexical_part + r.semantic_part)
    assert results[0].lead and not any(r.lead for r in results[1:])


def test_chinese_explanation_names_terms_similarity_and_shared_chain_node(engine):
    result = engine.search(
        "锂电池正极材料", k=3, query_meta={"chain_node": ["新能源汽车"], "field": "新能源"}
    )[1]
    assert result.id == "ach-battery"
    assert result.agreement == {"chain_node": ["新能源汽车"], "field": ["新能源"]}
    text = explain_zh(result)
    assert text.startswith("共同关键词：正极、锂电池")
    assert f"语义相似度 {result.semantic:.2f}" in text
    assert "同属产业链节点：新能源汽车" in text and "同属技术领域：新能源" in text


def test_similar_reuses_the_stored_record_and_never_lists_it(engine, embedder):
    calls = embedder.calls
    results = engine.similar("dem-battery", k=3, filters={"kind": "achievement"})
    assert embedder.calls == calls
    assert ids(results)[0] == "ach-battery" and "dem-battery" not in ids(results)
    assert results[0].agreement.get("chain_node") == ["新能源汽车"]


def test_similar_ranks_by_the_records_most_telling_words(engine):
    everything = engine.similar("dem-battery", k=5, max_terms=None)
    assert any(len(r.shared_terms) > 2 for r in everything)
    telling = engine.similar("dem-battery", k=5, max_terms=2)
    kept = set().union(*(r.shared_terms for r in telling))
    assert 0 < len(kept) <= 2
    idf = dict(zip(engine.term_names, engine.lexical.idf, strict=True))
    rarest = max(idf[t] for r in everything for t in r.shared_terms)
    assert max(idf[t] for t in kept) == pytest.approx(rarest)


def test_similar_leaves_out_words_most_records_share(engine, monkeypatch):
    from kechuang.retrieval import engine as engine_module

    monkeypatch.setattr(engine_module, "SIMILAR_COMMON_MIN", 0)
    share = 0.2
    results = engine.similar("dem-battery", k=5, max_terms=None, max_df=share)
    shared = {t for r in results for t in r.shared_terms}
    assert shared, "the record still has telling words to rank by"
    ids_of = {t: engine.lexical.vocab[t] for t in shared}
    frequency = engine.lexical.doc_freq(list(ids_of.values()))
    assert all(f <= share * engine.lexical.n_docs for f in frequency)
    everything = engine.similar("dem-battery", k=5, max_terms=None, max_df=None)
    common = {t for r in everything for t in r.shared_terms} - shared
    assert common, "without the limit the common words are shared too"


def test_the_stored_metadata_of_a_record_is_read_back_without_the_database(engine):
    assert engine.meta_of("dem-battery")["chain_node"] == ["新能源汽车"]
    with pytest.raises(KeyError, match="not in the index"):
        engine.meta_of("dem-missing")


def test_duplicate_ids_are_refused():
    twice = [Document("x", "a"), Document("x", "b")]
    with pytest.raises(ValueError, match="appears twice"):
        Engine.build(twice, None, embedder=HashingEmbedder())


def test_loading_an_index_embeds_nothing_and_ranks_as_built(tmp_path, embedder):
    built = Engine.build(documents(), tmp_path / "index", embedder=embedder)
    expected = built.search("废旧电池回收", k=5, filters={"kind": "achievement"})

    fresh = HashingEmbedder()
    loaded = Engine.load(tmp_path / "index", embedder=fresh)
    assert fresh.calls == 0
    got = loaded.search("废旧电池回收", k=5, filters={"kind": "achievement"})

    assert fresh.texts == ["废旧电池回收"]  # the query, and nothing else
    assert ids(got) == ids(expected)
    assert [r.score for r in got] == pytest.approx([r.score for r in expected])
    assert [r.shared_terms for r in got] == [r.shared_terms for r in expected]


def test_an_index_built_with_another_model_refuses_to_load(tmp_path, embedder):
    Engine.build(documents(), tmp_path / "index", embedder=embedder)

    class Other(HashingEmbedder):
        name = "another-model"

    with pytest.raises(IndexMismatch):
        Engine.load(tmp_path / "index", embedder=Other())


def test_upsert_embeds_only_new_and_changed_texts(tmp_path, embedder):
    engine = Engine.build(documents(), tmp_path / "index", embedder=embedder)
    embedder.texts.clear()
    changed = Document("ach-corn", "玉米秸秆制乙醇", "以玉米秸秆纤维素为原料生产乙醇。", {"trl": 8})
    meta_only = next(d for d in documents() if d.id == "ach-rice")
    meta_only = Document(meta_only.id, meta_only.title, meta_only.text, {"trl": 9})
    new = Document("ach-new", "钙钛矿太阳能电池", "高效稳定的钙钛矿太阳能电池组件。", {"trl": 5})

    engine.upsert([changed, meta_only, new])

    assert embedder.texts == [changed.full_text, new.full_text]
    assert len(engine) == len(documents()) + 1
    assert ids(engine.search("水稻", k=10, filters={"trl": Range(9, 9)})) == ["ach-rice"]
    assert ids(engine.search("钙钛矿太阳能电池", k=1)) == ["ach-new"]


def test_removed_records_leave_the_results(tmp_path, embedder):
    engine = Engine.build(documents(), tmp_path / "index", embedder=embedder)
    assert engine.remove(["ach-optics", "no-such-id"]) == 1
    assert "ach-optics" not in ids(engine.search("红外光学镜头", k=10))
    reopened = Engine.load(tmp_path / "index", embedder=HashingEmbedder())
    assert "ach-optics" not in reopened and len(reopened) == len(documents()) - 1


def test_an_updated_index_ranks_exactly_like_one_built_from_scratch(tmp_path, embedder):
    engine = Engine.build(documents()[:6], tmp_path / "index", embedder=embedder)
    final = update_all_ways(engine)

    scratch = Engine.build(final, None, embedder=HashingEmbedder())
    for query in ("锂电池正极材料", "玉米乙醇", "红外镜头国产化"):
        got = {r.id: r.score for r in engine.search(query, k=20)}
        want = {r.id: r.score for r in scratch.search(query, k=20)}
        assert got.keys() == want.keys()
        assert [got[i] for i in want] == pytest.approx(list(want.values()), rel=1e-5)


def test_rebuilding_in_place_reuses_the_vectors_of_unchanged_texts(tmp_path, embedder):
    Engine.build(documents(), tmp_path / "index", embedder=embedder)
    embedder.texts.clear()
    edited = [*documents()[:-1], Document("dem-optics", "需要红外镜头", "新的需求描述。")]

    rebuilt = Engine.build(
        edited, tmp_path / "index", embedder=embedder, user_words=["红外光学镜头"]
    )

    assert embedder.texts == [edited[-1].full_text]
    assert "红外光学镜头" in rebuilt.tokenizer("长焦距红外光学镜头")
    assert Engine.load(tmp_path / "index", embedder=HashingEmbedder()).tokenizer.user_words == {
        "红外光学镜头"
    }


def test_a_reader_sees_another_writers_update_after_refresh(tmp_path):
    writer = Engine.build(documents(), tmp_path / "index", embedder=HashingEmbedder())
    reader = Engine.load(tmp_path / "index", embedder=HashingEmbedder())
    assert reader.refresh() is False

    writer.upsert([Document("ach-new", "量子点显示材料", "量子点发光显示材料。")])

    assert "ach-new" not in reader
    assert reader.refresh() is True
    assert ids(reader.search("量子点显示", k=1)) == ["ach-new"]


def test_two_writers_do_not_lose_each_others_updates(tmp_path):
    first = Engine.build(documents(), tmp_path / "index", embedder=HashingEmbedder())
    second = Engine.load(tmp_path / "index", embedder=HashingEmbedder())

    first.upsert([Document("one", "第一条新成果", "内容一")])
    second.upsert([Document("two", "第二条新成果", "内容二")])  # loaded before "one" existed

    final = Engine.load(tmp_path / "index", embedder=HashingEmbedder())
    assert "one" in final and "two" in final


def test_an_empty_query_is_refused_and_an_empty_index_finds_nothing(engine):
    with pytest.raises(ValueError):
        engine.search("  ")
    empty = Engine.build([], None, embedder=HashingEmbedder())
    assert empty.search("电池") == []


def test_search_many_gives_the_same_lists_as_search(engine):
    queries = ["锂电池正极材料", "红外镜头", "玉米"]
    many = engine.search_many(queries, k=4)
    for query, results in zip(queries, many, strict=True):
        single = engine.search(query, k=4)
        assert ids(results) == ids(single)
        assert np.allclose([r.score for r in results], [r.score for r in single])


def test_a_writer_killed_mid_write_does_not_block_the_next_update(tmp_path, embedder):
    engine = Engine.build(documents(), tmp_path / "index", embedder=embedder)
    # What a killed writer leaves: the next generation's folder, half written, no manifest entry.
    from kechuang.retrieval import store

    leftover = store.generation_dir(tmp_path / "index", engine.generation + 1)
    leftover.mkdir()
    (leftover / "vectors.npy").write_bytes(b"half")
    first = documents()[0]
    engine.remove([first.id])
    reopened = Engine.load(tmp_path / "index", embedder=HashingEmbedder())
    assert first.id not in reopened.ids
    assert reopened.generation == engine.generation
