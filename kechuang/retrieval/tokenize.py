"""Chinese and English text → index terms.

jieba segments the Chinese; English words and numbers come out of jieba whole and are
lower-cased. Full-width forms are folded to half-width first (ＬＥＤ → led). Stopwords are the
Chinese and English lists that ship with bm25s. A user dictionary (taxonomy names, record
keywords) is added to a private jieba instance, so two engines with different dictionaries
never disturb each other or the process-wide `jieba.dt`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

import jieba
from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN

Mode = Literal["search", "precise"]

STOPWORDS: frozenset[str] = frozenset(STOPWORDS_CHINESE) | frozenset(STOPWORDS_EN)

# A token is kept when it holds a CJK character or a latin letter/digit; punctuation, spaces
# and symbols are not terms.
_WORDY = re.compile(r"[\u3400-\u9fff\uf900-\ufaffa-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_instances: dict[frozenset[str], jieba.Tokenizer] = {}
_instances_lock = threading.Lock()


def _jieba_with(user_words: frozenset[str]) -> jieba.Tokenizer:
    """One initialised jieba instance per distinct user dictionary, shared within the process."""
    with _instances_lock:
        instance = _instances.get(user_words)
        if instance is None:
            instance = jieba.Tokenizer()
            instance.initialize()
            for word in sorted(user_words):
                instance.add_word(word)
            _instances[user_words] = instance
        return instance


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def clean_user_words(words: Iterable[str]) -> frozenset[str]:
    """User-dictionary entries as jieba can use them: normalised, no spaces, at least 2 chars."""
    cleaned = set()
    for word in words:
        word = normalise(str(word)).strip()
        if len(word) >= 2 and not any(ch.isspace() for ch in word):
            cleaned.add(word)
    return frozenset(cleaned)


class Tokenizer:
    """Turns text into index terms; the same instance tokenises documents and queries.

    `mode="search"` is jieba's search mode: besides each word it emits the dictionary words
    inside it (人工智能 → 人工, 智能, 人工智能), so a query for 智能 finds 人工智能.
    `mode="precise"` emits each word once. The default was chosen on csl-dev
    (docs/retrieval.md, "Tokenisation").
    """

    def __init__(
        self,
        user_words: Iterable[str] = (),
        *,
        mode: Mode = "search",
        stopwords: Iterable[str] | None = None,
    ) -> None:
        if mode not in ("search", "precise"):
            raise ValueError(f"unknown tokeniser mode {mode!r}: use 'search' or 'precise'")
        self.mode: Mode = mode
        self.user_words = clean_user_words(user_words)
        self.stopwords = STOPWORDS if stopwords is None else frozenset(stopwords)
        self._jieba: jieba.Tokenizer | None = None

    @property
    def jieba(self) -> jieba.Tokenizer:
        # Initialising jieba costs ~1 s; do it on first use, not on import or construction.
        if self._jieba is None:
            self._jieba = _jieba_with(self.user_words)
        return self._jieba

    def __call__(self, text: str) -> list[str]:
        text = normalise(text or "")
        if self.mode == "search":
            pieces = self.jieba.cut_for_search(text)
        else:
            pieces = self.jieba.cut(text)
        return [piece for piece in (p.strip() for p in pieces) if self._keep(piece)]

    def many(self, texts: Sequence[str]) -> list[list[str]]:
        return [self(text) for text in texts]

    def _keep(self, piece: str) -> bool:
        if not piece or piece in self.stopwords or not _WORDY.search(piece):
            return False
        # A single latin letter or digit carries no meaning on its own ("a", "3").
        return len(piece) > 1 or bool(_CJK.match(piece))

    def settings(self) -> dict:
        return {"mode": self.mode, "user_words": sorted(self.user_words)}
