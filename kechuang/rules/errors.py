"""Errors this package raises on purpose, each with an English and a Chinese message."""

from __future__ import annotations


class RulesError(Exception):
    """Base class: `en` for logs and the command line, `zh` for the Chinese UI."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en = en
        self.zh = zh


class RuleFileError(RulesError):
    """A rule-set file that cannot be used: the message names the file and the place in it."""

    def __init__(self, path: str, where: str, en: str, zh: str):
        place = f"{path}: {where}: " if where else f"{path}: "
        place_zh = f"{path}：{where}：" if where else f"{path}："
        super().__init__(place + en, place_zh + zh)
        self.path = path
        self.where = where


class UnknownRuleSet(RulesError):
    """A rule-set name (or name@version) that no file defines."""


class NoVersionInForce(RulesError):
    """The rule set exists, but no version of it is in force on the date asked."""


class InputError(RulesError):
    """An enterprise record that does not follow docs/assessment-input.md.

    `index` is the record's position in the list given (the command line turns it into a
    line number); None when the problem is not one record's.
    """

    def __init__(self, index: int | None, en: str, zh: str):
        super().__init__(en, zh)
        self.index = index
