"""Policy rule engine (企业梯次培育): versioned rule sets as data, assessed in batch. No Django.

Rule sets live in `kechuang/rules/rulesets/*.yaml` (format: docs/rules.md); enterprise records
follow docs/assessment-input.md. Typical use:

    from kechuang.rules import assess, assess_many, RuleBook
    a = assess(record, "hte", date(2025, 6, 1))          # one enterprise, one rule set
    a.eligible, a.status, a.score, a.criteria, a.gaps, a.routes
    batches = assess_many(records, ["sme_tech", "hte"], date(2025, 6, 1))
    batches[0].assessment(i)                              # the same Assessment, from columns
    RuleBook.load().all()                                 # every version, with its dates

Errors: InputError (a record; `.index`), UnknownRuleSet, NoVersionInForce, RuleFileError;
each carries `.en` and `.zh`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .engine import BatchResult, evaluate
from .errors import InputError, NoVersionInForce, RuleFileError, RulesError, UnknownRuleSet
from .registry import RuleBook
from .result import Assessment, CriterionResult
from .ruleset import RuleSet, load_ruleset
from .table import EnterpriseTable, build_table


def resolve(
    names: Sequence[str | RuleSet], on: dt.date, book: RuleBook | None = None
) -> list[RuleSet]:
    """The rule sets in force on `on` for names such as "hte" or "sme_tech@2017"."""
    book = book or RuleBook.load()
    return [n if isinstance(n, RuleSet) else book.in_force(n, on) for n in names]


def assess_many(
    enterprises: Sequence[dict] | EnterpriseTable,
    rulesets: Sequence[str | RuleSet],
    on: dt.date,
    *,
    book: RuleBook | None = None,
    gaps: bool = True,
) -> list[BatchResult]:
    """Every enterprise under every rule set: one columnar `BatchResult` per rule set.

    `gaps=False` skips the gap texts (verdicts, scores and criteria only).
    """
    table = enterprises if isinstance(enterprises, EnterpriseTable) else build_table(enterprises)
    return [evaluate(ruleset, table, on, gaps=gaps) for ruleset in resolve(rulesets, on, book)]


def assess(
    enterprise: dict, ruleset: str | RuleSet, on: dt.date, *, book: RuleBook | None = None
) -> Assessment:
    """One enterprise under one rule set (the batch engine on a table of one)."""
    return assess_many([enterprise], [ruleset], on, book=book)[0].assessment(0)


__all__ = [
    "Assessment",
    "BatchResult",
    "CriterionResult",
    "EnterpriseTable",
    "InputError",
    "NoVersionInForce",
    "RuleBook",
    "RuleFileError",
    "RuleSet",
    "RulesError",
    "UnknownRuleSet",
    "assess",
    "assess_many",
    "build_table",
    "load_ruleset",
    "resolve",
]
