"""The records the engine indexes and the results it returns: plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Metadata values the engine can store and filter on: text, numbers, booleans, lists of text.
MetaValue = str | int | float | bool | list[str] | None


@dataclass(frozen=True)
class Document:
    """One record to index: an achievement, a demand, an expert profile, an institute…

    `title` and `text` are both indexed (lexically and semantically); `meta` holds the fields
    filters and explanations use, e.g. ``{"kind": "achievement", "region": "朝阳区",
    "chain_node": ["新能源汽车"], "field": "新材料", "trl": 6, "status": "published"}``.
    """

    id: str
    title: str = ""
    text: str = ""
    meta: dict[str, MetaValue] = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        if self.title and self.text:
            return f"{self.title}\n{self.text}"
        return self.title or self.text


@dataclass(frozen=True)
class Range:
    """An inclusive numeric range for a filter: ``{"trl": Range(4, 9)}``; either end optional."""

    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"empty range: min {self.min} > max {self.max}")


@dataclass
class Result:
    """One ranked document with everything needed to explain why it is there.

    score      the fused score the list is ordered by (higher first)
    lexical    raw BM25 score of the document for the query
    semantic   cosine similarity between query and document vectors (−1…1)
    lexical_part, semantic_part
               the two weighted contributions that add up to `score`
    lead       True when the document was kept first as the query's clear best match
               (see docs/retrieval.md, "Fusion")
    shared_terms   query terms found in the document, most informative (highest IDF) first
    agreement  metadata the query and document share, field → shared values
               (only when the search was given `query_meta`)
    """

    id: str
    rank: int
    score: float
    lexical: float
    semantic: float
    lexical_part: float
    semantic_part: float
    lead: bool = False
    shared_terms: list[str] = field(default_factory=list)
    agreement: dict[str, list[Any]] = field(default_factory=dict)
    meta: dict[str, MetaValue] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank": self.rank,
            "score": self.score,
            "lexical": self.lexical,
            "semantic": self.semantic,
            "lexical_part": self.lexical_part,
            "semantic_part": self.semantic_part,
            "lead": self.lead,
            "shared_terms": list(self.shared_terms),
            "agreement": {key: list(values) for key, values in self.agreement.items()},
            "meta": dict(self.meta),
        }
