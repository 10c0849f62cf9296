"""`kechuang assess`: enterprises × rule sets on plain files — the contract benchmarks use.

    kechuang assess --input E.jsonl --rules NAME[,NAME…] --on YYYY-MM-DD --out R.jsonl
    kechuang assess --list-rules [--on YYYY-MM-DD]

Input: one enterprise per line (docs/assessment-input.md). Output: one line per enterprise and
rule set, enterprises in input order and rule sets in the order given:
{"enterprise", "ruleset", "version", "eligible", "score", "criteria": [{"id", "value",
"threshold", "passed", "points", "source"}], "gaps"}. NAME may be `name@version`, or `all`
for every rule set in force on the date. `--rules-dir` reads rule files from another folder.

Exit status 0 on success; 2 on bad input (message in English and Chinese naming the file and
line, nothing written); 1 on any other failure. Output goes to a temporary file beside --out
and is renamed into place when complete.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from . import jsonl
from .engine import TRUE, evaluate
from .errors import InputError, RulesError
from .parallel import available_workers, write_slices
from .registry import RuleBook
from .table import build_table, unique_ids

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
PARALLEL_FROM = 20_000  # enterprises: from here on both cores share the work


class _Usage(RulesError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(f"kechuang assess: {message}", f"参数错误：{message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kechuang assess", description="Assess enterprises against policy rule sets."
    )
    parser.add_argument("--input", help="JSONL, one enterprise per line (docs/assessment-input.md)")
    parser.add_argument("--rules", help="rule sets: NAME[,NAME…], NAME@VERSION, or all")
    parser.add_argument("--on", help="assessment date YYYY-MM-DD (picks the versions in force)")
    parser.add_argument("--out", help="output JSONL, one line per enterprise and rule set")
    parser.add_argument("--list-rules", action="store_true", help="print the rule sets and exit")
    parser.add_argument("--rules-dir", help="read rule files from this folder instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        book = RuleBook.load(args.rules_dir)
        on = _date(args.on) if args.on else None
        if args.list_rules:
            print(list_rules(book, on))
            return EXIT_OK
        for option in ("input", "rules", "on", "out"):
            if getattr(args, option) is None:
                raise _Usage(
                    f"kechuang assess: --{option} is required", f"参数错误：缺少 --{option}"
                )
        out = _check_output(args.out)
        names = [n.strip() for n in args.rules.split(",") if n.strip()]
        if names == ["all"]:
            names = [
                name for name in book.names() if any(r.in_force(on) for r in book.versions(name))
            ]
        if not names:
            raise _Usage(
                "kechuang assess: --rules names no rule set", "参数错误：--rules 未给出规则集"
            )
        rulesets = [book.in_force(name, on) for name in names]
        numbers, records = _read(args.input)
        _located(lambda: unique_ids(records), args.input, numbers)
        workers = available_workers() if len(records) >= PARALLEL_FROM else 1
        read = time.perf_counter()
        counts = _located(
            lambda: _assess_and_write(records, rulesets, on, out, workers), args.input, numbers
        )
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except RulesError as error:
        return _fail(error.en, error.zh, EXIT_BAD_INPUT)
    except OSError as error:
        return _fail(f"kechuang assess: {error}", f"写入失败：{error}", EXIT_FAILED)
    done = time.perf_counter()
    summary = ", ".join(f"{r.key} {count:,}" for r, count in zip(rulesets, counts, strict=True))
    print(
        f"{len(records):,} enterprises × {len(rulesets)} rule sets → {out} (eligible: {summary}; "
        f"read {read - started:.2f}s, assess and write {done - read:.2f}s, {workers} process(es))",
        file=sys.stderr,
    )
    return EXIT_OK


def _assess_and_write(records, rulesets, on, out: Path, workers: int) -> list[int]:
    """Assess and write through a temporary file renamed into place; nothing left on failure."""
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=out.parent, prefix=f".{out.name}.", delete=False
    )
    handle.close()
    temporary = Path(handle.name)
    try:
        if workers > 1:
            counts = write_slices(records, rulesets, on, temporary, workers)
        else:
            table = build_table(records)
            batches = [evaluate(ruleset, table, on) for ruleset in rulesets]
            with temporary.open("w", encoding="utf-8") as target:
                jsonl.write_lines(target, batches)
            counts = [int((b.eligible == TRUE).sum()) for b in batches]
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return counts


def list_rules(book: RuleBook, on: dt.date | None = None) -> str:
    """The rule sets with versions, effective dates and sources; '*' marks those in force."""
    lines = []
    for ruleset in book.all():
        end = ruleset.effective_to.isoformat() if ruleset.effective_to else "…"
        mark = "*" if on is not None and ruleset.in_force(on) else " "
        unconfirmed = sum(not c.confirmed for c in ruleset.criteria)
        flags = [] if ruleset.dates_confirmed else ["日期待核实"]
        if unconfirmed:
            flags.append(f"{unconfirmed} 项待核实")
        note = f"  [{'；'.join(flags)}]" if flags else ""
        lines.append(
            f"{mark} {ruleset.name:<16} {ruleset.version:<6} {ruleset.effective_from.isoformat()} – {end:<10}  "
            f"{ruleset.title}（{len(ruleset.criteria)} 项指标）{note}\n"
            f"    {ruleset.source}"
        )
    if on is not None:
        lines.append(f"* in force on {on.isoformat()}")
    return "\n".join(lines)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Usage(
            f"kechuang assess: --on must be a date YYYY-MM-DD, got {text!r}",
            f"参数错误：--on 应为日期 YYYY-MM-DD，实际为 {text!r}",
        ) from None


def _check_output(path: str) -> Path:
    out = Path(path)
    if not out.parent.is_dir():
        raise _Usage(
            f"{path}: the folder {out.parent} does not exist",
            f"{path}：输出目录 {out.parent} 不存在",
        )
    if out.is_dir():
        raise _Usage(f"{path}: is a folder, not a file", f"{path}：是目录而不是文件")
    return out


def _read(path: str) -> tuple[list[int], list[dict]]:
    file = Path(path)
    if not file.is_file():
        raise _Usage(f"{path}: no such file", f"{path}：文件不存在")
    numbers, records = [], []
    try:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise _Usage(
                        f"{path} line {number}: not valid JSON ({error.msg})",
                        f"{path} 第 {number} 行：不是有效的 JSON（{error.msg}）",
                    ) from None
                if not isinstance(record, dict):
                    raise _Usage(
                        f"{path} line {number}: expected a JSON object",
                        f"{path} 第 {number} 行：应为 JSON 对象",
                    )
                numbers.append(number)
                records.append(record)
    except UnicodeDecodeError:
        raise _Usage(f"{path}: not UTF-8 text", f"{path}：不是 UTF-8 文本") from None
    if not records:
        raise _Usage(f"{path}: no enterprises", f"{path}：没有企业记录")
    return numbers, records


def _located(work, path: str, numbers: list[int]):
    """Run `work`, turning a record's InputError into one that names the file and line."""
    try:
        return work()
    except InputError as error:
        if error.index is None:
            raise _Usage(f"{path}: {error.en}", f"{path}：{error.zh}") from None
        line = numbers[error.index]
        raise _Usage(
            f"{path} line {line}: {error.en}", f"{path} 第 {line} 行：{error.zh}"
        ) from None


def _fail(en: str, zh: str, code: int) -> int:
    print(f"error: {en}", file=sys.stderr)
    print(f"错误：{zh}", file=sys.stderr)
    return code
