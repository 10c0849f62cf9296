import numpy as np
import pytest

from kechuang.retrieval import AffinityScorer, expert_affinity
from kechuang.retrieval.affinity import top_mean

from .fakes import HashingEmbedder

BATTERY = ["高镍三元锂电池正极材料的制备与表征", "锂电池正极材料循环寿命研究", "农业机械设计"]
CORN = ["玉米淀粉发酵生产燃料乙醇", "玉米秸秆纤维素乙醇工艺"]
ITEMS = {"battery": "提高锂电池正极材料能量密度", "corn": "玉米燃料乙醇发酵工艺优化"}


def _scorer():
    return AffinityScorer(HashingEmbedder()).fit([*BATTERY, *CORN, *ITEMS.values()])


def test_the_expert_who_published_on_the_topic_scores_higher():
    experts = {"battery": BATTERY, "corn": CORN}
    pairs = [(e, i) for e in experts for i in ITEMS]
    scores = dict(zip(pairs, _scorer().score_pairs(experts, ITEMS, pairs), strict=True))
    assert scores["battery", "battery"] > scores["corn", "battery"]
    assert scores["corn", "corn"] > scores["battery", "corn"]


def test_an_expert_without_publications_scores_zero():
    scores = _scorer().score_pairs({"new": []}, ITEMS, [("new", "battery")])
    assert scores.tolist() == [0.0]


def test_one_off_topic_paper_does_not_lower_an_experts_affinity():
    scorer = _scorer()
    focused = scorer.score(BATTERY[:2], ITEMS["battery"])
    with_other = scorer.score(BATTERY, ITEMS["battery"])
    assert with_other == pytest.approx(focused)


def test_affinity_is_the_mean_of_the_two_best_publications():
    similarity = np.array([[0.9, 0.2], [0.1, 0.4], [0.8, 0.3]])
    assert top_mean(similarity, 2).tolist() == pytest.approx([0.85, 0.35])
    assert top_mean(similarity[:1], 2).tolist() == pytest.approx([0.9, 0.2])


def test_expert_affinity_for_one_pair_agrees_with_the_scorer():
    scorer = _scorer()
    assert expert_affinity(BATTERY, ITEMS["battery"], scorer=scorer) == pytest.approx(
        scorer.score(BATTERY, ITEMS["battery"])
    )
