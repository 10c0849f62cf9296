"""The index directory: immutable generations behind one atomically replaced manifest.

    <path>/manifest.json      {"format": 1, "generation": 7, "embedder": …, "count": …, …}
    <path>/gen-000007/        this generation's files (bm25/, term counts, vectors.npy, …)
    <path>/writer.lock        held (flock) by the one process writing

A writer builds the next generation in a fresh folder, then replaces manifest.json in one
rename, so a reader sees either the old index or the new one, never half of each. Readers
memory-map the arrays: several worker processes on one machine share one copy in the page
cache. The previous generation is kept until the next write, so a reader that read the old
manifest just before a write can still open its files.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

FORMAT = 1
MANIFEST = "manifest.json"


class IndexStoreError(Exception):
    """Base of the errors about an index directory."""


class IndexNotFound(IndexStoreError):
    pass


class IndexMismatch(IndexStoreError):
    """The index was built with another embedder or format than the one asked for."""


def generation_dir(path: Path, generation: int) -> Path:
    return path / f"gen-{generation:06d}"


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(f"no index at {path} (no {MANIFEST})") from None
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(
            f"index at {path} has format {manifest.get('format')}, this code reads {FORMAT}: "
            "rebuild it"
        )
    return manifest


def current_generation(path: Path) -> int | None:
    try:
        return int(json.loads((path / MANIFEST).read_text(encoding="utf-8"))["generation"])
    except (FileNotFoundError, KeyError, ValueError):
        return None


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """One writer at a time per index directory (across processes)."""
    path.mkdir(parents=True, exist_ok=True)
    with open(path / "writer.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(path: Path, generation: int, manifest: dict) -> None:
    """Make `generation` (already written) the current one, and drop the ones before the last."""
    manifest = {
        **manifest,
        "format": FORMAT,
        "generation": generation,
        "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    tmp = path / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path / MANIFEST)
    for old in path.glob("gen-*"):
        try:
            number = int(old.name.split("-", 1)[1])
        except ValueError:
            continue
        if number < generation - 1:
            shutil.rmtree(old, ignore_errors=True)
