"""`kechuang match rank`: rank a corpus for each query with the platform's bridging engine.

    kechuang match rank --corpus C.jsonl --queries Q.jsonl --top K --out R.jsonl

Corpus lines {"id": str, "title": str, "text": str}; query lines {"id": str, "text": str}.
Output: one line per query, in input order, {"query": id, "results": [{"id", "score"}, …]}
best first. The engine is built in memory with the platform's defaults (tokeniser, model,
fusion), so these rankings are the ones users see. Progress goes to stderr; exit status 0 on
success, 2 on bad input (nothing written), 1 on any other failure.
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
    check_output,
    fail,
    quiet_jieba,
    read_jsonl,
    unique_ids,
    write_jsonl_atomically,
)
from .documents import Document
from .embedders import Embedder


def build_parser() -> Parser:
    parser = Parser(prog="kechuang match", description="Bridging engine on plain files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    rank = commands.add_parser("rank", help="rank corpus records for each query")
    rank.add_argument("--corpus", required=True, help='JSONL: {"id", "title", "text"}')
    rank.add_argument("--queries", required=True, help='JSONL: {"id", "text"}')
    rank.add_argument("--top", required=True, type=_positive, help="results per query (K)")
    rank.add_argument("--out", required=True, help="output JSONL, one line per query")
    return parser


def main(argv: list[str] | None = None, *, embedder: Embedder | None = None) -> int:
    """Entry point; `embedder` is for tests (the command uses the platform's model)."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        out = check_output(args.out)
        corpus = read_jsonl(args.corpus, {"id": str, "title": str, "text": str}, what="corpus")
        unique_ids(corpus, args.corpus)
        if not corpus:
            raise InputError(f"{args.corpus}: no records (corpus)")
        queries = read_jsonl(args.queries, {"id": str, "text": str}, what="queries")
        for number, query in queries:
            if not query["text"].strip():
                raise InputError(f'{args.queries} line {number}: field "text" is empty')
    except InputError as error:
        return fail(str(error), EXIT_BAD_INPUT)

    from .engine import Engine

    quiet_jieba()
    progress = TqdmProgress()
    try:
        documents = [Document(r["id"], r["title"], r["text"]) for _, r in corpus]
        engine = Engine.build(documents, None, embedder=embedder, progress=progress)
        texts = [query["text"] for _, query in queries]
        rankings = engine.search_many(texts, k=args.top, progress=progress)
        lines = [
            {
                "query": query["id"],
                "results": [{"id": result.id, "score": result.score} for result in ranking],
            }
            for (_, query), ranking in zip(queries, rankings, strict=True)
        ]
        write_jsonl_atomically(out, lines)
    except (OSError, MemoryError) as error:
        return fail(f"kechuang match rank: {error}", EXIT_FAILED)
    finally:
        progress.close()
    print(f"{len(lines)} queries ranked → {out}", file=sys.stderr)
    return EXIT_OK


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"--top must be a whole number, got {text!r}") from None
    if value <= 0:
        raise InputError(f"--top must be at least 1, got {value}")
    return value
