"""Why a document was ranked: shared key terms, metadata agreement, and a Chinese rendering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .documents import Result

# How metadata fields are named to users; a field not listed is shown by its key.
FIELD_LABELS_ZH: dict[str, str] = {
    "chain_node": "产业链节点",
    "chain": "产业链",
    "field": "技术领域",
    "industry": "行业",
    "region": "区域",
    "discipline": "学科",
    "kind": "类型",
    "trl": "技术成熟度",
    "status": "状态",
}


def shared_terms(
    term_ids: np.ndarray,
    weights: np.ndarray,
    idf: np.ndarray,
    names: Sequence[str],
    *,
    limit: int = 8,
) -> list[list[str]]:
    """For each result row, the query terms it contains, highest IDF first (equally rare
    ones in the order given).

    `weights` is (results × terms): the BM25 weight of each query term in each result; a term
    is shared when its weight is positive. In jieba's search mode a word and its parts are all
    terms (锂电池, 电池); a shared term contained in a longer shared term is left out, so the
    list names 锂电池 once.
    """
    order = np.argsort(-idf[term_ids], kind="stable")
    out = []
    for row_weights in weights:
        present = [names[term_ids[j]] for j in order if row_weights[j] > 0]
        kept = [t for t in present if not any(t != other and t in other for other in present)]
        out.append(kept[:limit])
    return out


def agreement(query_meta: Mapping[str, object], doc_meta: Mapping[str, object]) -> dict[str, list]:
    """Metadata values the query and the document share, field by field, in query order."""
    out = {}
    for field, wanted in query_meta.items():
        have = doc_meta.get(field)
        if wanted is None or have is None:
            continue
        wanted_list = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        have_set = set(have) if isinstance(have, list | tuple | set) else {have}
        common = [value for value in wanted_list if value in have_set]
        if common:
            out[field] = common
    return out


def explain_zh(
    result: Result, *, labels: Mapping[str, str] | None = None, max_terms: int = 5
) -> str:
    """One line in Chinese for users, e.g.

    共同关键词：锂电池、正极；语义相似度 0.82；同属产业链节点：新能源；综合得分 3.10（词语 0.92 + 语义 2.18）
    """
    labels = {**FIELD_LABELS_ZH, **(labels or {})}
    parts = []
    if result.shared_terms:
        parts.append("共同关键词：" + "、".join(result.shared_terms[:max_terms]))
    else:
        parts.append("无共同关键词（按语义匹配）")
    parts.append(f"语义相似度 {result.semantic:.2f}")
    for field, values in result.agreement.items():
        label = labels.get(field, field)
        parts.append(f"同属{label}：" + "、".join(str(v) for v in values))
    parts.append(
        f"综合得分 {result.score:.2f}"
        f"（词语 {result.lexical_part:+.2f}，语义 {result.semantic_part:+.2f}）"
    )
    if result.lead:
        parts.append("词语与语义综合最匹配，列第一")
    return "；".join(parts)
