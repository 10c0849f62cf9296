"""Files in and out: the affinity npz, the groups CSV and the assignment CSV.

Affinity npz layouts (all read with `allow_pickle=False`):

1. dense: `affinity` (float, reviewers × items) and optional `conflicts` (bool, same shape,
   True = forbidden);
2. sparse, in the same file: `<name>_data`, `<name>_indices`, `<name>_indptr`,
   `<name>_shape` and `<name>_format` ("csr" or "csc"), or COO as `<name>_row`, `<name>_col`,
   `<name>_data`, `<name>_shape`, for name = affinity and/or conflicts (`conflicts_data` may be
   omitted: every stored entry is a conflict). `save_sparse_npz` writes this layout;
3. a file written by `scipy.sparse.save_npz(path, affinity)` (affinity only).

A sparse affinity means what a sparse matrix always means: absent entries are 0, and the pair
is still allowed. Only `conflicts` forbids pairs.
"""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .messages import problem_error

SPARSE_FORMATS = {"csr": sp.csr_array, "csc": sp.csc_array}


def load_affinity_npz(path: str | Path) -> tuple[object, object | None]:
    """(affinity, conflicts) from an npz file; conflicts is None when absent."""
    path = Path(path)
    if not path.is_file():
        raise problem_error(
            "file_missing", f"affinity file not found: {path}", f"找不到亲和度文件：{path}"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise problem_error(
            "npz_unreadable",
            f"cannot read {path} as an npz of plain arrays ({exc}); save dense arrays with "
            "numpy.savez and sparse ones with scipy.sparse.save_npz or the documented layout",
            f"无法读取 {path}（{exc}）：请用 numpy.savez 保存稠密数组，稀疏矩阵用 "
            "scipy.sparse.save_npz 或文档中的格式",
        ) from exc
    affinity = _matrix(arrays, "affinity", path)
    if affinity is None and {"format", "shape", "data"} <= arrays.keys():
        affinity = _sparse(arrays, "", path)
    if affinity is None:
        raise problem_error(
            "affinity_missing",
            f"{path} holds no 'affinity' (found keys: {', '.join(sorted(arrays)) or 'none'})",
            f"{path} 中没有 affinity 数组（现有键：{', '.join(sorted(arrays)) or '无'}）",
        )
    conflicts = _matrix(arrays, "conflicts", path, boolean=True)
    return affinity, conflicts


def _matrix(arrays: dict, name: str, path: Path, boolean: bool = False) -> object | None:
    if name in arrays:
        return arrays[name]
    if any(key.startswith(f"{name}_") for key in arrays):
        return _sparse(arrays, f"{name}_", path, boolean)
    return None


def _sparse(arrays: dict, prefix: str, path: Path, boolean: bool = False) -> sp.sparray:
    def get(key: str) -> np.ndarray | None:
        return arrays.get(f"{prefix}{key}")

    shape = get("shape")
    if shape is None or np.asarray(shape).shape != (2,):
        raise _layout_error(path, prefix, "a 'shape' of two integers")
    shape = tuple(int(v) for v in shape)
    fmt = get("format")
    if fmt is not None:
        fmt = fmt.item() if hasattr(fmt, "item") else fmt
        fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
    data = get("data")
    try:
        if get("row") is not None and get("col") is not None:
            row, col = get("row"), get("col")
            if data is None and boolean:
                data = np.ones(len(row), dtype=bool)
            return sp.coo_array((data, (row, col)), shape=shape)
        if fmt in SPARSE_FORMATS and get("indices") is not None and get("indptr") is not None:
            indices = get("indices")
            if data is None and boolean:
                data = np.ones(len(indices), dtype=bool)
            return SPARSE_FORMATS[fmt]((data, indices, get("indptr")), shape=shape)
    except (ValueError, TypeError, IndexError) as exc:
        raise _layout_error(path, prefix, f"consistent arrays ({exc})") from exc
    raise _layout_error(path, prefix, "format csr/csc with data, indices, indptr, or COO row/col")


def _layout_error(path: Path, prefix: str, need: str) -> Exception:
    name = prefix.rstrip("_") or "matrix"
    return problem_error(
        "sparse_layout",
        f"{path}: sparse '{name}' needs {need}",
        f"{path}：稀疏矩阵“{name}”格式不完整，需要 {need}",
    )


def save_sparse_npz(path: str | Path, affinity: object, conflicts: object | None = None) -> None:
    """Write the documented sparse layout (CSR) for affinity and, optionally, conflicts."""
    out: dict[str, np.ndarray] = {}
    for name, matrix in (("affinity", affinity), ("conflicts", conflicts)):
        if matrix is None:
            continue
        csr = sp.csr_array(matrix)
        out[f"{name}_data"] = csr.data
        out[f"{name}_indices"] = csr.indices
        out[f"{name}_indptr"] = csr.indptr
        out[f"{name}_shape"] = np.asarray(csr.shape)
        out[f"{name}_format"] = np.asarray("csr")
    np.savez(path, **out)


def load_groups_csv(path: str | Path, n_reviewers: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Group label per reviewer (−1 = none) and the group names, from `reviewer,group` rows."""
    path = Path(path)
    if not path.is_file():
        raise problem_error(
            "file_missing", f"groups file not found: {path}", f"找不到分组文件：{path}"
        )
    labels = np.full(n_reviewers, -1, dtype=np.int64)
    names: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [cell.strip().lower() for cell in next(reader, [])]
        if header != ["reviewer", "group"]:
            raise problem_error(
                "groups_header",
                f"{path}: header must be 'reviewer,group', got '{','.join(header)}'",
                f"{path}：表头必须是 reviewer,group，实际为“{','.join(header)}”",
            )
        for line, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != 2 or not row[1].strip():
                raise problem_error(
                    "groups_row",
                    f"{path}:{line}: expected 'reviewer,group', got {row}",
                    f"{path} 第 {line} 行：应为“专家编号,分组”，实际为 {row}",
                )
            text, group = row[0].strip(), row[1].strip()
            if not text.lstrip("-").isdigit() or not 0 <= int(text) < n_reviewers:
                raise problem_error(
                    "groups_unknown_reviewer",
                    f"{path}:{line}: reviewer '{text}' is not a row index 0..{n_reviewers - 1}",
                    f"{path} 第 {line} 行：专家编号“{text}”不在 0..{n_reviewers - 1} 范围内",
                )
            reviewer = int(text)
            label = names.setdefault(group, len(names))
            if labels[reviewer] not in (-1, label):
                raise problem_error(
                    "groups_two_groups",
                    f"{path}:{line}: reviewer {reviewer} is listed in two groups",
                    f"{path} 第 {line} 行：专家 {reviewer} 出现在两个分组中",
                )
            labels[reviewer] = label
    return labels, tuple(names)


def write_assignment_csv(path: str | Path, pairs: np.ndarray) -> None:
    """Write `reviewer,item` rows atomically: readers never see a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["reviewer", "item"])
            writer.writerows((int(r), int(i)) for r, i in pairs)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; an assignment is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
