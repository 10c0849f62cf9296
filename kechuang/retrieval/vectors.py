"""Unit sentence vectors, one row per document, searched by brute-force dot product.

Alongside the matrix the store keeps the sum of the rows and their Gram matrix (XᵀX, dim × dim,
float64). With them the mean and spread of the similarity of *any* query vector q over the
whole corpus are exact and cost O(dim²): mean = μ·q, variance = qᵀ(XᵀX/n)q − mean². The fusion
z-scores the second, feedback-expanded query this way without a second pass over the matrix,
and both sums are updated exactly when rows are added or removed.

Stored as float32: float16 halves the memory with no measurable quality change on csl-dev, but
numpy has no half-precision BLAS and a float16 matrix-vector product is ~5–10× slower
(docs/retrieval.md, "Memory").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class VectorStore:
    def __init__(self, matrix: np.ndarray, total: np.ndarray, gram: np.ndarray) -> None:
        self.matrix = matrix
        self.total = np.asarray(total, dtype=np.float64)
        self.gram = np.asarray(gram, dtype=np.float64)

    @classmethod
    def empty(cls, dim: int) -> VectorStore:
        return cls(np.zeros((0, dim), np.float32), np.zeros(dim, np.float64), np.zeros((dim, dim)))

    @classmethod
    def from_matrix(cls, matrix: np.ndarray) -> VectorStore:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        store = cls(matrix, np.zeros(matrix.shape[1]), np.zeros((matrix.shape[1],) * 2))
        store.total, store.gram = _sums(matrix)
        return store

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    def append(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        total, gram = _sums(vectors)
        # An empty store adopts the array: no second copy of a freshly embedded corpus.
        self.matrix = vectors if self.n == 0 else np.concatenate([self.matrix, vectors])
        self.total += total
        self.gram += gram

    def delete(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        total, gram = _sums(np.asarray(self.matrix[rows], dtype=np.float32))
        self.total -= total
        self.gram -= gram
        self.matrix = np.delete(self.matrix, rows, axis=0)

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.matrix @ query.astype(np.float32, copy=False)

    def scores_of(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        return self.matrix[rows] @ query.astype(np.float32, copy=False)

    def stats(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of `matrix @ query` over all rows, without computing it."""
        if self.n == 0:
            return 0.0, 0.0
        q = query.astype(np.float64)
        mean = float(self.total @ q) / self.n
        variance = float(q @ self.gram @ q) / self.n - mean * mean
        return mean, float(np.sqrt(max(variance, 0.0)))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "vectors.npy", np.ascontiguousarray(self.matrix, dtype=np.float32))
        np.savez(directory / "vector_sums.npz", total=self.total, gram=self.gram)

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True) -> VectorStore:
        matrix = np.load(directory / "vectors.npy", mmap_mode="r" if mmap else None)
        with np.load(directory / "vector_sums.npz") as sums:
            return cls(matrix, sums["total"], sums["gram"])


def _sums(matrix: np.ndarray, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """Row sum and Gram matrix in float64, from float32 products taken chunk by chunk."""
    dim = matrix.shape[1]
    total, gram = np.zeros(dim), np.zeros((dim, dim))
    for start in range(0, matrix.shape[0], chunk):
        block = np.asarray(matrix[start : start + chunk], dtype=np.float32)
        total += block.sum(axis=0, dtype=np.float64)
        gram += (block.T @ block).astype(np.float64)
    return total, gram
