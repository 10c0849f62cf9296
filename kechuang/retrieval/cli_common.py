"""What the two command-line contracts share: strict JSONL input, atomic output, progress.

Bad input stops the command before any work: the message names the file and the line, the
exit status is 2 and no output file is written. Results are written to a temporary file
beside the output and renamed into place only when complete.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tqdm import tqdm

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class InputError(Exception):
    """Bad command-line input; the message is shown as is."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}")


def read_jsonl(path: str, fields: dict[str, type], *, what: str) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank line, each checked to have `fields` of the types."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file ({what})")
    records = []
    try:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(
                        f"{path} line {number}: not valid JSON ({error.msg})"
                    ) from None
                if not isinstance(record, dict):
                    raise InputError(f"{path} line {number}: expected a JSON object")
                for name, kind in fields.items():
                    check_field(record, name, kind, f"{path} line {number}")
                records.append((number, record))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return records


def check_field(record: dict, name: str, kind: type, where: str) -> Any:
    if name not in record:
        raise InputError(f'{where}: missing field "{name}"')
    value = record[name]
    if not isinstance(value, kind):
        raise InputError(f'{where}: field "{name}" must be {_type_name(kind)}')
    return value


def unique_ids(records: Iterable[tuple[int, dict]], path: str, key: str = "id") -> dict[str, int]:
    """id → line number; a repeated id is an error naming both lines."""
    seen: dict[str, int] = {}
    for number, record in records:
        value = record[key]
        if value in seen:
            raise InputError(f'{path} line {number}: id "{value}" already on line {seen[value]}')
        seen[value] = number
    return seen


def check_output(path: str) -> Path:
    out = Path(path)
    if not out.parent.exists() or not out.parent.is_dir():
        raise InputError(f"{path}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    return out


def write_jsonl_atomically(path: Path, lines: Iterable[dict]) -> None:
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise


class TqdmProgress:
    """The engine's progress(done, total, stage) callback as one tqdm bar per stage, on stderr."""

    LABELS = {"tokenise": "分词", "embed": "向量", "index": "索引", "score": "评分", "rank": "排序"}

    def __init__(self) -> None:
        self.bars: dict[str, tqdm] = {}

    def __call__(self, done: int, total: int, stage: str) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            bar = tqdm(
                total=total, desc=self.LABELS.get(stage, stage), file=sys.stderr, leave=False
            )
            self.bars[stage] = bar
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def quiet_jieba() -> None:
    # jieba logs its dictionary loading at DEBUG to stderr; progress bars say enough.
    import jieba

    jieba.setLogLevel(logging.WARNING)


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _type_name(kind: type) -> str:
    return {str: "a string", list: "a list", dict: "an object"}.get(kind, kind.__name__)
