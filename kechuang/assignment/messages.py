"""User-facing messages in Chinese and English.

The checker, the infeasibility diagnosis and input errors all speak through `Message`, so the
Chinese UI can show `zh` while logs, the command line and tests use `en`. Codes are stable
identifiers the UI can key on; the wording may change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """One finding or error, in both languages, with the indices it concerns."""

    code: str
    en: str
    zh: str
    items: tuple[int, ...] = ()
    reviewers: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return self.en

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "en": self.en,
            "zh": self.zh,
            "items": list(self.items),
            "reviewers": list(self.reviewers),
            **({"data": self.data} if self.data else {}),
        }


def preview(indices: Any, limit: int = 8) -> str:
    """Render a short list of indices for a sentence, e.g. `3, 7, 9 and 12 more`."""
    values = [int(v) for v in indices]
    head = ", ".join(str(v) for v in values[:limit])
    rest = len(values) - limit
    return f"{head} (+{rest} more)" if rest > 0 else head


def preview_zh(indices: Any, limit: int = 8) -> str:
    values = [int(v) for v in indices]
    head = "、".join(str(v) for v in values[:limit])
    rest = len(values) - limit
    return f"{head} 等 {len(values)} 个" if rest > 0 else head


class AssignmentError(Exception):
    """Base class for errors this package raises on purpose; carries a bilingual message."""

    def __init__(self, message: Message):
        super().__init__(message.en)
        self.message = message


class ProblemError(AssignmentError, ValueError):
    """The problem description itself is malformed (shapes, ranges, unknown indices)."""


class UnsupportedProblemError(AssignmentError, ValueError):
    """The chosen solver cannot express a constraint or mode of this problem."""


class UnknownSolverError(AssignmentError, KeyError):
    """A solver name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message.en


class SolverError(AssignmentError, RuntimeError):
    """A solver broke its promise (e.g. the independent checker rejected its answer)."""


def problem_error(code: str, en: str, zh: str, **data: Any) -> ProblemError:
    return ProblemError(Message(code=code, en=en, zh=zh, data=data))
