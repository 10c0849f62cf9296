"""Bridging engine (搭桥): ranked, explained matches between records. No Django in here.

Public API (see docs/retrieval.md):

    Document, Result, Range          records in, results out, numeric filter ranges
    Engine.build / load / refresh / upsert / remove / search / similar
    explain_zh(result)               the explanation in Chinese
    AffinityScorer, expert_affinity  how expert an expert is for an item
    Embedder, USEEmbedder            the sentence-vector model (pluggable)
    Fusion                           the ranking's settings (defaults = the platform's)
    PostgresLexical, PsycopgSession  the words kept in PostgreSQL instead of the index directory
"""

from .affinity import AffinityScorer, expert_affinity
from .documents import Document, Range, Result
from .embedders import Embedder, USEEmbedder
from .engine import Engine
from .explain import explain_zh
from .fusion import Fusion
from .meta import FilterError
from .pg_lexical import PostgresLexical, PsycopgSession
from .store import IndexMismatch, IndexNotFound

__all__ = [
    "AffinityScorer",
    "Document",
    "Embedder",
    "Engine",
    "FilterError",
    "Fusion",
    "IndexMismatch",
    "IndexNotFound",
    "PostgresLexical",
    "PsycopgSession",
    "Range",
    "Result",
    "USEEmbedder",
    "explain_zh",
    "expert_affinity",
]
