"""`kechuang experts affinity`: how expert each expert is for each item, from publications.

    kechuang experts affinity --experts E.jsonl --items I.jsonl --pairs P.jsonl --out S.jsonl

Experts {"id", "publications": [{"title", "abstract"}, …]}; items {"id", "title", "abstract"};
pairs {"expert", "item"}. Output: {"expert", "item", "score"} for every pair, in the pairs'
order, higher = more expert. The scorer is the one the review module uses
(`AffinityScorer`), with its IDF learnt from the publications and items given. Progress goes
to stderr; exit status 0 on success, 2 on bad input (nothing written), 1 on other failures.
"""

from __future__ import annotations

import sys

from .cli_common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    InputError,
    Parser,
    TqdmProgress,
    check_field,
    check_output,
    fail,
    quiet_jieba,
    read_jsonl,
    unique_ids,
    write_jsonl_atomically,
)
from .embedders import Embedder


def build_parser() -> Parser:
    parser = Parser(prog="kechuang experts", description="Expert–item affinity on plain files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    affinity = commands.add_parser("affinity", help="score (expert, item) pairs")
    affinity.add_argument("--experts", required=True, help='JSONL: {"id", "publications"}')
    affinity.add_argument("--items", required=True, help='JSONL: {"id", "title", "abstract"}')
    affinity.add_argument("--pairs", required=True, help='JSONL: {"expert", "item"}')
    affinity.add_argument("--out", required=True, help="output JSONL, one line per pair")
    return parser


def main(argv: list[str] | None = None, *, embedder: Embedder | None = None) -> int:
    """Entry point; `embedder` is for tests (the command uses the platform's model)."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        out = check_output(args.out)
        experts = _read_experts(args.experts)
        items_read = read_jsonl(
            args.items, {"id": str, "title": str, "abstract": str}, what="items"
        )
        unique_ids(items_read, args.items)
        items = {r["id"]: _text(r["title"], r["abstract"]) for _, r in items_read}
        pairs = []
        for number, pair in read_jsonl(args.pairs, {"expert": str, "item": str}, what="pairs"):
            if pair["expert"] not in experts:
                raise InputError(f'{args.pairs} line {number}: unknown expert "{pair["expert"]}"')
            if pair["item"] not in items:
                raise InputError(f'{args.pairs} line {number}: unknown item "{pair["item"]}"')
            pairs.append((pair["expert"], pair["item"]))
    except InputError as error:
        return fail(str(error), EXIT_BAD_INPUT)

    from .affinity import AffinityScorer

    quiet_jieba()
    progress = TqdmProgress()
    try:
        used_experts = {e for e, _ in pairs}
        used_items = {i for _, i in pairs}
        texts = [t for e in used_experts for t in experts[e]] + [items[i] for i in used_items]
        scorer = AffinityScorer(embedder).fit(texts)
        scores = scorer.score_pairs(experts, items, pairs, progress=progress)
        lines = [
            {"expert": e, "item": i, "score": float(score)}
            for (e, i), score in zip(pairs, scores, strict=True)
        ]
        write_jsonl_atomically(out, lines)
    except (OSError, MemoryError) as error:
        return fail(f"kechuang experts affinity: {error}", EXIT_FAILED)
    finally:
        progress.close()
    print(f"{len(lines)} pairs scored → {out}", file=sys.stderr)
    return EXIT_OK


def _read_experts(path: str) -> dict[str, list[str]]:
    records = read_jsonl(path, {"id": str, "publications": list}, what="experts")
    unique_ids(records, path)
    experts = {}
    for number, record in records:
        texts = []
        for position, publication in enumerate(record["publications"], start=1):
            where = f"{path} line {number}, publication {position}"
            if not isinstance(publication, dict):
                raise InputError(f"{where}: expected an object with title and abstract")
            title = check_field(publication, "title", str, where)
            abstract = check_field(publication, "abstract", str, where)
            texts.append(_text(title, abstract))
        experts[record["id"]] = texts
    return experts


def _text(title: str, abstract: str) -> str:
    return f"{title}\n{abstract}" if title and abstract else title or abstract
