"""A small corpus of 长春-style records, built once per test with the fake embedder."""

from __future__ import annotations

import pytest

from kechuang.retrieval import Document, Engine

from .fakes import HashingEmbedder

RECORDS = [
    (
        "ach-battery",
        "高镍三元锂电池正极材料",
        "一种高镍三元锂电池正极材料及其制备方法，提高能量密度与循环寿命。",
        {
            "kind": "achievement",
            "region": "朝阳区",
            "chain_node": ["新能源汽车", "动力电池"],
            "field": "新能源",
            "trl": 6,
            "status": "published",
        },
    ),
    (
        "ach-recycle",
        "废旧动力电池回收",
        "废旧动力电池中镍钴锰的湿法回收与再利用技术。",
        {
            "kind": "achievement",
            "region": "绿园区",
            "chain_node": ["动力电池"],
            "field": "新能源",
            "trl": 7,
            "status": "published",
        },
    ),
    (
        "ach-solid",
        "硫化物固态电解质",
        "面向固态锂电池的硫化物电解质材料，离子电导率高。",
        {
            "kind": "achievement",
            "region": "南关区",
            "chain_node": ["动力电池"],
            "field": "新材料",
            "trl": 3,
            "status": "published",
        },
    ),
    (
        "ach-corn",
        "玉米深加工燃料乙醇",
        "以玉米淀粉为原料发酵生产燃料乙醇的工艺与装备。",
        {
            "kind": "achievement",
            "region": "农安县",
            "chain_node": ["农产品加工"],
            "field": "生物",
            "trl": 8,
            "status": "published",
        },
    ),
    (
        "ach-rice",
        "水稻秸秆综合利用",
        "水稻秸秆制备生物质颗粒燃料与有机肥的技术。",
        {
            "kind": "achievement",
            "region": "榆树市",
            "chain_node": ["农产品加工"],
            "field": "生物",
            "trl": 5,
            "status": "published",
        },
    ),
    (
        "ach-light",
        "汽车车身轻量化",
        "铝合金车身轻量化设计与热成形制造技术。",
        {
            "kind": "achievement",
            "region": "绿园区",
            "chain_node": ["汽车零部件"],
            "field": "先进制造",
            "trl": 6,
            "status": "published",
        },
    ),
    (
        "ach-optics",
        "红外光学镜头设计",
        "长焦距红外光学镜头的设计与装调方法。",
        {
            "kind": "achievement",
            "region": "朝阳区",
            "chain_node": ["光电信息"],
            "field": "光电",
            "trl": 7,
            "status": "published",
        },
    ),
    (
        "ach-draft",
        "锂电池负极硅碳材料",
        "硅碳复合负极材料，用于锂电池。",
        {
            "kind": "achievement",
            "region": "朝阳区",
            "chain_node": ["动力电池"],
            "field": "新材料",
            "trl": 4,
            "status": "draft",
        },
    ),
    (
        "dem-battery",
        "寻求锂电池正极材料技术",
        "企业需要提高锂电池正极材料能量密度的技术方案。",
        {
            "kind": "demand",
            "region": "朝阳区",
            "chain_node": ["新能源汽车"],
            "field": "新能源",
            "status": "open",
        },
    ),
    (
        "dem-optics",
        "需要红外镜头国产化方案",
        "光电企业寻求红外光学镜头国产化设计与制造合作。",
        {
            "kind": "demand",
            "region": "高新区",
            "chain_node": ["光电信息"],
            "field": "光电",
            "status": "open",
        },
    ),
]


def documents() -> list[Document]:
    return [Document(i, title, text, dict(meta)) for i, title, text, meta in RECORDS]


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def engine(embedder: HashingEmbedder) -> Engine:
    return Engine.build(documents(), None, embedder=embedder)


def update_all_ways(engine: Engine) -> list[Document]:
    """Take an engine built on the first six records through every kind of update (new
    records, removals, a changed text); returns the documents it should now hold."""
    engine.upsert(documents()[6:])
    engine.remove(["ach-rice", "ach-light"])
    replaced = Document(
        "ach-corn", "玉米秸秆制乙醇", "玉米秸秆纤维素发酵。", {"kind": "achievement"}
    )
    engine.upsert([replaced])
    kept = [d for d in documents() if d.id not in ("ach-rice", "ach-light", "ach-corn")]
    return [*kept, replaced]
