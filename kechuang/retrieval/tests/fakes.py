"""A tiny deterministic embedder, so tests never load the real model."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


class HashingEmbedder:
    """Character bigrams hashed into 64 dimensions: texts sharing bigrams point the same way.

    Counts its calls and the texts it embedded, so tests can prove what was (not) re-embedded.
    """

    name = "test-hashing-bigrams"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:], strict=False):
                out[row, zlib.crc32((a + b).encode("utf-8")) % self.dim] += 1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out


class WideHashingEmbedder(HashingEmbedder):
    """The same bigram hashing at the real model's width (512): an index whose searches cost
    what the real one's do, built in minutes instead of hours — for load tests of the tier."""

    name = "test-hashing-bigrams-512"
    dim = 512

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = super().embed(texts)
        self.texts.clear()  # a long-lived web process keeps nothing
        return vectors
