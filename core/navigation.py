"""Main-menu entries of later apps, registered in their AppConfig.ready(): core lists them
without importing those apps (the same pattern as the resource library's hooks)."""

from __future__ import annotations

from collections.abc import Callable

NavEntries = Callable[[object], list[tuple[str, str]]]
"""user → [(label, url)] this user should see."""

entries: list[NavEntries] = []


def register(func: NavEntries) -> NavEntries:
    entries.append(func)
    return func
