"""Pytest plugin loaded before Django: the environment the test suite runs in."""

import os

# Tests run with production settings (DEBUG off); tasks run in-process so their effects are visible.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("KECHUANG_TASKS", "immediate")
os.environ.setdefault("KECHUANG_DEBUG", "false")
# Persistent connections would keep the live-server thread attached to the test database.
os.environ.setdefault("KECHUANG_DB_CONN_MAX_AGE", "0")
# Tests index with a tiny deterministic embedder instead of loading the sentence-vector model.
os.environ.setdefault("KECHUANG_EMBEDDER", "kechuang.retrieval.tests.fakes.HashingEmbedder")
# Tests create records directly, without the publishing service that makes cached searches
# stale; the cache is tested on its own (resources/tests/test_catalog.py).
os.environ.setdefault("KECHUANG_SEARCH_CACHE_SECONDS", "0")
