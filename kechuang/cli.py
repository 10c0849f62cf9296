"""The `kechuang` command.

Algorithm commands that need no database (`assign`) run without loading Django, so benchmarks
can call them on plain files. Everything else is a Django management command, reached through
the same entry point: `kechuang demo --seed 1` is `manage.py demo --seed 1`.
"""

from __future__ import annotations

import os
import sys

PURE_COMMANDS = {
    "assign": "kechuang.assignment.cli",
    "match": "kechuang.retrieval.cli_match",
    "experts": "kechuang.retrieval.cli_experts",
    "assess": "kechuang.rules.cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PURE_COMMANDS:
        from importlib import import_module

        module = import_module(PURE_COMMANDS[argv[0]])
        return int(module.main(argv[1:]) or 0)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kechuang", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
