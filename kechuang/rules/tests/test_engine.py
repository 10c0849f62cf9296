"""Rule files as data: validation, versions by date, missing data, input checks, no Django."""

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from kechuang.rules import (
    InputError,
    NoVersionInForce,
    RuleBook,
    RuleFileError,
    UnknownRuleSet,
    assess,
    build_table,
)

from .helpers import enterprise

DEMO = """
name: demo
title: 示例规则
version: "{version}"
effective_from: {start}
effective_to: {end}
source: 测试文件
criteria:
  - id: staff_min
    label: 职工总数
    quantity: staff
    compare: min
    threshold: {threshold}
    inclusive: true
    unit: person
    source: 第一条
    confirmed: true
    lever: {{field: staff}}
eligible: {{all: [staff_min]}}
"""


def write(folder, name, text):
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def demo(folder, version="1", start="2020-01-01", end="2020-12-31", threshold=10, name=None):
    write(
        folder,
        name or f"demo-{version}.yaml",
        DEMO.format(version=version, start=start, end=end, threshold=threshold),
    )


def test_a_newer_version_is_a_new_file_and_the_date_picks_it(tmp_path):
    demo(tmp_path)
    book = RuleBook.load(tmp_path)
    record = enterprise(staff=15, tech_staff=5, rd_staff=5)
    assert assess(record, "demo", dt.date(2020, 6, 1), book=book).eligible is True
    demo(tmp_path, version="2", start="2021-01-01", end="null", threshold=20)
    book = RuleBook.load(tmp_path)
    later = assess(record, "demo", dt.date(2021, 6, 1), book=book)
    assert (later.version, later.eligible) == ("2", False)
    assert "职工总数 15 人，需 ≥ 20 人，差额约 5 人" in later.gaps
    assert assess(record, "demo@1", dt.date(2021, 6, 1), book=book).eligible is True
    with pytest.raises(NoVersionInForce):
        assess(record, "demo", dt.date(2019, 12, 31), book=book)
    with pytest.raises(UnknownRuleSet) as caught:
        assess(record, "demo@9", dt.date(2020, 6, 1), book=book)
    assert "versions: 1, 2" in caught.value.en


def test_overlapping_versions_are_refused(tmp_path):
    demo(tmp_path)
    demo(tmp_path, version="2", start="2020-06-01", end="null")
    with pytest.raises(RuleFileError) as caught:
        RuleBook.load(tmp_path)
    assert "demo@2 is in force on days when demo@1" in caught.value.en
    assert "有效期重叠" in caught.value.zh


GOOD_CRITERION = """
  - id: staff_min
    label: 职工总数
    quantity: staff
    compare: min
    threshold: 10
    inclusive: true
    unit: person
    source: 第一条
    confirmed: true
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("quantity: staff", "quantity: staf"),
            "criteria[0] (staff_min).quantity: 'staf': unknown field \"staf\"",
        ),
        (("    inclusive: true\n", ""), "say whether the threshold is inclusive"),
        (("    confirmed: true\n", ""), "criteria[0].id" if False else "missing confirmed"),
        (("compare: min", "compare: atleast"), "compare must be one of in, is, max, min"),
        (("threshold: 10", "threshold: ten"), "expected a number, got 'ten'"),
        (("unit: person", "unit: people"), "unit 'people' is not one of"),
        (
            ("eligible: {all: [staff_min]}", "eligible: {all: [staff_max]}"),
            "eligible.all[0]: unknown criterion 'staff_max'",
        ),
        (("quantity: staff", "quantity: last(staff)"), "last() takes a yearly field or expression"),
        (("name: demo", "name: Demo Rules"), "name: use lower-case letters"),
        (
            ("effective_to: 2020-12-31", "effective_to: 2019-12-31"),
            "effective_to: ends before it starts",
        ),
    ],
)
def test_a_malformed_rule_file_is_refused_with_the_place_and_reason(tmp_path, change, message):
    text = DEMO.format(version="1", start="2020-01-01", end="2020-12-31", threshold=10)
    old, new = change
    assert old in text
    write(tmp_path, "demo.yaml", text.replace(old, new))
    with pytest.raises(RuleFileError) as caught:
        RuleBook.load(tmp_path)
    assert str(tmp_path / "demo.yaml") in caught.value.en
    assert message in caught.value.en
    assert caught.value.zh


def test_bands_that_can_never_match_are_refused(tmp_path):
    text = DEMO.format(version="1", start="2020-01-01", end="null", threshold=10).replace(
        "eligible: {all: [staff_min]}",
        textwrap.dedent(
            """\
            score: {parts: [tech]}
            eligible: {all: [staff_min]}
            """
        ),
    )
    text = text.replace(
        "criteria:\n",
        textwrap.dedent(
            """\
            criteria:
              - id: tech
                label: 科技人员
                quantity: tech_staff / staff
                unit: ratio
                source: 第二条
                confirmed: true
                points:
                  bands:
                    - {min: 0.10, points: 4}
                    - {min: 0.20, points: 8}
                    - {points: 0}
            """
        ),
    )
    write(tmp_path, "demo.yaml", text)
    with pytest.raises(RuleFileError) as caught:
        RuleBook.load(tmp_path)
    assert "points.bands[1]: this band can never match" in caught.value.en


def test_a_criterion_left_out_of_the_formula_is_refused(tmp_path):
    text = DEMO.format(version="1", start="2020-01-01", end="null", threshold=10)
    text = text.replace(
        "eligible:",
        GOOD_CRITERION.replace("staff_min", "staff_two").lstrip("\n").join(["", "eligible:"]),
    )
    write(tmp_path, "demo.yaml", text.replace("  - id: staff_two", "  - id: staff_two", 1))
    with pytest.raises(RuleFileError) as caught:
        RuleBook.load(tmp_path)
    assert "never used: add it to eligible" in caught.value.en


def test_not_yaml_is_refused_with_the_line(tmp_path):
    write(tmp_path, "demo.yaml", "name: demo\ncriteria: [\n")
    with pytest.raises(RuleFileError) as caught:
        RuleBook.load(tmp_path)
    assert "not valid YAML" in caught.value.en and "line" in caught.value.en


def test_every_shipped_rule_set_loads_and_names_its_source():
    book = RuleBook.load()
    assert {
        "hte",
        "sme_tech",
        "innovative_sme",
        "specialised_sme",
        "little_giant",
        "star_market",
    } <= set(book.names())
    for ruleset in book.all():
        assert ruleset.source and all(c.source for c in ruleset.criteria)


def test_missing_figures_are_reported_missing_not_as_zero():
    a = assess(enterprise(staff=None), "sme_tech", dt.date(2025, 6, 30))
    staff = a.criterion("staff_limit")
    assert (staff.value, staff.passed, staff.status, staff.missing) == (
        None,
        None,
        "missing",
        ("staff",),
    )
    tech = a.criterion("tech_staff")
    assert tech.status == "missing" and tech.points is None and tech.points_range == (0, 20)
    assert a.eligible is False and a.status == "incomplete"
    assert "职工总数：缺少数据（职工总数）" in a.gaps


def test_missing_data_does_not_hide_a_failure_elsewhere():
    a = assess(enterprise(staff=None, blacklisted=True), "sme_tech", dt.date(2025, 6, 30))
    assert a.status == "not_eligible"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"staff": "100"}, 'field "staff" must be a number'),
        ({"staff": -1}, 'field "staff" must be not below 0'),
        ({"staff": 10.5}, 'field "staff" must be a whole number'),
        ({"revenue": [1, 2, 3, 4]}, 'field "revenue" must be a list of 1 to 3 yearly figures'),
        ({"founded": "2020/01/01"}, 'field "founded" must be a date YYYY-MM-DD'),
        ({"resident": "yes"}, 'field "resident" must be true or false'),
        ({"hte_field": "software"}, 'field "hte_field" must be one of'),
        ({"tech_staff": 200}, '"tech_staff" exceeds "staff"'),
        ({"revenues": [1, 2, 3]}, 'unknown field "revenues" (did you mean "revenue"?)'),
        (
            {"awards": [{"year": 2024, "level": "city"}]},
            '"awards" item key "level" must be one of national, provincial',
        ),
        ({"id": ""}, 'field "id" is missing or empty'),
    ],
)
def test_bad_records_are_refused_with_a_reason(changes, message):
    with pytest.raises(InputError) as caught:
        build_table([enterprise(), {**enterprise(id="E2"), **changes}])
    assert caught.value.index == 1
    assert message in caught.value.en
    assert caught.value.zh


def test_reviews_must_name_a_judgement_of_the_rule_set():
    for reviews, message in (
        ({"hte": {"rd_ratio": True}}, "is decided by the figures"),
        ({"hte": {"no_such": True}}, 'has no criterion "no_such"'),
        ({"hte": {"ip_advancement": 9}}, "takes points from 0 to 8"),
    ):
        with pytest.raises(InputError) as caught:
            assess(enterprise(reviews=reviews), "hte", dt.date(2025, 6, 30))
        assert message in caught.value.en


def test_the_engine_imports_no_django():
    code = "import sys, kechuang.rules, kechuang.rules.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'core', 'resources', 'programs')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
