"""All rule-set files of a folder, and the version of each that is in force on a date.

Adding a newer version of a rule set is adding a file with the same `name`, a new `version`
and its `effective_from` (and closing the older one with `effective_to`). Two versions of one
rule set in force on the same day are refused when the folder is read.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from .errors import NoVersionInForce, RuleFileError, UnknownRuleSet
from .ruleset import RuleSet, load_ruleset

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


class RuleBook:
    """Every version of every rule set, checked for overlapping validity."""

    def __init__(self, rulesets: list[RuleSet]):
        self.by_name: dict[str, list[RuleSet]] = {}
        for ruleset in rulesets:
            versions = self.by_name.setdefault(ruleset.name, [])
            for other in versions:
                if other.version == ruleset.version:
                    raise RuleFileError(
                        ruleset.path,
                        "version",
                        f"{ruleset.key} is also defined in {other.path}",
                        f"{ruleset.key} 已在 {other.path} 中定义",
                    )
                if _overlap(other, ruleset):
                    raise RuleFileError(
                        ruleset.path,
                        "effective_from",
                        f"{ruleset.key} is in force on days when {other.key} ({other.path}) also is",
                        f"{ruleset.key} 与 {other.key}（{other.path}）的有效期重叠",
                    )
            versions.append(ruleset)
        for versions in self.by_name.values():
            versions.sort(key=lambda r: r.effective_from)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> RuleBook:
        """Read every *.yaml / *.yml / *.json file of the folder (default: the shipped sets)."""
        if directory is None:
            return _default_book()
        folder = Path(directory)
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
        return cls([load_ruleset(path) for path in files])

    def names(self) -> list[str]:
        return sorted(self.by_name)

    def versions(self, name: str) -> list[RuleSet]:
        if name not in self.by_name:
            raise UnknownRuleSet(
                f"unknown rule set {name!r}; known: {', '.join(self.names())}",
                f"未知规则集“{name}”；可用：{', '.join(self.names())}",
            )
        return list(self.by_name[name])

    def in_force(self, name: str, on: dt.date) -> RuleSet:
        """The version of `name` in force on `on`; `name@version` asks for one version."""
        name, _, version = name.partition("@")
        versions = self.versions(name.strip())
        if version:
            for ruleset in versions:
                if ruleset.version == version.strip():
                    return ruleset
            known = ", ".join(r.version for r in versions)
            raise UnknownRuleSet(
                f"rule set {name} has no version {version!r}; versions: {known}",
                f"规则集 {name} 没有版本“{version}”；现有版本：{known}",
            )
        for ruleset in versions:
            if ruleset.in_force(on):
                return ruleset
        spans = "; ".join(f"{r.version}: {_span(r)}" for r in versions)
        raise NoVersionInForce(
            f"no version of {name} is in force on {on.isoformat()} ({spans})",
            f"{on.isoformat()} 没有有效的 {name} 版本（{spans}）",
        )

    def all(self) -> list[RuleSet]:
        return [r for name in self.names() for r in self.by_name[name]]


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    far = dt.date.max
    return a.effective_from <= (b.effective_to or far) and b.effective_from <= (
        a.effective_to or far
    )


def _span(ruleset: RuleSet) -> str:
    end = ruleset.effective_to.isoformat() if ruleset.effective_to else "…"
    return f"{ruleset.effective_from.isoformat()} – {end}"


@lru_cache(maxsize=1)
def _default_book() -> RuleBook:
    return RuleBook.load(RULESET_DIR)
