"""Extension points other apps use to follow the resource library without it knowing them.

`after_change` callbacks run after the transaction that published, changed or archived a
record commits, with the record's model label and primary key. Other apps register in their
AppConfig.ready(); the resource library calls them explicitly (no signals).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from resources.search import catalog_changed

ChangeHook = Callable[[str, int], None]
after_change: list[ChangeHook] = []

# Detail-page panels: record kind key → functions giving a URL loaded into the record's page.
detail_panels: dict[str, list[Callable[[object], str]]] = {}


def record_changed(record) -> None:
    label, pk = record._meta.label_lower, record.pk
    transaction.on_commit(lambda: catalog_changed(label))
    for hook in after_change:
        transaction.on_commit(lambda hook=hook: hook(label, pk))


def panels_for(kind_key: str, record) -> list[str]:
    return [panel(record) for panel in detail_panels.get(kind_key, [])]
