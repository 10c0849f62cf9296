"""An inverted-file (IVF) index over the unit vectors: which rows are worth an exact cosine.

Above ~200,000 rows the exact product of the query with every row dominates a search (137 ms
at 1M × 512 on one core, docs/benchmarks.md). The rows are partitioned once by spherical
k-means into `nlist` cells; a query scores the cell centroids, opens the `nprobe` nearest
cells and computes exact cosines for their rows only. Filters act on the opened rows; when
they leave too few, more cells are opened, and a filter narrow enough to allow only a few
thousand rows is scored exactly over those rows instead (no cells at all).

Plain numpy: the cells are one int32 per row (aligned with the vector matrix, so deleting
rows is `np.delete` on both) and the row order sorted by cell, rebuilt lazily after a change.
New rows join their nearest existing cell; the centroids are trained again only by a full
build. Chosen over usearch/faiss (both installable) because the filters must act inside the
search and the corpus changes row by row: an IVF keeps both trivial, and its recall against
the exact ranking is measured in bench/retrieval.py (docs/retrieval.md, "Approximate search").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class AnnSettings:
    threshold: int = 200_000  # rows from which the index is used
    rows_per_cell: int = 500  # nlist = n / rows_per_cell
    nprobe: int = 16  # cells opened per query at least
    min_candidates: int = 3_000  # allowed rows wanted from the opened cells (more are opened)
    exact_below: int = 20_000  # allowed rows few enough to score them all exactly
    train_sample: int = 64  # training rows per cell
    iterations: int = 8

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class CellIndex:
    def __init__(self, centroids: np.ndarray, cells: np.ndarray) -> None:
        self.centroids = np.ascontiguousarray(centroids, dtype=np.float32)
        self.cells = np.asarray(cells, dtype=np.int32)
        self._order: np.ndarray | None = None
        self._starts: np.ndarray | None = None

    @property
    def nlist(self) -> int:
        return self.centroids.shape[0]

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def train(cls, matrix: np.ndarray, settings: AnnSettings, *, seed: int = 0) -> CellIndex:
        n = matrix.shape[0]
        nlist = max(1, n // settings.rows_per_cell)
        rng = np.random.default_rng(seed)
        sample_size = min(n, nlist * settings.train_sample)
        sample = np.asarray(
            matrix[np.sort(rng.choice(n, size=sample_size, replace=False))], dtype=np.float32
        )
        centroids = sample[rng.choice(sample_size, size=nlist, replace=False)].copy()
        for _ in range(settings.iterations):
            nearest = _nearest(sample, centroids)
            members = sp.csr_matrix(
                (np.ones(sample_size, np.float32), (nearest, np.arange(sample_size))),
                shape=(nlist, sample_size),
            )
            sums = np.asarray(members @ sample)
            counts = np.bincount(nearest, minlength=nlist)
            empty = counts == 0
            # An empty cell takes a random sample row, so no cell stays dead.
            sums[empty] = sample[rng.choice(sample_size, size=int(empty.sum()))]
            centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
            centroids = centroids.astype(np.float32)
        return cls(centroids, _nearest(matrix, centroids))

    def append(self, vectors: np.ndarray) -> None:
        self.cells = np.concatenate([self.cells, _nearest(vectors, self.centroids)])
        self._order = None

    def delete(self, rows: np.ndarray) -> None:
        if len(rows):
            self.cells = np.delete(self.cells, rows)
            self._order = None

    # -- searching -----------------------------------------------------------------------------

    def candidates(
        self, query: np.ndarray, settings: AnnSettings, allowed: np.ndarray | None
    ) -> np.ndarray:
        """Rows to score exactly for `query`, all of them allowed; sorted."""
        if allowed is not None:
            count = int(allowed.sum())
            if count <= settings.exact_below:
                return np.flatnonzero(allowed)
        order, starts = self._sorted()
        ranked_cells = np.argsort(-(self.centroids @ query.astype(np.float32)))
        opened = 0
        pieces: list[np.ndarray] = []
        found = 0
        # Nearest cells first: at least `nprobe`, then on until enough allowed rows are found.
        for cell in ranked_cells:
            if opened >= settings.nprobe and found >= settings.min_candidates:
                break
            rows = order[starts[cell] : starts[cell + 1]]
            if allowed is not None:
                rows = rows[allowed[rows]]
            pieces.append(rows)
            found += len(rows)
            opened += 1
        if not pieces:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(pieces))

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        if self._order is None:
            self._order = np.argsort(self.cells, kind="stable")
            self._starts = np.searchsorted(
                self.cells[self._order], np.arange(self.nlist + 1), side="left"
            )
        return self._order, self._starts

    # -- storage -------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        np.save(directory / "ann_centroids.npy", self.centroids)
        np.save(directory / "ann_cells.npy", self.cells)

    @classmethod
    def load(cls, directory: Path) -> CellIndex | None:
        if not (directory / "ann_centroids.npy").exists():
            return None
        return cls(np.load(directory / "ann_centroids.npy"), np.load(directory / "ann_cells.npy"))


def _nearest(vectors: np.ndarray, centroids: np.ndarray, chunk: int = 32768) -> np.ndarray:
    out = np.empty(vectors.shape[0], dtype=np.int32)
    for start in range(0, vectors.shape[0], chunk):
        block = np.asarray(vectors[start : start + chunk], dtype=np.float32)
        out[start : start + chunk] = np.argmax(block @ centroids.T, axis=1)
    return out
