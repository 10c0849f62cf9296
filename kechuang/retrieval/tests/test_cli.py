import json
import subprocess
import sys
from pathlib import Path

import pytest

from kechuang.retrieval import cli_experts, cli_match

from .conftest import RECORDS
from .fakes import HashingEmbedder


def write_jsonl(path: Path, rows) -> Path:
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    return path


def read_jsonl(path: Path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def match_files(tmp_path):
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl", [{"id": i, "title": t, "text": x} for i, t, x, _ in RECORDS]
    )
    queries = write_jsonl(
        tmp_path / "queries.jsonl",
        [{"id": "q-optics", "text": "红外光学镜头设计"}, {"id": "q-corn", "text": "玉米燃料乙醇"}],
    )
    return corpus, queries, tmp_path / "ranked.jsonl"


def rank(corpus, queries, out, top="3"):
    argv = ["rank", "--corpus", str(corpus), "--queries", str(queries), "--top", top]
    return cli_match.main([*argv, "--out", str(out)], embedder=HashingEmbedder())


def test_match_rank_writes_one_line_per_query_best_first(match_files):
    corpus, queries, out = match_files
    assert rank(corpus, queries, out) == 0
    lines = read_jsonl(out)
    assert [line["query"] for line in lines] == ["q-optics", "q-corn"]
    for line in lines:
        assert len(line["results"]) == 3
        assert set(line["results"][0]) == {"id", "score"}
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["results"][0]["id"] == "ach-optics"
    assert lines[1]["results"][0]["id"] == "ach-corn"


def test_match_rank_returns_the_whole_corpus_when_top_exceeds_it(match_files):
    corpus, queries, out = match_files
    assert rank(corpus, queries, out, top="50") == 0
    assert all(len(line["results"]) == len(RECORDS) for line in read_jsonl(out))


@pytest.mark.parametrize(
    ("corpus_lines", "query_lines", "top", "message"),
    [
        (None, [{"id": "q", "text": "电池"}], "3", "corpus.jsonl: no such file"),
        (
            [{"id": "a", "title": "", "text": "电池"}, "{not json"],
            [{"id": "q", "text": "电池"}],
            "3",
            "corpus.jsonl line 2: not valid JSON",
        ),
        (
            [{"id": "a", "title": "电池"}],
            [{"id": "q", "text": "电池"}],
            "3",
            'corpus.jsonl line 1: missing field "text"',
        ),
        (
            [{"id": "a", "title": "", "text": "x"}, {"id": "a", "title": "", "text": "y"}],
            [{"id": "q", "text": "电池"}],
            "3",
            'corpus.jsonl line 2: id "a" already on line 1',
        ),
        (
            [{"id": "a", "title": "", "text": "x"}],
            ["", {"id": 7, "text": "电池"}],
            "3",
            'queries.jsonl line 2: field "id" must be a string',
        ),
        (
            [{"id": "a", "title": "", "text": "x"}],
            [{"id": "q", "text": " "}],
            "3",
            'queries.jsonl line 1: field "text" is empty',
        ),
        (
            [{"id": "a", "title": "", "text": "x"}],
            [{"id": "q", "text": "电池"}],
            "0",
            "--top must be at least 1",
        ),
    ],
)
def test_match_rank_bad_input_names_file_and_line_and_writes_nothing(
    tmp_path, capsys, corpus_lines, query_lines, top, message
):
    corpus = tmp_path / "corpus.jsonl"
    if corpus_lines is not None:
        write_jsonl(corpus, corpus_lines)
    queries = write_jsonl(tmp_path / "queries.jsonl", query_lines)
    out = tmp_path / "ranked.jsonl"

    assert rank(corpus, queries, out, top=top) == 2

    assert message in capsys.readouterr().err
    assert not out.exists()


def test_match_without_the_rank_subcommand_is_a_usage_error(capsys):
    assert cli_match.main(["rnak"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.fixture
def expert_files(tmp_path):
    experts = write_jsonl(
        tmp_path / "experts.jsonl",
        [
            {
                "id": "e-battery",
                "publications": [
                    {"title": "高镍三元锂电池正极材料", "abstract": "正极材料的制备与表征。"},
                    {"title": "锂电池循环寿命", "abstract": "正极材料衰减机理。"},
                ],
            },
            {
                "id": "e-corn",
                "publications": [
                    {"title": "玉米燃料乙醇", "abstract": "玉米淀粉发酵工艺。"},
                ],
            },
        ],
    )
    items = write_jsonl(
        tmp_path / "items.jsonl",
        [
            {"id": "i-battery", "title": "锂电池正极材料", "abstract": "提高正极材料能量密度。"},
            {"id": "i-corn", "title": "燃料乙醇发酵", "abstract": "玉米原料发酵工艺优化。"},
        ],
    )
    pairs = [
        {"expert": e, "item": i} for i in ("i-battery", "i-corn") for e in ("e-corn", "e-battery")
    ]
    return experts, items, write_jsonl(tmp_path / "pairs.jsonl", pairs), tmp_path / "scores.jsonl"


def affinity(experts, items, pairs, out):
    argv = ["affinity", "--experts", str(experts), "--items", str(items), "--pairs", str(pairs)]
    return cli_experts.main([*argv, "--out", str(out)], embedder=HashingEmbedder())


def test_experts_affinity_scores_every_pair_in_order(expert_files):
    experts, items, pairs, out = expert_files
    assert affinity(experts, items, pairs, out) == 0
    lines = read_jsonl(out)
    assert [(line["expert"], line["item"]) for line in lines] == [
        (p["expert"], p["item"]) for p in read_jsonl(pairs)
    ]
    score = {(line["expert"], line["item"]): line["score"] for line in lines}
    assert score["e-battery", "i-battery"] > score["e-corn", "i-battery"]
    assert score["e-corn", "i-corn"] > score["e-battery", "i-corn"]


@pytest.mark.parametrize(
    ("file", "lines", "message"),
    [
        (
            "pairs.jsonl",
            [{"expert": "e-corn", "item": "i-corn"}, {"expert": "e-nobody", "item": "i-corn"}],
            'pairs.jsonl line 2: unknown expert "e-nobody"',
        ),
        (
            "pairs.jsonl",
            [{"expert": "e-corn", "item": "i-none"}],
            'pairs.jsonl line 1: unknown item "i-none"',
        ),
        (
            "experts.jsonl",
            [{"id": "e-corn", "publications": [{"title": "玉米"}]}],
            'experts.jsonl line 1, publication 1: missing field "abstract"',
        ),
        (
            "items.jsonl",
            [
                '{"id": "i-corn", "title": "x", "abstract": "y"',
            ],
            "items.jsonl line 1: not valid JSON",
        ),
    ],
)
def test_experts_affinity_bad_input_names_file_and_line_and_writes_nothing(
    expert_files, capsys, file, lines, message
):
    experts, items, pairs, out = expert_files
    write_jsonl(out.parent / file, lines)
    assert affinity(experts, items, pairs, out) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_kechuang_command_ranks_with_the_real_model(match_files):
    """One end-to-end run through the console dispatcher and the real sentence encoder."""
    corpus, queries, out = match_files
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kechuang.cli",
            "match",
            "rank",
            "--corpus",
            str(corpus),
            "--queries",
            str(queries),
            "--top",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = read_jsonl(out)
    assert [line["results"][0]["id"] for line in lines] == ["ach-optics", "ach-corn"]


def test_the_engine_imports_no_django():
    code = (
        "import sys, kechuang.retrieval, kechuang.retrieval.cli_match, kechuang.retrieval.cli_experts;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'core', 'resources')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
