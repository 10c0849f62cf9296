"""`kechuang assess`: the command-line contract, run through `main()` on temporary files."""

import json
import subprocess
import sys

import pytest

from kechuang.rules.cli import main

from .helpers import enterprise

KEYS = ["enterprise", "ruleset", "version", "eligible", "score", "criteria", "gaps"]
CRITERION_KEYS = ["id", "value", "threshold", "passed", "points", "source"]


def write_input(path, records):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_line_per_enterprise_and_rule_set_with_the_contract_keys(tmp_path, capsys):
    source = write_input(
        tmp_path / "E.jsonl", [enterprise(id="A"), enterprise(id="B", tech_staff=9, rd_staff=9)]
    )
    out = tmp_path / "R.jsonl"
    code, stdout, err = run(
        capsys, "--input", source, "--rules", "sme_tech,hte", "--on", "2025-06-30", "--out", out
    )
    assert code == 0, err
    assert stdout == ""
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(line["enterprise"], line["ruleset"]) for line in lines] == [
        ("A", "sme_tech"),
        ("A", "hte"),
        ("B", "sme_tech"),
        ("B", "hte"),
    ]
    for line in lines:
        assert list(line) == KEYS
        assert all(list(c) == CRITERION_KEYS for c in line["criteria"])
    a_sme, a_hte, b_sme, _ = lines
    assert (a_sme["eligible"], a_sme["score"], a_sme["version"], a_sme["gaps"]) == (
        True,
        90,
        "2022",
        [],
    )
    assert a_hte["eligible"] is None and a_hte["score"] is None  # experts still to judge
    assert b_sme["eligible"] is False and "科技人员指标得分 0 分，需 > 0 分" in b_sme["gaps"]
    staff = next(c for c in a_sme["criteria"] if c["id"] == "staff_limit")
    assert staff == {
        "id": "staff_limit",
        "value": 100,
        "threshold": 500,
        "passed": True,
        "points": None,
        "source": "国科发政〔2017〕115号 第六条（二）",
    }
    assert "2 enterprises × 2 rule sets" in err


def test_the_date_picks_the_version(tmp_path, capsys):
    source = write_input(tmp_path / "E.jsonl", [enterprise()])
    out = tmp_path / "R.jsonl"
    assert (
        run(capsys, "--input", source, "--rules", "sme_tech", "--on", "2021-06-30", "--out", out)[0]
        == 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2017"


def test_list_rules_shows_versions_and_dates(capsys):
    code, out, _ = run(capsys, "--list-rules", "--on", "2021-06-30")
    assert code == 0
    assert "* sme_tech         2017   2017-05-03 – 2021-12-31" in out
    assert "  sme_tech         2022   2022-01-01 – …" in out
    assert "specialised_sme" in out and "待核实" in out


@pytest.mark.parametrize(
    ("lines", "options", "english", "chinese"),
    [
        (["{not json"], {}, "E.jsonl line 2: not valid JSON", "E.jsonl 第 2 行：不是有效的 JSON"),
        (
            [{"id": "X", "staff": "many"}],
            {},
            'E.jsonl line 2: field "staff" must be a number',
            "E.jsonl 第 2 行：字段 staff 应为数字",
        ),
        (
            [{"id": "E1"}],
            {},
            'E.jsonl line 2: id "E1" repeats record 1',
            "E.jsonl 第 2 行：企业编号“E1”与第 1 条重复",
        ),
        ([], {"--rules": "hte,nope"}, "unknown rule set 'nope'", "未知规则集“nope”"),
        ([], {"--on": "2025-13-01"}, "--on must be a date YYYY-MM-DD", "--on 应为日期"),
        (
            [],
            {"--on": "2015-01-01", "--rules": "sme_tech"},
            "no version of sme_tech is in force on 2015-01-01",
            "没有有效的 sme_tech 版本",
        ),
        (
            [{"id": "X", "reviews": {"hte": {"rd_ratio": True}}}],
            {},
            "E.jsonl line 2: reviews: rd_ratio is decided by the figures",
            "由数据决定",
        ),
    ],
)
def test_bad_input_exits_2_in_both_languages_and_writes_nothing(
    tmp_path, capsys, lines, options, english, chinese
):
    rows = [enterprise()] + [
        line if isinstance(line, str) else {**enterprise(), **line} for line in lines
    ]
    text = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )
    (tmp_path / "E.jsonl").write_text(text, encoding="utf-8")
    out = tmp_path / "R.jsonl"
    args = {
        "--input": tmp_path / "E.jsonl",
        "--rules": "hte",
        "--on": "2025-06-30",
        "--out": out,
        **options,
    }
    code, stdout, err = run(capsys, *[v for pair in args.items() for v in pair])
    assert code == 2
    assert english in err and chinese in err
    assert err.startswith("error: ") and "\n错误：" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "E.jsonl"]


def test_missing_option_and_missing_folder_are_bad_input(tmp_path, capsys):
    source = write_input(tmp_path / "E.jsonl", [enterprise()])
    code, _, err = run(capsys, "--input", source, "--rules", "hte", "--out", tmp_path / "R.jsonl")
    assert code == 2 and "--on is required" in err
    code, _, err = run(
        capsys,
        "--input",
        source,
        "--rules",
        "hte",
        "--on",
        "2025-06-30",
        "--out",
        tmp_path / "no" / "R.jsonl",
    )
    assert code == 2 and "does not exist" in err


def test_a_malformed_rule_folder_is_refused(tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("name: bad\ntitle: x\n", encoding="utf-8")
    code, _, err = run(capsys, "--list-rules", "--rules-dir", rules)
    assert code == 2
    assert "bad.yaml" in err and "missing criteria, effective_from" in err


def test_the_kechuang_command_dispatches_without_django(tmp_path):
    source = write_input(tmp_path / "E.jsonl", [enterprise()])
    out = tmp_path / "R.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "kechuang.cli",
        "assess",
        "--input",
        str(source),
        "--rules",
        "all",
        "--on",
        "2025-06-30",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, done.stderr
    rulesets = [
        json.loads(line)["ruleset"] for line in out.read_text(encoding="utf-8").splitlines()
    ]
    assert rulesets == [
        "hte",
        "innovative_sme",
        "little_giant",
        "sme_tech",
        "specialised_sme",
        "star_market",
    ]


def test_large_inputs_are_split_between_two_processes_with_the_same_output(
    tmp_path, capsys, monkeypatch
):
    from kechuang.rules import cli

    records = [enterprise(id=f"E{i}", staff=100 + i, tech_staff=5 + i % 40) for i in range(30)]
    source = write_input(tmp_path / "E.jsonl", records)
    argv = ["--input", source, "--rules", "all", "--on", "2025-06-30", "--out"]
    assert run(capsys, *argv, tmp_path / "one.jsonl")[0] == 0
    monkeypatch.setattr(cli, "PARALLEL_FROM", 10)
    monkeypatch.setattr(cli, "available_workers", lambda: 2)
    code, _, err = run(capsys, *argv, tmp_path / "two.jsonl")
    assert code == 0 and "2 process(es)" in err
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    # a bad record in the second half: its line, and no output or part files left behind
    bad = records[:25] + [{**records[25], "staff": "many"}] + records[26:]
    write_input(source, bad)
    code, _, err = run(capsys, *argv, tmp_path / "three.jsonl")
    assert code == 2 and "E.jsonl line 26" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["E.jsonl", "one.jsonl", "two.jsonl"]
