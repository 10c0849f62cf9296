"""Test and demo helpers for 成果筛选评价: questionnaire answers and score sheets."""

from __future__ import annotations

from core.factories import UserFactory
from resources.factories import ExpertFactory


def answers(met: set[int] | range, evidence: str = "实验室测试报告（编号 2025-017）") -> dict:
    """Answers to all nine levels: those in `met` met with evidence, the others not met."""
    return {
        str(n): {"met": n in met, "evidence": evidence if n in met else ""} for n in range(1, 10)
    }


def expert_with_account(owner, username: str, **kwargs):
    """A published expert of `owner` with a platform account (to score screenings)."""
    return ExpertFactory(owner=owner, user=UserFactory(username=username), **kwargs)


# The scores of the worked example in the tests (weights 25/15/20/20/10/10).
SHEET_A = {
    "advancement": 90,
    "maturity": 80,
    "ip": 85,
    "market": 70,
    "conditions": 60,
    "team": 75,
}
SHEET_B = {
    "advancement": 95,
    "maturity": 90,
    "ip": 88,
    "market": 92,
    "conditions": 85,
    "team": "80.5",
}
COMMENT = "技术先进，专利布局完整，市场前景良好，建议推进中试。"
