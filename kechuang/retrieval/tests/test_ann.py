"""The cell (IVF) index that large corpora search through instead of every vector."""

import numpy as np
import pytest

from kechuang.retrieval import Document, Engine
from kechuang.retrieval.ann import AnnSettings

from .fakes import HashingEmbedder

SMALL_CELLS = AnnSettings(
    threshold=1000, rows_per_cell=40, nprobe=6, min_candidates=200, exact_below=60
)
TOPICS = ["锂电池", "燃料乙醇", "红外镜头", "玉米育种", "汽车底盘", "激光雷达", "疫苗佐剂",
          "碳纤维", "工业软件", "氢燃料电池", "人参皂苷", "光伏组件"]  # fmt: skip
ASPECTS = ["制备方法", "检测装置", "控制系统", "回收工艺", "材料配方", "测试平台", "优化算法"]
DISTRICTS = ["朝阳区", "南关区", "绿园区", "宽城区", "二道区", "双阳区", "九台区", "农安县"]


def corpus(n: int, seed: int = 1) -> list[Document]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        topic, other = rng.choice(TOPICS, size=2, replace=False)
        aspect = ASPECTS[int(rng.integers(len(ASPECTS)))]
        out.append(
            Document(
                f"r{i}",
                f"{topic}{aspect}{i}",
                f"一种{topic}的{aspect}，兼顾{other}应用，编号{i}。",
                {"region": DISTRICTS[int(rng.integers(len(DISTRICTS)))], "trl": i % 9 + 1},
            )
        )
    return out


@pytest.fixture(scope="module")
def pair():
    documents = corpus(1500)
    approximate = Engine.build(documents, embedder=HashingEmbedder(), ann_settings=SMALL_CELLS)
    exact = Engine.build(documents, embedder=HashingEmbedder())
    return approximate, exact


def ids(results):
    return [r.id for r in results]


def test_large_corpora_are_partitioned_and_small_ones_are_not(pair):
    approximate, exact = pair
    assert approximate.ann is not None and approximate.ann.nlist == 1500 // 40
    assert exact.ann is None


def test_the_approximate_lists_agree_with_the_exact_ones(pair):
    approximate, exact = pair
    overlaps = []
    for topic in TOPICS:
        for aspect in ASPECTS[:3]:
            query = f"{topic}{aspect}"
            got, want = ids(approximate.search(query, k=10)), ids(exact.search(query, k=10))
            overlaps.append(len(set(got) & set(want)) / 10)
    assert np.mean(overlaps) >= 0.9


def test_a_query_naming_a_record_finds_it_through_the_cells(pair):
    approximate, exact = pair
    documents = corpus(1500)
    for i in range(0, 1500, 50):
        got = ids(approximate.search(documents[i].title, k=3))
        assert f"r{i}" in got and got[0] == ids(exact.search(documents[i].title, k=1))[0]


def test_filters_hold_and_a_narrow_filter_is_ranked_exactly(pair):
    approximate, exact = pair
    broad = {"region": ["朝阳区", "南关区"]}
    for result in approximate.search("锂电池回收工艺", k=20, filters=broad):
        assert result.meta["region"] in broad["region"]
    narrow = {"region": "九台区", "trl": {"min": 9, "max": 9}}  # ~20 rows: below exact_below
    got = approximate.search("碳纤维材料配方", k=10, filters=narrow)
    want = exact.search("碳纤维材料配方", k=10, filters=narrow)
    assert ids(got) == ids(want) and got
    assert [r.score for r in got] == pytest.approx([r.score for r in want], rel=1e-5)


def test_updates_keep_the_cells_aligned_and_survive_a_reload(tmp_path):
    engine = Engine.build(
        corpus(1200), tmp_path / "index", embedder=HashingEmbedder(), ann_settings=SMALL_CELLS
    )
    new = Document("new-1", "石墨烯散热膜卷对卷制备", "石墨烯散热膜的卷对卷连续制备工艺。", {})
    engine.upsert([new])
    engine.remove(["r5", "r6", "r700"])
    assert len(engine.ann.cells) == len(engine) == 1198
    assert ids(engine.search("石墨烯散热膜", k=3))[0] == "new-1"

    reopened = Engine.load(tmp_path / "index", embedder=HashingEmbedder())
    assert reopened.ann is not None and len(reopened.ann.cells) == 1198
    assert reopened.ann_settings == SMALL_CELLS
    assert ids(reopened.search("石墨烯散热膜", k=3))[0] == "new-1"
    assert "r700" not in ids(reopened.search(corpus(1200)[700].title, k=10))


def test_an_index_growing_past_the_threshold_starts_using_cells(tmp_path):
    documents = corpus(1100)
    engine = Engine.build(
        documents[:900], tmp_path / "index", embedder=HashingEmbedder(), ann_settings=SMALL_CELLS
    )
    assert engine.ann is None
    engine.upsert(documents[900:])
    assert engine.ann is not None and len(engine.ann.cells) == 1100
