"""The assignment problem as arrays: reviewers (rows) × items (columns).

Everything a solver, the checker or the diagnosis needs is normalised here once, so they can
trust shapes and ranges: per-item demands and loads become int64 vectors, conflicts become a
boolean matrix (dense or sparse) and forced pairs an (m, 2) array.

Sparse affinity means "stored entries are the scores, absent entries score 0 and are still
allowed", exactly like the dense matrix with zeros; only `conflicts` forbids pairs. Large
matrices are read in column blocks (`item_blocks`) so nothing builds a second dense copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .messages import problem_error

#: cells per column block when scanning the matrix (≈ 32 MB of float64)
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class GroupCap:
    """At most `cap` reviewers sharing a label on one item (label −1 = belongs to no group)."""

    name: str
    labels: np.ndarray
    cap: int
    group_names: tuple[str, ...] | None = None

    def group_label(self, group: int) -> str:
        if self.group_names is not None and 0 <= group < len(self.group_names):
            return self.group_names[group]
        return str(group)


@dataclass(frozen=True, eq=False)
class CategoryQuota:
    """At least `minimum` reviewers from `members` on each item (per-item vector allowed)."""

    name: str
    members: np.ndarray
    minimum: int | np.ndarray


@dataclass(eq=False)
class AssignmentProblem:
    affinity: np.ndarray | sp.sparray | sp.spmatrix
    per_item: int | np.ndarray
    max_load: int | np.ndarray
    min_load: int | np.ndarray = 0
    conflicts: np.ndarray | sp.sparray | sp.spmatrix | None = None
    group_caps: tuple[GroupCap, ...] = ()
    quotas: tuple[CategoryQuota, ...] = ()
    forced: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.affinity = _normalise_affinity(self.affinity)
        n_rev, n_items = self.affinity.shape
        self.conflicts = _normalise_conflicts(self.conflicts, (n_rev, n_items))
        self.per_item = _int_vector(self.per_item, n_items, "per_item", "每项评审人数")
        self.max_load = _int_vector(self.max_load, n_rev, "max_load", "最大评审量")
        self.min_load = _int_vector(self.min_load, n_rev, "min_load", "最小评审量")
        if (self.per_item > n_rev).any():
            i = int(np.argmax(self.per_item > n_rev))
            raise problem_error(
                "per_item_exceeds_reviewers",
                f"item {i} needs {int(self.per_item[i])} reviewers but there are only {n_rev}",
                f"第 {i} 项需要 {int(self.per_item[i])} 名专家，但专家总数只有 {n_rev} 名",
            )
        if (self.min_load > self.max_load).any():
            r = int(np.argmax(self.min_load > self.max_load))
            raise problem_error(
                "min_load_above_max",
                f"reviewer {r}: minimum load {int(self.min_load[r])} exceeds maximum "
                f"{int(self.max_load[r])}",
                f"专家 {r} 的最小评审量 {int(self.min_load[r])} 大于最大评审量 "
                f"{int(self.max_load[r])}",
            )
        self.group_caps = tuple(_normalise_group(g, n_rev) for g in self.group_caps)
        self.quotas = tuple(_normalise_quota(q, n_rev, n_items) for q in self.quotas)
        self.forced = _normalise_forced(self.forced, n_rev, n_items)

    # -- shape ---------------------------------------------------------------------------------
    @property
    def n_reviewers(self) -> int:
        return int(self.affinity.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.affinity.shape[1])

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.affinity)

    @property
    def total_demand(self) -> int:
        return int(self.per_item.sum())

    # -- block access --------------------------------------------------------------------------
    def item_blocks(self, cells: int = BLOCK_CELLS) -> Iterator[tuple[int, int]]:
        """Column ranges covering all items, each about `cells` matrix entries."""
        width = max(1, cells // max(1, self.n_reviewers))
        for start in range(0, self.n_items, width):
            yield start, min(self.n_items, start + width)

    def affinity_block(self, start: int, stop: int) -> np.ndarray:
        if self.is_sparse:
            return self.affinity[:, start:stop].toarray()
        return self.affinity[:, start:stop]

    def conflict_block(self, start: int, stop: int) -> np.ndarray | None:
        """Boolean block (True = forbidden), or None when the problem has no conflicts."""
        if self.conflicts is None:
            return None
        if sp.issparse(self.conflicts):
            return self.conflicts[:, start:stop].toarray()
        return self.conflicts[:, start:stop]

    def pair_affinity(self, reviewers: np.ndarray, items: np.ndarray) -> np.ndarray:
        reviewers = np.asarray(reviewers, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        if not self.is_sparse:
            return np.asarray(self.affinity[reviewers, items], dtype=np.float64)
        found, pos = _sparse_find(self.affinity, reviewers, items)
        out = np.zeros(len(reviewers), dtype=np.float64)
        out[found] = self.affinity.data[pos[found]]
        return out

    def pair_conflict(self, reviewers: np.ndarray, items: np.ndarray) -> np.ndarray:
        reviewers = np.asarray(reviewers, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        if self.conflicts is None:
            return np.zeros(len(reviewers), dtype=bool)
        if sp.issparse(self.conflicts):
            return _sparse_find(self.conflicts, reviewers, items)[0]
        return np.asarray(self.conflicts[reviewers, items], dtype=bool)

    def eligible_counts(self) -> np.ndarray:
        """Reviewers per item that are not in conflict with it."""
        if self.conflicts is None:
            return np.full(self.n_items, self.n_reviewers, dtype=np.int64)
        if sp.issparse(self.conflicts):
            return self.n_reviewers - np.diff(self.conflicts.indptr).astype(np.int64)
        return self.n_reviewers - self.conflicts.sum(axis=0).astype(np.int64)

    def max_affinity(self) -> float:
        if self.is_sparse:
            data = self.affinity.data
            return float(np.abs(data).max()) if len(data) else 0.0
        return float(np.abs(self.affinity).max()) if self.affinity.size else 0.0


def _sparse_find(
    csc: sp.csc_array, reviewers: np.ndarray, items: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Locate (reviewer, item) entries in a canonical CSC matrix: (found mask, data position)."""
    found = np.zeros(len(reviewers), dtype=bool)
    pos = np.zeros(len(reviewers), dtype=np.int64)
    if len(reviewers) == 0:
        return found, pos
    # rows are sorted inside each column, so a binary search per column segment suffices;
    # one global search on (column, row) keys does all pairs at once
    n_rev = csc.shape[0]
    starts = csc.indptr[items]
    ends = csc.indptr[items + 1]
    keys = items * n_rev + reviewers
    stored = np.repeat(np.arange(csc.shape[1], dtype=np.int64), np.diff(csc.indptr)) * n_rev
    stored += csc.indices
    where = np.searchsorted(stored, keys)
    inside = (where >= starts) & (where < ends)
    found[inside] = stored[where[inside]] == keys[inside]
    pos[found] = where[found]
    return found, pos


# -- normalisation helpers --------------------------------------------------------------------
def _normalise_affinity(affinity: object) -> np.ndarray | sp.csc_array:
    if sp.issparse(affinity):
        matrix = sp.csc_array(affinity, dtype=np.float64)
        matrix.sum_duplicates()
        matrix.sort_indices()
        values = matrix.data
    else:
        matrix = np.asarray(affinity)
        if matrix.dtype == object or not np.issubdtype(matrix.dtype, np.number):
            raise problem_error(
                "affinity_not_numeric",
                "affinity must be a numeric matrix",
                "亲和度必须是数值矩阵",
            )
        matrix = np.asarray(matrix, dtype=np.float64)
        values = matrix
    if matrix.ndim != 2:
        raise problem_error(
            "affinity_not_2d",
            f"affinity must be 2-D (reviewers × items), got {matrix.ndim}-D",
            f"亲和度必须是二维矩阵（专家 × 项目），实际为 {matrix.ndim} 维",
        )
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise problem_error(
            "affinity_empty",
            f"affinity has an empty dimension: shape {matrix.shape}",
            f"亲和度矩阵为空：形状 {matrix.shape}",
        )
    if not np.isfinite(values).all():
        raise problem_error(
            "affinity_not_finite",
            "affinity contains NaN or infinite values",
            "亲和度中含有 NaN 或无穷大",
        )
    return matrix


def _normalise_conflicts(
    conflicts: object, shape: tuple[int, int]
) -> np.ndarray | sp.csc_array | None:
    if conflicts is None:
        return None
    if sp.issparse(conflicts):
        matrix = sp.csc_array(conflicts)
        if matrix.shape != shape:
            raise _shape_error(matrix.shape, shape)
        matrix = sp.csc_array(matrix != 0, dtype=bool)
        matrix.eliminate_zeros()
        matrix.sort_indices()
        return matrix if matrix.nnz else None
    matrix = np.asarray(conflicts)
    if matrix.shape != shape:
        raise _shape_error(matrix.shape, shape)
    if matrix.dtype != bool:
        if not np.issubdtype(matrix.dtype, np.number) or not np.isin(matrix, (0, 1)).all():
            raise problem_error(
                "conflicts_not_boolean",
                "conflicts must be boolean (True = forbidden pair)",
                "回避矩阵必须是布尔值（True 表示回避）",
            )
        matrix = matrix.astype(bool)
    return matrix if matrix.any() else None


def _shape_error(got: tuple[int, ...], want: tuple[int, int]) -> Exception:
    return problem_error(
        "conflicts_shape",
        f"conflicts has shape {tuple(got)} but affinity has shape {want}",
        f"回避矩阵形状 {tuple(got)} 与亲和度矩阵形状 {want} 不一致",
    )


def _int_vector(value: object, length: int, name: str, name_zh: str) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim == 0:
        array = np.full(length, array)
    if array.shape != (length,):
        raise problem_error(
            f"{name}_shape",
            f"{name} must be a number or a vector of length {length}, got shape {array.shape}",
            f"{name_zh}必须是一个数或长度为 {length} 的向量，实际形状 {array.shape}",
        )
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.mod(array, 1) == 0):
        raise problem_error(
            f"{name}_not_integer",
            f"{name} must hold whole numbers",
            f"{name_zh}必须是整数",
        )
    array = array.astype(np.int64)
    if (array < 0).any():
        raise problem_error(
            f"{name}_negative", f"{name} must not be negative", f"{name_zh}不能为负数"
        )
    return array


def _normalise_group(group: GroupCap, n_rev: int) -> GroupCap:
    labels = np.asarray(group.labels)
    if labels.shape != (n_rev,) or not np.issubdtype(labels.dtype, np.integer):
        raise problem_error(
            "group_labels_shape",
            f"group '{group.name}': labels must be integers, one per reviewer ({n_rev})",
            f"分组“{group.name}”：每位专家需有一个整数分组编号（共 {n_rev} 位）",
        )
    if (labels < -1).any():
        raise problem_error(
            "group_labels_negative",
            f"group '{group.name}': labels must be ≥ 0, or −1 for no group",
            f"分组“{group.name}”：分组编号须 ≥ 0，或以 −1 表示不属于任何组",
        )
    if int(group.cap) < 1:
        raise problem_error(
            "group_cap_too_small",
            f"group '{group.name}': the cap per item must be at least 1",
            f"分组“{group.name}”：每项同组人数上限至少为 1",
        )
    return GroupCap(group.name, labels.astype(np.int64), int(group.cap), group.group_names)


def _normalise_quota(quota: CategoryQuota, n_rev: int, n_items: int) -> CategoryQuota:
    members = np.asarray(quota.members)
    if members.shape != (n_rev,):
        raise problem_error(
            "quota_members_shape",
            f"quota '{quota.name}': members must be one boolean per reviewer ({n_rev})",
            f"类别配额“{quota.name}”：每位专家需有一个布尔值（共 {n_rev} 位）",
        )
    minimum = _int_vector(
        quota.minimum, n_items, f"quota '{quota.name}'", f"类别“{quota.name}”配额"
    )
    return CategoryQuota(quota.name, members.astype(bool), minimum)


def _normalise_forced(forced: object, n_rev: int, n_items: int) -> np.ndarray:
    if forced is None:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.asarray(forced)
    if pairs.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or not np.issubdtype(pairs.dtype, np.integer):
        raise problem_error(
            "forced_shape",
            "forced pairs must be an (m, 2) integer array of (reviewer, item)",
            "指定配对必须是 (m, 2) 的整数数组（专家, 项目）",
        )
    pairs = pairs.astype(np.int64)
    bad = (pairs[:, 0] < 0) | (pairs[:, 0] >= n_rev) | (pairs[:, 1] < 0) | (pairs[:, 1] >= n_items)
    if bad.any():
        r, i = (int(v) for v in pairs[np.argmax(bad)])
        raise problem_error(
            "forced_out_of_range",
            f"forced pair (reviewer {r}, item {i}) is outside the matrix",
            f"指定配对（专家 {r}，项目 {i}）超出矩阵范围",
        )
    return np.unique(pairs, axis=0)
